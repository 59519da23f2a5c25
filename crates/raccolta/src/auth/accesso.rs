//! The login use case, apart from HTTP: find the account, apply the wait, check the password, count the failure
//! or record the login, and audit either, in one transaction.
//!
//! The wait is counted per account, whatever was typed (the code or the e-mail): both name one counter. A name
//! that matches no account has a counter of its own, so that waiting, too, looks the same whether or not the
//! account exists. During a wait even the right password is refused.

use crate::app::AppState;
use crate::auth::HashError;
use crate::context::Context;
use crate::db::users::{self, User};
use crate::db::{DbError, audit, throttles};

/// How a login attempt ended.
#[derive(Debug)]
pub enum Esito {
    /// Signed in; `precedente` is the time of the previous login, if any.
    Entrato {
        /// The user.
        user: Box<User>,
        /// The previous login (UTC seconds).
        precedente: Option<i64>,
    },
    /// Too many failures: no attempt is checked until then (UTC seconds).
    Attendi(i64),
    /// Wrong name or password, or an account not active: one answer for all.
    NonValide,
}

/// What can fail, apart from the answer itself.
#[derive(Debug, thiserror::Error)]
pub enum AccessoError {
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The password hasher.
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// The counter of an account's failed logins.
pub fn chiave_account(user_id: i64) -> String {
    format!("login:utente:{user_id}")
}

fn chiave_nome(nome: &str) -> String {
    format!("login:nome:{}", nome.to_lowercase())
}

/// Tries to log in as `nome_utente` (code or e-mail) with `password`.
pub async fn entra(state: &AppState, ctx: &Context, nome_utente: &str, password: &str) -> Result<Esito, AccessoError> {
    let now = ctx.now;
    let user = if nome_utente.contains('@') {
        users::by_email(&state.db, &nome_utente.to_lowercase()).await?
    } else {
        users::by_codice(&state.db, &nome_utente.to_uppercase()).await?
    };
    let account_key = user.as_ref().map_or_else(|| chiave_nome(nome_utente), |u| chiave_account(u.id));
    let ip_key = format!("login:ip:{}", ctx.ip.as_deref().unwrap_or_default());
    let blocked = [
        throttles::blocked_until(&state.db, &account_key, now).await?,
        throttles::blocked_until(&state.db, &ip_key, now).await?,
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(until) = blocked {
        return Ok(Esito::Attendi(until));
    }
    // Hashing runs before the transaction: the write lock is never held during the slow part. An unknown user
    // costs the same work.
    let password_ok = state.hasher.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    let mut tx = state.db.begin().await?;
    let esito = match user {
        Some(u) if password_ok && u.is_active() => {
            throttles::reset(&mut tx, &account_key).await?;
            let precedente = users::record_login(&mut tx, u.id, now).await?;
            audit::record(&mut tx, &ctx.clone().acting_as(u.id, &u.codice).audit("accesso.riuscito")).await?;
            Esito::Entrato { user: Box::new(u), precedente }
        }
        other => {
            throttles::record(&mut tx, &account_key, now, throttles::LOGIN_ACCOUNT).await?;
            throttles::record(&mut tx, &ip_key, now, throttles::LOGIN_IP).await?;
            let mut event = ctx.audit("accesso.fallito").target(nome_utente);
            if let Some(u) = &other {
                event = event.concerning(u.id);
            }
            audit::record(&mut tx, &event).await?;
            Esito::NonValide
        }
    };
    tx.commit().await?;
    Ok(esito)
}

/// The answer to a current-password check (Profilo: changing the password or the e-mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordAttuale {
    /// Right.
    Giusta,
    /// Wrong (counted).
    Sbagliata,
    /// Too many failures on this account: not checked until then (UTC seconds).
    Attendi(i64),
}

/// Checks the current password of a signed-in `user`, limited like a login and on the same per-account counter:
/// a stolen session must not become a way to guess the password without the login's wait.
pub async fn password_attuale(
    state: &AppState,
    ctx: &Context,
    user: &User,
    password: &str,
) -> Result<PasswordAttuale, AccessoError> {
    let key = chiave_account(user.id);
    if let Some(until) = throttles::blocked_until(&state.db, &key, ctx.now).await? {
        return Ok(PasswordAttuale::Attendi(until));
    }
    if state.hasher.verify(password, Some(&user.password_hash)).await? {
        return Ok(PasswordAttuale::Giusta);
    }
    let mut tx = state.db.begin().await?;
    throttles::record(&mut tx, &key, ctx.now, throttles::LOGIN_ACCOUNT).await?;
    audit::record(&mut tx, &ctx.audit("profilo.password_attuale_errata")).await?;
    tx.commit().await?;
    Ok(PasswordAttuale::Sbagliata)
}
