//! The [`Context`] of a request, as an extractor: the signed-in user (read once per request, shared with the page
//! and [`Utente`]), the client address, the browser, the request id and the time of the platform's clock.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::context::{Actor, Context};
use crate::web::AppError;
use crate::web::layers::REQUEST_ID;
use crate::web::sessione::{Utente, known_user};

/// The browser as the audit log and the session list keep it: at most 300 characters.
pub fn user_agent(headers: &axum::http::HeaderMap) -> Option<String> {
    let ua: String = headers.get("user-agent").and_then(|v| v.to_str().ok())?.chars().take(300).collect();
    Some(ua).filter(|ua| !ua.is_empty())
}

impl<S> FromRequestParts<S> for Context
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        let ip = crate::web::client_ip::resolve(peer, &parts.headers, &state.config.trusted_proxies).to_string();
        let request_id = parts.headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let actor = match known_user(parts, &state).await? {
            Some(Utente { user, .. }) => Actor::User { id: user.id, codice: user.codice },
            None => Actor::Visitor,
        };
        Ok(Context { actor, ip: Some(ip), user_agent: user_agent(&parts.headers), request_id, now: state.clock.now() })
    }
}
