//! `GET /enti/cerca?q=…&tipo=…`: the autocomplete of *Aggiungi nuovo ente*, as JSON. The registry is public
//! open data (IPA), so the search needs no login; it returns names and codes only.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::db::enti::Ricerca;
use crate::domain::TipoEnte;
use crate::i18n::Lang;
use crate::web::AppError;

/// Most suggestions shown.
pub const MASSIMO: i64 = 20;

/// The query.
#[derive(Debug, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tipo: String,
}

/// One suggestion.
#[derive(Debug, Serialize)]
struct Suggerimento {
    id: i64,
    nome: String,
    codice_ipa: String,
    tipo: String,
    regione: String,
}

/// The suggestions, best first; none for fewer than two letters.
pub async fn get_cerca(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    let started = std::time::Instant::now();
    let lang = Lang::negotiate(&headers);
    let q: String = d.q.chars().take(100).collect();
    let tipo = TipoEnte::from_code(&d.tipo);
    let voci = if crate::domain::chiave_ricerca(&q).len() < 2 {
        Vec::new()
    } else {
        let r = Ricerca { testo: &q, tipo: tipo.map(TipoEnte::code), limit: MASSIMO, ..Default::default() };
        state.indice_enti.cerca(&state.db, &r).await?
    };
    let out: Vec<Suggerimento> = voci
        .into_iter()
        .map(|v| Suggerimento {
            id: v.id,
            tipo: TipoEnte::etichetta_di(&v.tipo, lang),
            nome: v.denominazione,
            codice_ipa: v.codice_ipa,
            regione: v.regione.unwrap_or_default(),
        })
        .collect();
    // Server time of the search, for the benchmark and the browser's developer tools.
    let timing = format!("db;dur={:.3}", started.elapsed().as_secs_f64() * 1000.0);
    Ok((
        [(header::CACHE_CONTROL, "no-store".to_owned()), (header::HeaderName::from_static("server-timing"), timing)],
        Json(out),
    )
        .into_response())
}
