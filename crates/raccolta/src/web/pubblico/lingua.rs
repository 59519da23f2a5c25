//! `GET /lingua/{codice}?torna=PATH`: the ITA/ENG switch. Remembers the choice in a cookie and goes back to the
//! page the user was on.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::i18n::{LANG_COOKIE, Lang};
use crate::web::AppError;

/// Where to return.
#[derive(Debug, Deserialize)]
pub struct Torna {
    torna: Option<String>,
}

/// Sets the language cookie and redirects back.
pub async fn get_lingua(
    State(state): State<AppState>,
    Path(codice): Path<String>,
    Query(Torna { torna }): Query<Torna>,
) -> Result<Response, AppError> {
    let lang = Lang::from_code(&codice).filter(|l| l.code() == codice).ok_or(AppError::NotFound)?;
    let target = torna.filter(|t| is_local_path(t)).unwrap_or_else(|| "/".to_owned());
    let secure = if state.config.is_https() { "; Secure" } else { "" };
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}", lang.code());
    let mut res = Redirect::to(&target).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?);
    Ok(res)
}

/// Only paths of this site: `/x`, never `//host`, `/\host` or a scheme, so the switch cannot be an open redirect.
pub fn is_local_path(target: &str) -> bool {
    target.starts_with('/')
        && !target.starts_with("//")
        && !target.starts_with("/\\")
        && !target.chars().any(|c| c.is_control() || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_same_site_paths_are_accepted_as_return_targets() {
        assert!(is_local_path("/guida"));
        assert!(is_local_path("/campagne/fc80u-2022/istruzioni/premessa?x=1"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("https://evil.example"));
        assert!(!is_local_path("/a\r\nSet-Cookie: x=y"));
    }
}
