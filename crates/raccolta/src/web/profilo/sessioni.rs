//! `POST /profilo/sessioni/termina`: ends every other session of the user.

use axum::extract::State;
use axum::response::Redirect;

use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::db::sessions;
use crate::web::AppError;
use crate::web::sessione::Utente;

/// Ends the other sessions.
pub async fn post_termina(State(state): State<AppState>, utente: Utente, ctx: Context) -> Result<Redirect, AppError> {
    let current = utente.session.id();
    let mut tx = state.db.begin().await?;
    let ended = sessions::delete_for_user(&mut tx, utente.user.id, current.as_ref()).await?;
    let event = ctx.audit("sessioni.terminate").details(serde_json::json!({ "sessioni": ended }));
    audit::record(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(Redirect::to("/profilo?esito=sessioni"))
}
