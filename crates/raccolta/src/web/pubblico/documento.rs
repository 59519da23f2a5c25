//! `GET /campagne/{campagna}/{istruzioni|modelli}/{documento}`: an instruction document or a model.

use axum::extract::{Path, State};
use axum::response::Html;

use super::contenuti::Contenuto;
use super::render;
use crate::app::AppState;
use crate::catalogo::TipoDocumento;
use crate::web::{AppError, Page};

/// A document of a campaign, in the page's language.
pub async fn get_documento(
    State(state): State<AppState>,
    Path((campagna, tipo, documento)): Path<(String, String, String)>,
    page: Page,
) -> Result<Html<String>, AppError> {
    let tipo = match tipo.as_str() {
        "istruzioni" => TipoDocumento::Istruzioni,
        "modelli" => TipoDocumento::Modelli,
        _ => return Err(AppError::NotFound),
    };
    let campagna = state.catalogo.campagna(&campagna).ok_or(AppError::NotFound)?;
    let doc = campagna.documento(tipo, &documento).ok_or(AppError::NotFound)?;
    let kind = match tipo {
        TipoDocumento::Istruzioni => page.t("istruzioni"),
        TipoDocumento::Modelli => page.t("modelli"),
    };
    render(&Contenuto {
        title: format!("{kind}: {}", doc.titolo.get(page.lang)),
        context: campagna.titolo.get(page.lang).to_owned(),
        html: doc.html.get(page.lang),
        page: &page,
    })
}
