//! Exports of every answer of a campaign's modulo, for the analysts: one row per ente × field (*lunga*) or one
//! row per ente with a column per field address (*larga*), the sent version (the last invio's frozen values,
//! calculated totals included) or the current drafts (the prefilled values and what was saved over them; totals
//! are not stored, so blank),
//! as CSV or XLSX, with the codebook (address, labels in Italian and English, type, unit, quadro, calculated,
//! rules).
//!
//! Nothing is held whole: the questionnaires are read [`BLOCCO`] at a time and each block becomes bytes (CSV) or
//! worksheet rows (XLSX, rust_xlsxwriter's constant-memory mode, which spills to a temporary file) before the next
//! is read, so memory stays flat for 8,000 enti, and a CSV reaches the browser as it is produced. Values are in the
//! canonical form (`1234.5`, `SI`, `2023-12-31`): what an analyst's tools read without guessing a locale.

use std::collections::HashMap;

use questionario::{Lingua, Modulo};

use crate::catalogo::Campagna;
use crate::db::{Db, DbError};

/// Questionnaires per read.
pub const BLOCCO: usize = 100;

/// One row per ente × field, or one per ente.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forma {
    /// `codice_ipa; ente; …; campo; valore`.
    Lunga,
    /// `codice_ipa; ente; …; <one column per field address>`.
    Larga,
    /// Open data: wide, without the questionnaire's internal state: `codice_ipa; ente; versione; protocollo;
    /// <one column per field address>`, free-text fields left out ([`crate::open_data::pubblicabile`]): nothing
    /// in it names a person.
    Aperta,
}

impl Forma {
    /// True when the field's values are part of the export in this form.
    fn include(self, c: &questionario::Campo) -> bool {
        self != Forma::Aperta || crate::open_data::pubblicabile(c)
    }

    /// The columns before the values.
    fn testa(self) -> &'static [&'static str] {
        match self {
            Forma::Aperta => &["codice_ipa", "ente", "versione", "protocollo"],
            Forma::Larga | Forma::Lunga => &["codice_ipa", "ente", "stato", "versione", "protocollo"],
        }
    }
}

/// Which values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fonte {
    /// The last version sent of each questionnaire (questionnaires never sent are left out).
    Inviati,
    /// The values stored now, sent or not.
    Bozze,
}

/// One questionnaire's values, in the definition's field order.
#[derive(Debug, Clone)]
pub struct Riga {
    /// IPA code.
    pub codice_ipa: String,
    /// Ente name.
    pub ente: String,
    /// State code of the questionnaire.
    pub stato: String,
    /// Version sent ("" for the drafts).
    pub versione: String,
    /// Protocol of that version ("" for a draft).
    pub protocollo: String,
    /// Value per field index (`None`: blank).
    pub valori: Vec<Option<String>>,
}

/// An export in progress: the questionnaires to read, and where the reading stands.
pub struct Esportazione {
    db: Db,
    modulo: &'static Modulo,
    fonte: Fonte,
    indice: HashMap<String, usize>,
    /// Per field: numeric (an XLSX cell takes it as a number).
    numerico: Vec<bool>,
    questionari: Vec<(i64, String, String, String)>,
    letti: usize,
}

impl Esportazione {
    /// The questionnaires of `campagna`'s `modulo` (by id), ready to be read.
    pub async fn nuova(
        db: &Db,
        campagna: &Campagna,
        modulo: &'static Modulo,
        fonte: Fonte,
    ) -> Result<Esportazione, DbError> {
        let questionari =
            crate::db::esporta::questionari(db, &campagna.id, &modulo.modulo, fonte == Fonte::Inviati).await?;
        let indice = modulo.campi.iter().enumerate().map(|(i, c)| (c.indirizzo.clone(), i)).collect();
        let numerico = modulo
            .campi
            .iter()
            .map(|c| {
                use questionario::Tipo;
                matches!(c.tipo, Tipo::Intero | Tipo::Decimale(_) | Tipo::Euro | Tipo::Percentuale)
            })
            .collect();
        Ok(Esportazione { db: db.clone(), modulo, fonte, indice, numerico, questionari, letti: 0 })
    }

    /// How many questionnaires the export holds.
    pub fn totale(&self) -> usize {
        self.questionari.len()
    }

    /// How many were read so far.
    pub fn letti(&self) -> usize {
        self.letti
    }

    /// The next block of rows; `None` at the end.
    pub async fn prossimo(&mut self) -> Result<Option<Vec<Riga>>, DbError> {
        if self.letti >= self.questionari.len() {
            return Ok(None);
        }
        let blocco = &self.questionari[self.letti..(self.letti + BLOCCO).min(self.questionari.len())];
        let ids: Vec<i64> = blocco.iter().map(|q| q.0).collect();
        let n = self.modulo.campi.len();
        let mut righe: HashMap<i64, Riga> = blocco
            .iter()
            .map(|(id, ipa, ente, stato)| {
                let riga = Riga {
                    codice_ipa: ipa.clone(),
                    ente: ente.clone(),
                    stato: stato.clone(),
                    versione: String::new(),
                    protocollo: String::new(),
                    valori: vec![None; n],
                };
                (*id, riga)
            })
            .collect();
        match self.fonte {
            Fonte::Bozze => {
                // The prefilled values first, as the compile page shows them; then what the compilers saved over
                // them (a blank saved over a prefilled value is blank).
                // One JSON object per questionnaire, not one row per value: the database's per-row cost was most
                // of the time.
                let precompilati = crate::db::esporta::precompilati_per_questionario(&self.db, &ids).await?;
                let risposte = crate::db::esporta::risposte_per_questionario(&self.db, &ids).await?;
                for (q, json) in precompilati.iter().chain(&risposte) {
                    let Some(r) = righe.get_mut(q) else { continue };
                    let valori: HashMap<String, Option<String>> = serde_json::from_str(json).unwrap_or_default();
                    for (campo, valore) in valori {
                        if let Some(&i) = self.indice.get(&campo) {
                            r.valori[i] = valore;
                        }
                    }
                }
            }
            Fonte::Inviati => {
                for (q, versione, protocollo, snapshot) in crate::db::esporta::ultimi_invii(&self.db, &ids).await? {
                    let Some(r) = righe.get_mut(&q) else { continue };
                    r.versione = versione.to_string();
                    r.protocollo = protocollo;
                    let v: serde_json::Value = serde_json::from_str(&snapshot).unwrap_or_default();
                    if let Some(valori) = v.get("valori").and_then(|v| v.as_object()) {
                        for (campo, valore) in valori {
                            if let (Some(&i), Some(s)) = (self.indice.get(campo), valore.as_str()) {
                                r.valori[i] = Some(s.to_owned());
                            }
                        }
                    }
                }
            }
        }
        self.letti += blocco.len();
        Ok(Some(ids.iter().filter_map(|id| righe.remove(id)).collect()))
    }

    /// The header of the export in `forma`.
    pub fn intestazione(&self, forma: Forma) -> Vec<String> {
        let mut h: Vec<String> = forma.testa().iter().map(|s| (*s).to_owned()).collect();
        match forma {
            Forma::Lunga => h.extend(["campo".to_owned(), "valore".to_owned()]),
            Forma::Larga | Forma::Aperta => {
                h.extend(self.modulo.campi.iter().filter(|c| forma.include(c)).map(|c| c.indirizzo.clone()))
            }
        }
        h
    }

    /// The modulo exported.
    pub fn modulo(&self) -> &'static Modulo {
        self.modulo
    }

    /// The records of `riga` in `forma`: one, or one per field with a value.
    pub fn record<'r>(&'r self, riga: &'r Riga, forma: Forma) -> Vec<Vec<&'r str>> {
        let testa: Vec<&str> = match forma {
            Forma::Aperta => vec![&riga.codice_ipa, &riga.ente, &riga.versione, &riga.protocollo],
            Forma::Larga | Forma::Lunga => {
                vec![&riga.codice_ipa, &riga.ente, &riga.stato, &riga.versione, &riga.protocollo]
            }
        };
        match forma {
            Forma::Larga | Forma::Aperta => {
                let mut r: Vec<&str> = testa.clone();
                r.extend(
                    riga.valori
                        .iter()
                        .zip(&self.modulo.campi)
                        .filter(|(_, c)| forma.include(c))
                        .map(|(v, _)| v.as_deref().unwrap_or("")),
                );
                vec![r]
            }
            Forma::Lunga => riga
                .valori
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let mut r: Vec<&str> = testa.to_vec();
                    r.push(self.modulo.campi[i].indirizzo.as_str());
                    r.push(v.as_deref()?);
                    Some(r)
                })
                .collect(),
        }
    }
}

/// The codebook of `m`: one row per field.
pub fn codebook(m: &Modulo) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let intestazione = vec!["campo", "etichetta_it", "etichetta_en", "tipo", "unita", "quadro", "calcolato", "regole"];
    let mut regole_di: HashMap<usize, Vec<&str>> = HashMap::new();
    for r in &m.regole {
        for c in &r.campi {
            regole_di.entry(*c as usize).or_default().push(r.id.as_str());
        }
    }
    let righe = m
        .campi
        .iter()
        .enumerate()
        .map(|(i, c)| {
            vec![
                c.indirizzo.clone(),
                c.etichetta.get(Lingua::It).to_owned(),
                c.etichetta.get(Lingua::En).to_owned(),
                c.tipo.nome().to_owned(),
                c.unita.clone().unwrap_or_default(),
                m.quadri.get(c.quadro).map(|q| q.codice.clone()).unwrap_or_default(),
                if c.calcolo.is_some() { "si" } else { "no" }.to_owned(),
                regole_di.get(&i).map(|r| r.join(" ")).unwrap_or_default(),
            ]
        })
        .collect();
    (intestazione, righe)
}

/// The UTF-8 BOM and the header, `;`-separated (Excel reads the BOM as "this is UTF-8").
pub fn csv_intestazione(e: &Esportazione, forma: Forma) -> Vec<u8> {
    csv_righe(std::iter::once(e.intestazione(forma).iter().map(String::as_str).collect()), true)
}

/// The CSV bytes of a block of rows.
pub fn csv_blocco(e: &Esportazione, righe: &[Riga], forma: Forma) -> Vec<u8> {
    csv_righe(righe.iter().flat_map(|r| e.record(r, forma)), false)
}

/// The codebook of `m` as CSV: the fields an export in `forma` holds.
pub fn csv_codebook(m: &Modulo, forma: Forma) -> Vec<u8> {
    let (h, righe) = codebook(m);
    let mut out = csv_righe(std::iter::once(h), true);
    let tenute = righe.iter().zip(&m.campi).filter(|(_, c)| forma.include(c)).map(|(r, _)| r);
    out.extend(csv_righe(tenute.map(|r| r.iter().map(String::as_str).collect()), false));
    out
}

fn csv_righe<'a>(righe: impl Iterator<Item = Vec<&'a str>>, bom: bool) -> Vec<u8> {
    let inizio = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(inizio);
    for r in righe {
        // Writing into memory cannot fail.
        for v in &r {
            let _ = w.write_field(inerte(v).as_bytes());
        }
        let _ = w.write_record(None::<&[u8]>);
    }
    w.into_inner().unwrap_or_default()
}

/// A cell a spreadsheet would run as a formula (`=…`, `+…`, `@…`, a `-` that is not a number) gets a leading `'`:
/// a text typed by a compiler or an ente's name never runs in an administrator's Excel. Numbers are unchanged.
pub fn inerte(v: &str) -> std::borrow::Cow<'_, str> {
    let pericoloso = match v.as_bytes().first() {
        Some(b'=' | b'+' | b'@' | b'\t' | b'\r') => true,
        Some(b'-') => numero(v).is_none(),
        _ => false,
    };
    if pericoloso { std::borrow::Cow::Owned(format!("'{v}")) } else { std::borrow::Cow::Borrowed(v) }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rapporto {
    /// Questionnaires.
    pub questionari: usize,
    /// Data rows.
    pub righe: usize,
    /// Non-empty value cells.
    pub celle: usize,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum Errore {
    /// Reading the answers.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Writing the workbook.
    #[error("scrittura del file XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Writing the file.
    #[error("scrittura del file: {0}")]
    Io(#[from] std::io::Error),
}

/// Rows per sheet of an XLSX file (Excel's limit, less the header): a long export of 8,000 enti continues on
/// the next sheet.
const RIGHE_PER_FOGLIO: u32 = 1_048_575;

/// A canonical number (`-12`, `1234.5`) as a number for the workbook; anything else stays text.
fn numero(v: &str) -> Option<f64> {
    let cifre = v.strip_prefix('-').unwrap_or(v);
    let ok = !cifre.is_empty()
        && cifre.split('.').count() <= 2
        && cifre.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !cifre.starts_with('.')
        && !cifre.ends_with('.');
    if ok { v.parse().ok() } else { None }
}

/// Writes the whole export to `percorso` as XLSX (the answers on "Risposte", "Risposte 2"…, and "Codebook"),
/// calling `progresso(letti, totale)` after each block.
pub async fn xlsx(
    mut e: Esportazione,
    forma: Forma,
    percorso: &std::path::Path,
    mut progresso: impl FnMut(usize, usize),
) -> Result<Rapporto, Errore> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(Vec<String>, usize)>>(2);
    let intestazione = e.intestazione(forma);
    let (cb_testa, cb_righe) = codebook(e.modulo);
    let percorso = percorso.to_owned();
    let numerici = e.numerico.clone();
    let indice = e.indice.clone();
    // The first value column: after the head (wide), or the `valore` column after `campo` (long).
    let prima = if forma == Forma::Lunga { 6 } else { forma.testa().len() };
    let scrittore = tokio::task::spawn_blocking(move || -> Result<Rapporto, rust_xlsxwriter::XlsxError> {
        let mut libro = rust_xlsxwriter::Workbook::new();
        let grassetto = rust_xlsxwriter::Format::new().set_bold();
        let mut r = Rapporto::default();
        let mut fogli = 0;
        let mut riga: u32 = RIGHE_PER_FOGLIO + 1;
        // Per record: its cells and the first value column; `numerici` says which value columns are numbers
        // (wide: one flag per field; long: the record's field, in its column 5).
        for blocco in rx {
            for (record, prima) in blocco {
                if riga > RIGHE_PER_FOGLIO {
                    fogli += 1;
                    let f = libro.add_worksheet_with_constant_memory();
                    f.set_name(if fogli == 1 { "Risposte".to_owned() } else { format!("Risposte {fogli}") })?;
                    for (c, h) in intestazione.iter().enumerate() {
                        f.write_string_with_format(0, c as u16, h, &grassetto)?;
                    }
                    riga = 1;
                }
                let f = libro.worksheet_from_index(fogli - 1)?;
                for (c, v) in record.iter().enumerate() {
                    if v.is_empty() {
                        continue;
                    }
                    let valore = c >= prima;
                    if valore {
                        r.celle += 1;
                    }
                    let campo = if forma == Forma::Lunga {
                        indice.get(record[5].as_str()).copied()
                    } else {
                        c.checked_sub(prima)
                    };
                    let di_numero = valore && campo.is_some_and(|i| numerici.get(i).copied().unwrap_or(false));
                    match numero(v).filter(|_| di_numero) {
                        Some(n) => f.write_number(riga, c as u16, n)?,
                        None => f.write_string(riga, c as u16, v)?,
                    };
                }
                riga += 1;
                r.righe += 1;
            }
        }
        if fogli == 0 {
            let f = libro.add_worksheet_with_constant_memory();
            f.set_name("Risposte")?;
            for (c, h) in intestazione.iter().enumerate() {
                f.write_string_with_format(0, c as u16, h, &grassetto)?;
            }
        }
        let f = libro.add_worksheet_with_constant_memory();
        f.set_name("Codebook")?;
        for (c, h) in cb_testa.iter().enumerate() {
            f.write_string_with_format(0, c as u16, *h, &grassetto)?;
        }
        for (i, riga) in cb_righe.iter().enumerate() {
            for (c, v) in riga.iter().enumerate() {
                f.write_string(i as u32 + 1, c as u16, v)?;
            }
        }
        libro.save(&percorso)?;
        Ok(r)
    });
    let mut questionari = 0;
    while let Some(righe) = e.prossimo().await? {
        questionari += righe.len();
        let blocco: Vec<(Vec<String>, usize)> = righe
            .iter()
            .flat_map(|r| e.record(r, forma).into_iter().map(|x| (x.into_iter().map(str::to_owned).collect(), prima)))
            .collect();
        if tx.send(blocco).is_err() {
            // The writer stopped: its error is below.
            break;
        }
        progresso(e.letti(), e.totale());
    }
    drop(tx);
    let mut r = scrittore.await.map_err(|e| std::io::Error::other(e.to_string()))??;
    r.questionari = questionari;
    Ok(r)
}

/// Writes the whole export to `out` as CSV, calling `progresso(letti, totale)` after each block.
pub async fn csv(
    mut e: Esportazione,
    forma: Forma,
    out: &mut (impl tokio::io::AsyncWrite + Unpin),
    mut progresso: impl FnMut(usize, usize),
) -> Result<Rapporto, Errore> {
    use tokio::io::AsyncWriteExt;
    out.write_all(&csv_intestazione(&e, forma)).await?;
    let mut r = Rapporto::default();
    while let Some(righe) = e.prossimo().await? {
        r.questionari += righe.len();
        for riga in &righe {
            let celle = riga.valori.iter().filter(|v| v.is_some()).count();
            r.celle += celle;
            r.righe += if forma == Forma::Lunga { celle } else { 1 };
        }
        out.write_all(&csv_blocco(&e, &righe, forma)).await?;
        progresso(e.letti(), e.totale());
    }
    out.flush().await?;
    Ok(r)
}

/// The whole export as a stream of bytes: `testa`, then `blocco(e, righe, primo)` for each block of
/// questionnaires as it is read (`primo` for the first), then `coda`. A read that fails once the response has
/// started ends the stream with an error (the download ends short) and says why in the log.
pub fn flusso<F>(
    e: Esportazione,
    testa: Vec<u8>,
    coda: Vec<u8>,
    blocco: F,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send
where
    F: Fn(&Esportazione, &[Riga], bool) -> Vec<u8> + Send + Sync + 'static,
{
    use futures_util::StreamExt;
    // `None` once finished, after the end or an error: nothing is read again.
    let stato = Some((Some(testa), Some(coda), true, e));
    let blocco = std::sync::Arc::new(blocco);
    // Fused: the response's compression polls once more after the end, which a bare `unfold` answers with a panic.
    futures_util::stream::unfold(stato, move |stato| {
        let blocco = blocco.clone();
        async move {
            let (testa, coda, primo, mut e) = stato?;
            if let Some(t) = testa {
                return Some((Ok(t), Some((None, coda, primo, e))));
            }
            match e.prossimo().await {
                Ok(Some(righe)) => {
                    let byte = blocco(&e, &righe, primo);
                    Some((Ok(byte), Some((None, coda, false, e))))
                }
                Ok(None) => coda.map(|c| (Ok(c), None)),
                Err(error) => {
                    tracing::error!(%error, "esportazione interrotta");
                    Some((Err(std::io::Error::other(error.to_string())), None))
                }
            }
        }
    })
    .fuse()
}

/// The opening of the open-data JSON of `e`: `{"dataset": …, "licenza": …, "campi": [...], "enti": [` (the rows
/// follow, [`json_blocco`], then [`JSON_CODA`]).
pub fn json_testa(e: &Esportazione, dataset: serde_json::Value) -> Vec<u8> {
    let campi: Vec<serde_json::Value> = e
        .modulo
        .campi
        .iter()
        .filter(|c| Forma::Aperta.include(c))
        .map(|c| {
            serde_json::json!({
                "campo": c.indirizzo,
                "etichetta_it": c.etichetta.get(Lingua::It),
                "etichetta_en": c.etichetta.get(Lingua::En),
                "tipo": c.tipo.nome(),
                "unita": c.unita,
                "calcolato": c.calcolo.is_some(),
            })
        })
        .collect();
    let mut out = b"{\"dataset\":".to_vec();
    out.extend(serde_json::to_vec(&dataset).unwrap_or_default());
    out.extend(b",\"licenza\":");
    out.extend(serde_json::to_vec(crate::open_data::LICENZA).unwrap_or_default());
    out.extend(b",\"campi\":");
    out.extend(serde_json::to_vec(&campi).unwrap_or_default());
    out.extend(b",\"enti\":[");
    out
}

/// The end of the open-data JSON.
pub const JSON_CODA: &[u8] = b"\n]}\n";

/// A block of rows of the open-data JSON, one object per ente: numbers as JSON numbers, the rest as text; blank
/// fields left out. `primo`: the first block (no comma before it).
pub fn json_blocco(e: &Esportazione, righe: &[Riga], primo: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, r) in righe.iter().enumerate() {
        let mut valori = serde_json::Map::new();
        for (i, v) in r.valori.iter().enumerate() {
            let Some(v) = v.as_ref().filter(|_| Forma::Aperta.include(&e.modulo.campi[i])) else { continue };
            let valore = match numero(v).filter(|_| e.numerico[i]).and_then(|_| v.parse::<serde_json::Number>().ok()) {
                Some(n) => serde_json::Value::Number(n),
                None => serde_json::Value::String(v.clone()),
            };
            valori.insert(e.modulo.campi[i].indirizzo.clone(), valore);
        }
        let oggetto = serde_json::json!({
            "codice_ipa": r.codice_ipa,
            "ente": r.ente,
            "versione": r.versione.parse::<i64>().ok(),
            "protocollo": r.protocollo,
            "valori": valori,
        });
        out.extend(if primo && n == 0 { b"\n".as_slice() } else { b",\n".as_slice() });
        out.extend(serde_json::to_vec(&oggetto).unwrap_or_default());
    }
    out
}

/// Writes the whole open-data JSON of `e` to `out`, calling `progresso(letti, totale)` after each block.
pub async fn json(
    mut e: Esportazione,
    dataset: serde_json::Value,
    out: &mut (impl tokio::io::AsyncWrite + Unpin),
    mut progresso: impl FnMut(usize, usize),
) -> Result<Rapporto, Errore> {
    use tokio::io::AsyncWriteExt;
    out.write_all(&json_testa(&e, dataset)).await?;
    let mut r = Rapporto::default();
    let mut primo = true;
    while let Some(righe) = e.prossimo().await? {
        r.questionari += righe.len();
        r.righe += righe.len();
        r.celle += righe.iter().map(|x| x.valori.iter().filter(|v| v.is_some()).count()).sum::<usize>();
        out.write_all(&json_blocco(&e, &righe, primo)).await?;
        primo &= righe.is_empty();
        progresso(e.letti(), e.totale());
    }
    out.write_all(JSON_CODA).await?;
    out.flush().await?;
    Ok(r)
}
