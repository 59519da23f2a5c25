//! Open data, public, without login: `GET /open-data` lists the closed campaigns whose answers are published;
//! `GET /open-data/{campagna}` is a campaign's page (its datasets, licence, columns, and the DCAT-AP_IT
//! description embedded as JSON-LD); `GET /open-data/{campagna}/{file}` streams a modulo's CSV or JSON (a block of
//! enti at a time), its codebook, or `dcat.jsonld`. A campaign not closed has none of them (404).

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::render;
use crate::app::AppState;
use crate::catalogo::Campagna;
use crate::esporta::{self, Esportazione, Fonte, Forma};
use crate::open_data::{self, Editore};
use crate::web::{AppError, Page};

/// Public data change only when a campaign is reopened: caches may keep them a few minutes.
const CACHE: &str = "public, max-age=300";

fn editore(state: &AppState) -> Editore<'_> {
    Editore {
        nome: &state.config.open_data_editore,
        ipa: &state.config.open_data_editore_ipa,
        email: &state.config.support_email,
    }
}

fn base(state: &AppState) -> String {
    state.config.base_url.as_str().trim_end_matches('/').to_owned()
}

/// The published campaign `id`, or 404.
fn pubblicata<'a>(state: &'a AppState, id: &str) -> Result<&'a Campagna, AppError> {
    state.catalogo.campagna(id).filter(|c| open_data::pubblicata(c)).ok_or(AppError::NotFound)
}

/// The definitions of a campaign's moduli, in order.
fn moduli(state: &AppState, c: &Campagna) -> Vec<&'static questionario::Modulo> {
    c.moduli
        .iter()
        .filter_map(|m| state.questionari.modulo(&questionario::ChiaveModulo::new(&c.id, &c.codice, &m.codice)))
        .collect()
}

#[derive(Template)]
#[template(path = "pubblico/open_data.html")]
struct Elenco<'a> {
    page: &'a Page,
    campagne: Vec<&'a Campagna>,
}

/// `GET /open-data`.
pub async fn get_elenco(State(state): State<AppState>, page: Page) -> Result<Response, AppError> {
    let campagne = state.catalogo.chiuse().into_iter().filter(|c| open_data::pubblicata(c)).collect();
    Ok(render(&Elenco { page: &page, campagne })?.into_response())
}

/// One dataset as the campaign's page lists it.
struct Dataset {
    modulo: String,
    titolo: String,
    enti: usize,
    campi: usize,
    csv: String,
    json: String,
    codebook: String,
}

#[derive(Template)]
#[template(path = "pubblico/open_data_campagna.html")]
struct PaginaCampagna<'a> {
    page: &'a Page,
    c: &'a Campagna,
    datasets: Vec<Dataset>,
    data: String,
    editore: String,
    /// The DCAT-AP_IT JSON-LD, with `<` escaped so that it cannot close its `<script>`.
    jsonld: String,
}

/// `GET /open-data/{campagna}`.
pub async fn get_campagna(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = pubblicata(&state, &id)?;
    let moduli = moduli(&state, c);
    let date = open_data::date(&state.db, c).await?;
    let mut datasets = Vec::new();
    for m in &moduli {
        let e = Esportazione::nuova(&state.db, c, m, Fonte::Inviati).await?;
        let (csv, json, codebook) = open_data::file(&m.modulo);
        let titolo =
            c.moduli.iter().find(|x| x.codice == m.modulo).map(|x| page.tr(&x.titolo).to_owned()).unwrap_or_default();
        datasets.push(Dataset {
            modulo: m.modulo.clone(),
            titolo,
            enti: e.totale(),
            campi: m.campi.iter().filter(|f| open_data::pubblicabile(f)).count(),
            csv,
            json,
            codebook,
        });
    }
    let jsonld =
        open_data::dcat(c, &moduli, &base(&state), &editore(&state), &date).to_string().replace('<', "\\u003c");
    let html = render(&PaginaCampagna {
        page: &page,
        c,
        datasets,
        data: super::format_date(
            time::Date::parse(&date.pubblicati, &time::format_description::well_known::Iso8601::DATE)
                .unwrap_or(c.scadenza()),
            page.lang,
        ),
        editore: state.config.open_data_editore.clone(),
        jsonld,
    })?;
    Ok(([(header::CACHE_CONTROL, CACHE)], html).into_response())
}

/// `GET /open-data/{campagna}/{file}`: `dcat.jsonld`, `{modulo}.csv`, `{modulo}.json`, `{modulo}-codebook.csv`.
pub async fn get_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let c = pubblicata(&state, &id)?;
    let moduli = moduli(&state, c);
    let scarica = |corpo: Body, tipo: &str, nome: &str| {
        let mut res = crate::web::questionari::elenco::allegato(corpo, tipo, nome);
        res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static(CACHE));
        res.headers_mut().insert("access-control-allow-origin", header::HeaderValue::from_static("*"));
        res
    };
    let nome = format!("{}-{file}", c.id);
    if file == "dcat.jsonld" {
        let date = open_data::date(&state.db, c).await?;
        let corpo = serde_json::to_vec_pretty(&open_data::dcat(c, &moduli, &base(&state), &editore(&state), &date))
            .map_err(|e| AppError::Internal(e.into()))?;
        return Ok(scarica(Body::from(corpo), "application/ld+json", &nome));
    }
    let m = moduli
        .iter()
        .copied()
        .find(|m| {
            let (csv, json, codebook) = open_data::file(&m.modulo);
            [csv, json, codebook].contains(&file)
        })
        .ok_or(AppError::NotFound)?;
    let (csv, json, _) = open_data::file(&m.modulo);
    if file == csv {
        let e = Esportazione::nuova(&state.db, c, m, Fonte::Inviati).await?;
        let testa = esporta::csv_intestazione(&e, Forma::Aperta);
        let flusso = esporta::flusso(e, testa, Vec::new(), |e, righe, _| esporta::csv_blocco(e, righe, Forma::Aperta));
        Ok(scarica(Body::from_stream(flusso), "text/csv; charset=utf-8", &nome))
    } else if file == json {
        let e = Esportazione::nuova(&state.db, c, m, Fonte::Inviati).await?;
        let testa = esporta::json_testa(&e, open_data::dataset(c, m, &base(&state)));
        let flusso = esporta::flusso(e, testa, esporta::JSON_CODA.to_vec(), esporta::json_blocco);
        Ok(scarica(Body::from_stream(flusso), "application/json", &nome))
    } else {
        Ok(scarica(Body::from(esporta::csv_codebook(m, Forma::Aperta)), "text/csv; charset=utf-8", &nome))
    }
}
