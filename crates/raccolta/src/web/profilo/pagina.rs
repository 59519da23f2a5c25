//! `GET /profilo`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::esito_key;
use crate::app::AppState;
use crate::db::sessions;
use crate::ora::data_ora;
use crate::web::pubblico::render;
use crate::web::sessione::{Utente, csrf_token};
use crate::web::{AppError, Page};

/// One session as listed.
pub struct SessioneView {
    /// Start, Rome time.
    pub inizio: String,
    /// Client address.
    pub ip: String,
    /// Browser.
    pub browser: String,
    /// This very session.
    pub corrente: bool,
}

/// The profile page, with the errors of a form sent back.
#[derive(Template)]
#[template(path = "profilo/profilo.html")]
pub struct Profilo<'a> {
    /// Page context.
    pub page: &'a Page,
    /// CSRF token.
    pub csrf: String,
    /// The user.
    pub u: &'a crate::db::users::User,
    /// Registered since.
    pub registrato: String,
    /// Active sessions.
    pub sessioni: Vec<SessioneView>,
    /// Outcome of the last action.
    pub esito: String,
    /// Field errors (field id, message).
    pub errori: Vec<(String, String)>,
    /// Values typed in the data form.
    pub nome: String,
    /// Surname typed.
    pub cognome: String,
    /// Company name typed.
    pub denominazione: String,
    /// New e-mail typed.
    pub nuova_email: String,
}

impl Profilo<'_> {
    fn errore(&self, field: &str) -> &str {
        crate::web::errore_di(&self.errori, field)
    }
}

/// Builds the profile page of `utente`.
pub async fn pagina(
    state: &AppState,
    utente: &Utente,
    page: &Page,
    esito: String,
    errori: Vec<(String, String)>,
    typed: Option<(String, String, String, String)>,
) -> Result<Response, AppError> {
    let u = &utente.user;
    let current = utente.session.id().map(|id| sessions::hash_of(&id)).unwrap_or_default();
    let sessioni = sessions::list_for_user(&state.db, u.id, state.clock.now())
        .await?
        .into_iter()
        .map(|s| SessioneView {
            inizio: data_ora(s.created_at),
            ip: s.ip.unwrap_or_default(),
            browser: s.user_agent.unwrap_or_default(),
            corrente: s.id == current,
        })
        .collect();
    let (nome, cognome, denominazione, nuova_email) = typed.unwrap_or_else(|| {
        (u.nome.clone(), u.cognome.clone(), u.denominazione.clone().unwrap_or_default(), String::new())
    });
    let html = render(&Profilo {
        page,
        csrf: csrf_token(&utente.session).await?,
        u,
        registrato: data_ora(u.created_at),
        sessioni,
        esito,
        errori,
        nome,
        cognome,
        denominazione,
        nuova_email,
    })?;
    Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response())
}

/// `GET /profilo`.
pub async fn get_profilo(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    let esito = esito_key(&q.esito).map(|k| page.t(k)).unwrap_or_default();
    pagina(&state, &utente, &page, esito, vec![], None).await
}
