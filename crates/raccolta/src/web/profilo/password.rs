//! `POST /profilo/password`: current password, then the new one twice. Other sessions end; an e-mail tells.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pagina::pagina;
use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::db::{outbox, sessions, tokens, users};
use crate::i18n::Lang;
use crate::mail::Email as Mail;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password_attuale: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    conferma_password: String,
}

/// `POST /profilo/password`.
pub async fn post_password(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let u = &utente.user;
    let mut errori = Vec::new();
    if let Some(msg) = password_attuale(&state, &ctx, u, &f.password_attuale, &page).await? {
        errori.push(("password_attuale".to_owned(), msg));
    }
    if let Err(e) = u.controlla_password(&f.password) {
        errori.push(("password".to_owned(), e.messaggio(page.lang)));
    } else if f.password != f.conferma_password {
        errori.push(("conferma_password".to_owned(), page.t("registrazione-password-diverse")));
    }
    if !errori.is_empty() {
        return pagina(&state, &utente, &page, String::new(), errori, None).await;
    }
    let now = ctx.now;
    let hash = state.hasher.hash(&f.password).await?;
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, u.id, &hash, now).await?;
    let lang = Lang::from_code(&u.lang).unwrap_or(page.lang);
    outbox::enqueue(
        &mut tx,
        &Mail::PasswordModificata { nome: u.nome_visualizzato() }.message(&u.email, lang, &state.config),
    )
    .await?;
    // Links sent before the change (a reset, an e-mail change) must not outlive the password they were sent for.
    tokens::revoke_for_user(&mut tx, u.id, now).await?;
    let current = utente.session.id();
    sessions::delete_for_user(&mut tx, u.id, current.as_ref()).await?;
    audit::record(&mut tx, &ctx.audit("password.modificata")).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Redirect::to("/profilo?esito=password").into_response())
}

/// The error to show beside a current-password field, if any: wrong, or wait after too many failures.
pub(super) async fn password_attuale(
    state: &AppState,
    ctx: &Context,
    user: &crate::db::users::User,
    password: &str,
    page: &Page,
) -> Result<Option<String>, AppError> {
    use crate::auth::accesso::{self, PasswordAttuale};
    let verifica = accesso::password_attuale(state, ctx, user, password).await?;
    Ok(match verifica {
        PasswordAttuale::Giusta => None,
        PasswordAttuale::Sbagliata => Some(page.t("profilo-password-attuale-errata")),
        PasswordAttuale::Attendi(until) => {
            Some(page.lang.t_args("accesso-attendi", &[("ora", crate::ora::data_ora(until))]))
        }
    })
}
