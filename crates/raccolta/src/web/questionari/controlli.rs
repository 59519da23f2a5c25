//! `GET /questionari/{id}/controlli`: every open check of the whole modulo, by quadro, each with its message and
//! links to its fields; and the required fields still blank, counted per quadro.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::vista::{self, VistaRegola};
use super::{accesso, errore};
use crate::app::AppState;
use crate::compilazione;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// One quadro's open checks.
pub struct Gruppo {
    codice: String,
    titolo: String,
    regole: Vec<VistaRegola>,
    mancanti: usize,
}

#[derive(Template)]
#[template(path = "questionari/controlli.html")]
struct Controlli<'a> {
    page: &'a Page,
    pubblico: String,
    titolo: String,
    vista: &'static str,
    gruppi: Vec<Gruppo>,
    invio: questionario::Riepilogo,
}

/// `GET /questionari/{id}/controlli`.
pub async fn get_controlli(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    let l = compilazione::lingua(page.lang);
    let guardia = compilazione::valutazione(&state, &a).await.map_err(errore)?;
    let Some(s) = guardia.as_ref() else { return Err(AppError::NotFound) };
    let m = a.modulo;
    let gruppi = m
        .quadri
        .iter()
        .enumerate()
        .map(|(q, quadro)| {
            let mancanti = s.valutazione.completamento(q).map_or(0, |c| c.richiesti - c.compilati);
            Gruppo {
                codice: quadro.codice.clone(),
                titolo: quadro.titolo.get(l).to_owned(),
                regole: vista::regole(s, Some(q), l).into_iter().filter(|r| r.violata).collect(),
                mancanti,
            }
        })
        .collect();
    let html = render(&Controlli {
        page: &page,
        pubblico: a.q.pubblico.clone(),
        titolo: m.titolo.get(l).to_owned(),
        vista: if a.modificabile { "compila" } else { "visualizza" },
        gruppi,
        invio: s.valutazione.riepilogo(),
    })?;
    Ok(crate::web::no_store(html))
}
