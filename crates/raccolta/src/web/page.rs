//! What every page template needs: language, current path (for the ITA/ENG switch), support contact.

use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::i18n::Lang;

/// Per-request context of a rendered page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Language of the page.
    pub lang: Lang,
    /// Current path and query, where the language switch returns.
    pub path: String,
    /// Support contact for the footer.
    pub support_email: String,
}

impl Page {
    /// Translation of `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A catalogue text in the page's language.
    pub fn tr<'a>(&self, testo: &'a crate::catalogo::Testo) -> &'a str {
        testo.get(self.lang)
    }

    /// The `lang` attribute value.
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// Link of the language switch to `code`, returning to the current page.
    pub fn switch_href(&self, code: &str) -> String {
        let back: String = url::form_urlencoded::byte_serialize(self.path.as_bytes()).collect();
        format!("/lingua/{code}?torna={back}")
    }

    /// True when `code` is the page's language (the switch marks it as current).
    pub fn is_lang(&self, code: &str) -> bool {
        self.lang.code() == code
    }

    /// True when the page is `path` or below it (the navigation marks it as current).
    pub fn is_current(&self, path: &str) -> bool {
        let here = self.path.split('?').next().unwrap_or_default();
        if path == "/" { here == "/" } else { here == path || here.starts_with(&format!("{path}/")) }
    }
}

impl<S> FromRequestParts<S> for Page
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let uri = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |o| &o.0);
        let path = uri.path_and_query().map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
        Ok(Page { lang: Lang::negotiate(&parts.headers), path, support_email: state.config.support_email.clone() })
    }
}
