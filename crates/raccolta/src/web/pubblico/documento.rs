//! `GET /campagne/{campagna}/istruzioni/{documento}`: an instruction document. (The models are PDFs made from the
//! definitions: `web::documenti::get_modello`.)

use axum::extract::{Path, State};
use axum::response::Html;

use super::contenuti::Contenuto;
use super::render;
use crate::app::AppState;
use crate::web::{AppError, Page};

/// A document of a campaign, in the page's language.
pub async fn get_documento(
    State(state): State<AppState>,
    Path((campagna, tipo, documento)): Path<(String, String, String)>,
    page: Page,
) -> Result<Html<String>, AppError> {
    if tipo != "istruzioni" {
        return Err(AppError::NotFound);
    }
    let campagna = state.catalogo.campagna(&campagna).ok_or(AppError::NotFound)?;
    let doc = campagna.istruzione(&documento).ok_or(AppError::NotFound)?;
    let kind = page.t("istruzioni");
    render(&Contenuto {
        title: format!("{kind}: {}", doc.titolo.get(page.lang)),
        context: campagna.titolo.get(page.lang).to_owned(),
        html: doc.html.get(page.lang),
        page: &page,
    })
}
