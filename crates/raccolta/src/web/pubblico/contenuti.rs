//! `GET /guida`, `/accessibilita`, `/privacy`: long texts kept as HTML fragments per language under
//! `contenuti/`, compiled into the binary.

use askama::Template;
use axum::response::Html;

use super::render;
use crate::i18n::Lang;
use crate::web::{AppError, Page};

/// A page made of a title and a trusted HTML fragment from the repository.
#[derive(Template)]
#[template(path = "pubblico/contenuto.html")]
pub struct Contenuto<'a> {
    /// Page context.
    pub page: &'a Page,
    /// The `h1`.
    pub title: String,
    /// Optional line above the text (e.g. the campaign of a document).
    pub context: String,
    /// The fragment.
    pub html: &'a str,
}

fn fragment(page: &Page, it: &'static str, en: &'static str) -> &'static str {
    match page.lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// The platform guide.
pub async fn get_guida(page: Page) -> Result<Html<String>, AppError> {
    let html = fragment(
        &page,
        include_str!("../../../contenuti/guida.it.html"),
        include_str!("../../../contenuti/guida.en.html"),
    );
    render(&Contenuto { title: page.t("guida-titolo"), context: String::new(), html, page: &page })
}

/// The accessibility statement.
pub async fn get_accessibilita(page: Page) -> Result<Html<String>, AppError> {
    let html = fragment(
        &page,
        include_str!("../../../contenuti/accessibilita.it.html"),
        include_str!("../../../contenuti/accessibilita.en.html"),
    );
    render(&Contenuto { title: page.t("accessibilita-titolo"), context: String::new(), html, page: &page })
}

/// The privacy notice.
pub async fn get_privacy(page: Page) -> Result<Html<String>, AppError> {
    let html = fragment(
        &page,
        include_str!("../../../contenuti/privacy.it.html"),
        include_str!("../../../contenuti/privacy.en.html"),
    );
    render(&Contenuto { title: page.t("privacy-titolo"), context: String::new(), html, page: &page })
}
