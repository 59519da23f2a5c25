//! `GET /`: the "Raccolta dati" page with the open campaigns.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::{format_date, render};
use crate::app::AppState;
use crate::catalogo::Campagna;
use crate::web::{AppError, Page};

/// One campaign as a row of the table.
pub struct CampagnaView<'a> {
    /// The campaign.
    pub campagna: &'a Campagna,
    /// Opening date, formatted.
    pub apertura: String,
    /// Deadline, formatted.
    pub scadenza: String,
    /// Its sent answers are open data (closed, with moduli).
    pub open_data: bool,
}

impl<'a> CampagnaView<'a> {
    /// Formats the campaign's dates in the page's language.
    pub fn new(campagna: &'a Campagna, page: &Page) -> Self {
        CampagnaView {
            campagna,
            apertura: format_date(campagna.apertura(), page.lang),
            scadenza: format_date(campagna.scadenza(), page.lang),
            open_data: crate::open_data::pubblicata(campagna),
        }
    }
}

#[derive(Template)]
#[template(path = "pubblico/home.html")]
struct Home<'a> {
    page: &'a Page,
    campagne: Vec<CampagnaView<'a>>,
}

/// The home page.
pub async fn get_home(State(state): State<AppState>, page: Page) -> Result<Html<String>, AppError> {
    let campagne = state.catalogo.aperte().map(|c| CampagnaView::new(c, &page)).collect();
    render(&Home { page: &page, campagne })
}
