//! `GET /notifiche`: the user's notifications, newest first, 20 per page; `POST /notifiche/lette` marks them
//! (one, or all) as read.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::db::notifiche;
use crate::ora::data_ora;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

const PER_PAGINA: i64 = 20;

/// A notification as listed.
pub struct Voce {
    /// Id.
    pub id: i64,
    /// The sentence.
    pub testo: String,
    /// When, Rome time.
    pub quando: String,
    /// Not read yet.
    pub nuova: bool,
    /// Where to act.
    pub link: String,
}

#[derive(Template)]
#[template(path = "notifiche.html")]
struct Pagina<'a> {
    page: &'a Page,
    voci: Vec<Voce>,
    pagina: i64,
    pagine: i64,
    totale: i64,
    esito: String,
}

/// `?pagina=`.
#[derive(Debug, Default, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    pagina: Option<String>,
    #[serde(default)]
    esito: String,
}

/// `GET /notifiche`.
pub async fn get_notifiche(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(q): Query<Domanda>,
) -> Result<Response, AppError> {
    let totale = notifiche::conta(&state.db, utente.user.id).await?;
    let pagine = ((totale + PER_PAGINA - 1) / PER_PAGINA).max(1);
    let pagina = q.pagina.and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).clamp(1, pagine);
    let righe = notifiche::pagina(&state.db, utente.user.id, (pagina - 1) * PER_PAGINA, PER_PAGINA).await?;
    let decide = |tipo: &str| tipo == "richiesta";
    let voci = righe
        .into_iter()
        .map(|n| {
            let ente = n.ente_nome.as_deref().unwrap_or_default();
            let riapertura = crate::compilazione::riapertura::notifica(page.lang, &n.tipo, ente, &n.dettaglio);
            let (testo, link) = if n.tipo == crate::compilazione::invio::TIPO_NOTIFICA {
                crate::compilazione::invio::notifica(page.lang, ente, &n.dettaglio)
            } else if let Some(r) = riapertura {
                r
            } else if let Some(r) = crate::promemoria::notifica(page.lang, &n.tipo, ente, &n.dettaglio) {
                r
            } else if let Some(r) = crate::assistenza::notifica(page.lang, &n.tipo, &n.dettaglio) {
                r
            } else {
                let link = match n.ente_id {
                    Some(e) if decide(&n.tipo) => format!("/enti/{e}/associazioni"),
                    _ => "/area-riservata".to_owned(),
                };
                (crate::enti::associazioni::testo(page.lang, &n.tipo, ente, &n.dettaglio), link)
            };
            Voce { id: n.id, testo, quando: data_ora(n.created_at), nuova: n.letta_at.is_none(), link }
        })
        .collect();
    let esito = crate::web::esito(page.lang, &q.esito);
    let html = render(&Pagina { page: &page, voci, pagina, pagine, totale, esito })?;
    Ok(crate::web::no_store(html))
}

/// Which notification to mark: one id, or all when absent.
#[derive(Debug, Deserialize)]
pub struct LetteForm {
    #[serde(default)]
    id: String,
}

/// `POST /notifiche/lette`.
pub async fn post_lette(
    State(state): State<AppState>,
    utente: Utente,
    Form(f): Form<LetteForm>,
) -> Result<Response, AppError> {
    let id = match f.id.trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| AppError::BadRequest("id di notifica non numerico".to_owned()))?),
    };
    notifiche::segna_lette(&state.db, utente.user.id, id, state.clock.now()).await?;
    Ok(Redirect::to("/notifiche?esito=lette").into_response())
}
