//! What every page template needs: language, current path (for the ITA/ENG switch), support contact.

use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::i18n::Lang;
use crate::ora::data_ora;
use crate::web::AppError;
use crate::web::sessione::{KEY_CSRF, Utente, csrf_token, current_user, known_user, session_error};
use tower_sessions::Session;

/// The signed-in user as the header shows them.
#[derive(Debug, Clone)]
pub struct HeaderUtente {
    /// "Nome Cognome" or the company name.
    pub nome: String,
    /// Previous login, Rome time; empty at the first login.
    pub ultimo_login: String,
    /// An administrator: the header shows *Gestione*.
    pub amministratore: bool,
    /// Unread notifications, for the bell.
    pub non_lette: i64,
    /// The ente selezionato, still accessible: (id, name, mode label).
    pub ente: Option<(i64, String, String)>,
}

/// Per-request context of a rendered page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Language of the page.
    pub lang: Lang,
    /// Current path and query, where the language switch returns.
    pub path: String,
    /// Support contact for the footer.
    pub support_email: String,
    /// The signed-in user, for the header.
    pub utente: Option<HeaderUtente>,
    /// CSRF token for the forms of the page (the header's "Esci" and the page's own); empty for anonymous
    /// visitors of pages without forms, who get no session.
    pub csrf: String,
    /// The captcha test switch is on: every page says so.
    pub captcha_test: bool,
}

impl Page {
    /// A page context without user (error pages rendered by middleware).
    pub fn anonymous(lang: Lang, path: String, state: &AppState) -> Page {
        Page {
            lang,
            path,
            support_email: state.config.support_email.clone(),
            utente: None,
            csrf: String::new(),
            captcha_test: state.config.captcha_test_answer.is_some(),
        }
    }

    /// Translation of `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// Translation of `key` for the count `n` (`$n`, with the language's plural rules).
    pub fn t_n(&self, key: &str, n: impl std::borrow::Borrow<i64>) -> String {
        self.lang.t_n(key, *n.borrow())
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
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let uri = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |o| &o.0);
        let path = uri.path_and_query().map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
        let mut page = Page::anonymous(Lang::negotiate(&parts.headers), path, &state);
        if let Some(u) = known_user(parts, &state).await? {
            page.utente = Some(header_utente(&state, &u, page.lang).await?);
            page.csrf = csrf_token(&u.session).await?;
        }
        Ok(page)
    }
}

/// The language alone, for a request that renders no page (autosave and the other JSON answers): no header, so
/// none of the header's queries.
impl<S> FromRequestParts<S> for Lang
where
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::negotiate(&parts.headers))
    }
}

/// What the header shows of a signed-in user.
async fn header_utente(state: &AppState, u: &Utente, lang: Lang) -> Result<HeaderUtente, AppError> {
    let ente = crate::web::enti::selezionato(state, u).await?;
    Ok(HeaderUtente {
        // An administrator created with a one-word name has an empty surname: no trailing space.
        nome: u.user.nome_visualizzato().trim().to_owned(),
        ultimo_login: u.previous_login_at.map(data_ora).unwrap_or_default(),
        amministratore: u.user.is_admin(),
        non_lette: crate::db::notifiche::non_lette(&state.db, u.user.id).await?,
        ente: ente.map(|(e, m)| (e.id, e.denominazione, m.etichetta(lang))),
    })
}

impl Page {
    /// The context of an error page rendered by middleware, after the session layer has answered: the header
    /// shows the session's user as every other page does. The session's CSRF token is reused, never created
    /// (a change made now would not be saved).
    pub async fn for_session(lang: Lang, path: String, state: &AppState, session: &Session) -> Result<Page, AppError> {
        let mut page = Page::anonymous(lang, path, state);
        if let Some(u) = current_user(session, state).await? {
            page.utente = Some(header_utente(state, &u, lang).await?);
            page.csrf = session.get::<String>(KEY_CSRF).await.map_err(session_error)?.unwrap_or_default();
        }
        Ok(page)
    }
}
