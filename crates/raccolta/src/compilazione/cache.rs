//! The evaluations of the questionnaires being compiled on this node, so that a save re-checks only what depends
//! on the changed field (`Valutazione::imposta`, microseconds) instead of reading and evaluating every answer.
//!
//! The database stays the truth: an entry is used only when its revision is the questionnaire's revision read
//! (and locked) in the save's transaction, so a change made on another node, or a save whose request was
//! cancelled between commit and update, makes the entry reload. Each entry has its own read-write lock: a save
//! holds it alone from its transaction's start to the entry's update, so saves to one questionnaire queue on this
//! node (saves to different questionnaires do not), while pages render from it side by side.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use questionario::{IdCampo, Modulo, Risposte, Valore, Valutazione};

use crate::db::questionari::{self, Giustificazione, Questionario, Risposta};
use crate::db::{Conn, DbError};

/// How many questionnaires a node keeps evaluated; past it, entries nobody is using are dropped.
const CAPIENZA: usize = 4096;

/// One questionnaire's answers, evaluated.
pub struct Stato {
    /// The questionnaire's revision these answers are at.
    pub revisione: i64,
    /// The definition.
    pub modulo: &'static Modulo,
    /// Values, relevance, rules, completion.
    pub valutazione: Valutazione<'static>,
    /// The stored answers by field: version, author, time.
    pub risposte: HashMap<IdCampo, Risposta>,
    /// The prefilled values by field, with their source.
    pub precompilati: HashMap<IdCampo, (Valore, String)>,
    /// The justifications by rule id.
    pub giustificazioni: HashMap<String, Giustificazione>,
    /// The justifications whose rule's fields changed since they were written: shown as stale, and not counted
    /// for invio until confirmed again.
    pub superate: BTreeSet<String>,
}

impl std::fmt::Debug for Stato {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stato").field("revisione", &self.revisione).field("modulo", &self.modulo.chiave()).finish()
    }
}

impl Stato {
    /// Reads the answers, prefilled values and justifications of `q` and evaluates them.
    pub async fn carica(c: impl Into<Conn<'_>>, modulo: &'static Modulo, q: &Questionario) -> Result<Stato, DbError> {
        let mut c = c.into();
        let righe = questionari::risposte(&mut c, q.id).await?;
        let pre = questionari::precompilati(&mut c, q.ente_id, &q.campagna, &q.modulo).await?;
        let giust = questionari::giustificazioni(&mut c, q.id).await?;
        let mut r = Risposte::default();
        let mut risposte = HashMap::new();
        for riga in righe {
            let Some(id) = modulo.id(&riga.campo) else { continue };
            if riga.risposto {
                let valore = match &riga.valore {
                    None => Ok(Valore::Vuoto),
                    Some(v) => modulo.interpreta_testo(id, v),
                };
                // A stored value the definition no longer accepts counts as refused: the page shows why.
                match valore {
                    Ok(v) => {
                        r.valori.insert(id, v);
                    }
                    Err(e) => {
                        r.valori.insert(id, Valore::Vuoto);
                        r.errori.push((riga.campo.clone(), e));
                    }
                }
            }
            risposte.insert(id, riga);
        }
        let mut precompilati = HashMap::new();
        for p in pre {
            let Some(id) = modulo.id(&p.campo) else { continue };
            if let Ok(v) = modulo.interpreta_testo(id, &p.valore) {
                r.precompilati.insert(id, v.clone());
                precompilati.insert(id, (v, p.fonte));
            }
        }
        let mut stato = Stato {
            revisione: q.revisione,
            modulo,
            valutazione: Valutazione::nuova(modulo, &r),
            risposte,
            precompilati,
            giustificazioni: giust.into_iter().map(|g| (g.regola.clone(), g)).collect(),
            superate: BTreeSet::new(),
        };
        stato.rivedi_giustificazioni();
        Ok(stato)
    }

    /// The values of rule number `i`'s fields now, as a justification records them (JSON: address → value).
    pub fn valori_regola(&self, i: usize) -> String {
        let mut mappa = serde_json::Map::new();
        if let Some(regola) = self.modulo.regole.get(i) {
            for &id in &regola.campi {
                let valore = self.valutazione.valore(id).and_then(Valore::canonico);
                mappa.insert(self.modulo.campi[id as usize].indirizzo.clone(), valore.into());
            }
        }
        serde_json::Value::Object(mappa).to_string()
    }

    /// The index of the rule `id`.
    pub fn regola(&self, id: &str) -> Option<usize> {
        self.modulo.regole.iter().position(|r| r.id == id)
    }

    /// Decides again which justifications are stale, and gives the engine only the fresh ones; returns the rules
    /// whose justification became stale or fresh.
    pub fn rivedi_giustificazioni(&mut self) -> Vec<String> {
        let mut cambiate = Vec::new();
        let ids: Vec<String> = self.giustificazioni.keys().cloned().collect();
        for id in ids {
            let Some(i) = self.regola(&id) else { continue };
            let g = &self.giustificazioni[&id];
            let superata = !stessi_valori(&g.valori, &self.valori_regola(i));
            let testo = if superata { String::new() } else { g.testo.clone() };
            self.valutazione.giustifica(&id, &testo);
            if superata != self.superate.contains(&id) {
                cambiate.push(id.clone());
            }
            if superata {
                self.superate.insert(id);
            } else {
                self.superate.remove(&id);
            }
        }
        cambiate
    }
}

fn stessi_valori(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<serde_json::Value>(a), serde_json::from_str::<serde_json::Value>(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// An entry: `None` until a request loads it. Pages read it together (a read lock); a save, a justification or a
/// reload holds it alone.
pub type Voce = Arc<tokio::sync::RwLock<Option<Stato>>>;

/// The entry `voce` for reading, at `q`'s revision or later: loaded (or reloaded) from `db` first when older.
pub async fn leggi(
    voce: Voce,
    db: &crate::db::Db,
    modulo: &'static Modulo,
    q: &Questionario,
) -> Result<tokio::sync::OwnedRwLockReadGuard<Option<Stato>>, DbError> {
    let lettura = voce.clone().read_owned().await;
    // A newer copy than the row read is newer truth: it follows a commit this node made after the read.
    if lettura.as_ref().is_some_and(|s| s.revisione >= q.revisione) {
        return Ok(lettura);
    }
    drop(lettura);
    let mut scrittura = voce.write_owned().await;
    // Another request may have loaded it while this one waited.
    if scrittura.as_ref().is_none_or(|s| s.revisione < q.revisione) {
        *scrittura = Some(Stato::carica(db, modulo, q).await?);
    }
    Ok(scrittura.downgrade())
}

/// The node's evaluated questionnaires, by questionnaire id.
#[derive(Debug, Default)]
pub struct Cache {
    voci: Mutex<HashMap<i64, Voce>>,
}

impl Cache {
    /// The entry of questionnaire `id` if this node has one, without making one.
    pub fn se_presente(&self, id: i64) -> Option<Voce> {
        self.voci.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id).cloned()
    }

    /// The entry of questionnaire `id` (empty the first time).
    pub fn voce(&self, id: i64) -> Voce {
        let mut voci = self.voci.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if voci.len() >= CAPIENZA && !voci.contains_key(&id) {
            voci.retain(|_, v| Arc::strong_count(v) > 1);
        }
        voci.entry(id).or_default().clone()
    }
}
