//! Ente-scoped pages: asking to be associated, the ente's page, its associations, the ente selezionato.
//!
//! Every ente-scoped handler goes through [`con_accesso`] (or [`decisore`]), which reads the user's rights from
//! the database on each request and answers 404 to anyone without them, so a revocation takes effect at once on
//! every node and nobody learns which enti others work on.

use crate::app::AppState;
use crate::db::associazioni;
use crate::db::enti::{self, Ente};
use crate::db::users::User;
use crate::domain::Modalita;
use crate::web::AppError;
use crate::web::sessione::{Utente, session_error};

pub mod aggiungi;
pub mod cerca;
pub mod decisioni;
pub mod scheda;

/// Session key of the ente selezionato.
pub const KEY_ENTE: &str = "ente_selezionato";

/// What `utente` may do on `ente_id` now: an active association's mode, Compilazione for a responsabile,
/// at least Consultazione for an administrator (who oversees every ente).
pub async fn modalita(state: &AppState, utente: &User, ente_id: i64) -> Result<Option<Modalita>, AppError> {
    let propria = associazioni::accesso(&state.db, utente.id, ente_id).await?;
    if utente.ruolo == "amministratore" {
        return Ok(Some(propria.unwrap_or(Modalita::Consultazione).max(Modalita::Consultazione)));
    }
    Ok(propria)
}

/// The ente, when `utente` may work on it in at least mode `serve`; 404 otherwise.
pub async fn con_accesso(
    state: &AppState,
    utente: &User,
    ente_id: i64,
    serve: Modalita,
) -> Result<(Ente, Modalita), AppError> {
    match modalita(state, utente, ente_id).await? {
        Some(m) if m >= serve => {
            let ente = enti::by_id(&state.db, ente_id).await?.ok_or(AppError::NotFound)?;
            Ok((ente, m))
        }
        _ => Err(AppError::NotFound),
    }
}

/// The ente, when `utente` may decide on its associations (responsabile or administrator); 404 otherwise.
pub async fn decisore(state: &AppState, utente: &User, ente_id: i64) -> Result<Ente, AppError> {
    if !crate::enti::associazioni::puo_decidere(state, utente, ente_id).await? {
        return Err(AppError::NotFound);
    }
    enti::by_id(&state.db, ente_id).await?.ok_or(AppError::NotFound)
}

/// The ente selezionato of the session, when the user still has access to it; otherwise the choice is dropped.
pub async fn selezionato(state: &AppState, u: &Utente) -> Result<Option<(Ente, Modalita)>, AppError> {
    let Some(id) = u.session.get::<i64>(KEY_ENTE).await.map_err(session_error)? else { return Ok(None) };
    match modalita(state, &u.user, id).await? {
        Some(m) => Ok(enti::by_id(&state.db, id).await?.map(|e| (e, m))),
        None => {
            u.session.remove::<i64>(KEY_ENTE).await.map_err(session_error)?;
            Ok(None)
        }
    }
}
