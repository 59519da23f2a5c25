//! Static files served by the binary itself: our CSS and JavaScript, and Bootstrap Italia with its fonts. No
//! third-party request, no CDN.

use std::borrow::Cow;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::{EmbeddedFile, RustEmbed};

use super::AppError;

/// Our own assets.
#[derive(RustEmbed)]
#[folder = "static/"]
struct Own;

/// Bootstrap Italia from the npm registry (`npm ci` puts it in `node_modules`): only what the pages use.
#[derive(RustEmbed)]
#[folder = "../../node_modules/bootstrap-italia/dist/"]
#[include = "css/bootstrap-italia.min.css"]
#[include = "js/bootstrap-italia.bundle.min.js"]
#[include = "svg/sprites.svg"]
#[include = "fonts/*/*.woff2"]
#[include = "fonts/*/*.txt"]
struct BootstrapItalia;

/// Prefix under `/static/` of Bootstrap Italia's files.
const BI_PREFIX: &str = "bi/";

/// One static file, with validators so browsers revalidate cheaply.
pub async fn get_asset(Path(path): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let file = lookup(&path).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let mime = file.metadata.mimetype().to_owned();
    let mut res = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (header::ETAG, HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?),
            // Names are not fingerprinted: a day of caching, then a cheap revalidation by ETag.
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        bytes(file.data),
    )
        .into_response();
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(res)
}

fn lookup(path: &str) -> Option<EmbeddedFile> {
    match path.strip_prefix(BI_PREFIX) {
        Some(rest) => BootstrapItalia::get(rest),
        None => Own::get(path),
    }
}

fn bytes(data: Cow<'static, [u8]>) -> axum::body::Body {
    match data {
        Cow::Borrowed(b) => axum::body::Body::from(b),
        Cow::Owned(v) => axum::body::Body::from(v),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
