//! The campaign catalogue: which questionnaires are collected, when, with which instructions and models.
//!
//! It is data in the repository (`questionari/<campagna>/campagna.toml` plus HTML fragments for the instructions),
//! compiled into the binary so one file is a whole deployment. Loading is strict: an unknown key, a
//! missing translation or a document without its file stops the start-up with the file and the reason.

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

use rust_embed::RustEmbed;
use serde::Deserialize;
use time::Date;

use crate::domain::TipoEnte;
use crate::i18n::Lang;

#[derive(RustEmbed)]
#[folder = "../../questionari/"]
#[include = "*/*.toml"]
#[include = "*/istruzioni/*.html"]
struct Files;

/// A text in both languages of the interface.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Testo {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
}

impl Testo {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::It => &self.it,
            Lang::En => &self.en,
        }
    }
}

/// Whether entities may compile and send the campaign's questionnaires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatoCampagna {
    /// Being prepared: only administrators see it (in Gestione); no ente compiles it yet.
    Preparazione,
    /// Listed on the home page; enti compile and send.
    Aperta,
    /// Listed in the archive, read only.
    Chiusa,
}

impl StatoCampagna {
    /// Every state, in lifecycle order.
    pub const TUTTI: [StatoCampagna; 3] = [StatoCampagna::Preparazione, StatoCampagna::Aperta, StatoCampagna::Chiusa];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            StatoCampagna::Preparazione => "preparazione",
            StatoCampagna::Aperta => "aperta",
            StatoCampagna::Chiusa => "chiusa",
        }
    }

    /// The state for a stored code.
    pub fn from_code(code: &str) -> Option<StatoCampagna> {
        StatoCampagna::TUTTI.into_iter().find(|s| s.code() == code)
    }

    /// The label in `lang`.
    pub fn etichetta(self, lang: Lang) -> String {
        lang.t(&format!("campagna-stato-{}", self.code()))
    }
}

/// What an administrator may change of a campaign (Gestione → Campagne), over the manifest's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendario {
    /// State.
    pub stato: StatoCampagna,
    /// First day of compilation.
    pub apertura: Date,
    /// Deadline for sending (an invio after it is accepted and marked late).
    pub scadenza: Date,
}

/// One modulo of a campaign (e.g. FC80U modulo A, or the Sociale scheda).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modulo {
    /// Code of the modulo within the campaign.
    pub codice: String,
    /// Title.
    pub titolo: Testo,
    /// The definition file (quadri, fields, rules), read by the questionnaire engine.
    pub definizione: String,
    /// The types of ente that compile it (codes of [`TipoEnte`]).
    #[serde(deserialize_with = "tipi_ente")]
    pub tipi_ente: Vec<TipoEnte>,
}

impl Modulo {
    /// Whether an ente of type `tipo` (a stored code) compiles this modulo.
    pub fn per_tipo(&self, tipo: &str) -> bool {
        TipoEnte::from_code(tipo).is_some_and(|t| self.tipi_ente.contains(&t))
    }
}

fn tipi_ente<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<TipoEnte>, D::Error> {
    let codici: Vec<String> = Vec::deserialize(d)?;
    if codici.is_empty() {
        return Err(serde::de::Error::custom("`tipi_ente` non può essere vuoto"));
    }
    codici
        .iter()
        .map(|c| {
            TipoEnte::from_code(c).ok_or_else(|| {
                let ammessi: Vec<&str> = TipoEnte::TUTTI.iter().map(|t| t.code()).collect();
                serde::de::Error::custom(format!("tipo di ente `{c}` sconosciuto: ammessi {}", ammessi.join(", ")))
            })
        })
        .collect()
}

/// An instruction document, shown as an HTML page. (The models of the questionnaires are not written by hand:
/// they are PDFs made from the definitions, `compilazione::pdf::modello`.)
#[derive(Debug, Clone)]
pub struct Documento {
    /// Slug used in the URL and in the file name.
    pub id: String,
    /// Title.
    pub titolo: Testo,
    /// Trusted HTML fragment from the repository, per language.
    pub html: Testo,
}

/// A data-collection campaign.
#[derive(Debug, Clone)]
pub struct Campagna {
    /// Folder name, used in URLs (`fc80u-2022`).
    pub id: String,
    /// Questionnaire code (`FC80U`).
    pub codice: String,
    /// Position in listings.
    pub ordine: i64,
    /// State and dates as the manifest says (in demo mode, moved to today).
    pub predefinito: Calendario,
    /// State and dates now: the manifest's, or what an administrator set ([`Catalogo::applica`]). Shared by the
    /// requests of a node; read, never held across an await.
    calendario: Arc<RwLock<Calendario>>,
    /// Year the data refer to.
    pub anno_riferimento: i32,
    /// Year the questionnaire is filled in.
    pub anno_compilazione: i32,
    /// Title.
    pub titolo: Testo,
    /// One-paragraph description.
    pub descrizione: Testo,
    /// The moduli to fill in.
    pub moduli: Vec<Modulo>,
    /// Instruction documents.
    pub istruzioni: Vec<Documento>,
}

impl Campagna {
    /// State and dates now.
    pub fn calendario(&self) -> Calendario {
        *self.calendario.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The state now.
    pub fn stato(&self) -> StatoCampagna {
        self.calendario().stato
    }

    /// Whether enti compile and send it now.
    pub fn aperta(&self) -> bool {
        self.stato() == StatoCampagna::Aperta
    }

    /// First day of compilation.
    pub fn apertura(&self) -> Date {
        self.calendario().apertura
    }

    /// Deadline for sending.
    pub fn scadenza(&self) -> Date {
        self.calendario().scadenza
    }

    /// An instruction document of the campaign by id.
    pub fn istruzione(&self, id: &str) -> Option<&Documento> {
        self.istruzioni.iter().find(|d| d.id == id)
    }
}

/// Every campaign, ordered for display.
#[derive(Debug, Clone)]
pub struct Catalogo {
    campagne: Vec<Campagna>,
}

/// Why the catalogue could not be loaded; the message names the file.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CatalogoError {
    /// File at fault, relative to `questionari/`.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    codice: String,
    ordine: i64,
    stato: StatoCampagna,
    anno_riferimento: i32,
    anno_compilazione: i32,
    apertura: toml::value::Datetime,
    scadenza: toml::value::Datetime,
    titolo: Testo,
    descrizione: Testo,
    moduli: Vec<Modulo>,
    #[serde(default)]
    istruzioni: Vec<DocManifest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocManifest {
    id: String,
    titolo: Testo,
}

/// The questionnaire definitions compiled into the binary (`questionari/*/*.toml`), loaded by the engine.
pub fn definizioni() -> Result<questionario::Catalogo, Vec<questionario::ErroreDefinizione>> {
    let mut file = std::collections::BTreeMap::new();
    for nome in Files::iter().filter(|f| f.ends_with(".toml")) {
        if let Some(contenuto) = Files::get(&nome) {
            file.insert(nome.into_owned(), String::from_utf8_lossy(&contenuto.data).into_owned());
        }
    }
    questionario::carica("questionari/", &file)
}

/// The definitions compiled into the binary, loaded once per process: they are the same for every server a
/// process starts (tests start many), and `'static` lets a compile page keep a questionnaire's evaluation
/// ([`questionario::Valutazione`] borrows its modulo) between requests. The error lists every broken definition.
pub fn definizioni_incorporate() -> Result<&'static questionario::Catalogo, String> {
    static DEFINIZIONI: std::sync::OnceLock<Result<questionario::Catalogo, String>> = std::sync::OnceLock::new();
    DEFINIZIONI
        .get_or_init(|| {
            definizioni().map_err(|errori| errori.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

impl Catalogo {
    /// Loads the catalogue compiled into the binary.
    pub fn load() -> Result<Catalogo, CatalogoError> {
        let mut campagne = Vec::new();
        let manifests: BTreeSet<String> =
            Files::iter().filter(|f| f.ends_with("/campagna.toml")).map(|f| f.into_owned()).collect();
        for file in manifests {
            let id = file.trim_end_matches("/campagna.toml").to_owned();
            campagne.push(load_campagna(&id, &file)?);
        }
        if campagne.is_empty() {
            return Err(CatalogoError { file: "questionari/".into(), message: "nessuna campagna trovata".into() });
        }
        campagne.sort_by(|a, b| a.ordine.cmp(&b.ordine).then_with(|| a.id.cmp(&b.id)));
        Ok(Catalogo { campagne })
    }

    /// Campaigns open now, for the home page.
    pub fn aperte(&self) -> impl Iterator<Item = &Campagna> {
        self.campagne.iter().filter(|c| c.aperta())
    }

    /// Closed campaigns, for the archive, most recent reference year first.
    pub fn chiuse(&self) -> Vec<&Campagna> {
        let mut list: Vec<&Campagna> = self.campagne.iter().filter(|c| c.stato() == StatoCampagna::Chiusa).collect();
        list.sort_by_key(|c| std::cmp::Reverse(c.anno_riferimento));
        list
    }

    /// Demo mode: every campaign the manifest opens opened 30 days before `oggi` and is due 60 days after it, so
    /// a newcomer finds them open whatever year the manifests were written for.
    pub fn date_dimostrative(&mut self, oggi: Date) {
        for c in self.campagne.iter_mut().filter(|c| c.predefinito.stato == StatoCampagna::Aperta) {
            c.predefinito.apertura = oggi - time::Duration::days(30);
            c.predefinito.scadenza = oggi + time::Duration::days(60);
            c.calendario = Arc::new(RwLock::new(c.predefinito));
        }
    }

    /// Makes each campaign's state and dates those of `impostati` (what administrators stored), or the manifest's
    /// for a campaign not in it. Unknown campaigns in `impostati` are ignored.
    pub fn applica(&self, impostati: &[(String, Calendario)]) {
        for c in &self.campagne {
            let nuovo = impostati.iter().find(|(id, _)| *id == c.id).map_or(c.predefinito, |(_, cal)| *cal);
            *c.calendario.write().unwrap_or_else(std::sync::PoisonError::into_inner) = nuovo;
        }
    }

    /// Every campaign, in display order.
    pub fn tutte(&self) -> &[Campagna] {
        &self.campagne
    }

    /// A campaign by its folder name.
    pub fn campagna(&self, id: &str) -> Option<&Campagna> {
        self.campagne.iter().find(|c| c.id == id)
    }
}

fn read(file: &str) -> Result<String, CatalogoError> {
    let bytes =
        Files::get(file).ok_or_else(|| CatalogoError { file: file.to_owned(), message: "file mancante".into() })?.data;
    String::from_utf8(bytes.into_owned())
        .map_err(|_| CatalogoError { file: file.to_owned(), message: "il file non è in UTF-8".into() })
}

fn load_campagna(id: &str, file: &str) -> Result<Campagna, CatalogoError> {
    let fail = |message: String| CatalogoError { file: file.to_owned(), message };
    let text = read(file)?;
    let m: Manifest = toml::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let apertura = to_date(&m.apertura).ok_or_else(|| fail("`apertura` deve essere una data AAAA-MM-GG".into()))?;
    let scadenza = to_date(&m.scadenza).ok_or_else(|| fail("`scadenza` deve essere una data AAAA-MM-GG".into()))?;
    if scadenza < apertura {
        return Err(fail("la `scadenza` precede l'`apertura`".into()));
    }
    if m.moduli.is_empty() {
        return Err(fail("la campagna non ha moduli".into()));
    }
    let documenti = |list: Vec<DocManifest>| -> Result<Vec<Documento>, CatalogoError> {
        let mut seen = BTreeSet::new();
        list.into_iter()
            .map(|d| {
                if !seen.insert(d.id.clone()) {
                    return Err(fail(format!("documento `{}` ripetuto in `istruzioni`", d.id)));
                }
                if d.id.is_empty() || !d.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                    return Err(fail(format!("id di documento `{}` non valido: usare minuscole, cifre e '-'", d.id)));
                }
                let path = |lang: &str| format!("{id}/istruzioni/{}.{lang}.html", d.id);
                Ok(Documento {
                    html: Testo { it: read(&path("it"))?, en: read(&path("en"))? },
                    id: d.id,
                    titolo: d.titolo,
                })
            })
            .collect()
    };
    let predefinito = Calendario { stato: m.stato, apertura, scadenza };
    Ok(Campagna {
        id: id.to_owned(),
        istruzioni: documenti(m.istruzioni)?,
        codice: m.codice,
        ordine: m.ordine,
        predefinito,
        calendario: Arc::new(RwLock::new(predefinito)),
        anno_riferimento: m.anno_riferimento,
        anno_compilazione: m.anno_compilazione,
        titolo: m.titolo,
        descrizione: m.descrizione,
        moduli: m.moduli,
    })
}

fn to_date(value: &toml::value::Datetime) -> Option<Date> {
    let d = value.date.as_ref()?;
    if value.time.is_some() {
        return None;
    }
    Date::from_calendar_date(i32::from(d.year), time::Month::try_from(d.month).ok()?, d.day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_catalogue_loads_with_both_open_campaigns_and_the_archive() {
        let catalogo = Catalogo::load().expect("the catalogue in the repository is valid");
        let aperte: Vec<&str> = catalogo.aperte().map(|c| c.codice.as_str()).collect();
        assert_eq!(aperte, ["FC80U", "MONITORAGGIO"]);
        let fc80u = catalogo.campagna("fc80u-2022").expect("FC80U");
        let istruzioni: Vec<&str> = fc80u.istruzioni.iter().map(|d| d.titolo.it.as_str()).collect();
        assert_eq!(istruzioni, ["Premessa", "Dati strutturali", "Dati contabili"]);
        let chiuse: Vec<&str> = catalogo.chiuse().iter().map(|c| c.codice.as_str()).collect();
        assert_eq!(chiuse, ["FC60U"]);
    }

    #[test]
    fn every_document_has_substantial_text_in_both_languages_and_no_h1() {
        let catalogo = Catalogo::load().expect("valid");
        for c in catalogo.aperte().chain(catalogo.chiuse()) {
            for d in &c.istruzioni {
                for lang in Lang::ALL {
                    let html = d.html.get(lang);
                    assert!(html.len() > 500, "{}/{} ({}) is too short", c.id, d.id, lang.code());
                    assert!(!html.contains("<h1"), "{}/{} ({}) has its own h1", c.id, d.id, lang.code());
                    assert!(!html.contains("<script"), "{}/{} ({}) has a script", c.id, d.id, lang.code());
                }
            }
        }
    }

    #[test]
    fn dates_must_be_plain_dates() {
        let dt: toml::value::Datetime = "2024-07-15".parse().expect("date");
        assert_eq!(to_date(&dt), Date::from_calendar_date(2024, time::Month::July, 15).ok());
        let dt: toml::value::Datetime = "2024-07-15T10:00:00".parse().expect("datetime");
        assert_eq!(to_date(&dt), None);
    }
}
