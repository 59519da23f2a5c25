//! The public site: the "Raccolta dati" page, the archive, the guide, the legal pages, the campaign documents.

pub mod archivio;
pub mod contenuti;
pub mod documento;
pub mod home;
pub mod lingua;
pub mod open_data;

use askama::Template;
use axum::response::Html;

use super::AppError;

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}

/// A date as the user reads it: `31/10/2024` in Italian, `31 October 2024` in English.
pub fn format_date(date: time::Date, lang: crate::i18n::Lang) -> String {
    match lang {
        crate::i18n::Lang::It => format!("{:02}/{:02}/{}", date.day(), u8::from(date.month()), date.year()),
        crate::i18n::Lang::En => format!("{} {} {}", date.day(), date.month(), date.year()),
    }
}
