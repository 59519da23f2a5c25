//! Sessions, the current user, and CSRF protection.
//!
//! Sessions live in the database (see `db::sessions`): idle timeout 30 minutes, absolute 12 hours, a new id at
//! login. Every state-changing request passes two checks: the browser's own Origin / Sec-Fetch-Site headers
//! (tower-http's `CsrfLayer`) and a per-session token carried by every form.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRef, FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::app::AppState;
use crate::auth::token::{constant_time_eq, random_token};
use crate::db::sessions::{DbSessionStore, KEY_USER_ID};
use crate::db::users::{self, User};
use crate::web::AppError;

/// Idle timeout.
pub const IDLE_MINUTES: i64 = 30;
/// Absolute lifetime of a login.
pub const ABSOLUTE_HOURS: i64 = 12;
/// Session key: time of login.
pub const KEY_LOGIN_AT: &str = "login_at";
/// Session key: time of the login before this one, shown in the header.
pub const KEY_PREVIOUS_LOGIN: &str = "previous_login_at";
/// Session key: the CSRF token.
pub const KEY_CSRF: &str = "csrf";
/// Session key: when the session's idle expiry was last pushed forward.
pub const KEY_TOUCHED: &str = "toccata";
/// The idle expiry is pushed forward at most this often, so a page view is not a write each time.
pub const TOUCH_EVERY_SECS: i64 = 60;
/// Name of the CSRF form field.
pub const CSRF_FIELD: &str = "csrf";

/// The session layer for this deployment.
pub fn layer(state: &AppState) -> SessionManagerLayer<DbSessionStore> {
    let https = state.config.is_https();
    // `__Host-` binds the cookie to this exact origin; browsers accept it only with Secure and Path=/.
    let name = if https { "__Host-raccolta" } else { "raccolta_sessione" };
    SessionManagerLayer::new(DbSessionStore::new(state.db.clone(), state.clock.clone()))
        .with_name(name)
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(IDLE_MINUTES)))
}

/// Makes the idle limit count from the last request, not from the last change of the session: tower-sessions
/// saves (and so extends) only a modified session, so a person reading and typing for 30 minutes without a
/// request that changes it would be logged out. A session older than a minute since its last push is marked
/// modified, and saved with a new expiry. Static files and probes do not count (nor load the session).
pub async fn touch(State(state): State<AppState>, session: Session, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let counts = !(path.starts_with("/static/") || matches!(path, "/healthz" | "/readyz" | "/metrics"));
    let res = next.run(req).await;
    // An empty session (none, expired, just flushed) is not created for this.
    if counts && session.id().is_some() && !session.is_empty().await {
        let now = state.clock.now();
        let last = session.get::<i64>(KEY_TOUCHED).await.ok().flatten();
        if last.is_none_or(|t| now - t >= TOUCH_EVERY_SECS)
            && let Err(error) = session.insert(KEY_TOUCHED, now).await
        {
            tracing::warn!(%error, "scadenza della sessione non prolungata");
        }
    }
    res
}

/// The CSRF token of the session, created on first use.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(KEY_CSRF).await.map_err(session_error)? {
        return Ok(token);
    }
    let token = random_token();
    session.insert(KEY_CSRF, &token).await.map_err(session_error)?;
    Ok(token)
}

/// Maps a session-store failure.
pub fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("sessione: {e}"))
}

/// Refuses a state-changing request whose form lacks the session's CSRF token.
pub async fn verify_csrf_token(State(state): State<AppState>, session: Session, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let header_token = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    // This runs before the body-limit layer, so it applies each route's limit itself; a declared length over it
    // is refused before a byte is read, and a slow body cannot hold the connection for ever.
    let allegati = crate::web::assistenza::con_allegati(req.uri().path());
    let (limit, attesa) = if allegati {
        (crate::web::assistenza::CORPO_MAX, std::time::Duration::from_secs(600))
    } else {
        (state.config.body_limit_bytes, state.config.request_timeout())
    };
    let dichiarata = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if dichiarata.is_some_and(|n| n > limit) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    // A session without a token cannot send a valid form: refused before its body is read.
    let Some(expected) = session.get::<String>(KEY_CSRF).await.ok().flatten() else {
        tracing::info!(path = req.uri().path(), "richiesta rifiutata: sessione senza token CSRF");
        return AppError::Csrf.into_response();
    };
    let (parts, body) = req.into_parts();
    let bytes = match tokio::time::timeout(attesa, to_bytes(body, limit)).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        Err(_) => return StatusCode::REQUEST_TIMEOUT.into_response(),
    };
    let mut sent = header_token.or_else(|| {
        is_form
            .then(|| url::form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned()))?
    });
    if sent.is_none()
        && let Ok(boundary) = multer::parse_boundary(&content_type)
    {
        sent = multipart_token(bytes.clone(), boundary).await;
    }
    match sent {
        Some(sent) if constant_time_eq(&sent, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => {
            tracing::info!(path = parts.uri.path(), "richiesta rifiutata: token CSRF assente o non valido");
            AppError::Csrf.into_response()
        }
    }
}

/// The CSRF field of a `multipart/form-data` body (the forms with attachments put it first).
async fn multipart_token(bytes: axum::body::Bytes, boundary: String) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// The signed-in user of a request, checked against the database on every request (so a revocation or a
/// password reset takes effect at once, on every node).
#[derive(Debug, Clone)]
pub struct Utente {
    /// The user.
    pub user: User,
    /// The session.
    pub session: Session,
    /// When the user logged in before this session.
    pub previous_login_at: Option<i64>,
}

/// Reads the signed-in user, if any; ends sessions past their absolute lifetime or of disabled users.
pub async fn current_user(session: &Session, state: &AppState) -> Result<Option<Utente>, AppError> {
    let Some(user_id) = session.get::<i64>(KEY_USER_ID).await.map_err(session_error)? else { return Ok(None) };
    let login_at = session.get::<i64>(KEY_LOGIN_AT).await.map_err(session_error)?.unwrap_or(0);
    let now = state.clock.now();
    let user = users::by_id(&state.db, user_id).await?;
    match user {
        Some(user) if user.is_active() && now - login_at < ABSOLUTE_HOURS * 3600 => {
            // Stored as JSON null at the first login.
            let previous_login_at =
                session.get::<Option<i64>>(KEY_PREVIOUS_LOGIN).await.map_err(session_error)?.flatten();
            Ok(Some(Utente { user, session: session.clone(), previous_login_at }))
        }
        _ => {
            session.flush().await.map_err(session_error)?;
            Ok(None)
        }
    }
}

/// Set by whichever extractor finds a signed-in user, read by the layer that marks the response `no-store`: a
/// page rendered for a signed-in user is never kept by a browser's or a proxy's cache, whatever the page.
#[derive(Debug, Clone, Default)]
pub struct SignedIn(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl SignedIn {
    fn mark(parts: &Parts) {
        if let Some(flag) = parts.extensions.get::<SignedIn>() {
            flag.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// True once the request was found to come from a signed-in user.
    pub fn is_set(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The signed-in user of this request, read at most once: from what an earlier extractor of the same request
/// found, else from the session (and then kept for the later ones).
pub async fn known_user(parts: &mut Parts, state: &AppState) -> Result<Option<Utente>, AppError> {
    if let Some(u) = parts.extensions.get::<Utente>() {
        return Ok(Some(u.clone()));
    }
    let Some(session) = parts.extensions.get::<Session>().cloned() else { return Ok(None) };
    let utente = current_user(&session, state).await?;
    if let Some(u) = &utente {
        SignedIn::mark(parts);
        parts.extensions.insert(u.clone());
    }
    Ok(utente)
}

/// Sent to the login page, with the way back.
#[derive(Debug)]
pub struct LoginRequired(String);

impl IntoResponse for LoginRequired {
    fn into_response(self) -> Response {
        let back: String = url::form_urlencoded::byte_serialize(self.0.as_bytes()).collect();
        Redirect::to(&format!("/accesso?torna={back}")).into_response()
    }
}

/// Rejection of [`Utente`]: not signed in, or an error.
#[derive(Debug)]
pub enum UtenteRejection {
    /// Anonymous: go to the login page.
    Login(LoginRequired),
    /// Something failed.
    Error(AppError),
}

impl IntoResponse for UtenteRejection {
    fn into_response(self) -> Response {
        match self {
            UtenteRejection::Login(l) => l.into_response(),
            UtenteRejection::Error(e) => e.into_response(),
        }
    }
}

impl<S> FromRequestParts<S> for Utente
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = UtenteRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let session = Session::from_request_parts(parts, &state)
            .await
            .map_err(|(_, e)| UtenteRejection::Error(AppError::Internal(anyhow::anyhow!(e))))?;
        match current_user(&session, &state).await.map_err(UtenteRejection::Error)? {
            Some(u) => {
                SignedIn::mark(parts);
                // The page context of the same request reuses it instead of reading the user again.
                parts.extensions.insert(u.clone());
                Ok(u)
            }
            // A JSON client (autosave, the API) is told, never redirected to a page it cannot show.
            None if crate::web::layers::wants_json(&parts.headers) => {
                Err(UtenteRejection::Error(AppError::Unauthorized))
            }
            None => {
                let uri = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |o| &o.0);
                let here = uri.path_and_query().map_or("/area-riservata", |pq| pq.as_str()).to_owned();
                Err(UtenteRejection::Login(LoginRequired(here)))
            }
        }
    }
}
