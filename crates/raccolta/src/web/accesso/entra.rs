//! `GET /accesso` shows the login form; `POST /accesso` logs in.
//!
//! Wrong user, wrong password, unconfirmed or disabled account: one message, "Credenziali non valide", and the same
//! work (a password hash is verified even for unknown users). After 5 failures for one user name every further
//! attempt waits (1 minute, doubling, at most 15), counted per name typed, so that the wait itself does not tell
//! whether the account exists.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::destinazione;
use crate::app::AppState;
use crate::db::audit::{self, AuditEvent};
use crate::db::sessions::{KEY_IP, KEY_USER_AGENT, KEY_USER_ID};
use crate::db::{throttles, users};
use crate::ora::data_ora;
use crate::web::captcha::{self, CaptchaView};
use crate::web::client_ip::ClientIp;
use crate::web::pubblico::render;
use crate::web::sessione::{KEY_CSRF, KEY_LOGIN_AT, KEY_PREVIOUS_LOGIN, csrf_token, session_error};
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

fn user_agent(headers: &HeaderMap) -> String {
    headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or_default().chars().take(300).collect()
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
    let captcha = captcha::nuova(state, session, ip).await?;
    let csrf = csrf_token(session).await?;
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
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    session: Session,
    page: Page,
    Form(form): Form<AccessoForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let nome_utente = form.nome_utente.trim().chars().take(254).collect::<String>();
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

    let account_key = format!("login:account:{}", nome_utente.to_lowercase());
    let ip_key = format!("login:ip:{ip}");
    let blocked = [
        throttles::blocked_until(&state.db, &account_key, now).await?,
        throttles::blocked_until(&state.db, &ip_key, now).await?,
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(until) = blocked {
        let msg = page.lang.t_args("accesso-attendi", &[("ora", data_ora(until))]);
        return Ok(again(vec![("nome_utente".to_owned(), msg)], String::new()).await?.into_response());
    }

    let user = if nome_utente.contains('@') {
        users::by_email(&state.db, &nome_utente.to_lowercase()).await?
    } else {
        users::by_codice(&state.db, &nome_utente.to_uppercase()).await?
    };
    let password_ok = state
        .hasher
        .verify(&form.password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let ua = user_agent(&headers);
    let user = match user {
        Some(u) if password_ok && u.is_active() => u,
        other => {
            throttles::record(&state.db, &account_key, now, throttles::LOGIN_ACCOUNT).await?;
            throttles::record(&state.db, &ip_key, now, throttles::LOGIN_IP).await?;
            let event = AuditEvent {
                actor: other.as_ref().map_or("anonimo", |u| u.codice.as_str()),
                action: "accesso.fallito",
                target: Some(&nome_utente),
                origin: Some(&ip),
                request_id: None,
                details: serde_json::json!({}),
                user_id: other.as_ref().map(|u| u.id),
                user_agent: Some(&ua),
            };
            audit::record(&state.db, &event).await?;
            let msg = page.t("accesso-credenziali-non-valide");
            return Ok(again(vec![("nome_utente".to_owned(), msg)], String::new()).await?.into_response());
        }
    };

    throttles::reset(&state.db, &account_key).await?;
    let previous = users::record_login(&state.db, user.id, now).await?;
    // A new session id at login: a session fixed by an attacker before login is worthless after it.
    session.cycle_id().await.map_err(session_error)?;
    session.insert(KEY_USER_ID, user.id).await.map_err(session_error)?;
    session.insert(KEY_LOGIN_AT, now).await.map_err(session_error)?;
    session.insert(KEY_PREVIOUS_LOGIN, previous).await.map_err(session_error)?;
    session.insert(KEY_IP, &ip).await.map_err(session_error)?;
    session.insert(KEY_USER_AGENT, &ua).await.map_err(session_error)?;
    session.remove::<String>(KEY_CSRF).await.map_err(session_error)?;
    let event = AuditEvent {
        actor: &user.codice,
        action: "accesso.riuscito",
        target: None,
        origin: Some(&ip),
        request_id: None,
        details: serde_json::json!({}),
        user_id: Some(user.id),
        user_agent: Some(&ua),
    };
    audit::record(&state.db, &event).await?;
    Ok(Redirect::to(&destinazione(&form.torna)).into_response())
}
