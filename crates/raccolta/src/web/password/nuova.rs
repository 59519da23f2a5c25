//! `GET /password/nuova?token=…` shows the new-password form; `POST` sets it, ends every session of the user and
//! tells them by e-mail.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::db::{outbox, sessions, throttles, tokens, users};
use crate::i18n::Lang;
use crate::mail::Email as Mail;
use crate::web::link::{Ricomincia, TokenQuery, apri, no_referrer, usa};
use crate::web::pubblico::render;
use crate::web::sessione::csrf_token;
use crate::web::{AppError, Page};

#[derive(Template)]
#[template(path = "password/nuova.html")]
struct Nuova<'a> {
    page: &'a Page,
    csrf: String,
    token: String,
    errori: Vec<(String, String)>,
}

impl Nuova<'_> {
    fn errore(&self, field: &str) -> &str {
        crate::web::errore_di(&self.errori, field)
    }
}

#[derive(Template)]
#[template(path = "password/modificata.html")]
struct Modificata<'a> {
    page: &'a Page,
}

/// The new-password form.
#[derive(Debug, Deserialize)]
pub struct NuovaForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    conferma_password: String,
}

const KIND: tokens::Kind = tokens::Kind::Reset;
const RICOMINCIA: Ricomincia = Ricomincia { path: "/password", testo: "modifica-password" };

/// `GET /password/nuova?token=…`.
pub async fn get_nuova(
    State(state): State<AppState>,
    session: Session,
    page: Page,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    if let Err(pagina) = apri(&state.db, KIND, &q.token, state.clock.now(), &page, RICOMINCIA).await? {
        return Ok(pagina);
    }
    let html = render(&Nuova { page: &page, csrf: csrf_token(&session).await?, token: q.token, errori: vec![] })?;
    Ok(no_referrer(html.into_response()))
}

/// `POST /password/nuova`.
pub async fn post_nuova(
    State(state): State<AppState>,
    ctx: Context,
    session: Session,
    page: Page,
    Form(f): Form<NuovaForm>,
) -> Result<Response, AppError> {
    let now = ctx.now;
    let user_id = match apri(&state.db, KIND, &f.token, now, &page, RICOMINCIA).await? {
        Ok(t) => t.user_id,
        Err(pagina) => return Ok(pagina),
    };
    let user = users::by_id(&state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let mut errori = Vec::new();
    if let Err(e) = user.controlla_password(&f.password) {
        errori.push(("password".to_owned(), e.messaggio(page.lang)));
    } else if f.password != f.conferma_password {
        errori.push(("conferma_password".to_owned(), page.t("registrazione-password-diverse")));
    }
    if !errori.is_empty() {
        let html = render(&Nuova { page: &page, csrf: csrf_token(&session).await?, token: f.token, errori })?;
        return Ok(no_referrer(html.into_response()));
    }
    let new_hash = state.hasher.hash(&f.password).await?;
    let mut tx = state.db.begin().await?;
    if let Err(pagina) = usa(&mut tx, KIND, &f.token, now, &page, RICOMINCIA).await? {
        return Ok(pagina);
    }
    users::set_password(&mut tx, user.id, &new_hash, now).await?;
    let lang = Lang::from_code(&user.lang).unwrap_or(page.lang);
    let mail = Mail::PasswordModificata { nome: user.nome_visualizzato() };
    outbox::enqueue(&mut tx, &mail.message(&user.email, lang, &state.config)).await?;
    // Other links sent before (another reset, an e-mail change) die with the old password.
    tokens::revoke_for_user(&mut tx, user.id, now).await?;
    // A wait earned by someone guessing the old password ends with it.
    throttles::reset(&mut tx, &crate::auth::accesso::chiave_account(user.id)).await?;
    // Whoever knew the old password is out, on every node.
    let ended = sessions::delete_for_user(&mut tx, user.id, None).await?;
    let event = ctx
        .acting_as(user.id, &user.codice)
        .audit("password.reimpostata")
        .details(serde_json::json!({ "sessioni_terminate": ended }));
    audit::record(&mut tx, &event).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(no_referrer(render(&Modificata { page: &page })?.into_response()))
}
