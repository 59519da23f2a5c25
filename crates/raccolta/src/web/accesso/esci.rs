//! `POST /esci`: logs out, deleting the server-side session.

use axum::extract::State;
use axum::response::Redirect;

use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::web::AppError;
use crate::web::sessione::{Utente, session_error};

/// Ends the session.
pub async fn post_esci(State(state): State<AppState>, utente: Utente, ctx: Context) -> Result<Redirect, AppError> {
    utente.session.delete().await.map_err(session_error)?;
    // The session store writes outside any transaction of ours: the logout is done once the row is gone.
    audit::record(&state.db, &ctx.audit("accesso.uscita")).await?;
    Ok(Redirect::to("/accesso?uscito=1"))
}
