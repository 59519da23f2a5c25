//! `GET /questionari`: the *Questionari* of the ente selezionato, with the *Ricerca Avanzata* filter in the query
//! string (bookmarkable; the back button works; no JavaScript needed), paging "1 - N di M", and `GET
//! /questionari/esporta.csv` / `esporta.xlsx`: exactly the rows the filter shows.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::compilazione::{self, VoceElenco};
use crate::domain::{Modalita, StatoQuestionario};
use crate::i18n::Lang;
use crate::web::pubblico::{format_date, render};
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// Rows per page.
const PER_PAGINA: usize = 20;

/// The filter: every key optional.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Filtro {
    #[serde(default)]
    codice: String,
    #[serde(default)]
    modulo: String,
    #[serde(default)]
    anno: String,
    #[serde(default)]
    stato: String,
    #[serde(default)]
    testo: String,
    #[serde(default)]
    pagina: String,
}

impl Filtro {
    fn ammette(&self, v: &VoceElenco, lang: Lang) -> bool {
        let testo = crate::domain::chiave_ricerca(&self.testo);
        (self.codice.is_empty() || v.codice.eq_ignore_ascii_case(self.codice.trim()))
            && (self.modulo.is_empty() || v.modulo.eq_ignore_ascii_case(self.modulo.trim()))
            && (self.anno.is_empty() || self.anno.trim() == v.anno_riferimento.to_string())
            && (self.stato.is_empty() || self.stato == v.stato.code())
            && (testo.is_empty() || crate::domain::chiave_ricerca(v.descrizione.get(lang)).contains(&testo))
    }

    fn query(&self, pagina: Option<usize>) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("codice", &self.codice),
            ("modulo", &self.modulo),
            ("anno", &self.anno),
            ("stato", &self.stato),
            ("testo", &self.testo),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if let Some(p) = pagina {
            s.append_pair("pagina", &p.to_string());
        }
        s.finish()
    }
}

/// A row as the table shows it.
pub struct Riga {
    v: VoceElenco,
    descrizione: String,
    stato: String,
    scadenza: String,
    href: String,
}

#[derive(Template)]
#[template(path = "questionari/elenco.html")]
struct Elenco<'a> {
    page: &'a Page,
    ente: Option<(i64, String)>,
    compila: bool,
    f: Filtro,
    codici: Vec<String>,
    moduli: Vec<String>,
    anni: Vec<i32>,
    stati: Vec<(&'static str, String)>,
    righe: Vec<Riga>,
    da: usize,
    a: usize,
    totale: usize,
    pagina: usize,
    pagine: usize,
    esporta: String,
}

impl Elenco<'_> {
    fn link_pagina(&self, n: &usize) -> String {
        format!("/questionari?{}", self.f.query(Some(*n)))
    }
}

/// The rows of the ente selezionato that the filter admits, with the ente and the user's mode.
async fn righe(
    state: &AppState,
    utente: &Utente,
    f: &Filtro,
    lang: Lang,
) -> Result<Option<(crate::db::enti::Ente, Modalita, Vec<VoceElenco>, Vec<VoceElenco>)>, AppError> {
    let Some((ente, m)) = crate::web::enti::selezionato(state, utente).await? else { return Ok(None) };
    let tutte = compilazione::elenco(state, &ente).await?;
    let filtrate = tutte.iter().filter(|v| f.ammette(v, lang)).cloned().collect();
    Ok(Some((ente, m, tutte, filtrate)))
}

/// `GET /questionari`.
pub async fn get_elenco(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(f): Query<Filtro>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let trovate = righe(&state, &utente, &f, lang).await?;
    let (ente, compila, tutte, filtrate) = match trovate {
        Some((e, m, t, v)) => (Some((e.id, e.denominazione.clone())), m == Modalita::Compilazione, t, v),
        None => (None, false, Vec::new(), Vec::new()),
    };
    let unici = |it: Vec<String>| {
        let mut v = it;
        v.sort();
        v.dedup();
        v
    };
    let codici = unici(tutte.iter().map(|v| v.codice.clone()).collect());
    let moduli = unici(tutte.iter().map(|v| v.modulo.clone()).collect());
    let mut anni: Vec<i32> = tutte.iter().map(|v| v.anno_riferimento).collect();
    anni.sort_unstable();
    anni.dedup();
    let totale = filtrate.len();
    let pagine = totale.div_ceil(PER_PAGINA).max(1);
    let pagina = f.pagina.parse::<usize>().unwrap_or(1).clamp(1, pagine);
    let ente_id = ente.as_ref().map_or(0, |(id, _)| *id);
    let righe: Vec<Riga> = filtrate
        .into_iter()
        .skip((pagina - 1) * PER_PAGINA)
        .take(PER_PAGINA)
        .map(|v| Riga {
            descrizione: v.descrizione.get(lang).to_uppercase(),
            stato: v.stato_testo(lang),
            scadenza: format_date(v.scadenza, lang),
            href: format!("/enti/{ente_id}/questionari/{}/{}", v.campagna, v.modulo),
            v,
        })
        .collect();
    let da = if totale == 0 { 0 } else { (pagina - 1) * PER_PAGINA + 1 };
    let html = render(&Elenco {
        page: &page,
        ente,
        compila,
        codici,
        moduli,
        anni,
        stati: StatoQuestionario::TUTTI.iter().map(|s| (s.code(), s.etichetta(lang))).collect(),
        a: da + righe.len().saturating_sub(1).min(totale),
        da,
        righe,
        totale,
        pagina,
        pagine,
        esporta: f.query(None),
        f,
    })?;
    Ok(crate::web::no_store(html))
}

/// The export's columns, in the table's order.
fn intestazioni(lang: Lang) -> [String; 7] {
    [
        "elenco-codice",
        "elenco-modulo",
        "elenco-anno-riferimento",
        "elenco-anno-compilazione",
        "elenco-descrizione",
        "elenco-scadenza",
        "elenco-stato",
    ]
    .map(|k| lang.t(k))
}

/// `GET /questionari/esporta.csv`: `;`-separated, UTF-8 with BOM, for Excel in Italian.
pub async fn get_csv(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(f): Query<Filtro>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let Some((ente, _, _, filtrate)) = righe(&state, &utente, &f, lang).await? else { return Err(AppError::NotFound) };
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::from(*b"\xEF\xBB\xBF"));
    let csv_err = |e: csv::Error| AppError::Internal(e.into());
    w.write_record(intestazioni(lang)).map_err(csv_err)?;
    for v in &filtrate {
        w.write_record([
            v.codice.clone(),
            v.modulo.clone(),
            v.anno_riferimento.to_string(),
            v.anno_compilazione.to_string(),
            v.descrizione.get(lang).to_uppercase(),
            format_date(v.scadenza, lang),
            v.stato_testo(lang),
        ])
        .map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok(allegato(bytes, "text/csv; charset=utf-8", &nome_file(&ente.codice_ipa, "csv")))
}

/// `GET /questionari/esporta.xlsx`.
pub async fn get_xlsx(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(f): Query<Filtro>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let Some((ente, _, _, filtrate)) = righe(&state, &utente, &f, lang).await? else { return Err(AppError::NotFound) };
    let xlsx_err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut libro = rust_xlsxwriter::Workbook::new();
    let foglio = libro.add_worksheet();
    foglio.set_name(lang.t("elenco-foglio")).map_err(xlsx_err)?;
    let grassetto = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in intestazioni(lang).iter().enumerate() {
        foglio.write_string_with_format(0, c as u16, h, &grassetto).map_err(xlsx_err)?;
    }
    for (r, v) in filtrate.iter().enumerate() {
        let r = r as u32 + 1;
        foglio.write_string(r, 0, &v.codice).map_err(xlsx_err)?;
        foglio.write_string(r, 1, &v.modulo).map_err(xlsx_err)?;
        foglio.write_number(r, 2, f64::from(v.anno_riferimento)).map_err(xlsx_err)?;
        foglio.write_number(r, 3, f64::from(v.anno_compilazione)).map_err(xlsx_err)?;
        foglio.write_string(r, 4, v.descrizione.get(lang).to_uppercase()).map_err(xlsx_err)?;
        foglio.write_string(r, 5, format_date(v.scadenza, lang)).map_err(xlsx_err)?;
        foglio.write_string(r, 6, v.stato_testo(lang)).map_err(xlsx_err)?;
    }
    foglio.autofit();
    let bytes = libro.save_to_buffer().map_err(xlsx_err)?;
    Ok(allegato(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &nome_file(&ente.codice_ipa, "xlsx"),
    ))
}

fn nome_file(codice_ipa: &str, estensione: &str) -> String {
    let sicuro: String = codice_ipa.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    format!("questionari-{sicuro}.{estensione}")
}

/// A download: its type and file name, never cached; `corpo` is the bytes or a stream of them.
pub(crate) fn allegato(corpo: impl Into<axum::body::Body>, tipo: &str, nome: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, tipo.to_owned()),
            (header::CONTENT_DISPOSITION, disposizione(nome)),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        corpo.into(),
    )
        .into_response()
}

/// `attachment` with `nome` both as plain ASCII (what cannot be said in it becomes `_`) and, for the accents of a
/// name a user gave, as RFC 6266's `filename*` in UTF-8: nothing in a name can break out of the header.
pub(crate) fn disposizione(nome: &str) -> String {
    let ascii: String = nome
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    let mut codificato = String::new();
    for b in nome.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            codificato.push(char::from(b));
        } else {
            codificato.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{codificato}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_name_cannot_break_the_header() {
        assert_eq!(
            super::disposizione("bilancio città.pdf"),
            "attachment; filename=\"bilancio citt_.pdf\"; filename*=UTF-8''bilancio%20citt%C3%A0.pdf"
        );
        assert!(!super::disposizione("a\"\r\nb.pdf").contains('\n'));
    }
}
