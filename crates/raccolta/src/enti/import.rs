//! `raccolta enti import FILE`: the IPA open-data CSV into the registry.
//!
//! The whole file is read and checked before anything is written: a malformed file (encoding, missing columns,
//! ragged rows, an IPA code twice) is refused with its line and column, and the database is not touched. Rows
//! that are well-formed but unusable (no name, a wrong codice fiscale) are skipped and listed with their reason.
//! The rest is upserted by IPA code in one transaction, so re-running the same file changes nothing. Enti missing
//! from the file are never deleted: they are listed, and deactivated only when asked.

use std::collections::HashMap;

use crate::db::enti::{self, DatiEnte};
use crate::db::{Db, DbError};
use crate::domain::{CodiceFiscaleNumerico, Email, TipoEnte, chiave_ricerca};

/// Columns that must be in the header.
pub const COLONNE_OBBLIGATORIE: [&str; 4] =
    ["Codice_IPA", "Denominazione_ente", "Codice_fiscale_ente", "Codice_Categoria"];

/// Why a file was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Zero bytes, or only a byte-order mark and blanks.
    #[error("il file è vuoto")]
    Vuoto,
    /// Not UTF-8.
    #[error(
        "riga {riga}, colonna {colonna}: il file non è in codifica UTF-8 (byte 0x{byte:02X}); salvarlo come \
         «CSV UTF-8» e riprovare"
    )]
    Codifica {
        /// Line, from 1.
        riga: usize,
        /// Character position in the line, from 1.
        colonna: usize,
        /// The first invalid byte.
        byte: u8,
    },
    /// The header lacks required columns.
    #[error("riga 1: mancano le colonne obbligatorie {0} (servono {obbligatorie})", obbligatorie = COLONNE_OBBLIGATORIE.join(", "))]
    ColonneMancanti(String),
    /// A row with too many or too few fields, or unreadable.
    #[error("riga {riga}, colonna {colonna}: {messaggio}")]
    Forma {
        /// Line.
        riga: u64,
        /// Field position, from 1.
        colonna: usize,
        /// What is wrong.
        messaggio: String,
    },
    /// The same IPA code on two rows.
    #[error("riga {seconda}, colonna {colonna}: il codice IPA «{codice}» è già alla riga {prima}")]
    Duplicato {
        /// The code.
        codice: String,
        /// First line.
        prima: u64,
        /// Second line.
        seconda: u64,
        /// Column of Codice_IPA.
        colonna: usize,
    },
    /// A header and no rows: refusing protects against deactivating every ente by mistake.
    #[error("il file contiene l'intestazione ma nessun ente")]
    NessunaRiga,
    /// The database failed; the transaction was rolled back.
    #[error("errore del database, nessuna modifica salvata: {0}")]
    Db(#[from] DbError),
}

/// A row that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scartata {
    /// Line of the file.
    pub riga: u64,
    /// Its IPA code, when it has one.
    pub codice_ipa: String,
    /// Why.
    pub motivo: String,
}

/// A row imported without one of its optional values (ISTAT code, region, PEC), which was malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avviso {
    /// Line of the file.
    pub riga: u64,
    /// Its IPA code.
    pub codice_ipa: String,
    /// What was left out, and why.
    pub motivo: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rapporto {
    /// Data rows read.
    pub righe: usize,
    /// New enti.
    pub inserite: usize,
    /// Enti whose data changed (or that were reactivated).
    pub aggiornate: usize,
    /// Enti already identical.
    pub invariate: usize,
    /// Skipped rows.
    pub scartate: Vec<Scartata>,
    /// Rows imported without a malformed optional value.
    pub avvisi: Vec<Avviso>,
    /// Active enti of the registry missing from the file: (IPA code, name).
    pub mancanti: Vec<(String, String)>,
    /// How many of them were deactivated.
    pub disattivate: usize,
}

/// Options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opzioni {
    /// Deactivate the enti missing from the file.
    pub disattiva_mancanti: bool,
}

/// The progress of an import: (phase, done, total).
pub type Avanzamento<'a> = &'a mut (dyn FnMut(&'static str, usize, usize) + Send);

/// A valid row.
#[derive(Debug, Clone)]
struct Riga {
    #[cfg_attr(not(test), expect(dead_code, reason = "kept for messages about valid rows"))]
    riga: u64,
    dati: DatiEnte,
}

/// What reading a file gives: the valid rows, the skipped ones, the warnings.
type Letto = (Vec<Riga>, Vec<Scartata>, Vec<Avviso>);

/// Reads and checks a whole file.
fn leggi(bytes: &[u8]) -> Result<Letto, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Vuoto);
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let valid = &bytes[..e.valid_up_to()];
        let riga = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let inizio = valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        let colonna = String::from_utf8_lossy(&valid[inizio..]).chars().count() + 1;
        return Err(ImportError::Codifica { riga, colonna, byte: bytes[e.valid_up_to()] });
    }
    let prima = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let virgole = prima.iter().filter(|b| **b == b',').count();
    let punti_e_virgola = prima.iter().filter(|b| **b == b';').count();
    let delimiter = if punti_e_virgola > virgole { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(true).from_reader(bytes);
    let header = reader.headers().map_err(forma)?.clone();
    let indice = |nome: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(nome));
    let mancanti: Vec<&str> = COLONNE_OBBLIGATORIE.into_iter().filter(|c| indice(c).is_none()).collect();
    if !mancanti.is_empty() {
        return Err(ImportError::ColonneMancanti(mancanti.join(", ")));
    }
    let col = |nome: &str| indice(nome).unwrap_or(usize::MAX);
    let (c_ipa, c_nome, c_cf, c_cat) =
        (col("Codice_IPA"), col("Denominazione_ente"), col("Codice_fiscale_ente"), col("Codice_Categoria"));
    let c_istat = indice("Codice_comune_ISTAT");
    let c_regione = indice("Regione");
    let mail: Vec<(usize, usize)> =
        (1..=5).filter_map(|n| Some((indice(&format!("Mail{n}"))?, indice(&format!("Tipo_Mail{n}"))?))).collect();

    let mut righe = Vec::new();
    let mut scartate = Vec::new();
    let mut avvisi = Vec::new();
    let mut viste: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(forma(e)),
        }
        let riga = record.position().map_or(0, csv::Position::line);
        let campo = |i: usize| record.get(i).map(str::trim).unwrap_or_default();
        let codice_ipa = campo(c_ipa).to_owned();
        let scarta = |motivo: &str| Scartata { riga, codice_ipa: codice_ipa.clone(), motivo: motivo.to_owned() };
        if codice_ipa.is_empty() {
            scartate.push(scarta("codice IPA mancante"));
            continue;
        }
        if let Some(prima) = viste.insert(codice_ipa.clone(), riga) {
            return Err(ImportError::Duplicato { codice: codice_ipa, prima, seconda: riga, colonna: c_ipa + 1 });
        }
        if codice_ipa.len() > 50 || codice_ipa.contains(char::is_whitespace) {
            scartate.push(scarta("codice IPA non valido"));
            continue;
        }
        let denominazione = campo(c_nome);
        if denominazione.is_empty() || denominazione.chars().count() > 300 {
            scartate.push(scarta("denominazione mancante o più lunga di 300 caratteri"));
            continue;
        }
        let Ok(cf) = CodiceFiscaleNumerico::parse(campo(c_cf)) else {
            scartate.push(scarta(&format!("codice fiscale «{}» non valido (servono 11 cifre corrette)", campo(c_cf))));
            continue;
        };
        // The optional values: a malformed one is left out and reported, the ente is imported all the same.
        let mut avvisa = |motivo: String| avvisi.push(Avviso { riga, codice_ipa: codice_ipa.clone(), motivo });
        let istat = match c_istat.map(campo).filter(|s| !s.is_empty()) {
            None => None,
            Some(istat) => match codice_istat(istat) {
                Some(c) => Some(c),
                None => {
                    avvisa(format!("codice ISTAT «{istat}» non valido (servono fino a 6 cifre): importato senza"));
                    None
                }
            },
        };
        let regione = match c_regione.map(campo).filter(|s| !s.is_empty()) {
            None => None,
            Some(r) if regione_valida(r) => Some(r.to_owned()),
            Some(r) => {
                avvisa(format!("regione «{r}» non valida: importato senza"));
                None
            }
        };
        let pec = match mail.iter().find(|(_, tipo)| campo(*tipo).eq_ignore_ascii_case("pec")).map(|(m, _)| campo(*m)) {
            None | Some("") => None,
            Some(m) => match Email::parse(m) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(_) => {
                    avvisa(format!("PEC «{m}» non valida: importato senza"));
                    None
                }
            },
        };
        let tipo = TipoEnte::da_categoria_ipa(campo(c_cat), denominazione);
        righe.push(Riga {
            riga,
            dati: DatiEnte {
                codice_ipa,
                denominazione: denominazione.to_owned(),
                codice_fiscale: cf.as_str().to_owned(),
                tipo: tipo.code().to_owned(),
                codice_istat: istat,
                regione,
                pec,
            },
        });
    }
    if righe.is_empty() && scartate.is_empty() {
        return Err(ImportError::NessunaRiga);
    }
    Ok((righe, scartate, avvisi))
}

/// The six-digit ISTAT code of `s`, restoring the leading zeros a spreadsheet drops (`58091` → `058091`).
fn codice_istat(s: &str) -> Option<String> {
    (s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{s:0>6}"))
}

/// A region's name as IPA writes it ("Lazio", "Valle d'Aosta/Vallée d'Aoste"): letters and punctuation, no
/// digits, at most 60 characters.
fn regione_valida(s: &str) -> bool {
    s.chars().count() <= 60
        && s.chars().any(char::is_alphabetic)
        && s.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '’' | '-' | '/' | '.'))
}

/// A CSV error as a line/column message.
fn forma(e: csv::Error) -> ImportError {
    let riga = e.position().map_or(0, csv::Position::line);
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            let (expected, len) = (*expected_len as usize, *len as usize);
            let (colonna, messaggio) = if len > expected {
                (expected + 1, format!("{len} campi invece dei {expected} dell'intestazione (campo in più)"))
            } else {
                (len + 1, format!("{len} campi invece dei {expected} dell'intestazione (mancano campi)"))
            };
            ImportError::Forma { riga, colonna, messaggio }
        }
        csv::ErrorKind::Utf8 { err, .. } => {
            ImportError::Forma { riga, colonna: err.field() + 1, messaggio: "testo non in UTF-8".to_owned() }
        }
        other => ImportError::Forma { riga, colonna: 1, messaggio: format!("{other:?}") },
    }
}

/// Imports a file: checks it whole, then upserts in one transaction.
pub async fn importa(
    db: &Db,
    bytes: &[u8],
    opzioni: Opzioni,
    avanzamento: Avanzamento<'_>,
) -> Result<Rapporto, ImportError> {
    avanzamento("lettura", 0, 1);
    let (righe, scartate, avvisi) = leggi(bytes)?;
    avanzamento("lettura", 1, 1);
    // The registry is imported by the platform itself (command line, demo data), on the system's time.
    let clock = crate::ora::Clock::default();
    let now = clock.now();
    let mut rapporto = Rapporto { righe: righe.len() + scartate.len(), scartate, avvisi, ..Default::default() };
    let mut tx = db.begin().await?;
    let esistenti: HashMap<String, enti::Ente> =
        enti::tutti(&mut tx).await?.into_iter().map(|e| (e.codice_ipa.clone(), e)).collect();
    let mut nuove = Vec::new();
    let mut nel_file = std::collections::HashSet::with_capacity(righe.len());
    let totale = righe.len();
    for (i, r) in righe.iter().enumerate() {
        nel_file.insert(r.dati.codice_ipa.as_str());
        match esistenti.get(&r.dati.codice_ipa) {
            None => nuove.push(&r.dati),
            Some(e) if r.dati.uguale_a(e) => rapporto.invariate += 1,
            Some(e) => {
                enti::aggiorna(&mut tx, e.id, &r.dati, &chiave_ricerca(&r.dati.denominazione), now).await?;
                rapporto.aggiornate += 1;
            }
        }
        if i % 500 == 0 {
            avanzamento("confronto", i, totale);
        }
    }
    let chiavi: Vec<String> = nuove.iter().map(|d| chiave_ricerca(&d.denominazione)).collect();
    for (i, (blocco, chiavi)) in nuove.chunks(2000).zip(chiavi.chunks(2000)).enumerate() {
        enti::inserisci(&mut tx, blocco, chiavi, now).await?;
        avanzamento("scrittura", (i * 2000 + blocco.len()).min(nuove.len()), nuove.len());
    }
    rapporto.inserite = nuove.len();
    let mut mancanti: Vec<&enti::Ente> =
        esistenti.values().filter(|e| e.attivo && !nel_file.contains(e.codice_ipa.as_str())).collect();
    mancanti.sort_by(|a, b| a.codice_ipa.cmp(&b.codice_ipa));
    if opzioni.disattiva_mancanti {
        for e in &mancanti {
            enti::disattiva(&mut tx, e.id, now).await?;
        }
        rapporto.disattivate = mancanti.len();
    }
    rapporto.mancanti = mancanti.into_iter().map(|e| (e.codice_ipa.clone(), e.denominazione.clone())).collect();
    if rapporto.inserite + rapporto.aggiornate + rapporto.disattivate > 0 {
        enti::segna_modifica(&mut tx).await?;
    }
    let event = crate::context::Context::system(&clock, None).audit("enti.importati").details(serde_json::json!({
        "righe": rapporto.righe, "inseriti": rapporto.inserite, "aggiornati": rapporto.aggiornate,
        "invariati": rapporto.invariate, "scartati": rapporto.scartate.len(), "avvisi": rapporto.avvisi.len(),
        "disattivati": rapporto.disattivate,
    }));
    crate::db::audit::record(&mut tx, &event).await?;
    tx.commit().await?;
    avanzamento("fine", totale, totale);
    Ok(rapporto)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HEADER: &str = "Codice_IPA,Denominazione_ente,Codice_fiscale_ente,Codice_Categoria";

    #[test]
    fn reads_semicolons_bom_and_extra_columns_in_any_order() {
        let file = "\u{FEFF}Extra;Codice_Categoria;Denominazione_ente;Codice_IPA;Codice_fiscale_ente;\
                    Codice_comune_ISTAT;Mail1;Tipo_Mail1\n\
                    x;L6;Comune di Roma;c_h501;02438750586;058091;PROTOCOLLO@pec.comune.roma.it;Pec\n";
        let (righe, scartate, avvisi) = leggi(file.as_bytes()).unwrap();
        assert!(scartate.is_empty());
        assert!(avvisi.is_empty());
        let d = &righe[0].dati;
        assert_eq!(d.codice_ipa, "c_h501");
        assert_eq!(d.tipo, "comune");
        assert_eq!(d.codice_istat.as_deref(), Some("058091"));
        assert_eq!(d.pec.as_deref(), Some("protocollo@pec.comune.roma.it"));
        assert_eq!(righe[0].riga, 2);
    }

    #[test]
    fn malformed_files_are_refused_with_line_and_column() {
        assert!(matches!(leggi(b""), Err(ImportError::Vuoto)));
        assert!(matches!(leggi(b"\xEF\xBB\xBF  \n"), Err(ImportError::Vuoto)));
        let latin1 = format!("{HEADER}\nc_a001,Comune di Abano Terme,00000000000,L6\nc_x,Città,1,L6\n");
        let mut bytes = latin1.into_bytes();
        // Replace the UTF-8 "à" escape written above with one Latin-1 byte.
        let pos = bytes.windows(2).position(|w| w == "à".as_bytes()).unwrap();
        bytes.splice(pos..pos + 2, [0xE0]);
        let err = leggi(&bytes).unwrap_err();
        assert_eq!(err.to_string().split(':').next().unwrap(), "riga 3, colonna 9");
        let err = leggi(b"Codice_IPA,Denominazione_ente\nc_h501,Roma\n").unwrap_err();
        assert!(err.to_string().contains("Codice_fiscale_ente, Codice_Categoria"), "{err}");
        let err = leggi(format!("{HEADER}\nc_h501,Roma,02438750586,L6,extra\n").as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "riga 2, colonna 5: 5 campi invece dei 4 dell'intestazione (campo in più)");
        let dup =
            format!("{HEADER}\nc_h501,Roma,02438750586,L6\nc_f205,Milano,01199250158,L6\nc_h501,R,02438750586,L6\n");
        assert_eq!(
            leggi(dup.as_bytes()).unwrap_err().to_string(),
            "riga 4, colonna 1: il codice IPA «c_h501» è già alla riga 2"
        );
        assert!(matches!(leggi(format!("{HEADER}\n").as_bytes()), Err(ImportError::NessunaRiga)));
    }

    #[test]
    fn unusable_rows_are_skipped_with_their_reason() {
        let file = format!(
            "{HEADER},Codice_comune_ISTAT\n,Senza codice,02438750586,L6,\nc_1,,02438750586,L6,\n\
             c_2,Comune,123,L6,\nc_h501,Roma,02438750586,L6,058091\n"
        );
        let (righe, scartate, _) = leggi(file.as_bytes()).unwrap();
        assert_eq!(righe.len(), 1);
        let motivi: Vec<(u64, &str)> = scartate.iter().map(|s| (s.riga, s.motivo.as_str())).collect();
        assert_eq!(motivi.len(), 3, "{motivi:?}");
        assert_eq!(motivi[0], (2, "codice IPA mancante"));
        assert_eq!(motivi[1].0, 3);
        assert!(motivi[2].1.starts_with("codice fiscale «123» non valido"), "{motivi:?}");
    }

    #[test]
    fn a_malformed_optional_value_is_left_out_with_a_warning_and_the_ente_is_imported() {
        let file = "Codice_IPA;Denominazione_ente;Codice_fiscale_ente;Codice_Categoria;Codice_comune_ISTAT;Regione;\
                    Mail1;Tipo_Mail1\n\
                    c_a944;Comune di Bologna;01232710374;L6;37006;Emilia-Romagna;protocollo@pec.comune.bologna.it;Pec\n\
                    c_h501;Roma Capitale;02438750586;L6;58O91;Lazio;non una mail;Pec\n\
                    c_l219;Comune di Torino;00514490010;L6;1272;12345;;Pec\n\
                    c_f205;Comune di Milano;01199250158;L6;1234567;Lombardia;;\n";
        let (righe, scartate, avvisi) = leggi(file.as_bytes()).unwrap();
        assert!(scartate.is_empty(), "{scartate:?}");
        assert_eq!(righe.len(), 4, "every ente is imported");
        let dati = |ipa: &str| &righe.iter().find(|r| r.dati.codice_ipa == ipa).unwrap().dati;
        assert_eq!(dati("c_a944").codice_istat.as_deref(), Some("037006"), "the leading zero a spreadsheet dropped");
        assert_eq!(dati("c_l219").codice_istat.as_deref(), Some("001272"));
        assert_eq!(dati("c_h501").codice_istat, None);
        assert_eq!(dati("c_h501").pec, None);
        assert_eq!(dati("c_h501").regione.as_deref(), Some("Lazio"));
        assert_eq!(dati("c_l219").regione, None);
        assert_eq!(dati("c_f205").codice_istat, None);
        let motivi: Vec<(u64, &str, &str)> =
            avvisi.iter().map(|a| (a.riga, a.codice_ipa.as_str(), a.motivo.as_str())).collect();
        assert_eq!(motivi.len(), 4, "{motivi:?}");
        assert_eq!(
            motivi[0],
            (3, "c_h501", "codice ISTAT «58O91» non valido (servono fino a 6 cifre): importato senza")
        );
        assert_eq!(motivi[1], (3, "c_h501", "PEC «non una mail» non valida: importato senza"));
        assert_eq!(motivi[2], (4, "c_l219", "regione «12345» non valida: importato senza"));
        assert_eq!(motivi[3].0, 5);
    }
}
