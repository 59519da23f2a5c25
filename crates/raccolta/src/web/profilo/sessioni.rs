//! `POST /profilo/sessioni/termina`: ends every other session of the user.

use axum::extract::State;
use axum::response::Redirect;

use crate::app::AppState;
use crate::db::audit::{self, AuditEvent};
use crate::db::sessions;
use crate::web::AppError;
use crate::web::sessione::Utente;

/// Ends the other sessions.
pub async fn post_termina(State(state): State<AppState>, utente: Utente) -> Result<Redirect, AppError> {
    let current = utente.session.id();
    let ended = sessions::delete_for_user(&state.db, utente.user.id, current.as_ref()).await?;
    let event = AuditEvent {
        actor: &utente.user.codice,
        action: "sessioni.terminate",
        user_id: Some(utente.user.id),
        details: serde_json::json!({ "sessioni": ended }),
        ..Default::default()
    };
    audit::record(&state.db, &event).await?;
    Ok(Redirect::to("/profilo?esito=sessioni"))
}
