//! The index of *Aggiungi nuovo ente* (the autocomplete and its no-JavaScript fallback): the registry's names and search keys in memory, so a keystroke costs one primary-key
//! read (the registry's version) and a scan of ~8,000 short strings instead of a `LIKE '%…%'` scan in SQL.
//!
//! The database stays the truth: every import increments `versioni.enti` in its transaction, and each search
//! compares that number with the one the copy was built from, so an import on any node is seen by every node on
//! its next search. Memory is bounded by the registry (about 1.5 MB for 8,000 enti). Gestione keeps the SQL
//! search ([`enti::cerca`], with its count for paging), which the tests also use as this index's reference.

use std::sync::{Arc, RwLock};

use crate::db::enti::{self, Ricerca, Voce, parole};
use crate::db::{Db, DbError};

/// One ente of the copy.
#[derive(Debug)]
struct Chiave {
    voce: Voce,
    search_key: String,
}

#[derive(Debug)]
struct Copia {
    versione: i64,
    /// Shortest key first, then alphabetical: the tie-break order of [`enti::cerca`].
    voci: Vec<Chiave>,
}

/// The in-memory copy of the registry, shared by the requests of a node.
#[derive(Debug, Default)]
pub struct IndiceEnti {
    copia: RwLock<Option<Arc<Copia>>>,
}

impl IndiceEnti {
    /// The same results, in the same order, as [`enti::cerca`].
    pub async fn cerca(&self, db: &Db, r: &Ricerca<'_>) -> Result<Vec<Voce>, DbError> {
        let copia = self.aggiornata(db).await?;
        let parole = parole(r.testo);
        let intero = parole.join(" ");
        // " words": a key ending with it ends with the words; a key containing it has a word starting with them.
        let dopo_spazio = format!(" {intero}");
        let mut trovate: Vec<(u8, &Chiave)> = copia
            .voci
            .iter()
            .filter(|c| r.anche_inattivi || c.voce.attivo)
            .filter(|c| r.tipo.is_none_or(|t| c.voce.tipo == t))
            .filter(|c| parole.iter().all(|p| c.search_key.contains(p.as_str())))
            .map(|c| {
                let k = c.search_key.as_str();
                let rango = if k == intero || k.ends_with(&dopo_spazio) {
                    0
                } else if k.starts_with(&intero) || k.contains(&dopo_spazio) {
                    1
                } else {
                    2
                };
                (rango, c)
            })
            .collect();
        // Stable: within a rank the copy's order (length, then key) stays.
        trovate.sort_by_key(|(rango, _)| *rango);
        let salta = usize::try_from(r.offset).unwrap_or(0);
        let prendi = usize::try_from(r.limit).unwrap_or(0);
        Ok(trovate.into_iter().skip(salta).take(prendi).map(|(_, c)| c.voce.clone()).collect())
    }

    /// The copy, rebuilt when the registry's version has moved.
    async fn aggiornata(&self, db: &Db) -> Result<Arc<Copia>, DbError> {
        let versione = enti::versione(db).await?;
        if let Some(copia) = self.copia.read().ok().and_then(|c| c.clone())
            && copia.versione == versione
        {
            return Ok(copia);
        }
        let (versione, righe) = enti::per_indice(db).await?;
        let copia = Arc::new(Copia {
            versione,
            voci: righe.into_iter().map(|(voce, search_key)| Chiave { voce, search_key }).collect(),
        });
        if let Ok(mut scritta) = self.copia.write() {
            *scritta = Some(copia.clone());
        }
        tracing::debug!(versione, enti = copia.voci.len(), "indice degli enti ricostruito");
        Ok(copia)
    }
}
