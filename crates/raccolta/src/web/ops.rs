//! Operations endpoints: liveness, readiness, metrics; and the test-only routes.

use std::time::Duration;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::layers::KeepBody;
use crate::app::AppState;

/// How long readiness waits for the database before answering 503.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 while the process runs.
pub async fn get_healthz() -> Response {
    (Extension(KeepBody), "ok\n").into_response()
}

/// 200 when the database answers, 503 otherwise: the load balancer sends no traffic to a node that cannot work.
pub async fn get_readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => (Extension(KeepBody), "ok\n").into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readyz: database non raggiungibile");
            (StatusCode::SERVICE_UNAVAILABLE, Extension(KeepBody), "database non disponibile\n").into_response()
        }
        Err(_) => {
            tracing::warn!("readyz: il database non risponde in tempo");
            (StatusCode::SERVICE_UNAVAILABLE, Extension(KeepBody), "database non disponibile\n").into_response()
        }
    }
}

/// Prometheus text exposition of this node.
pub async fn get_metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(&state.db);
    (Extension(KeepBody), [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// Parameters of the slow test route.
#[derive(Debug, Deserialize)]
pub struct Lento {
    ms: u64,
}

/// Test-only (`RACCOLTA_TEST_ROUTES`): answers after `ms` milliseconds, to have requests in flight at shutdown.
pub async fn get_lento(Query(Lento { ms }): Query<Lento>) -> &'static str {
    // The graceful-shutdown test waits for this line to know the request is in flight.
    tracing::info!(ms, "richiesta lenta ricevuta");
    tokio::time::sleep(Duration::from_millis(ms.min(60_000))).await;
    "ok\n"
}

/// Test-only (`RACCOLTA_TEST_ROUTES`): a handler that panics, to check the 500 page.
pub async fn get_panico() -> &'static str {
    panic!("panico di prova richiesto da /__test/panico")
}

/// Test-only (`RACCOLTA_TEST_ROUTES`): answers with the error of that status (409 with a sentence, 422 with two
/// refused fields, 400 with a JSON body of the handler's own), to check how errors reach pages and JSON clients.
pub async fn get_errore(axum::extract::Path(stato): axum::extract::Path<u16>) -> Response {
    use super::AppError;
    if stato == 400 {
        return (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({ "proprio": true }))).into_response();
    }
    let error = match stato {
        409 => AppError::Conflict("Il valore è stato modificato da un altro utente.".to_owned()),
        422 => AppError::Unprocessable(vec![
            ("D11.A".to_owned(), "Scrivi un numero intero.".to_owned()),
            ("D12.B".to_owned(), "Il valore non può essere negativo.".to_owned()),
        ]),
        401 => AppError::Unauthorized,
        _ => AppError::NotFound,
    };
    error.into_response()
}
