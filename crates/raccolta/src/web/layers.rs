//! Middleware every request goes through, outermost first: request id, tracing, security headers, error pages,
//! panic guard, metrics (and the `Server-Timing` header), query check, timeout, compression, body limit.

use std::time::Instant;

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::AppState;
use crate::i18n::Lang;

/// The request id header, set when the client (or load balancer) did not send one.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The server's time for a request, in milliseconds (`app;dur=1.234`), set by [`record_metrics`].
pub const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

/// Marks a response whose body must reach the client as is (probes, metrics), even with an error status.
#[derive(Debug, Clone, Copy)]
pub struct KeepBody;

/// Content Security Policy: no inline script or style, nothing from third parties, no framing. Fonts may also be
/// `data:` URLs, as Bootstrap Italia's CSS embeds one that way.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self' data:; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// Wraps `router` in the platform's middleware.
pub fn apply(router: Router<AppState>, state: AppState) -> Router<AppState> {
    let config = &state.config;
    let hsts = config.is_https();
    let layers = ServiceBuilder::new()
        .layer(middleware::from_fn(drop_unusable_request_id))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("richiesta", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(middleware::from_fn_with_state(hsts, security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), error_pages))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("panico durante la gestione della richiesta");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        // Inside the metrics: an autosave's wait for its turn counts in its server time.
        .layer(middleware::from_fn_with_state(state.clone(), limit_autosaves))
        .layer(middleware::from_fn(check_query))
        .layer(middleware::from_fn(no_store_when_signed_in))
        .layer(crate::web::sessione::layer(&state))
        .layer(middleware::from_fn(keep_session_for_error_pages))
        .layer(middleware::from_fn_with_state(state.clone(), crate::web::sessione::touch))
        // Browsers say where a request comes from (Origin, Sec-Fetch-Site): cross-site writes stop here...
        .layer(CsrfLayer::new())
        // ...and every form must also carry the session's token.
        .layer(middleware::from_fn_with_state(state.clone(), crate::web::sessione::verify_csrf_token))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, config.request_timeout()))
        .layer(CompressionLayer::new())
        // Innermost: it changes the request body type, which the `from_fn` layers above could not take. The
        // limit of each route is applied by the CSRF check, which reads the body of every write first (forms with
        // attachments may be larger than the rest); this is the backstop for all.
        .layer(RequestBodyLimitLayer::new(config.body_limit_bytes.max(crate::web::assistenza::CORPO_MAX)));
    router.layer(layers)
}

async fn security_headers(State(hsts): State<bool>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A download of a user's file sets a stricter one of its own.
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"));
    if hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

/// The error page, in the layout of the site and the language of the user.
#[derive(Template)]
#[template(path = "errore.html")]
struct ErrorPage<'a> {
    page: &'a crate::web::Page,
    status: u16,
    title: String,
    message: String,
    errors: Vec<(String, String)>,
    request_id: String,
}

/// True when the client asked for JSON rather than a page (autosave, the API): its errors are `problem+json`.
pub fn wants_json(headers: &axum::http::HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    accept.contains("json") && !accept.contains("text/html")
}

/// Renders 4xx/5xx responses that have no body of their own yet (from handlers, the router or middleware) in the
/// format the client asked for: a page in the site's layout, or `application/problem+json` (RFC 9457).
/// Bodies that are already HTML or JSON pass through.
async fn error_pages(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let session = SessionForErrorPage::default();
    req.extensions_mut().insert(session.clone());
    let lang = Lang::negotiate(req.headers());
    let json = wants_json(req.headers());
    let path = req.uri().path_and_query().map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    let request_id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let res = next.run(req).await;
    let status = res.status();
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let has_body = content_type.starts_with("text/html")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/problem+json");
    if !(status.is_client_error() || status.is_server_error())
        || has_body
        || res.extensions().get::<KeepBody>().is_some()
    {
        return res;
    }
    let key = match status.as_u16() {
        400 => "errore-400",
        401 => "errore-401",
        403 => "errore-403",
        404 => "errore-404",
        405 => "errore-405",
        409 => "errore-409",
        413 => "errore-413",
        422 => "errore-422",
        429 => "errore-429",
        503 | 504 => "errore-503",
        s if s >= 500 => "errore-500",
        _ => "errore-400",
    };
    let problem = res.extensions().get::<crate::web::error::Problem>().cloned().unwrap_or_default();
    let title = lang.t(&format!("{key}-titolo"));
    let message = problem.detail.clone().unwrap_or_else(|| lang.t(&format!("{key}-testo")));
    let request_id = if status.is_server_error() { request_id } else { String::new() };
    let mut out = if json {
        let mut body = serde_json::json!({
            "type": "about:blank",
            "title": title,
            "status": status.as_u16(),
            "detail": message,
            "instance": path,
        });
        if !problem.errors.is_empty() {
            body["errors"] = problem
                .errors
                .iter()
                .map(|(field, message)| serde_json::json!({ "field": field, "message": message }))
                .collect();
        }
        if !request_id.is_empty() {
            body["request_id"] = serde_json::Value::String(request_id);
        }
        (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
    } else {
        // A signed-in user keeps their header (name, bell, Esci) on a 4xx page; a 5xx page asks nothing more of
        // a platform that is already failing.
        let page = match session.0.get() {
            Some(session) if status.is_client_error() => {
                crate::web::Page::for_session(lang, path.clone(), &state, session).await.unwrap_or_else(|error| {
                    tracing::warn!(%error, "utente della pagina di errore non letto");
                    crate::web::Page::anonymous(lang, path, &state)
                })
            }
            _ => crate::web::Page::anonymous(lang, path, &state),
        };
        let template =
            ErrorPage { status: status.as_u16(), title, message, errors: problem.errors, request_id, page: &page };
        match template.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => {
                tracing::error!(%error, "pagina di errore non generata");
                (status, lang.t(&format!("{key}-titolo"))).into_response()
            }
        }
    };
    // Headers such as Allow (405) or Retry-After stay meaningful on the rendered page.
    for (name, value) in res.headers() {
        let describes_old_body =
            [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_ENCODING, header::TRANSFER_ENCODING];
        if !describes_old_body.contains(name) {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}

/// The request's session, handed out by [`keep_session_for_error_pages`] (inside the session layer) to
/// [`error_pages`] (outside it), which renders pages no handler extracted a user for.
#[derive(Clone, Default)]
struct SessionForErrorPage(std::sync::Arc<std::sync::OnceLock<tower_sessions::Session>>);

/// Gives [`error_pages`] the request's session.
async fn keep_session_for_error_pages(req: Request, next: Next) -> Response {
    if let (Some(slot), Some(session)) =
        (req.extensions().get::<SessionForErrorPage>(), req.extensions().get::<tower_sessions::Session>())
    {
        let _ = slot.0.set(session.clone());
    }
    next.run(req).await
}

/// The longest request id taken from a client or load balancer.
const REQUEST_ID_MAX: usize = 64;

/// A request id is kept only when short and made of letters, digits and `-_.:`; anything else (which would reach
/// log lines, audit rows and error pages) is dropped, and the next layer makes a new one.
async fn drop_unusable_request_id(mut req: Request, next: Next) -> Response {
    let usable = |v: &HeaderValue| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= REQUEST_ID_MAX
            && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
    };
    let all: Vec<&HeaderValue> = req.headers().get_all(REQUEST_ID).iter().collect();
    let keep = matches!(all.as_slice(), [one] if usable(one));
    if !all.is_empty() && !keep {
        tracing::info!("x-request-id del client non utilizzabile: sostituito");
        req.headers_mut().remove(REQUEST_ID);
    }
    next.run(req).await
}

/// Marks every response rendered for a signed-in user `Cache-Control: no-store`.
async fn no_store_when_signed_in(mut req: Request, next: Next) -> Response {
    let signed_in = crate::web::sessione::SignedIn::default();
    req.extensions_mut().insert(signed_in.clone());
    let mut res = next.run(req).await;
    if signed_in.is_set() {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// How many autosaves a node handles at once. On PostgreSQL half the pool (at least 2): a save holds a connection
/// for its transaction, and past this many, more concurrency only lengthens the queue for connections that pages
/// wait in too. On SQLite twice the pool: the saves share the writer's transactions (group commit), which need
/// many saves in flight to fill a batch per `fsync`; a save holds a connection only for its reads.
pub fn autosave_concorrenti(config: &crate::config::Config) -> usize {
    use secrecy::ExposeSecret;
    let pool = config.database_max_connections as usize;
    if config.database_url.expose_secret().starts_with("sqlite:") { pool * 2 } else { (pool / 2).max(2) }
}

/// True for `POST /questionari/{id}/campi`, the autosave.
fn is_autosave(req: &Request) -> bool {
    req.method() == axum::http::Method::POST
        && req
            .uri()
            .path()
            .strip_prefix("/questionari/")
            .is_some_and(|rest| rest.split_once('/').is_some_and(|(id, coda)| !id.is_empty() && coda == "campi"))
}

/// Autosaves take a turn ([`crate::app::App::salvataggi`]) before anything else of theirs runs: the session, the
/// user, the transaction. Pages and the other requests do not wait for it.
/// The body is read before the turn, so a client that sends it slowly holds no turn; the wait for a turn is
/// bounded by the request timeout (then 503, and the page retries from its local copy).
async fn limit_autosaves(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_autosave(&req) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.config.body_limit_bytes).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    match tokio::time::timeout(state.config.request_timeout(), state.salvataggi.acquire()).await {
        Ok(Ok(_turno)) => next.run(req).await,
        // Too long a queue, or the node is stopping.
        _ => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

async fn record_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    // Label by route pattern, never by raw path: unknown paths must not grow the metrics without bound.
    let route = req.extensions().get::<MatchedPath>().map_or("(nessuna)", |m| m.as_str()).to_owned();
    let mut res = next.run(req).await;
    let elapsed = started.elapsed();
    state.metrics.record_request(&method, &route, res.status().as_u16(), elapsed);
    // The same time for the client (benchmarks, the browser's developer tools), unless the handler reported a
    // figure of its own: from here to the response's head, so the session, the CSRF check and the handler, and
    // not the body's compression, which runs as the body is sent.
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={:.3}", elapsed.as_secs_f64() * 1000.0)) {
        res.headers_mut().entry(SERVER_TIMING).or_insert(v);
    }
    res
}

/// Refuses a query string with broken percent-escapes or bytes that are not UTF-8 (400 page).
async fn check_query(req: Request, next: Next) -> Response {
    if let Some(query) = req.uri().query()
        && !is_well_formed_query(query)
    {
        tracing::info!(query, "query string malformata");
        return StatusCode::BAD_REQUEST.into_response();
    }
    next.run(req).await
}

fn is_well_formed_query(query: &str) -> bool {
    let bytes = query.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => decoded.push(b),
                    None => return false,
                }
                i += 3;
            }
            b => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

#[cfg(test)]
mod tests {
    use super::is_well_formed_query;

    #[test]
    fn query_strings_with_broken_escapes_or_invalid_utf8_are_malformed() {
        assert!(is_well_formed_query("a=1&b=citt%C3%A0"));
        assert!(is_well_formed_query("torna=%2Fguida"));
        assert!(!is_well_formed_query("a=%zz"));
        assert!(!is_well_formed_query("a=%4"));
        assert!(!is_well_formed_query("a=%ff%fe"));
    }
}
