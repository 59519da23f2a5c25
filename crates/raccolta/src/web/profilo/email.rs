//! `POST /profilo/email` asks for the password and sends a link to the new address; following it (a page with a
//! button, then `POST /profilo/email/conferma`) changes the address and tells the old one.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::pagina::pagina;
use crate::app::AppState;
use crate::auth::token::{random_token, token_hash};
use crate::context::Context;
use crate::db::audit;
use crate::db::{outbox, tokens, users};
use crate::domain::Email;
use crate::i18n::Lang;
use crate::mail::Email as Mail;
use crate::web::link::{Ricomincia, TokenQuery, apri, no_referrer, non_valido, usa};
use crate::web::pubblico::render;
use crate::web::sessione::{Utente, csrf_token};
use crate::web::{AppError, Page};

/// How long the link to a new address stays valid.
const VALIDO_ORE: i64 = 24;

/// The e-mail form.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    nuova_email: String,
    #[serde(default)]
    password_email: String,
}

/// `POST /profilo/email`.
pub async fn post_email(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Form(f): Form<EmailForm>,
) -> Result<Response, AppError> {
    let u = &utente.user;
    let mut errori = Vec::new();
    let email = Email::parse(&f.nuova_email);
    if let Err(e) = &email {
        errori.push(("nuova_email".to_owned(), e.messaggio(page.lang)));
    }
    if let Some(msg) = super::password::password_attuale(&state, &ctx, u, &f.password_email, &page).await? {
        errori.push(("password_email".to_owned(), msg));
    }
    let email = match (email, errori.is_empty()) {
        (Ok(e), true) if e.as_str() != u.email => e,
        (Ok(_), true) => {
            errori.push(("nuova_email".to_owned(), page.t("profilo-email-uguale")));
            let typed = (u.nome.clone(), u.cognome.clone(), u.denominazione.clone().unwrap_or_default(), f.nuova_email);
            return pagina(&state, &utente, &page, String::new(), errori, Some(typed)).await;
        }
        _ => {
            let typed = (u.nome.clone(), u.cognome.clone(), u.denominazione.clone().unwrap_or_default(), f.nuova_email);
            return pagina(&state, &utente, &page, String::new(), errori, Some(typed)).await;
        }
    };
    let now = state.clock.now();
    let token = random_token();
    let base = state.config.base_url.as_str().trim_end_matches('/');
    let mut tx = state.db.begin().await?;
    let expires = now + VALIDO_ORE * 3600;
    tokens::issue(&mut tx, u.id, tokens::Kind::Email, &token_hash(&token), now, expires, Some(email.as_str())).await?;
    // Whether the address is already taken is checked when the link is used: saying it now would tell a
    // signed-in user which addresses are registered.
    let mail = Mail::ConfermaNuovaEmail {
        nome: u.nome_visualizzato(),
        link: format!("{base}/profilo/email/conferma?token={token}"),
    };
    let lang = Lang::from_code(&u.lang).unwrap_or(page.lang);
    outbox::enqueue(&mut tx, &mail.message(email.as_str(), lang, &state.config)).await?;
    audit::record(&mut tx, &ctx.audit("email.richiesta_modifica").target(email.as_str())).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Redirect::to("/profilo?esito=email-inviata").into_response())
}

#[derive(Template)]
#[template(path = "profilo/conferma_email.html")]
struct ConfermaEmail<'a> {
    page: &'a Page,
    csrf: String,
    token: String,
    email: String,
}

const RICOMINCIA: Ricomincia = Ricomincia { path: "/profilo", testo: "profilo" };

/// `GET /profilo/email/conferma?token=…`.
pub async fn get_conferma(
    State(state): State<AppState>,
    session: Session,
    page: Page,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let t = match apri(&state.db, tokens::Kind::Email, &q.token, state.clock.now(), &page, RICOMINCIA).await? {
        Ok(t) => t,
        Err(pagina) => return Ok(pagina),
    };
    let csrf = csrf_token(&session).await?;
    let html = render(&ConfermaEmail { page: &page, csrf, token: q.token, email: t.new_email.unwrap_or_default() })?;
    Ok(no_referrer(html.into_response()))
}

/// `POST /profilo/email/conferma`.
pub async fn post_conferma(
    State(state): State<AppState>,
    ctx: Context,
    page: Page,
    Form(q): Form<TokenQuery>,
) -> Result<Response, AppError> {
    let now = ctx.now;
    let mut tx = state.db.begin().await?;
    let token = match usa(&mut tx, tokens::Kind::Email, &q.token, now, &page, RICOMINCIA).await? {
        Ok(t) => t,
        Err(pagina) => return Ok(pagina),
    };
    let user = users::by_id(&mut tx, token.user_id).await?.ok_or(AppError::NotFound)?;
    let new_email = token.new_email.unwrap_or_default();
    if users::by_email(&mut tx, &new_email).await?.is_some() {
        drop(tx);
        return non_valido(&page, tokens::Invalid::Used, RICOMINCIA);
    }
    users::set_email(&mut tx, user.id, &new_email).await?;
    let lang = Lang::from_code(&user.lang).unwrap_or(page.lang);
    let mail = Mail::EmailModificata { nome: user.nome_visualizzato(), nuova_email: new_email.clone() };
    outbox::enqueue(&mut tx, &mail.message(&user.email, lang, &state.config)).await?;
    // A reset link sent to the old address must not work once the address has changed.
    tokens::revoke_for_user(&mut tx, user.id, now).await?;
    let event = ctx.acting_as(user.id, &user.codice).audit("email.modificata").target(new_email.as_str());
    audit::record(&mut tx, &event).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(no_referrer(Redirect::to("/profilo?esito=email").into_response()))
}
