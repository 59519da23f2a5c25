//! `GET /accesso` shows the login form; `POST /accesso` logs in.
//!
//! Wrong user, wrong password, unconfirmed or disabled account: one message, "Credenziali non valide", and the same
//! work (a password hash is verified even for unknown users). After 5 failures for one account (by code and
//! e-mail together) every further attempt waits (1 minute, doubling, at most 15); see [`accesso`].

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::destinazione;
use crate::app::AppState;
use crate::auth::accesso::{self, Esito};
use crate::context::Context;
use crate::db::sessions::{KEY_IP, KEY_USER_AGENT, KEY_USER_ID};
use crate::ora::data_ora;
use crate::web::captcha::{self, CaptchaView};
use crate::web::client_ip::ClientIp;
use crate::web::pubblico::render;
use crate::web::sessione::{KEY_CSRF, KEY_LOGIN_AT, KEY_PREVIOUS_LOGIN, session_error};
use crate::web::{AppError, Page};

#[derive(Template)]
#[template(path = "accesso/accesso.html")]
struct Accesso<'a> {
    page: &'a Page,
    csrf: String,
    captcha: CaptchaView,
    errori: Vec<(String, String)>,
    errore_captcha: String,
    avviso: String,
    nome_utente: String,
    torna: String,
}

/// Query of the login page.
#[derive(Debug, Deserialize, Default)]
pub struct AccessoQuery {
    #[serde(default)]
    torna: String,
    #[serde(default)]
    uscito: Option<u8>,
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct AccessoForm {
    #[serde(default)]
    nome_utente: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    captcha: String,
    #[serde(default)]
    torna: String,
}

#[allow(clippy::too_many_arguments)]
async fn show(
    state: &AppState,
    session: &Session,
    page: &Page,
    ip: &str,
    errori: Vec<(String, String)>,
    errore_captcha: String,
    avviso: String,
    nome_utente: String,
    torna: String,
) -> Result<Html<String>, AppError> {
    let (csrf, captcha) = captcha::modulo(state, session, ip).await?;
    render(&Accesso { page, csrf, captcha, errori, errore_captcha, avviso, nome_utente, torna })
}

/// `GET /accesso`.
pub async fn get_accesso(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    session: Session,
    page: Page,
    Query(q): Query<AccessoQuery>,
) -> Result<Response, AppError> {
    if page.utente.is_some() {
        return Ok(Redirect::to(&destinazione(&q.torna)).into_response());
    }
    let avviso = match (q.uscito, q.torna.is_empty()) {
        (Some(_), _) => page.t("accesso-uscito"),
        (None, false) => page.t("accesso-sessione-necessaria"),
        _ => String::new(),
    };
    Ok(show(&state, &session, &page, &ip, vec![], String::new(), avviso, String::new(), q.torna).await?.into_response())
}

/// `POST /accesso`.
pub async fn post_accesso(
    State(state): State<AppState>,
    ctx: Context,
    session: Session,
    page: Page,
    Form(form): Form<AccessoForm>,
) -> Result<Response, AppError> {
    let nome_utente = form.nome_utente.trim().chars().take(254).collect::<String>();
    let ip = ctx.ip.clone().unwrap_or_default();
    let again = |errori: Vec<(String, String)>, errore_captcha: String| {
        let (state, session, page, ip, nome, torna) =
            (&state, &session, &page, ip.clone(), nome_utente.clone(), form.torna.clone());
        async move { show(state, session, page, &ip, errori, errore_captcha, String::new(), nome, torna).await }
    };
    let mut errori = Vec::new();
    if nome_utente.is_empty() {
        errori.push(("nome_utente".to_owned(), page.t("accesso-campo-vuoto-utente")));
    }
    if form.password.is_empty() {
        errori.push(("password".to_owned(), page.t("accesso-campo-vuoto-password")));
    }
    let errore_captcha = captcha::verifica_modulo(&state, &session, &page, &form.captcha, &mut errori).await?;
    if !errori.is_empty() {
        return Ok(again(errori, errore_captcha).await?.into_response());
    }
    let (user, previous) = match accesso::entra(&state, &ctx, &nome_utente, &form.password).await? {
        Esito::Entrato { user, precedente } => (user, precedente),
        Esito::Attendi(until) => {
            let msg = page.lang.t_args("accesso-attendi", &[("ora", data_ora(until))]);
            return Ok(again(vec![("nome_utente".to_owned(), msg)], String::new()).await?.into_response());
        }
        Esito::NonValide => {
            let msg = page.t("accesso-credenziali-non-valide");
            return Ok(again(vec![("nome_utente".to_owned(), msg)], String::new()).await?.into_response());
        }
    };
    // A new session id at login: a session fixed by an attacker before login is worthless after it.
    session.cycle_id().await.map_err(session_error)?;
    session.insert(KEY_USER_ID, user.id).await.map_err(session_error)?;
    session.insert(KEY_LOGIN_AT, ctx.now).await.map_err(session_error)?;
    session.insert(KEY_PREVIOUS_LOGIN, previous).await.map_err(session_error)?;
    session.insert(KEY_IP, &ip).await.map_err(session_error)?;
    session.insert(KEY_USER_AGENT, ctx.user_agent.as_deref().unwrap_or_default()).await.map_err(session_error)?;
    session.remove::<String>(KEY_CSRF).await.map_err(session_error)?;
    Ok(Redirect::to(&destinazione(&form.torna)).into_response())
}
