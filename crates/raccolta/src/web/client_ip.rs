//! The client's address, for per-IP limits and the audit log.
//!
//! It is the TCP peer, unless the peer is one of the configured trusted proxies (`RACCOLTA_TRUSTED_PROXIES`): then
//! `X-Forwarded-For` is read from the right, skipping trusted proxies, and the first other address is the
//! client. Addresses a client wrote itself further left are never believed.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::app::AppState;

/// The client's address as text.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// The client address of a request that came from `peer` with `headers`.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer)
}

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        Ok(ClientIp(resolve(peer, &parts.headers, &state.config.trusted_proxies).to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn the_peer_is_the_client_unless_it_is_a_trusted_proxy() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7"));
        assert_eq!(resolve(ip("198.51.100.1"), &h, &[]), ip("198.51.100.1"), "untrusted peer: header ignored");
        let lb = [ip("10.0.0.2")];
        assert_eq!(resolve(ip("10.0.0.2"), &h, &lb), ip("203.0.113.7"), "the address the proxy saw");
        let chain = [ip("10.0.0.2"), ip("10.0.0.3")];
        h.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.0.0.3"));
        assert_eq!(resolve(ip("10.0.0.2"), &h, &chain), ip("203.0.113.7"), "trusted hops are skipped");
        assert_eq!(resolve(ip("10.0.0.2"), &HeaderMap::new(), &lb), ip("10.0.0.2"), "no header: the proxy itself");
    }
}
