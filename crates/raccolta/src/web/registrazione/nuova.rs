//! `GET /registrazione` (choice of the user type, then the form) and `POST /registrazione`.
//!
//! Every field error is shown beside its field and in a summary at the top; what was typed is kept, never the
//! passwords. An address that already has an account gets the same success page, and its owner an e-mail saying
//! that someone tried to register with it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::app::AppState;
use crate::auth::registrazione::Registrazione;
use crate::context::Context;
use crate::db::throttles;
use crate::domain::{CodiceFiscale, Email, PartitaIva, TestoBreve, TipoUtente, controlla_password};
use crate::web::captcha::{self, CaptchaView};
use crate::web::client_ip::ClientIp;
use crate::web::pubblico::render;
use crate::web::{AppError, Page};

/// What the user typed (passwords are never sent back to the page).
#[derive(Debug, Deserialize, Default, Clone)]
pub struct RegistrazioneForm {
    #[serde(default)]
    tipo: String,
    #[serde(default)]
    nome: String,
    #[serde(default)]
    cognome: String,
    #[serde(default)]
    denominazione: String,
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    conferma_password: String,
    #[serde(default)]
    privacy: String,
    #[serde(default)]
    captcha: String,
    /// Honeypot: hidden from people, filled by naive bots.
    #[serde(default)]
    sito_web: String,
}

#[derive(Template)]
#[template(path = "registrazione/scelta.html")]
struct Scelta<'a> {
    page: &'a Page,
}

#[derive(Template)]
#[template(path = "registrazione/modulo.html")]
struct Modulo<'a> {
    page: &'a Page,
    societa: bool,
    csrf: String,
    captcha: CaptchaView,
    errori: Vec<(String, String)>,
    errore_captcha: String,
    f: RegistrazioneForm,
}

impl Modulo<'_> {
    /// The error of `field`, or "".
    fn errore(&self, field: &str) -> &str {
        crate::web::errore_di(&self.errori, field)
    }
}

#[derive(Template)]
#[template(path = "registrazione/inviata.html")]
struct Inviata<'a> {
    page: &'a Page,
    email: String,
}

/// Query of the registration page.
#[derive(Debug, Deserialize)]
pub struct TipoQuery {
    tipo: Option<String>,
}

/// `GET /registrazione[?tipo=persona_fisica|societa]`.
pub async fn get_registrazione(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    session: Session,
    page: Page,
    Query(q): Query<TipoQuery>,
) -> Result<Html<String>, AppError> {
    let Some(tipo) = q.tipo.as_deref().and_then(|t| TipoUtente::parse(t).ok()) else {
        return render(&Scelta { page: &page });
    };
    let f = RegistrazioneForm { tipo: tipo.as_str().to_owned(), ..Default::default() };
    show(&state, &session, &page, &ip, f, vec![], String::new()).await
}

async fn show(
    state: &AppState,
    session: &Session,
    page: &Page,
    ip: &str,
    mut f: RegistrazioneForm,
    errori: Vec<(String, String)>,
    errore_captcha: String,
) -> Result<Html<String>, AppError> {
    f.password.clear();
    f.conferma_password.clear();
    f.captcha.clear();
    let (csrf, captcha) = captcha::modulo(state, session, ip).await?;
    let societa = f.tipo == TipoUtente::Societa.as_str();
    render(&Modulo { page, societa, csrf, captcha, errori, errore_captcha, f })
}

fn validate(f: &RegistrazioneForm, page: &Page) -> Result<Registrazione, Vec<(String, String)>> {
    let lang = page.lang;
    let mut errori = Vec::new();
    let mut err = |field: &str, msg: String| errori.push((field.to_owned(), msg));
    let tipo = TipoUtente::parse(&f.tipo).ok();
    let societa = tipo == Some(TipoUtente::Societa);
    let denominazione = if societa {
        TestoBreve::parse(&f.denominazione, 200).map(|t| Some(t.into_string())).unwrap_or_else(|e| {
            err("denominazione", e.messaggio(lang));
            None
        })
    } else {
        None
    };
    let codice_fiscale = if societa {
        PartitaIva::parse(&f.codice_fiscale).map(|p| p.as_str().to_owned()).unwrap_or_else(|e| {
            err("codice_fiscale", e.messaggio(lang));
            String::new()
        })
    } else {
        CodiceFiscale::parse(&f.codice_fiscale).map(|c| c.as_str().to_owned()).unwrap_or_else(|e| {
            err("codice_fiscale", e.messaggio(lang));
            String::new()
        })
    };
    let nome = TestoBreve::parse(&f.nome, 100).map(TestoBreve::into_string).unwrap_or_else(|e| {
        err("nome", e.messaggio(lang));
        String::new()
    });
    let cognome = TestoBreve::parse(&f.cognome, 100).map(TestoBreve::into_string).unwrap_or_else(|e| {
        err("cognome", e.messaggio(lang));
        String::new()
    });
    let email = Email::parse(&f.email).map_err(|e| err("email", e.messaggio(lang))).ok();
    let local = email.as_ref().map(|e| e.parte_locale().to_owned()).unwrap_or_default();
    let personal: Vec<&str> = [nome.as_str(), cognome.as_str(), codice_fiscale.as_str(), local.as_str()]
        .into_iter()
        .chain(denominazione.as_deref())
        .collect();
    if let Err(e) = controlla_password(&f.password, &personal) {
        err("password", e.messaggio(lang));
    } else if f.password != f.conferma_password {
        err("conferma_password", page.t("registrazione-password-diverse"));
    }
    if f.privacy != "si" {
        err("privacy", page.t("registrazione-privacy-obbligatoria"));
    }
    match (tipo, email, errori.is_empty()) {
        (Some(tipo), Some(email), true) => {
            Ok(Registrazione { tipo, nome, cognome, denominazione, codice_fiscale, email })
        }
        _ => Err(errori),
    }
}

/// `POST /registrazione`.
pub async fn post_registrazione(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: Context,
    session: Session,
    page: Page,
    Form(f): Form<RegistrazioneForm>,
) -> Result<Response, AppError> {
    if TipoUtente::parse(&f.tipo).is_err() {
        return Ok(render(&Scelta { page: &page })?.into_response());
    }
    let valid = validate(&f, &page);
    let mut errori = valid.as_ref().err().cloned().unwrap_or_default();
    let ip_key = format!("registrazione:ip:{ip}");
    let errore_captcha =
        captcha::verifica_modulo_e_attesa(&state, &session, &page, &f.captcha, (&ip_key, "email"), &mut errori).await?;
    if !errori.is_empty() {
        return Ok(show(&state, &session, &page, &ip, f, errori, errore_captcha).await?.into_response());
    }
    let Ok(v) = valid else { return Err(AppError::Internal(anyhow::anyhow!("validazione incoerente"))) };
    throttles::record(&state.db, &ip_key, ctx.now, throttles::FORM_IP).await?;
    let inviata = || render(&Inviata { page: &page, email: v.email.as_str().to_owned() });
    if !f.sito_web.is_empty() {
        tracing::info!(%ip, "registrazione ignorata: campo trappola compilato");
        return Ok(inviata()?.into_response());
    }

    crate::auth::registrazione::registra(&state, &ctx, &v, &f.password, page.lang).await?;
    Ok(inviata()?.into_response())
}
