//! *Richieste Apertura*: `GET /richieste-apertura`, the requests of the ente selezionato and its sent
//! questionnaires; `GET|POST /questionari/{id}/riapertura`, the request form; `GET /gestione/riaperture` and
//! `POST /gestione/riaperture/{id}`, the administrators' decisions.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{accesso, errore};
use crate::app::AppState;
use crate::compilazione::riapertura::{self, Rifiuto};
use crate::compilazione::{self, Accesso};
use crate::context::Context;
use crate::db::riaperture::{self, Richiesta};
use crate::domain::{Modalita, StatoQuestionario};
use crate::i18n::Lang;
use crate::ora::data_ora;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// A request as the lists show it.
pub struct Voce {
    r: Richiesta,
    stato: String,
    quando: String,
    decisa: String,
}

fn voce(r: Richiesta, lang: Lang) -> Voce {
    Voce {
        stato: lang.t(&format!("riapertura-stato-{}", r.stato.replace('_', "-"))),
        quando: data_ora(r.created_at),
        decisa: r.decisa_at.map(data_ora).unwrap_or_default(),
        r,
    }
}

#[derive(Template)]
#[template(path = "questionari/richieste.html")]
struct Richieste<'a> {
    page: &'a Page,
    ente: Option<String>,
    voci: Vec<Voce>,
    /// Sent questionnaires that can be asked to reopen: URL id, code and modulo, title.
    inviati: Vec<(String, String, String)>,
    esito: String,
}

/// `?esito=`.
#[derive(Debug, Default, Deserialize)]
pub struct Esito {
    #[serde(default)]
    esito: String,
}

/// `GET /richieste-apertura`.
pub async fn get_richieste(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(q): Query<Esito>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let l = compilazione::lingua(lang);
    let (ente, voci, inviati) = match crate::web::enti::selezionato(&state, &utente).await? {
        None => (None, Vec::new(), Vec::new()),
        Some((ente, modo)) => {
            let voci = riaperture::dell_ente(&state.db, ente.id).await?.into_iter().map(|r| voce(r, lang)).collect();
            let inviati = if modo == Modalita::Compilazione {
                crate::db::questionari::dell_ente(&state.db, ente.id)
                    .await?
                    .into_iter()
                    .filter(|q| q.stato() == StatoQuestionario::Inviato)
                    .filter(|q| compilazione::campagna(&state, q).is_some_and(crate::catalogo::Campagna::aperta))
                    .map(|q| {
                        let titolo = compilazione::definizione(&state, &q).map(|m| m.titolo.get(l).to_owned());
                        (q.pubblico.clone(), format!("{} {}", q.codice, q.modulo), titolo.unwrap_or_default())
                    })
                    .collect()
            } else {
                Vec::new()
            };
            (Some(ente.denominazione), voci, inviati)
        }
    };
    let html = render(&Richieste { page: &page, ente, voci, inviati, esito: crate::web::esito(lang, &q.esito) })?;
    Ok(crate::web::no_store(html))
}

#[derive(Template)]
#[template(path = "questionari/riapertura.html")]
struct Modulo<'a> {
    page: &'a Page,
    pubblico: String,
    titolo: String,
    ente: String,
    versione: i64,
    motivazione: String,
    errore: String,
    min: usize,
    max: usize,
}

async fn modulo(
    state: &AppState,
    page: &Page,
    a: &Accesso,
    motivazione: String,
    errore: String,
) -> Result<Response, AppError> {
    let l = compilazione::lingua(page.lang);
    let ente = a.nome_ente(state).await?;
    let versione = crate::db::invii::del_questionario(&state.db, a.q.id).await?.last().map_or(0, |i| i.versione);
    let status = if errore.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&Modulo {
        page,
        pubblico: a.q.pubblico.clone(),
        titolo: a.titolo(l),
        ente,
        versione,
        motivazione,
        errore,
        min: riapertura::MOTIVAZIONE_MIN,
        max: riapertura::TESTO_MAX,
    })?;
    Ok((status, crate::web::no_store(html)).into_response())
}

/// Whether `utente` may ask to reopen `a` now (Compilazione, sent, open campaign).
pub(crate) fn puo_chiedere(state: &AppState, utente: &Utente, a: &Accesso) -> bool {
    a.grant.check(&utente.user, crate::auth::guard::Permission::Compile { ente_id: a.q.ente_id }).is_ok()
        && a.q.stato() == StatoQuestionario::Inviato
        && compilazione::campagna_aperta(state, &a.q)
}

/// `GET /questionari/{id}/riapertura`: the form, or the list when there is nothing to ask.
pub async fn get_riapertura(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    if !puo_chiedere(&state, &utente, &a) {
        return Ok(Redirect::to("/richieste-apertura").into_response());
    }
    modulo(&state, &page, &a, String::new(), String::new()).await
}

/// The request form.
#[derive(Debug, Deserialize)]
pub struct FormRichiesta {
    #[serde(default)]
    motivazione: String,
}

/// `POST /questionari/{id}/riapertura`.
pub async fn post_riapertura(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormRichiesta>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    match riapertura::richiedi(&state, &ctx, &utente.user, &a, &f.motivazione).await.map_err(errore)? {
        Ok(_) => Ok(Redirect::to("/richieste-apertura?esito=riapertura-richiesta").into_response()),
        Err(r) => modulo(&state, &page, &a, f.motivazione, r.messaggio(page.lang)).await,
    }
}

#[derive(Template)]
#[template(path = "gestione/riaperture.html")]
struct Gestione<'a> {
    page: &'a Page,
    in_attesa: Vec<Voce>,
    decise: Vec<Voce>,
    /// The request whose form is shown back with its error: id, note typed, message.
    errore: Option<(i64, String, String)>,
    esito: String,
    max: usize,
}

impl Gestione<'_> {
    fn errore_di(&self, id: &i64) -> Option<&(i64, String, String)> {
        self.errore.as_ref().filter(|(e, _, _)| e == id)
    }
}

async fn gestione(
    state: &AppState,
    page: &Page,
    errore: Option<(i64, String, String)>,
    esito_code: &str,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let (in_attesa, decise): (Vec<Voce>, Vec<Voce>) = riaperture::per_gestione(&state.db, 50)
        .await?
        .into_iter()
        .map(|r| voce(r, lang))
        .partition(|v| v.r.stato == "in_attesa");
    let status = if errore.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let html = render(&Gestione {
        page,
        in_attesa,
        decise,
        errore,
        esito: crate::web::esito(lang, esito_code),
        max: riapertura::TESTO_MAX,
    })?;
    Ok((status, crate::web::no_store(html)).into_response())
}

/// `GET /gestione/riaperture`: administrators only.
pub async fn get_gestione(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(q): Query<Esito>,
) -> Result<Response, AppError> {
    crate::auth::guard::check(&state.db, &utente.user, crate::auth::guard::Permission::Administer).await?;
    gestione(&state, &page, None, &q.esito).await
}

/// A decision.
#[derive(Debug, Deserialize)]
pub struct FormDecisione {
    #[serde(default)]
    decisione: String,
    #[serde(default)]
    nota: String,
}

/// `POST /gestione/riaperture/{id}`: `decisione=approva|respingi`.
pub async fn post_decisione(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormDecisione>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let approva = match f.decisione.as_str() {
        "approva" => true,
        "respingi" => false,
        _ => return Err(AppError::BadRequest("decisione sconosciuta".into())),
    };
    match riapertura::decidi(&state, &ctx, &utente.user, id, approva, &f.nota).await.map_err(errore)? {
        Ok(r) => Ok(Redirect::to(&format!("/gestione/riaperture?esito=riapertura-{}", r.stato)).into_response()),
        Err(Rifiuto::GiaDecisa) => Ok(Redirect::to("/gestione/riaperture?esito=riapertura-gia-decisa").into_response()),
        Err(r) => gestione(&state, &page, Some((id, f.nota, r.messaggio(page.lang))), "").await,
    }
}
