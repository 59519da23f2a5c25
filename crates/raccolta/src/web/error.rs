//! Which error type to use where: handlers return [`AppError`]; domain and db code return their own `thiserror`
//! enums, converted here. An error never reaches the user as text from the code: [`AppError`] sets the status,
//! logs the chain and attaches a [`Problem`] (the sentence for the user, the refused fields); the error-page layer
//! (`layers::error_pages`) then answers in the format the client asked for: an accessible page in the site's layout
//! for a browser, `application/problem+json` (RFC 9457) for a client that accepts JSON (autosave, the API).

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
    /// Not signed in, on a request that expects JSON (a page is redirected to `/accesso` instead).
    #[error("accesso necessario")]
    Unauthorized,
    /// The request conflicts with the current state (a value changed meanwhile, a transition not allowed now);
    /// the sentence, in the user's language, says what happened and what to do.
    #[error("conflitto: {0}")]
    Conflict(String),
    /// Understood but refused: each field with its message, in the user's language.
    #[error("dati rifiutati")]
    Unprocessable(Vec<(String, String)>),
    /// Too much work queued (password hashing): try again in a moment.
    #[error("sovraccarico")]
    Busy,
    /// Not ready yet (a PDF being made): the sentence, in the user's language, says so; try again in a moment.
    #[error("non ancora pronto: {0}")]
    Pending(String),
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

impl From<crate::auth::guard::Denied> for AppError {
    fn from(denied: crate::auth::guard::Denied) -> Self {
        match denied {
            // 404, not 403: an object the user may not touch is one they need not know exists.
            crate::auth::guard::Denied::NotAllowed => AppError::NotFound,
            crate::auth::guard::Denied::Db(e) => e.into(),
        }
    }
}

impl From<crate::auth::HashError> for AppError {
    fn from(error: crate::auth::HashError) -> Self {
        match error {
            crate::auth::HashError::Busy => AppError::Busy,
            e @ crate::auth::HashError::Failed(_) => AppError::Internal(e.into()),
        }
    }
}

impl From<crate::auth::accesso::AccessoError> for AppError {
    fn from(error: crate::auth::accesso::AccessoError) -> Self {
        match error {
            crate::auth::accesso::AccessoError::Db(e) => e.into(),
            crate::auth::accesso::AccessoError::Hash(e) => e.into(),
        }
    }
}

impl From<crate::auth::registrazione::RegistrazioneError> for AppError {
    fn from(error: crate::auth::registrazione::RegistrazioneError) -> Self {
        match error {
            crate::auth::registrazione::RegistrazioneError::Db(e) => e.into(),
            crate::auth::registrazione::RegistrazioneError::Hash(e) => e.into(),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        AppError::Internal(error.into())
    }
}

/// What an error says to the user beyond its status, carried on the bodiless response to the error-page layer.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// The sentence for the user; the status's standard text when `None`.
    pub detail: Option<String>,
    /// Refused fields: (field, message).
    pub errors: Vec<(String, String)>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Unavailable(_) | AppError::Busy | AppError::Pending(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        match &self {
            AppError::Internal(e) => tracing::error!(error = format!("{e:#}"), "errore interno"),
            AppError::Unavailable(e) => tracing::warn!(error = %e, "database non disponibile"),
            AppError::BadRequest(why) => tracing::info!(why, "richiesta non valida"),
            AppError::Conflict(why) => tracing::info!(why, "conflitto"),
            AppError::Pending(why) => tracing::info!(why, "non ancora pronto"),
            AppError::Unprocessable(errors) => tracing::info!(campi = errors.len(), "dati rifiutati"),
            AppError::Busy => tracing::warn!("coda del calcolo delle password piena: richiesta rifiutata"),
            AppError::NotFound | AppError::Csrf | AppError::Unauthorized => {}
        }
        let retry = matches!(self, AppError::Busy | AppError::Pending(_));
        let problem = match self {
            AppError::Conflict(detail) | AppError::Pending(detail) => {
                Problem { detail: Some(detail), errors: Vec::new() }
            }
            AppError::Unprocessable(errors) => Problem { detail: None, errors },
            _ => Problem::default(),
        };
        // The body is left empty on purpose: the error-page layer renders it in the request's language and format.
        let mut res = (status, axum::Extension(problem)).into_response();
        if retry {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        res
    }
}

/// Any path no route matches.
pub async fn fallback() -> AppError {
    AppError::NotFound
}
