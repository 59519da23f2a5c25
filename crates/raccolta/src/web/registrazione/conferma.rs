//! `GET /registrazione/conferma?token=…` asks to confirm (mail scanners that open links must not confirm);
//! `POST` confirms, activates the account and sends the Codice identificativo utente.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::db::{outbox, tokens, users};
use crate::i18n::Lang;
use crate::mail::Email as Mail;
use crate::web::link::{Ricomincia, TokenQuery, apri, no_referrer, usa};
use crate::web::pubblico::render;
use crate::web::sessione::csrf_token;
use crate::web::{AppError, Page};

#[derive(Template)]
#[template(path = "registrazione/conferma.html")]
struct Conferma<'a> {
    page: &'a Page,
    csrf: String,
    token: String,
}

#[derive(Template)]
#[template(path = "registrazione/completata.html")]
struct Completata<'a> {
    page: &'a Page,
    nome: String,
    codice: String,
    email: String,
}

const KIND: tokens::Kind = tokens::Kind::Conferma;
const RICOMINCIA: Ricomincia = Ricomincia { path: "/registrazione", testo: "nuova-registrazione" };

/// `GET /registrazione/conferma?token=…`.
pub async fn get_conferma(
    State(state): State<AppState>,
    session: Session,
    page: Page,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    if let Err(pagina) = apri(&state.db, KIND, &q.token, state.clock.now(), &page, RICOMINCIA).await? {
        return Ok(pagina);
    }
    let html = render(&Conferma { page: &page, csrf: csrf_token(&session).await?, token: q.token })?;
    Ok(no_referrer(html.into_response()))
}

/// `POST /registrazione/conferma`.
pub async fn post_conferma(
    State(state): State<AppState>,
    ctx: Context,
    page: Page,
    Form(q): Form<TokenQuery>,
) -> Result<Response, AppError> {
    let now = ctx.now;
    let mut tx = state.db.begin().await?;
    let token = match usa(&mut tx, KIND, &q.token, now, &page, RICOMINCIA).await? {
        Ok(t) => t,
        Err(pagina) => return Ok(pagina),
    };
    users::activate(&mut tx, token.user_id, now).await?;
    let user = users::by_id(&mut tx, token.user_id).await?.ok_or(AppError::NotFound)?;
    let lang = Lang::from_code(&user.lang).unwrap_or(page.lang);
    let mail = Mail::RegistrazioneCompletata {
        nome_o_denominazione: user.nome_visualizzato(),
        codice_utente: user.codice.clone(),
        email: user.email.clone(),
    };
    outbox::enqueue(&mut tx, &mail.message(&user.email, lang, &state.config)).await?;
    audit::record(&mut tx, &ctx.acting_as(user.id, &user.codice).audit("registrazione.confermata")).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    let html =
        render(&Completata { page: &page, nome: user.nome_visualizzato(), codice: user.codice, email: user.email })?;
    Ok(no_referrer(html.into_response()))
}
