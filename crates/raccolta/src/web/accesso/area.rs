//! `GET /area-riservata`: the reserved home, for now the list of the user's enti.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

#[derive(Template)]
#[template(path = "area/home.html")]
struct Home<'a> {
    page: &'a Page,
    nome: String,
    codice: String,
}

/// The reserved home.
pub async fn get_area(utente: Utente, page: Page) -> Result<Response, AppError> {
    let html = render(&Home { page: &page, nome: utente.user.nome_visualizzato(), codice: utente.user.codice })?;
    Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response())
}
