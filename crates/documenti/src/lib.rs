//! Raccolta's PDF documents, typeset with typst used as a library: the questionnaire as sent, its one-page receipt,
//! and the blank model of a modulo.
//!
//! The templates (`modelli/*.typ`) and the fonts (`fonts/`, Titillium Web and Roboto Mono, the typefaces of the web
//! pages) are compiled into the binary: nothing is read from disk or the network at build or run time. The data
//! reach a template as a JSON file it reads (`json("/dati.json")`), so a value is always text, never markup. The PDFs
//! are tagged (typst's default), with the document's language and title.
//!
//! A [`Motore`] is built once (fonts parsed, standard library made) and shared; each document is one
//! [`Motore::questionario`] or [`Motore::ricevuta`] call, CPU-bound: run it off the async runtime.

pub mod dati;

use std::collections::HashMap;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use dati::{Questionario, Ricevuta};

/// The fonts, from the repository.
const FONT: [&[u8]; 5] = [
    include_bytes!("../fonts/TitilliumWeb-Regular.ttf"),
    include_bytes!("../fonts/TitilliumWeb-Italic.ttf"),
    include_bytes!("../fonts/TitilliumWeb-SemiBold.ttf"),
    include_bytes!("../fonts/TitilliumWeb-Bold.ttf"),
    include_bytes!("../fonts/RobotoMono-Regular.ttf"),
];

const QUESTIONARIO: &str = include_str!("../modelli/questionario.typ");
const RICEVUTA: &str = include_str!("../modelli/ricevuta.typ");

/// Why a document could not be made. Each is a defect of a template or of the data given, never of the user's
/// input: the caller logs it and retries or reports.
#[derive(Debug, thiserror::Error)]
pub enum Errore {
    /// typst refused the template with these data.
    #[error("composizione del documento non riuscita: {0}")]
    Composizione(String),
    /// The data could not be written as JSON.
    #[error("dati del documento non validi: {0}")]
    Dati(#[from] serde_json::Error),
    /// The verification address could not be drawn as a QR code.
    #[error("codice QR non generato: {0}")]
    Qr(String),
}

/// The typesetting engine: fonts and standard library, made once.
pub struct Motore {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl std::fmt::Debug for Motore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Motore").field("fonts", &self.fonts.len()).finish_non_exhaustive()
    }
}

impl Default for Motore {
    fn default() -> Self {
        Motore::new()
    }
}

/// A document made: the PDF's bytes and its number of pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Documento {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// Its pages.
    pub pagine: usize,
}

/// The moment a document carries as its creation date (the PDF's `/CreationDate`), in UTC: the invio's time, so
/// the same data always give the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Momento {
    /// Unix seconds.
    pub unix: i64,
}

impl Motore {
    /// Parses the fonts and builds the standard library.
    pub fn new() -> Motore {
        let fonts: Vec<Font> = FONT.iter().flat_map(|f| Font::iter(Bytes::new(*f))).collect();
        Motore { library: LazyHash::new(Library::default()), book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
    }

    /// The questionnaire (or blank model) as a PDF.
    pub fn questionario(&self, dati: &Questionario, momento: Option<Momento>) -> Result<Documento, Errore> {
        let json = serde_json::to_vec(dati)?;
        self.componi(QUESTIONARIO, vec![("/dati.json", json)], momento)
    }

    /// The receipt as a one-page PDF, with a QR code of the verification address.
    pub fn ricevuta(&self, dati: &Ricevuta, momento: Option<Momento>) -> Result<Documento, Errore> {
        let json = serde_json::to_vec(dati)?;
        let qr = qr_svg(&dati.url_verifica)?;
        self.componi(RICEVUTA, vec![("/dati.json", json), ("/qr.svg", qr.into_bytes())], momento)
    }

    fn componi(
        &self,
        modello: &str,
        file: Vec<(&str, Vec<u8>)>,
        momento: Option<Momento>,
    ) -> Result<Documento, Errore> {
        let main = id("/main.typ");
        let mondo = Mondo {
            motore: self,
            main,
            sorgente: Source::new(main, modello.to_owned()),
            file: file.into_iter().map(|(p, b)| (id(p), Bytes::new(b))).collect(),
        };
        let compilato = typst::compile::<PagedDocument>(&mondo);
        let documento = compilato.output.map_err(|e| Errore::Composizione(messaggi(&e)))?;
        let opzioni = PdfOptions {
            ident: Smart::Custom("raccolta".into()),
            creator: Smart::Custom(Some("Raccolta".into())),
            timestamp: momento.and_then(timestamp),
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&documento, &opzioni).map_err(|e| Errore::Composizione(messaggi(&e)))?;
        let pagine = documento.pages().len();
        // What the last few documents reused stays (the template's fixed parts); the rest goes.
        comemo::evict(10);
        Ok(Documento { pdf, pagine })
    }
}

fn id(percorso: &str) -> FileId {
    // The paths are ours and absolute: they always parse.
    let vpath = VirtualPath::new(percorso).unwrap_or_else(|_| unreachable!("percorso virtuale {percorso}"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

fn messaggi(errori: &[SourceDiagnostic]) -> String {
    errori
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn timestamp(m: Momento) -> Option<Timestamp> {
    let giorni = m.unix.div_euclid(86_400);
    let secondi = m.unix.rem_euclid(86_400);
    let (anno, mese, giorno) = civile(giorni);
    let dt = Datetime::from_ymd_hms(
        anno,
        mese,
        giorno,
        (secondi / 3600) as u8,
        (secondi / 60 % 60) as u8,
        (secondi % 60) as u8,
    )?;
    Some(Timestamp::new_utc(dt))
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civile(giorni: i64) -> (i32, u8, u8) {
    let z = giorni + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let giorno = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let mese = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let anno = yoe + era * 400 + i64::from(mese <= 2);
    (anno as i32, mese, giorno)
}

/// The QR code of `testo` as an SVG, black on white, with a quiet zone.
fn qr_svg(testo: &str) -> Result<String, Errore> {
    let codice = qrcode::QrCode::with_error_correction_level(testo.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Errore::Qr(e.to_string()))?;
    Ok(codice.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// One compilation's files: the template, its data, and the shared fonts and library.
struct Mondo<'a> {
    motore: &'a Motore,
    main: FileId,
    sorgente: Source,
    file: HashMap<FileId, Bytes>,
}

impl World for Mondo<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.motore.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.motore.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main { Ok(self.sorgente.clone()) } else { Err(FileError::NotSource) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.file.get(&id).cloned().ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.motore.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // A document's date comes from its data, never from the clock.
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_from_the_epoch_give_the_civil_date() {
        assert_eq!(civile(0), (1970, 1, 1));
        assert_eq!(civile(19_723), (2024, 1, 1));
        assert_eq!(civile(19_782), (2024, 2, 29));
        assert_eq!(civile(-1), (1969, 12, 31));
    }
}
