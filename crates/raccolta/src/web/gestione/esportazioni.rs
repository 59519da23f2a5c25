//! `GET /gestione/esportazioni` and `GET /gestione/esportazioni/file`: every answer of a campaign's modulo, long
//! or wide, sent versions or drafts, as CSV (streamed to the browser a block of questionnaires at a time) or XLSX
//! (written in constant memory to a temporary file, then streamed from it), or the codebook. `POST
//! /gestione/esportazioni` downloads the same at once (*Scarica ora*) or queues it as a job (*Prepara il file*,
//! [`crate::esportazioni`]): `GET /gestione/esportazioni/{id}` shows its progress (and `…/stato.json` for the
//! page's script), `…/{id}/file` downloads it once ready. Each export is an audit event. Administrators only.

use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
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
    lavori: Vec<Voce>,
}

/// A prepared export as the pages show it.
struct Voce {
    l: crate::db::esportazioni::Lavoro,
    descrizione: String,
    stato: String,
    quando: String,
    dimensione: String,
}

fn voce(page: &Page, l: crate::db::esportazioni::Lavoro) -> Voce {
    let lang = page.lang;
    let descrizione = format!("{} {} · {} · {} · {}", l.campagna, l.modulo, l.fonte, l.forma, l.formato.to_uppercase());
    let stato = lang.t(&format!("esportazioni-stato-{}", l.stato.replace('_', "-")));
    let mb = l.dimensione as f64 / (1024.0 * 1024.0);
    let dimensione = if l.stato == "pronta" { format!("{mb:.1} MB") } else { String::new() };
    Voce { descrizione, stato, quando: crate::ora::data_ora(l.created_at), dimensione, l }
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
    let lavori = crate::db::esportazioni::recenti(&state.db, 20).await?.into_iter().map(|l| voce(&page, l)).collect();
    Ok(no_store(render(&Pagina { page: &page, moduli, lavori })?))
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
    scarica(&state, &ctx, &d).await
}

/// The form's fields and which button: `scarica` (now) or `prepara` (a job).
#[derive(Debug, Deserialize)]
pub struct FormEsportazione {
    #[serde(flatten)]
    d: Domanda,
    #[serde(default)]
    azione: String,
}

/// `POST /gestione/esportazioni`.
pub async fn post_esportazione(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    axum::Form(f): axum::Form<FormEsportazione>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    if f.azione != "prepara" || f.d.formato == "codebook" {
        return scarica(&state, &ctx, &f.d).await;
    }
    let (c, m, forma, fonte) = scelta(&state, &f.d)?;
    let formato = match f.d.formato.as_str() {
        "" | "csv" => "csv",
        "xlsx" => "xlsx",
        _ => return Err(AppError::BadRequest("formato sconosciuto: csv, xlsx o codebook".to_owned())),
    };
    let r = crate::esportazioni::Richiesta { campagna: &c.id, modulo: &m.modulo, forma, fonte, formato };
    let pubblico = crate::esportazioni::accoda(&state, &ctx, &utente.user, &r).await?;
    Ok(axum::response::Redirect::to(&format!("/gestione/esportazioni/{pubblico}")).into_response())
}

/// The campaign, modulo, form and source a form or a query names.
fn scelta<'s>(
    state: &'s AppState,
    d: &Domanda,
) -> Result<(&'s crate::catalogo::Campagna, &'static questionario::Modulo, Forma, Fonte), AppError> {
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
    Ok((c, m, forma, fonte))
}

/// The export `d` asks for, downloaded now.
async fn scarica(state: &AppState, ctx: &Context, d: &Domanda) -> Result<Response, AppError> {
    let (c, m, forma, fonte) = scelta(state, d)?;
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
            Ok(allegato(esporta::csv_codebook(m, forma), "text/csv; charset=utf-8", &nome))
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

#[derive(Template)]
#[template(path = "gestione/esportazione.html")]
struct PaginaLavoro<'a> {
    page: &'a Page,
    v: Voce,
    avanzamento: String,
}

fn avanzamento(page: &Page, l: &crate::db::esportazioni::Lavoro) -> String {
    page.lang.t_args("esportazioni-avanzamento", &[("letti", l.letti.to_string()), ("totale", l.totale.to_string())])
}

async fn lavoro(
    state: &AppState,
    utente: &Utente,
    pubblico: &str,
) -> Result<crate::db::esportazioni::Lavoro, AppError> {
    solo_amministratori(state, utente).await?;
    crate::db::esportazioni::by_pubblico(&state.db, pubblico).await?.ok_or(AppError::NotFound)
}

/// `GET /gestione/esportazioni/{id}`: a prepared export's progress, and its file once ready.
pub async fn get_lavoro(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    let l = lavoro(&state, &utente, &id).await?;
    Ok(no_store(render(&PaginaLavoro { avanzamento: avanzamento(&page, &l), v: voce(&page, l), page: &page })?))
}

/// `GET /gestione/esportazioni/{id}/stato.json`: what the page's script shows while the export runs.
pub async fn get_lavoro_json(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    let l = lavoro(&state, &utente, &id).await?;
    let testo = avanzamento(&page, &l);
    let v = voce(&page, l);
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({
            "stato": v.l.stato, "etichetta": v.stato, "letti": v.l.letti, "totale": v.l.totale,
            "testo": testo, "dimensione": v.dimensione, "errore": v.l.errore,
        })),
    )
        .into_response())
}

/// `GET /gestione/esportazioni/{id}/file`: the prepared file, streamed from its stored parts.
pub async fn get_lavoro_file(
    State(state): State<AppState>,
    utente: Utente,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    let l = lavoro(&state, &utente, &id).await?;
    if l.stato != "pronta" {
        return Err(AppError::NotFound);
    }
    let (tipo, est) = if l.formato == "xlsx" {
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    let nome = format!("{}-{}-{}-{}.{est}", l.campagna, l.modulo.to_lowercase(), l.fonte, l.forma);
    let db = state.db.clone();
    let flusso = futures_util::stream::unfold((db, l.id, 0_i64), |(db, id, n)| async move {
        match crate::db::esportazioni::leggi_parte(&db, id, n).await {
            Ok(Some(parte)) => Some((Ok::<_, std::io::Error>(parte), (db, id, n + 1))),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), (db, id, i64::MAX))),
        }
    });
    // Fused: see `esporta::flusso`.
    let flusso = futures_util::StreamExt::fuse(flusso);
    Ok(allegato(Body::from_stream(flusso), tipo, &nome))
}
