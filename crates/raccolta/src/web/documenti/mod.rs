//! *Documenti*: for the ente selezionato, the PDFs of every version sent (questionnaire and receipt), the
//! instructions of its campaigns and the blank models of its moduli; the invii's PDFs themselves, served as stored,
//! to anyone who may view the questionnaire; and the blank models, public, made from the definitions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::compilazione;
use crate::db::documenti::{self as archivio, Tipo};
use crate::db::invii;
use crate::ora::data_ora;
use crate::web::pubblico::render;
use crate::web::questionari::accesso;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// One version sent, as listed.
struct Versione {
    pubblico: String,
    versione: i64,
    protocollo: String,
    quando: String,
    in_ritardo: bool,
    pronto: bool,
}

/// One questionnaire of the ente with its versions, the latest first.
struct Inviato {
    titolo: String,
    versioni: Vec<Versione>,
}

/// A campaign's documents for the ente: instructions and models.
struct DocCampagna {
    titolo: String,
    /// Path and title of each instruction.
    istruzioni: Vec<(String, String)>,
    /// Path and label of each model.
    modelli: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "documenti/documenti.html")]
struct Documenti<'a> {
    page: &'a Page,
    ente: Option<String>,
    inviati: Vec<Inviato>,
    campagne: Vec<DocCampagna>,
    in_preparazione: bool,
}

/// `GET /documenti`.
pub async fn get_documenti(State(state): State<AppState>, utente: Utente, page: Page) -> Result<Response, AppError> {
    let lang = page.lang;
    let l = compilazione::lingua(lang);
    let Some((ente, _)) = crate::web::enti::selezionato(&state, &utente).await? else {
        let html = render(&Documenti {
            page: &page,
            ente: None,
            inviati: Vec::new(),
            campagne: Vec::new(),
            in_preparazione: false,
        })?;
        return Ok(crate::web::no_store(html));
    };
    let mut inviati: Vec<Inviato> = Vec::new();
    for d in invii::documenti_dell_ente(&state.db, ente.id).await? {
        let nuovo = inviati.last().is_none_or(|i| i.versioni.first().is_none_or(|v| v.pubblico != d.pubblico));
        if nuovo {
            let definizione =
                state.questionari.modulo(&questionario::ChiaveModulo::new(&d.campagna, &d.codice, &d.modulo));
            let titolo = definizione.map(|m| m.titolo.get(l).to_owned()).unwrap_or_default();
            let anno = state.catalogo.campagna(&d.campagna).map(|c| c.anno_riferimento.to_string()).unwrap_or_default();
            inviati
                .push(Inviato {
                    titolo: format!("{} {} {anno} · {titolo}", d.codice, d.modulo), versioni: Vec::new()
                });
        }
        if let Some(i) = inviati.last_mut() {
            i.versioni.push(Versione {
                pubblico: d.pubblico,
                versione: d.versione,
                protocollo: d.protocollo,
                quando: data_ora(d.inviato_at),
                in_ritardo: d.in_ritardo,
                pronto: d.pronto,
            });
        }
    }
    let campagne = state
        .catalogo
        .aperte()
        .map(|c| DocCampagna {
            titolo: c.titolo.get(lang).to_owned(),
            istruzioni: c
                .istruzioni
                .iter()
                .map(|d| (format!("/campagne/{}/istruzioni/{}", c.id, d.id), d.titolo.get(lang).to_owned()))
                .collect(),
            modelli: c
                .moduli
                .iter()
                .filter(|m| m.per_tipo(&ente.tipo))
                .map(|m| {
                    let nome = lang.t_args("documenti-modello", &[("modulo", m.titolo.get(lang).to_owned())]);
                    (format!("/campagne/{}/modelli/{}.pdf", c.id, m.codice), nome)
                })
                .collect(),
        })
        .collect();
    let in_preparazione = inviati.iter().flat_map(|i| &i.versioni).any(|v| !v.pronto);
    let html = render(&Documenti { page: &page, ente: Some(ente.denominazione), inviati, campagne, in_preparazione })?;
    Ok(crate::web::no_store(html))
}

/// `GET /questionari/{id}/invii/{versione}/{questionario.pdf|ricevuta.pdf}`: the stored PDF of a version sent,
/// for anyone who may view the questionnaire. Before invio there is no version, so no PDF.
pub async fn get_pdf(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path((id, versione, file)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let tipo = match file.as_str() {
        "questionario.pdf" => Tipo::Questionario,
        "ricevuta.pdf" => Tipo::Ricevuta,
        _ => return Err(AppError::NotFound),
    };
    let a = accesso(&state, &utente, &id).await?;
    let versione: i64 = versione.parse().map_err(|_| AppError::NotFound)?;
    let invio = invii::versione(&state.db, a.q.id, versione).await?.ok_or(AppError::NotFound)?;
    let Some(pdf) = archivio::pdf(&state.db, invio.id, tipo).await? else {
        // Made by the job moments after the invio: a wake in case this node's job is idle.
        state.stampa.sveglia();
        return Err(AppError::Pending(page.t("pdf-non-pronto")));
    };
    let nome = match tipo {
        Tipo::Questionario => format!("{}-v{}.pdf", invio.protocollo, invio.versione),
        Tipo::Ricevuta => format!("{}-v{}-ricevuta.pdf", invio.protocollo, invio.versione),
    };
    Ok(pdf_response(pdf, &nome, "private, no-store"))
}

/// `GET /campagne/{campagna}/modelli/{modulo}.pdf`: the blank model of a modulo, in the page's language, made
/// from its definition.
pub async fn get_modello(
    State(state): State<AppState>,
    page: Page,
    Path((campagna, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let codice = file.strip_suffix(".pdf").ok_or(AppError::NotFound)?;
    let c = state.catalogo.campagna(&campagna).ok_or(AppError::NotFound)?;
    if !c.moduli.iter().any(|m| m.codice == codice) {
        return Err(AppError::NotFound);
    }
    let m = state
        .questionari
        .modulo(&questionario::ChiaveModulo::new(&c.id, &c.codice, codice))
        .ok_or(AppError::NotFound)?;
    let pdf = compilazione::pdf::modello(&state, m, page.lang).await.map_err(|e| AppError::Internal(e.into()))?;
    let nome =
        format!("modello-{}-{}-{}-{}.pdf", c.codice, codice, c.anno_riferimento, page.lang.code()).to_lowercase();
    // The URL is the same in both languages: caches keep the one the reader's language asked for.
    let mut res = pdf_response(pdf.to_vec(), &nome, "private, max-age=3600");
    res.headers_mut().insert(header::VARY, header::HeaderValue::from_static("cookie, accept-language"));
    Ok(res)
}

fn pdf_response(pdf: Vec<u8>, nome: &str, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{nome}\"")),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        pdf,
    )
        .into_response()
}
