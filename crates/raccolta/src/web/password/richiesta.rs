//! `GET /password` asks for the e-mail; `POST /password` sends the link. The answer is the same whether or not
//! the address is registered.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::db::{throttles, users};
use crate::domain::Email;
use crate::i18n::Lang;
use crate::web::captcha::{self, CaptchaView};
use crate::web::client_ip::ClientIp;
use crate::web::pubblico::render;
use crate::web::{AppError, Page};

#[derive(Template)]
#[template(path = "password/richiesta.html")]
struct Richiesta<'a> {
    page: &'a Page,
    csrf: String,
    captcha: CaptchaView,
    errori: Vec<(String, String)>,
    errore_captcha: String,
    email: String,
}

#[derive(Template)]
#[template(path = "password/inviata.html")]
struct Inviata<'a> {
    page: &'a Page,
}

/// The request form.
#[derive(Debug, Deserialize)]
pub struct RichiestaForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    captcha: String,
}

async fn show(
    state: &AppState,
    session: &Session,
    page: &Page,
    ip: &str,
    errori: Vec<(String, String)>,
    errore_captcha: String,
    email: String,
) -> Result<Html<String>, AppError> {
    let (csrf, captcha) = captcha::modulo(state, session, ip).await?;
    render(&Richiesta { page, csrf, captcha, errori, errore_captcha, email })
}

/// `GET /password`.
pub async fn get_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    session: Session,
    page: Page,
) -> Result<Html<String>, AppError> {
    show(&state, &session, &page, &ip, vec![], String::new(), String::new()).await
}

/// `POST /password`.
pub async fn post_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: Context,
    session: Session,
    page: Page,
    Form(f): Form<RichiestaForm>,
) -> Result<Response, AppError> {
    let now = ctx.now;
    let mut errori = Vec::new();
    let email = Email::parse(&f.email);
    if let Err(e) = &email {
        errori.push(("email".to_owned(), e.messaggio(page.lang)));
    }
    let ip_key = format!("password:ip:{ip}");
    let errore_captcha =
        captcha::verifica_modulo_e_attesa(&state, &session, &page, &f.captcha, (&ip_key, "email"), &mut errori).await?;
    let email = match (email, errori.is_empty()) {
        (Ok(e), true) => e,
        _ => {
            let typed = f.email.chars().take(254).collect();
            return Ok(show(&state, &session, &page, &ip, errori, errore_captcha, typed).await?.into_response());
        }
    };
    throttles::record(&state.db, &ip_key, now, throttles::FORM_IP).await?;
    if let Some(user) = users::by_email(&state.db, email.as_str()).await?.filter(|u| u.is_active()) {
        let mut tx = state.db.begin().await?;
        let lang = Lang::from_code(&user.lang).unwrap_or(page.lang);
        super::accoda_reset(&state, &mut tx, &user, lang, now).await?;
        audit::record(&mut tx, &ctx.audit("password.richiesta_reset").concerning(user.id)).await?;
        tx.commit().await?;
        state.mail_wake.wake();
    }
    Ok(render(&Inviata { page: &page })?.into_response())
}
