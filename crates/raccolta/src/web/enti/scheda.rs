//! `GET /enti/{id}`: the page of an ente for those who work on it; `POST /enti/{id}/seleziona` makes it the
//! ente selezionato; `POST /enti/{id}/referente` (Compilazione) sets who compiles the questionnaires.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{KEY_ENTE, con_accesso};
use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::db::enti::{self, Ente};
use crate::domain::{Email, Modalita, TipoEnte};
use crate::web::pubblico::render;
use crate::web::sessione::{Utente, session_error};
use crate::web::{AppError, Page};

#[derive(Template)]
#[template(path = "enti/scheda.html")]
struct Scheda<'a> {
    page: &'a Page,
    ente: Ente,
    tipo: String,
    modalita: String,
    compila: bool,
    decide: bool,
    selezionato: bool,
    esito: String,
    errori: Vec<(String, String)>,
    nome: String,
    telefono: String,
    email: String,
}

impl Scheda<'_> {
    fn errore(&self, campo: &str) -> &str {
        crate::web::errore_di(&self.errori, campo)
    }
}

/// The referente form.
#[derive(Debug, Deserialize)]
pub struct ReferenteForm {
    #[serde(default)]
    nome: String,
    #[serde(default)]
    telefono: String,
    #[serde(default)]
    email: String,
}

#[expect(clippy::too_many_arguments, reason = "one page, shown after a GET, a save, or a refused save")]
async fn mostra(
    state: &AppState,
    utente: &Utente,
    page: &Page,
    ente: Ente,
    m: Modalita,
    esito: &str,
    errori: Vec<(String, String)>,
    typed: Option<ReferenteForm>,
) -> Result<Response, AppError> {
    let permission = crate::auth::guard::Permission::DecideAssociations { ente_id: ente.id };
    let decide = crate::auth::guard::allows(&state.db, &utente.user, permission).await?;
    let selezionato = utente.session.get::<i64>(KEY_ENTE).await.map_err(session_error)? == Some(ente.id);
    let typed = typed.unwrap_or_else(|| ReferenteForm {
        nome: ente.referente_nome.clone().unwrap_or_default(),
        telefono: ente.referente_telefono.clone().unwrap_or_default(),
        email: ente.referente_email.clone().unwrap_or_default(),
    });
    let html = render(&Scheda {
        page,
        tipo: TipoEnte::etichetta_di(&ente.tipo, page.lang),
        ente,
        modalita: m.etichetta(page.lang),
        compila: m == Modalita::Compilazione,
        decide,
        selezionato,
        esito: crate::web::esito(page.lang, esito),
        errori,
        nome: typed.nome,
        telefono: typed.telefono,
        email: typed.email,
    })?;
    Ok(crate::web::no_store(html))
}

/// `GET /enti/{id}`.
pub async fn get_scheda(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    let (ente, m) = con_accesso(&state, &utente.user, id, Modalita::Consultazione).await?;
    mostra(&state, &utente, &page, ente, m, &q.esito, vec![], None).await
}

/// `POST /enti/{id}/seleziona`.
pub async fn post_seleziona(
    State(state): State<AppState>,
    utente: Utente,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    let (ente, _) = con_accesso(&state, &utente.user, id, Modalita::Consultazione).await?;
    utente.session.insert(KEY_ENTE, ente.id).await.map_err(session_error)?;
    Ok(Redirect::to(&format!("/enti/{}?esito=selezionato", ente.id)))
}

/// `POST /enti/{id}/referente`.
pub async fn post_referente(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Path(id): Path<i64>,
    Form(f): Form<ReferenteForm>,
) -> Result<Response, AppError> {
    let (ente, m) = con_accesso(&state, &utente.user, id, Modalita::Compilazione).await?;
    let lang = page.lang;
    let mut errori = Vec::new();
    let nome = f.nome.trim();
    if nome.chars().count() > 200 {
        errori.push(("nome".to_owned(), lang.t("referente-errore-nome")));
    }
    let telefono = f.telefono.trim();
    let cifre = telefono.chars().filter(char::is_ascii_digit).count();
    if !telefono.is_empty()
        && (!(6..=15).contains(&cifre) || !telefono.chars().all(|c| c.is_ascii_digit() || " +-/().".contains(c)))
    {
        errori.push(("telefono".to_owned(), lang.t("referente-errore-telefono")));
    }
    let email = if f.email.trim().is_empty() {
        None
    } else {
        match Email::parse(&f.email) {
            Ok(e) => Some(e),
            Err(e) => {
                errori.push(("email".to_owned(), e.messaggio(lang)));
                None
            }
        }
    };
    if !errori.is_empty() {
        return mostra(&state, &utente, &page, ente, m, "", errori, Some(f)).await;
    }
    let vuoto = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    let (nome, telefono) = (vuoto(nome), vuoto(telefono));
    let email = email.map(|e| e.as_str().to_owned());
    let mut tx = state.db.begin().await?;
    enti::aggiorna_referente(&mut tx, ente.id, nome.as_deref(), telefono.as_deref(), email.as_deref(), ctx.now).await?;
    let event = ctx
        .audit("ente.referente")
        .target(ente.codice_ipa.as_str())
        .details(serde_json::json!({ "nome": nome, "telefono": telefono, "email": email }));
    audit::record(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/enti/{}?esito=referente", ente.id)).into_response())
}
