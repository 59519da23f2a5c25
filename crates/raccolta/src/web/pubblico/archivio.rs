//! `GET /archivio`: closed campaigns of previous years.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::home::CampagnaView;
use super::render;
use crate::app::AppState;
use crate::web::{AppError, Page};

#[derive(Template)]
#[template(path = "pubblico/archivio.html")]
struct Archivio<'a> {
    page: &'a Page,
    campagne: Vec<CampagnaView<'a>>,
}

/// The archive page.
pub async fn get_archivio(State(state): State<AppState>, page: Page) -> Result<Html<String>, AppError> {
    let campagne = state.catalogo.chiuse().into_iter().map(|c| CampagnaView::new(c, &page)).collect();
    render(&Archivio { page: &page, campagne })
}
