//! *Gestione*, for administrators only (everyone else gets 404): the enti, their associations and responsabili,
//! every pending request, the campaigns (`campagne`), the monitoring (`monitoraggio`) and the audit log (`audit`).

pub mod audit;
pub mod campagne;
pub mod esportazioni;
pub mod monitoraggio;
pub mod utenti;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::db::associazioni::{self, Responsabile};
use crate::db::enti::{self, Ente, Ricerca, Voce};
use crate::db::users;
use crate::domain::{StatoAssociazione, TipoEnte};
use crate::web::enti::decisioni::Riga;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page, no_store};

const PER_PAGINA: i64 = 50;

/// 404 unless the user is an administrator.
pub(crate) async fn solo_amministratori(state: &AppState, utente: &Utente) -> Result<(), AppError> {
    crate::auth::guard::check(&state.db, &utente.user, crate::auth::guard::Permission::Administer).await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "gestione/home.html")]
struct Home<'a> {
    page: &'a Page,
    enti: i64,
    in_attesa: i64,
    riaperture: i64,
}

/// `GET /gestione`.
pub async fn get_gestione(State(state): State<AppState>, utente: Utente, page: Page) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let enti = enti::conta(&state.db).await?;
    let in_attesa = associazioni::conta_in_attesa(&state.db).await?;
    let riaperture = crate::db::riaperture::in_attesa(&state.db).await?;
    Ok(no_store(render(&Home { page: &page, enti, in_attesa, riaperture })?))
}

/// A listed ente.
pub struct VoceEnte {
    /// Row.
    pub v: Voce,
    /// Type label.
    pub tipo: String,
}

#[derive(Template)]
#[template(path = "gestione/enti.html")]
struct Elenco<'a> {
    page: &'a Page,
    q: String,
    tipi: Vec<(&'static str, String, bool)>,
    tipo: String,
    voci: Vec<VoceEnte>,
    totale: i64,
    pagina: i64,
    pagine: i64,
}

impl Elenco<'_> {
    fn link_pagina(&self, n: i64) -> String {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("tipo", &self.tipo)
            .append_pair("pagina", &n.to_string())
            .finish();
        format!("/gestione/enti?{q}")
    }
}

/// `?q=&tipo=&pagina=`.
#[derive(Debug, Default, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tipo: String,
    #[serde(default)]
    pagina: Option<String>,
}

/// `GET /gestione/enti`.
pub async fn get_enti(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let q: String = d.q.chars().take(100).collect();
    let tipo = TipoEnte::from_code(&d.tipo);
    let mut r = Ricerca { testo: &q, tipo: tipo.map(TipoEnte::code), anche_inattivi: true, ..Default::default() };
    let totale = enti::conta_ricerca(&state.db, &r).await?;
    let pagine = ((totale + PER_PAGINA - 1) / PER_PAGINA).max(1);
    let pagina = d.pagina.and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).clamp(1, pagine);
    r.offset = (pagina - 1) * PER_PAGINA;
    r.limit = PER_PAGINA;
    let lang = page.lang;
    let voci = enti::cerca(&state.db, &r)
        .await?
        .into_iter()
        .map(|v| VoceEnte { tipo: TipoEnte::etichetta_di(&v.tipo, lang), v })
        .collect();
    let tipi = TipoEnte::TUTTI.into_iter().map(|t| (t.code(), t.etichetta(lang), Some(t) == tipo)).collect();
    let tipo = tipo.map(|t| t.code().to_owned()).unwrap_or_default();
    Ok(no_store(render(&Elenco { page: &page, q, tipi, tipo, voci, totale, pagina, pagine })?))
}

#[derive(Template)]
#[template(path = "gestione/ente.html")]
struct Dettaglio<'a> {
    page: &'a Page,
    ente: Ente,
    tipo: String,
    in_attesa: Vec<Riga>,
    attive: Vec<Riga>,
    responsabili: Vec<Responsabile>,
    esito: String,
    errore: String,
    utente: String,
}

/// `GET /gestione/enti/{id}`.
pub async fn get_ente(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let ente = enti::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let tutte = associazioni::dell_ente(&state.db, ente.id).await?;
    let (in_attesa, attive): (Vec<_>, Vec<_>) =
        tutte.iter().partition(|a| a.stato() == Some(StatoAssociazione::InAttesa));
    let responsabili = associazioni::responsabili(&state.db, ente.id).await?;
    let lang = page.lang;
    let html = render(&Dettaglio {
        page: &page,
        tipo: TipoEnte::etichetta_di(&ente.tipo, lang),
        ente,
        in_attesa: in_attesa.into_iter().map(|a| Riga::da(a, lang)).collect(),
        attive: attive.into_iter().map(|a| Riga::da(a, lang)).collect(),
        responsabili,
        esito: crate::web::esito(lang, &q.esito),
        errore: crate::web::esito(lang, &q.errore),
        utente: String::new(),
    })?;
    Ok(no_store(html))
}

/// Appoint (`azione=nomina`, `utente` = code or e-mail) or remove (`azione=rimuovi`, `utente` = code).
#[derive(Debug, Deserialize)]
pub struct ResponsabileForm {
    #[serde(default)]
    azione: String,
    #[serde(default)]
    utente: String,
}

/// `POST /gestione/enti/{id}/responsabili`.
pub async fn post_responsabile(
    State(state): State<AppState>,
    utente: Utente,
    ctx: crate::context::Context,
    Path(id): Path<i64>,
    Form(f): Form<ResponsabileForm>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let ente = enti::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let back = format!("/gestione/enti/{}", ente.id);
    let chi = f.utente.trim();
    let trovato = if chi.contains('@') {
        users::by_email(&state.db, &chi.to_lowercase()).await?
    } else {
        users::by_codice(&state.db, &chi.to_uppercase()).await?
    };
    let Some(nuovo) = trovato.filter(|u| u.is_active()) else {
        return Ok(Redirect::to(&format!("{back}?errore=utente-sconosciuto")).into_response());
    };
    let (nomina, ok, ko) = match f.azione.as_str() {
        "nomina" => (true, "nominato", "gia-responsabile"),
        "rimuovi" => (false, "rimosso", "utente-sconosciuto"),
        _ => return Err(AppError::BadRequest("azione sconosciuta".to_owned())),
    };
    let fatto = crate::enti::associazioni::responsabile(&state, &ctx, &utente.user, &ente, &nuovo, nomina).await?;
    let q = if fatto { format!("esito={ok}") } else { format!("errore={ko}") };
    Ok(Redirect::to(&format!("{back}?{q}")).into_response())
}

#[derive(Template)]
#[template(path = "gestione/richieste.html")]
struct Richieste<'a> {
    page: &'a Page,
    voci: Vec<(Riga, i64, String)>,
    esito: String,
    errore: String,
}

/// `GET /gestione/richieste`: every pending request, oldest first.
pub async fn get_richieste(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let voci = associazioni::in_attesa(&state.db, 500)
        .await?
        .iter()
        .map(|a| (Riga::da(a, page.lang), a.ente_id, a.denominazione.clone()))
        .collect();
    let esito = crate::web::esito(page.lang, &q.esito);
    let errore = crate::web::esito(page.lang, &q.errore);
    Ok(no_store(render(&Richieste { page: &page, voci, esito, errore })?))
}
