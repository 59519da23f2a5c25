//! `GET /gestione/esportazioni` and `GET /gestione/esportazioni/file`: every answer of a campaign's modulo, long
//! or wide, sent versions or drafts, as CSV (streamed to the browser a block of questionnaires at a time) or XLSX
//! (written in constant memory to a temporary file, then streamed from it), or the codebook. Each export is an
//! audit event. Administrators only.

use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::solo_amministratori;
use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::esporta::{self, Esportazione, Fonte, Forma};
use crate::web::pubblico::render;
use crate::web::questionari::elenco::allegato;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page, no_store};

#[derive(Template)]
#[template(path = "gestione/esportazioni.html")]
struct Pagina<'a> {
    page: &'a Page,
    moduli: Vec<(String, String)>,
}

/// `GET /gestione/esportazioni`.
pub async fn get_esportazioni(State(state): State<AppState>, utente: Utente, page: Page) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let moduli = state
        .catalogo
        .tutte()
        .iter()
        .flat_map(|c| {
            c.moduli.iter().map(|m| {
                (
                    format!("{}/{}", c.id, m.codice),
                    format!("{} · {} {}", page.tr(&c.titolo), c.codice, page.tr(&m.titolo)),
                )
            })
        })
        .collect();
    Ok(no_store(render(&Pagina { page: &page, moduli })?))
}

/// `?modulo=campagna/MODULO&forma=larga|lunga&fonte=inviati|bozze&formato=csv|xlsx|codebook`.
#[derive(Debug, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    modulo: String,
    #[serde(default)]
    forma: String,
    #[serde(default)]
    fonte: String,
    #[serde(default)]
    formato: String,
}

/// `GET /gestione/esportazioni/file`.
pub async fn get_file(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let (campagna, codice) = d.modulo.split_once('/').ok_or(AppError::NotFound)?;
    let c = state.catalogo.campagna(campagna).ok_or(AppError::NotFound)?;
    let m = state
        .questionari
        .modulo(&questionario::ChiaveModulo::new(&c.id, &c.codice, codice))
        .ok_or(AppError::NotFound)?;
    let forma = match d.forma.as_str() {
        "lunga" => Forma::Lunga,
        "" | "larga" => Forma::Larga,
        _ => return Err(AppError::BadRequest("forma sconosciuta: larga o lunga".to_owned())),
    };
    let fonte = match d.fonte.as_str() {
        "bozze" => Fonte::Bozze,
        "" | "inviati" => Fonte::Inviati,
        _ => return Err(AppError::BadRequest("fonte sconosciuta: inviati o bozze".to_owned())),
    };
    let nome = |est: &str| {
        let f = if forma == Forma::Lunga { "lunga" } else { "larga" };
        let s = if fonte == Fonte::Bozze { "bozze" } else { "inviati" };
        format!("{}-{}-{s}-{f}.{est}", c.id, m.modulo.to_lowercase())
    };
    let evento = ctx.audit("esportazione.risposte").target(&d.modulo).details(serde_json::json!({
        "formato": d.formato, "forma": d.forma, "fonte": d.fonte,
    }));
    match d.formato.as_str() {
        "codebook" => {
            audit::record(&state.db, &evento).await?;
            let nome = format!("{}-{}-codebook.csv", c.id, m.modulo.to_lowercase());
            Ok(allegato(esporta::csv_codebook(m), "text/csv; charset=utf-8", &nome))
        }
        "" | "csv" => {
            let e = Esportazione::nuova(&state.db, c, m, fonte).await?;
            audit::record(&state.db, &evento).await?;
            let testa = esporta::csv_intestazione(&e, forma);
            let flusso = esporta::flusso(e, testa, Vec::new(), move |e, righe, _| esporta::csv_blocco(e, righe, forma));
            Ok(allegato(Body::from_stream(flusso), "text/csv; charset=utf-8", &nome("csv")))
        }
        "xlsx" => {
            let e = Esportazione::nuova(&state.db, c, m, fonte).await?;
            audit::record(&state.db, &evento).await?;
            let file = tempfile::NamedTempFile::new().map_err(|e| AppError::Internal(e.into()))?;
            esporta::xlsx(e, forma, file.path(), |_, _| {}).await.map_err(|e| AppError::Internal(e.into()))?;
            let aperto = tokio::fs::File::open(file.path()).await.map_err(|e| AppError::Internal(e.into()))?;
            // The temporary file lives as long as the stream that reads it.
            let flusso = futures_util::stream::unfold((aperto, file), |(mut f, tmp)| async move {
                use tokio::io::AsyncReadExt;
                let mut buf = vec![0u8; 64 * 1024];
                match f.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok::<_, std::io::Error>(buf), (f, tmp)))
                    }
                    Err(e) => Some((Err(e), (f, tmp))),
                }
            });
            // Fused: see `esporta::flusso`.
            let flusso = futures_util::StreamExt::fuse(flusso);
            Ok(allegato(
                Body::from_stream(flusso),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &nome("xlsx"),
            ))
        }
        _ => Err(AppError::BadRequest("formato sconosciuto: csv, xlsx o codebook".to_owned())),
    }
}
