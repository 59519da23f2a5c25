//! Prefilled values from an external source (BDAP): a CSV file of ente × campaign × modulo × field × value into
//! `precompilati`, which every compile page shows as "Precompilato da …" until the compiler types an answer.
//!
//! The whole file is checked before anything is written, against the registry and the questionnaires'
//! definitions: every error is returned with its line and column, and on any error the database is not touched.
//! Otherwise every value is written in one transaction with one audit row; writing a value already stored
//! changes nothing, so importing the same file again changes nothing. A questionnaire whose prefilled values
//! changed moves to its next revision in the same transaction: the nodes' evaluations are keyed by it
//! ([`super::cache`]), so the next request shows the new values on every node.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use questionario::{Catalogo, ErroreValore, Lingua, Modulo};

use crate::context::Context;
use crate::db::{Db, DbError, audit, enti, questionari};

/// The columns the header must have (`fonte` is optional).
pub const COLONNE_OBBLIGATORIE: [&str; 5] = ["ente", "campagna", "modulo", "campo", "valore"];

/// The source of a value when neither the file nor the field's definition names one.
pub const FONTE_PREDEFINITA: &str = "BDAP";

/// The longest source name accepted.
const FONTE_MAX: usize = 50;

/// One value to prefill, as written: a row of the file, or a value the platform makes (demo data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voce {
    /// Line of the file (from 1, the header is line 1).
    pub riga: u64,
    /// The ente's IPA code (`c_f205`).
    pub ente: String,
    /// Campaign folder (`fc80u-2022`).
    pub campagna: String,
    /// Modulo code (`B`).
    pub modulo: String,
    /// Field address (`Z02.A`).
    pub campo: String,
    /// The value: canonical (`1234.56`) or with a decimal comma (`1234,56`), no thousands separators.
    pub valore: String,
    /// The source; `None`: the one the field's definition names, else [`FONTE_PREDEFINITA`].
    pub fonte: Option<String>,
}

/// What is wrong with a file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errore {
    /// Line of the file; 0 for the file as a whole.
    pub riga: u64,
    /// The column's name, when the error is in one.
    pub colonna: Option<String>,
    /// What is wrong, in Italian.
    pub messaggio: String,
}

impl Errore {
    fn new(riga: u64, colonna: Option<&str>, messaggio: impl Into<String>) -> Errore {
        Errore { riga, colonna: colonna.map(str::to_owned), messaggio: messaggio.into() }
    }
}

impl fmt::Display for Errore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.riga, &self.colonna) {
            (0, _) => write!(f, "{}", self.messaggio),
            (riga, None) => write!(f, "riga {riga}: {}", self.messaggio),
            (riga, Some(colonna)) => write!(f, "riga {riga}, colonna {colonna}: {}", self.messaggio),
        }
    }
}

/// Why nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum Rifiuto {
    /// The file has errors: every one of them, in line order.
    #[error("{}, nessuna modifica salvata", quanti_errori(.0.len()))]
    Errori(Vec<Errore>),
    /// The database failed; the transaction was rolled back.
    #[error("errore del database, nessuna modifica salvata: {0}")]
    Db(#[from] DbError),
}

/// "1 errore", "3 errori".
pub fn quanti_errori(n: usize) -> String {
    if n == 1 { "1 errore".to_owned() } else { format!("{n} errori") }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rapporto {
    /// Data rows read.
    pub righe: usize,
    /// Distinct values (a row repeated with the same value counts once).
    pub valori: usize,
    /// Values written: new, or different from the stored one.
    pub scritti: usize,
    /// Values already stored as they are.
    pub invariati: usize,
    /// Stored questionnaires moved to a new revision because their prefilled values changed.
    pub questionari: usize,
}

/// A checked value, ready to write.
#[derive(Debug, Clone)]
struct Pronta {
    ente_id: i64,
    campagna: String,
    modulo: String,
    campo: String,
    valore: String,
    fonte: String,
}

/// Checks the file `nome` whole and, when it has no error, writes its values in one transaction audited as
/// `questionari.precompilazione` on behalf of `ctx`.
pub async fn importa(
    db: &Db,
    campagne: &crate::catalogo::Catalogo,
    questionari: &Catalogo,
    ctx: &Context,
    nome: &str,
    bytes: &[u8],
) -> Result<Rapporto, Rifiuto> {
    let (voci, mut errori) = leggi(bytes);
    match controlla(db, campagne, questionari, &voci).await? {
        Ok(pronte) if errori.is_empty() => scrivi(db, ctx, nome, voci.len(), pronte).await,
        Ok(_) => Err(Rifiuto::Errori(errori)),
        Err(altri) => {
            errori.extend(altri);
            errori.sort_by_key(|e| e.riga);
            Err(Rifiuto::Errori(errori))
        }
    }
}

/// Like [`importa`] for values the platform makes itself (the demo's): checked the same way, `origine` names
/// them in the audit row.
pub async fn applica(
    db: &Db,
    campagne: &crate::catalogo::Catalogo,
    questionari: &Catalogo,
    ctx: &Context,
    origine: &str,
    voci: &[Voce],
) -> Result<Rapporto, Rifiuto> {
    match controlla(db, campagne, questionari, voci).await? {
        Ok(pronte) => scrivi(db, ctx, origine, voci.len(), pronte).await,
        Err(errori) => Err(Rifiuto::Errori(errori)),
    }
}

/// Reads the rows of a file: the well-formed ones, and the errors of the others (or of the whole file).
fn leggi(bytes: &[u8]) -> (Vec<Voce>, Vec<Errore>) {
    let mut errori = Vec::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return (Vec::new(), vec![Errore::new(0, None, "il file è vuoto")]);
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let valid = &bytes[..e.valid_up_to()];
        let riga = valid.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let messaggio = format!(
            "il file non è in codifica UTF-8 (byte 0x{:02X}); salvarlo come «CSV UTF-8» e riprovare",
            bytes[e.valid_up_to()]
        );
        return (Vec::new(), vec![Errore::new(riga, None, messaggio)]);
    }
    let prima = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let virgole = prima.iter().filter(|b| **b == b',').count();
    let punti_e_virgola = prima.iter().filter(|b| **b == b';').count();
    let delimiter = if punti_e_virgola > virgole { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(true).flexible(true).from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return (Vec::new(), vec![Errore::new(1, None, format!("intestazione illeggibile: {e}"))]),
    };
    let nomi: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let indice = |nome: &str| nomi.iter().position(|h| h == nome);
    for (i, nome) in nomi.iter().enumerate() {
        if nomi[..i].contains(nome) && (COLONNE_OBBLIGATORIE.contains(&nome.as_str()) || nome == "fonte") {
            errori.push(Errore::new(1, Some(nome), "colonna ripetuta nell'intestazione"));
        }
    }
    for colonna in COLONNE_OBBLIGATORIE {
        if indice(colonna).is_none() {
            errori.push(Errore::new(
                1,
                Some(colonna),
                format!(
                    "colonna mancante nell'intestazione (servono {}; fonte è facoltativa)",
                    COLONNE_OBBLIGATORIE.join(", ")
                ),
            ));
        }
    }
    if !errori.is_empty() {
        return (Vec::new(), errori);
    }
    let col = |nome: &str| indice(nome).unwrap_or(usize::MAX);
    let (c_ente, c_campagna, c_modulo, c_campo, c_valore) =
        (col("ente"), col("campagna"), col("modulo"), col("campo"), col("valore"));
    let c_fonte = indice("fonte");
    let mut voci = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut righe_dati = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let riga = e.position().map_or(0, csv::Position::line);
                errori.push(Errore::new(riga, None, format!("riga illeggibile: {e}")));
                break;
            }
        }
        let riga = record.position().map_or(0, csv::Position::line);
        // A spreadsheet's trailing rows of empty cells (`;;;;`) are not data.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        righe_dati += 1;
        if record.len() != header.len() {
            let come = if record.len() > header.len() { "campo in più" } else { "mancano campi" };
            errori.push(Errore::new(
                riga,
                None,
                format!("{} campi invece dei {} dell'intestazione ({come})", record.len(), header.len()),
            ));
            continue;
        }
        let campo = |i: usize| record.get(i).map(str::trim).unwrap_or_default().to_owned();
        let mut completa = true;
        for (nome, i) in
            [("ente", c_ente), ("campagna", c_campagna), ("modulo", c_modulo), ("campo", c_campo), ("valore", c_valore)]
        {
            if campo(i).is_empty() {
                errori.push(Errore::new(riga, Some(nome), "manca il valore"));
                completa = false;
            }
        }
        if completa {
            voci.push(Voce {
                riga,
                ente: campo(c_ente),
                campagna: campo(c_campagna),
                modulo: campo(c_modulo),
                campo: campo(c_campo),
                valore: campo(c_valore),
                fonte: c_fonte.map(campo).filter(|f| !f.is_empty()),
            });
        }
    }
    if righe_dati == 0 && errori.is_empty() {
        errori.push(Errore::new(0, None, "il file contiene l'intestazione ma nessuna riga di valori"));
    }
    (voci, errori)
}

/// Checks every value against the registry and the definitions: the values to write (a value repeated with
/// the same content once), or every error.
async fn controlla(
    db: &Db,
    campagne: &crate::catalogo::Catalogo,
    questionari: &Catalogo,
    voci: &[Voce],
) -> Result<Result<Vec<Pronta>, Vec<Errore>>, DbError> {
    let registro = enti::tutti(db).await?;
    let per_codice: HashMap<&str, i64> = registro.iter().map(|e| (e.codice_ipa.as_str(), e.id)).collect();
    let per_minuscolo: HashMap<String, i64> = registro.iter().map(|e| (e.codice_ipa.to_lowercase(), e.id)).collect();
    let tipo_di: HashMap<i64, &str> = registro.iter().map(|e| (e.id, e.tipo.as_str())).collect();
    let mut errori = Vec::new();
    let mut pronte: Vec<Pronta> = Vec::new();
    // ente × campaign × modulo × field → (line, index in `pronte`).
    let mut viste: HashMap<(i64, String, String, String), (u64, usize)> = HashMap::new();
    for v in voci {
        let riga = v.riga;
        let ente_id = per_codice.get(v.ente.as_str()).or_else(|| per_minuscolo.get(&v.ente.to_lowercase())).copied();
        if ente_id.is_none() {
            errori.push(Errore::new(
                riga,
                Some("ente"),
                format!("nessun ente con codice IPA «{}» nell'anagrafe", v.ente),
            ));
        }
        let modulo = match trova_modulo(questionari, &v.campagna, &v.modulo) {
            Ok(m) => m,
            Err(e) => {
                errori.push(Errore::new(riga, Some(e.0), e.1));
                continue;
            }
        };
        let id = modulo.id(&v.campo).or_else(|| modulo.id(&v.campo.to_uppercase()));
        let Some(id) = id else {
            errori.push(Errore::new(riga, Some("campo"), refuso(&v.campo, &ErroreValore::Sconosciuto)));
            continue;
        };
        let definizione = &modulo.campi[id as usize];
        if definizione.calcolo.is_some() {
            errori.push(Errore::new(riga, Some("campo"), refuso(&definizione.indirizzo, &ErroreValore::Calcolato)));
            continue;
        }
        let valore = match modulo.interpreta_testo(id, &v.valore).map(|v| v.canonico()) {
            Ok(Some(c)) => c,
            Ok(None) => {
                errori.push(Errore::new(riga, Some("valore"), "manca il valore"));
                continue;
            }
            Err(e) => {
                errori.push(Errore::new(riga, Some("valore"), format!("«{}»: {}", v.valore, e.messaggio(Lingua::It))));
                continue;
            }
        };
        let fonte = match &v.fonte {
            Some(f) if f.chars().count() > FONTE_MAX || f.chars().any(char::is_control) => {
                errori.push(Errore::new(
                    riga,
                    Some("fonte"),
                    format!("fonte non valida (al massimo {FONTE_MAX} caratteri, senza a capo)"),
                ));
                continue;
            }
            Some(f) => f.clone(),
            None => definizione.precompilato.clone().unwrap_or_else(|| FONTE_PREDEFINITA.to_owned()),
        };
        let Some(ente_id) = ente_id else { continue };
        // A value for a modulo the ente's type does not compile would never be shown to anyone.
        let compila = campagne
            .campagna(&modulo.campagna)
            .and_then(|c| c.moduli.iter().find(|x| x.codice == modulo.modulo))
            .is_some_and(|x| x.per_tipo(tipo_di.get(&ente_id).copied().unwrap_or_default()));
        if !compila {
            errori.push(Errore::new(
                riga,
                Some("ente"),
                format!(
                    "l'ente «{}» non compila il modulo {} di {}: il suo tipo di ente non lo prevede",
                    v.ente, modulo.modulo, modulo.campagna
                ),
            ));
            continue;
        }
        let chiave = (ente_id, modulo.campagna.clone(), modulo.modulo.clone(), definizione.indirizzo.clone());
        if let Some(&(prima, i)) = viste.get(&chiave) {
            let p = &pronte[i];
            if p.valore != valore || p.fonte != fonte {
                errori.push(Errore::new(
                    riga,
                    Some("valore"),
                    format!(
                        "il campo {} del modulo {} di {} per l'ente {} è già alla riga {prima} con un altro valore \
                         ({}, fonte {})",
                        definizione.indirizzo, modulo.modulo, modulo.campagna, v.ente, p.valore, p.fonte
                    ),
                ));
            }
            continue;
        }
        viste.insert(chiave, (riga, pronte.len()));
        pronte.push(Pronta {
            ente_id,
            campagna: modulo.campagna.clone(),
            modulo: modulo.modulo.clone(),
            campo: definizione.indirizzo.clone(),
            valore,
            fonte,
        });
    }
    Ok(if errori.is_empty() { Ok(pronte) } else { Err(errori) })
}

/// A field's address and the engine's reason for refusing it.
fn refuso(campo: &str, e: &ErroreValore) -> String {
    format!("«{campo}»: {}", e.messaggio(Lingua::It))
}

/// The modulo `modulo` of the campaign folder `campagna` (both case-insensitive), or the column at fault and why.
fn trova_modulo<'c>(
    questionari: &'c Catalogo,
    campagna: &str,
    modulo: &str,
) -> Result<&'c Modulo, (&'static str, String)> {
    let della_campagna: Vec<&Modulo> =
        questionari.moduli.iter().filter(|m| m.campagna.eq_ignore_ascii_case(campagna)).collect();
    if della_campagna.is_empty() {
        let mut campagne: Vec<&str> = questionari.moduli.iter().map(|m| m.campagna.as_str()).collect();
        campagne.dedup();
        return Err(("campagna", format!("nessuna campagna «{campagna}» (ci sono: {})", campagne.join(", "))));
    }
    della_campagna.iter().find(|m| m.modulo.eq_ignore_ascii_case(modulo)).copied().ok_or_else(|| {
        let moduli: Vec<&str> = della_campagna.iter().map(|m| m.modulo.as_str()).collect();
        (
            "modulo",
            format!(
                "la campagna {} non ha il modulo «{modulo}» (ha: {})",
                della_campagna[0].campagna,
                moduli.join(", ")
            ),
        )
    })
}

/// Writes the checked values in one transaction with their audit row, moving each stored questionnaire whose
/// prefilled values changed to its next revision.
async fn scrivi(db: &Db, ctx: &Context, nome: &str, righe: usize, pronte: Vec<Pronta>) -> Result<Rapporto, Rifiuto> {
    let mut rapporto = Rapporto { righe, valori: pronte.len(), ..Default::default() };
    let mut cambiati: BTreeSet<(i64, &str, &str)> = BTreeSet::new();
    let mut tx = db.begin().await?;
    for p in &pronte {
        let cambiato =
            questionari::precompila(&mut tx, p.ente_id, &p.campagna, &p.modulo, &p.campo, &p.valore, &p.fonte, ctx.now)
                .await?;
        if cambiato {
            rapporto.scritti += 1;
            cambiati.insert((p.ente_id, &p.campagna, &p.modulo));
        } else {
            rapporto.invariati += 1;
        }
    }
    for (ente_id, campagna, modulo) in cambiati {
        if questionari::nuova_revisione(&mut tx, ente_id, campagna, modulo).await? {
            rapporto.questionari += 1;
        }
    }
    let evento = ctx.audit("questionari.precompilazione").details(serde_json::json!({
        "file": nome, "righe": rapporto.righe, "valori": rapporto.valori, "cambiati": rapporto.scritti,
        "invariati": rapporto.invariati, "questionari": rapporto.questionari,
    }));
    audit::record(&mut tx, &evento).await?;
    tx.commit().await?;
    Ok(rapporto)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_either_separator_with_or_without_bom_and_the_optional_source() {
        let (voci, errori) =
            leggi("\u{FEFF}Ente;Campagna;Modulo;Campo;Valore\nc_f205;fc80u-2022;B;Z02.A;1234,56\n".as_bytes());
        assert!(errori.is_empty(), "{errori:?}");
        assert_eq!(voci.len(), 1);
        assert_eq!(voci[0].riga, 2);
        assert_eq!(voci[0].valore, "1234,56");
        assert_eq!(voci[0].fonte, None);
        let (voci, errori) =
            leggi(b"fonte,valore,campo,modulo,campagna,ente\nBDAP 2022,1234.56,Z02.B,B,fc80u-2022,c_f205\n,,,,,\n");
        assert!(errori.is_empty(), "{errori:?}");
        assert_eq!(voci.len(), 1, "a row of empty cells is not data");
        assert_eq!((voci[0].campo.as_str(), voci[0].fonte.as_deref()), ("Z02.B", Some("BDAP 2022")));
    }

    #[test]
    fn every_malformed_row_is_reported_with_its_line_and_column() {
        let (_, errori) = leggi(b"ente;campagna;modulo;valore\nc_f205;fc80u-2022;B;1\n");
        assert_eq!(errori.len(), 1);
        assert!(errori[0].to_string().starts_with("riga 1, colonna campo: colonna mancante"), "{}", errori[0]);
        let file = "ente;campagna;modulo;campo;valore\nc_f205;fc80u-2022;B;Z02.A\n;fc80u-2022;B;Z02.A;1\n\
                    c_f205;fc80u-2022;B;Z02.C;5\n";
        let (voci, errori) = leggi(file.as_bytes());
        assert_eq!(voci.len(), 1);
        let testi: Vec<String> = errori.iter().map(ToString::to_string).collect();
        assert_eq!(
            testi,
            ["riga 2: 4 campi invece dei 5 dell'intestazione (mancano campi)", "riga 3, colonna ente: manca il valore"]
        );
        assert_eq!(leggi(b"").1[0].to_string(), "il file è vuoto");
        assert!(leggi(b"ente,campagna,modulo,campo,valore\n").1[0].messaggio.contains("nessuna riga"));
        let (_, errori) = leggi(b"ente,campagna,modulo,campo,valore\nc_f205,fc80u-2022,B,Z02.A,1\xE0\n");
        assert!(errori[0].to_string().starts_with("riga 2: il file non è in codifica UTF-8"), "{}", errori[0]);
    }
}
