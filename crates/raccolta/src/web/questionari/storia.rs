//! `GET /questionari/{id}/storia/{campo}`: every change of one field (old value, new value, who, when, from
//! which address, how), newest first: a page, or JSON for the compile page's *Storia* button.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::accesso;
use crate::app::AppState;
use crate::compilazione::{self, valori};
use crate::db::questionari;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// One change as the page shows it.
#[derive(Debug, serde::Serialize)]
pub struct Voce {
    prima: String,
    dopo: String,
    come: String,
    autore: String,
    ip: String,
    quando: String,
}

#[derive(Template)]
#[template(path = "questionari/storia.html")]
struct Storia<'a> {
    page: &'a Page,
    pubblico: String,
    etichetta: String,
    indirizzo: String,
    quadro: String,
    voci: Vec<Voce>,
    indirizzi: bool,
}

/// `GET /questionari/{id}/storia/{campo}`.
pub async fn get_storia(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    headers: axum::http::HeaderMap,
    Path((id, campo)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    let m = a.modulo;
    let cid = m.id(&campo).ok_or(AppError::NotFound)?;
    let l = compilazione::lingua(page.lang);
    let leggi = |v: Option<String>| -> String {
        match v {
            None => page.t("storia-vuoto"),
            Some(t) => {
                let valore = m.interpreta_testo(cid, &t).ok();
                valori::mostra(m, valore.as_ref(), cid, l)
            }
        }
    };
    let voci: Vec<Voce> = questionari::storia(&state.db, a.q.id, &campo)
        .await?
        .into_iter()
        .map(|s| Voce {
            prima: leggi(s.prima),
            dopo: if s.come == "ripristino" { page.t("storia-ripristinato") } else { leggi(s.dopo) },
            come: page.t(&format!("storia-come-{}", s.come)),
            autore: s.autore.unwrap_or_default(),
            // Where a change came from is for the administrators who investigate it, not for every colleague.
            ip: if utente.user.is_admin() { s.ip.unwrap_or_default() } else { String::new() },
            quando: crate::ora::data_ora(s.created_at),
        })
        .collect();
    if crate::web::layers::wants_json(&headers) {
        return Ok(Json(serde_json::json!({ "campo": campo, "storia": voci })).into_response());
    }
    let c = &m.campi[cid as usize];
    let html = render(&Storia {
        page: &page,
        pubblico: a.q.pubblico.clone(),
        etichetta: c.etichetta.get(l).to_owned(),
        indirizzo: campo.clone(),
        quadro: m.quadri[c.quadro].codice.clone(),
        voci,
        indirizzi: utente.user.is_admin(),
    })?;
    Ok(crate::web::no_store(html))
}
