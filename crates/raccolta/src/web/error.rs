//! Which error type to use where: handlers return [`AppError`]; domain and db code return their own `thiserror`
//! enums, converted here. An error never reaches the user as text from the code: [`AppError`] sets the status
//! and logs the chain, and the error-page layer renders a page in the user's language, in the site's layout.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::db::DbError;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The page or object does not exist (or the user may not know it exists).
    #[error("non trovato")]
    NotFound,
    /// A form without the session's CSRF token (an old page, or a forged request).
    #[error("token CSRF assente o non valido")]
    Csrf,
    /// The request cannot be understood.
    #[error("richiesta non valida: {0}")]
    BadRequest(String),
    /// The database does not answer: try again later.
    #[error("database non disponibile")]
    Unavailable(#[source] DbError),
    /// A bug or an unexpected failure.
    #[error("errore interno")]
    Internal(#[source] anyhow::Error),
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        match &error {
            DbError::Sqlx(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed) => {
                AppError::Unavailable(error)
            }
            _ => AppError::Internal(error.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        AppError::Internal(error.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        match &self {
            AppError::Internal(e) => tracing::error!(error = format!("{e:#}"), "errore interno"),
            AppError::Unavailable(e) => tracing::warn!(error = %e, "database non disponibile"),
            AppError::BadRequest(why) => tracing::info!(why, "richiesta non valida"),
            AppError::NotFound | AppError::Csrf => {}
        }
        // The body is left empty on purpose: the error-page layer renders it with the request's language.
        status.into_response()
    }
}

/// Any path no route matches.
pub async fn fallback() -> AppError {
    AppError::NotFound
}
