//! The registration use case, apart from HTTP: a new account waiting for its e-mail confirmation, a new link for
//! a registration still pending, or a warning to the owner of an address that already has an account; each with
//! its e-mail and audit row, in one transaction. The answer to the visitor is the same in every case.

use crate::app::AppState;
use crate::auth::token::{random_token, token_hash};
use crate::context::Context;
use crate::db::users::{self, NewUser};
use crate::db::{DbError, audit, outbox, tokens};
use crate::domain::{CodiceUtente, Email, StatoUtente, TipoUtente};
use crate::i18n::Lang;
use crate::mail::Email as Mail;
use crate::web::registrazione::CONFERMA_VALIDA_ORE;

/// A registration whose every field has been checked.
#[derive(Debug, Clone)]
pub struct Registrazione {
    /// Persona Fisica or Società.
    pub tipo: TipoUtente,
    /// Name (of the referente, for a company).
    pub nome: String,
    /// Surname.
    pub cognome: String,
    /// Company name.
    pub denominazione: Option<String>,
    /// Codice fiscale or partita IVA.
    pub codice_fiscale: String,
    /// The address to confirm.
    pub email: Email,
}

/// What can fail.
#[derive(Debug, thiserror::Error)]
pub enum RegistrazioneError {
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The password hasher.
    #[error(transparent)]
    Hash(#[from] crate::auth::HashError),
}

/// Registers `r` with `password`, the pages and e-mails in `lang`.
pub async fn registra(
    state: &AppState,
    ctx: &Context,
    r: &Registrazione,
    password: &str,
    lang: Lang,
) -> Result<(), RegistrazioneError> {
    let now = ctx.now;
    // Hash before the transaction: the write lock is never held during the slow part.
    let password_hash = state.hasher.hash(password).await?;
    let base = state.config.base_url.as_str().trim_end_matches('/').to_owned();
    let mut tx = state.db.begin().await?;
    let existing = users::by_email(&mut tx, r.email.as_str()).await?;
    let (user_id, nome_mail, action) = match existing {
        // Pending: a new link for the registration as it was made. What this request typed (password included)
        // is discarded, or anyone could re-register someone else's address with a password of their own and wait
        // for the owner to click the link.
        Some(u) if u.stato == StatoUtente::DaConfermare => {
            (Some(u.id), u.nome_visualizzato(), "registrazione.ripetuta")
        }
        Some(u) => {
            let mail = Mail::RegistrazioneTentata {
                link_accesso: format!("{base}/accesso"),
                link_password: format!("{base}/password"),
            };
            let lang = Lang::from_code(&u.lang).unwrap_or(lang);
            outbox::enqueue(&mut tx, &mail.message(&u.email, lang, &state.config)).await?;
            (None, String::new(), "registrazione.indirizzo_esistente")
        }
        None => {
            let mut codice = CodiceUtente::genera();
            while users::codice_exists(&mut tx, codice.as_str()).await? {
                codice = CodiceUtente::genera();
            }
            let new = NewUser {
                codice: codice.as_str(),
                tipo: r.tipo.as_str(),
                nome: &r.nome,
                cognome: &r.cognome,
                denominazione: r.denominazione.as_deref(),
                codice_fiscale: &r.codice_fiscale,
                email: r.email.as_str(),
                password_hash: &password_hash,
                lang: lang.code(),
            };
            let nome = r.denominazione.clone().unwrap_or_else(|| format!("{} {}", r.nome, r.cognome));
            match users::insert(&mut tx, &new, now).await {
                Ok(id) => (Some(id), nome, "registrazione.richiesta"),
                // The same address registered a moment ago by a concurrent request: answer as for a known one.
                Err(e) if e.is_unique_violation() => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
    };
    if let Some(user_id) = user_id {
        let token = random_token();
        let expires = now + CONFERMA_VALIDA_ORE * 3600;
        tokens::issue(&mut tx, user_id, tokens::Kind::Conferma, &token_hash(&token), now, expires, None).await?;
        let link = format!("{base}/registrazione/conferma?token={token}");
        let mail = Mail::RegistrazioneQuasiCompletata { nome: nome_mail, link };
        outbox::enqueue(&mut tx, &mail.message(r.email.as_str(), lang, &state.config)).await?;
    }
    let mut event = ctx.audit(action).target(r.email.as_str()).details(serde_json::json!({ "tipo": r.tipo.as_str() }));
    if let Some(id) = user_id {
        event = event.concerning(id);
    }
    audit::record(&mut tx, &event).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(())
}
