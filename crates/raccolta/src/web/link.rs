//! Pages reached through e-mailed links (confirmation, password reset, e-mail change): the token they carry, the
//! page of a link that can no longer be used, and the headers that keep the token out of Referers and caches.

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::token::token_hash;
use crate::db::tokens;
use crate::web::pubblico::render;
use crate::web::{AppError, Page};

/// The token of a link, in the query (GET) or the form (POST).
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    /// The token as sent by e-mail.
    #[serde(default)]
    pub token: String,
}

/// Where a user whose link no longer works starts again.
#[derive(Debug, Clone, Copy)]
pub struct Ricomincia {
    /// The page.
    pub path: &'static str,
    /// The translation key of its name.
    pub testo: &'static str,
}

#[derive(Template)]
#[template(path = "link_non_valido.html")]
struct LinkNonValido<'a> {
    page: &'a Page,
    motivo: String,
    ricomincia: &'static str,
    ricomincia_testo: String,
}

/// The page for a link that cannot be used (expired, used, unknown), offering to start again.
pub fn non_valido(page: &Page, why: tokens::Invalid, dove: Ricomincia) -> Result<Response, AppError> {
    let motivo = match why {
        tokens::Invalid::Expired => page.t("link-scaduto"),
        tokens::Invalid::Used => page.t("link-usato"),
        tokens::Invalid::Unknown => page.t("link-sconosciuto"),
    };
    let html = render(&LinkNonValido { page, motivo, ricomincia: dove.path, ricomincia_testo: page.t(dove.testo) })?;
    Ok(no_referrer(html.into_response()))
}

/// A link's row when it can still be used, or the page that says why not (for the GET that shows the form).
pub async fn apri(
    db: &crate::db::Db,
    kind: tokens::Kind,
    token: &str,
    now: i64,
    page: &Page,
    dove: Ricomincia,
) -> Result<Result<tokens::Token, Response>, AppError> {
    o_pagina(tokens::peek(db, kind, &token_hash(token), now).await?, page, dove)
}

/// Uses a link inside `tx` (atomically: of two uses one succeeds), or returns the page that says why it cannot be
/// used; the caller then returns it, dropping `tx`.
pub async fn usa(
    tx: &mut crate::db::Tx,
    kind: tokens::Kind,
    token: &str,
    now: i64,
    page: &Page,
    dove: Ricomincia,
) -> Result<Result<tokens::Token, Response>, AppError> {
    o_pagina(tokens::consume(tx, kind, &token_hash(token), now).await?, page, dove)
}

fn o_pagina(
    esito: Result<tokens::Token, tokens::Invalid>,
    page: &Page,
    dove: Ricomincia,
) -> Result<Result<tokens::Token, Response>, AppError> {
    Ok(match esito {
        Ok(t) => Ok(t),
        Err(why) => Err(non_valido(page, why, dove)?),
    })
}

/// Pages reached through e-mailed tokens never leak them in a Referer, nor stay in a cache.
pub fn no_referrer(mut res: Response) -> Response {
    res.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
