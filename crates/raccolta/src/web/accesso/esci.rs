//! `POST /esci`: logs out, deleting the server-side session.

use axum::extract::State;
use axum::response::Redirect;

use crate::app::AppState;
use crate::db::audit::{self, AuditEvent};
use crate::web::AppError;
use crate::web::sessione::{Utente, session_error};

/// Ends the session.
pub async fn post_esci(State(state): State<AppState>, utente: Utente) -> Result<Redirect, AppError> {
    utente.session.delete().await.map_err(session_error)?;
    let event = AuditEvent {
        actor: &utente.user.codice,
        action: "accesso.uscita",
        target: None,
        origin: None,
        request_id: None,
        details: serde_json::json!({}),
        ..Default::default()
    };
    audit::record(&state.db, &event).await?;
    Ok(Redirect::to("/accesso?uscito=1"))
}
