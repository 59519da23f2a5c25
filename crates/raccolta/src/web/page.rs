//! What every page template needs: language, current path (for the ITA/ENG switch), support contact.

use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::i18n::Lang;
use crate::ora::data_ora;
use crate::web::AppError;
use crate::web::sessione::{csrf_token, known_user};

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
            let session = u.session.clone();
            let ente = crate::web::enti::selezionato(&state, &u).await?;
            page.utente = Some(HeaderUtente {
                nome: u.user.nome_visualizzato(),
                ultimo_login: u.previous_login_at.map(data_ora).unwrap_or_default(),
                amministratore: u.user.is_admin(),
                non_lette: crate::db::notifiche::non_lette(&state.db, u.user.id).await?,
                ente: ente.map(|(e, m)| (e.id, e.denominazione, m.etichetta(page.lang))),
            });
            page.csrf = csrf_token(&session).await?;
        }
        Ok(page)
    }
}
