//! Ente-scoped pages: asking to be associated, the ente's page, its associations, the ente selezionato.
//!
//! Every ente-scoped handler goes through [`con_accesso`] (or [`decisore`]), which asks the one guard
//! (`auth::guard`), reading the user's rights from the database on each request and answers 404 to anyone without them, so a revocation takes effect at once on
//! every node and nobody learns which enti others work on.

use crate::app::AppState;
use crate::auth::guard::{self, Permission};
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

/// The ente, when `utente` may work on it in at least mode `serve` (asked of the guard); 404 otherwise.
pub async fn con_accesso(
    state: &AppState,
    utente: &User,
    ente_id: i64,
    serve: Modalita,
) -> Result<(Ente, Modalita), AppError> {
    let permission = match serve {
        Modalita::Consultazione => Permission::View { ente_id },
        Modalita::Compilazione => Permission::Compile { ente_id },
    };
    let m = guard::check(&state.db, utente, permission).await?.ok_or(AppError::NotFound)?;
    let ente = enti::by_id(&state.db, ente_id).await?.ok_or(AppError::NotFound)?;
    Ok((ente, m))
}

/// The ente, when `utente` may decide on its associations (responsabile or administrator); 404 otherwise.
pub async fn decisore(state: &AppState, utente: &User, ente_id: i64) -> Result<Ente, AppError> {
    guard::check(&state.db, utente, Permission::DecideAssociations { ente_id }).await?;
    enti::by_id(&state.db, ente_id).await?.ok_or(AppError::NotFound)
}

/// The ente selezionato of the session, when the user still has access to it; otherwise the choice is dropped.
pub async fn selezionato(state: &AppState, u: &Utente) -> Result<Option<(Ente, Modalita)>, AppError> {
    let Some(id) = u.session.get::<i64>(KEY_ENTE).await.map_err(session_error)? else { return Ok(None) };
    match guard::mode_on(&state.db, &u.user, id).await? {
        Some(m) => Ok(enti::by_id(&state.db, id).await?.map(|e| (e, m))),
        None => {
            u.session.remove::<i64>(KEY_ENTE).await.map_err(session_error)?;
            Ok(None)
        }
    }
}
