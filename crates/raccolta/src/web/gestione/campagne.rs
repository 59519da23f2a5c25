//! `GET /gestione/campagne` and `POST /gestione/campagne/{id}`: every campaign with its state and dates, which an
//! administrator changes (stored over the manifest, audited, applied on every node: [`crate::campagne`]).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::solo_amministratori;
use crate::app::AppState;
use crate::campagne::{self, Rifiuto};
use crate::catalogo::{Calendario, Campagna, StatoCampagna};
use crate::context::Context;
use crate::web::pubblico::{format_date, render};
use crate::web::sessione::Utente;
use crate::web::{AppError, Page, no_store};

/// A campaign as the page lists it.
struct Voce {
    id: String,
    titolo: String,
    codice: String,
    anno: i32,
    stato: StatoCampagna,
    stato_testo: String,
    /// `AAAA-MM-GG`, for the date inputs.
    apertura: String,
    scadenza: String,
    /// As a reader sees them.
    apertura_testo: String,
    scadenza_testo: String,
    /// What the manifest says, when it differs.
    predefinito: Option<String>,
    /// Who changed it last, and when.
    modifica: Option<String>,
    /// This campaign's form was refused: why.
    errore: String,
}

#[derive(Template)]
#[template(path = "gestione/campagne.html")]
struct Pagina<'a> {
    page: &'a Page,
    voci: Vec<Voce>,
    stati: Vec<(&'static str, String)>,
    esito: String,
}

async fn voce(state: &AppState, page: &Page, c: &Campagna) -> Result<Voce, AppError> {
    let lang = page.lang;
    let cal = c.calendario();
    let p = c.predefinito;
    let predefinito = (p != cal).then(|| {
        page.lang.t_args(
            "campagne-predefinito",
            &[
                ("stato", p.stato.etichetta(lang)),
                ("apertura", format_date(p.apertura, lang)),
                ("scadenza", format_date(p.scadenza, lang)),
            ],
        )
    });
    let modifica = crate::db::campagne::ultima_modifica(&state.db, &c.id).await?.map(|(chi, quando)| {
        lang.t_args("campagne-modificata", &[("chi", chi), ("quando", crate::ora::data_ora(quando))])
    });
    Ok(Voce {
        id: c.id.clone(),
        titolo: page.tr(&c.titolo).to_owned(),
        codice: c.codice.clone(),
        anno: c.anno_riferimento,
        stato: cal.stato,
        stato_testo: cal.stato.etichetta(lang),
        apertura: cal.apertura.to_string(),
        scadenza: cal.scadenza.to_string(),
        apertura_testo: format_date(cal.apertura, lang),
        scadenza_testo: format_date(cal.scadenza, lang),
        predefinito,
        modifica,
        errore: String::new(),
    })
}

async fn pagina(
    state: &AppState,
    page: &Page,
    esito: String,
    rifiuto: Option<(&str, &Modifica, String)>,
) -> Result<String, AppError> {
    let mut voci = Vec::new();
    for c in state.catalogo.tutte() {
        let mut v = voce(state, page, c).await?;
        if let Some((id, f, errore)) = &rifiuto
            && *id == c.id
        {
            // What was typed stays in the form beside its message.
            v.apertura = f.apertura.clone();
            v.scadenza = f.scadenza.clone();
            if let Some(s) = StatoCampagna::from_code(&f.stato) {
                v.stato = s;
            }
            v.errore = errore.clone();
        }
        voci.push(v);
    }
    let stati = StatoCampagna::TUTTI.into_iter().map(|s| (s.code(), s.etichetta(page.lang))).collect();
    Ok(render(&Pagina { page, voci, stati, esito })?.0)
}

/// `GET /gestione/campagne`.
pub async fn get_campagne(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let esito = crate::web::esito(page.lang, &q.esito);
    Ok(no_store(axum::response::Html(pagina(&state, &page, esito, None).await?)))
}

/// The form of one campaign.
#[derive(Debug, Deserialize)]
pub struct Modifica {
    #[serde(default)]
    stato: String,
    #[serde(default)]
    apertura: String,
    #[serde(default)]
    scadenza: String,
}

/// `POST /gestione/campagne/{id}`.
pub async fn post_campagna(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Modifica>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    if state.catalogo.campagna(&id).is_none() {
        return Err(AppError::NotFound);
    }
    let stato = StatoCampagna::from_code(f.stato.trim());
    let (apertura, scadenza) = (crate::ora::leggi_giorno(&f.apertura), crate::ora::leggi_giorno(&f.scadenza));
    let esito = match (stato, apertura, scadenza) {
        (Some(stato), Some(apertura), Some(scadenza)) => {
            campagne::modifica(&state, &ctx, &utente.user, &id, Calendario { stato, apertura, scadenza }).await?
        }
        (None, ..) => return Err(AppError::BadRequest("stato sconosciuto".to_owned())),
        _ => Err(Rifiuto::Data),
    };
    match esito {
        Ok(()) => Ok(Redirect::to(&format!("/gestione/campagne?esito=campagna#campagna-{id}")).into_response()),
        Err(r) => {
            let html = pagina(&state, &page, String::new(), Some((&id, &f, r.messaggio(page.lang)))).await?;
            let status = if r == Rifiuto::Invariato { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, no_store(axum::response::Html(html))).into_response())
        }
    }
}
