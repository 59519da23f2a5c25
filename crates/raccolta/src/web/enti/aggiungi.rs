//! `GET /enti/aggiungi` and `POST /enti/aggiungi`: *Richiesta associazione ente*. The ente is found with an
//! autocomplete (JavaScript) or, without JavaScript, with the *Cerca* button and a list of matches.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::db::associazioni::RichiestaError;
use crate::db::enti::{self, Ricerca};
use crate::domain::{Modalita, TipoEnte};
use crate::enti::associazioni::ChiDecide;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// One ente among the matches.
pub struct Scelta {
    /// Id.
    pub id: i64,
    /// Name.
    pub nome: String,
    /// "Comune · Lazio".
    pub dettagli: String,
    /// Chosen.
    pub scelto: bool,
}

#[derive(Template)]
#[template(path = "enti/aggiungi.html")]
struct Aggiungi<'a> {
    page: &'a Page,
    tipi: Vec<(&'static str, String, bool)>,
    q: String,
    cercato: bool,
    scelte: Vec<Scelta>,
    altri: bool,
    modalita: String,
    errori: Vec<(String, String)>,
}

impl Aggiungi<'_> {
    fn errore(&self, campo: &str) -> &str {
        crate::web::errore_di(&self.errori, campo)
    }
}

/// Query of the page (the no-JavaScript search).
#[derive(Debug, Default, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    tipo: String,
    #[serde(default)]
    q: String,
}

/// The request form.
#[derive(Debug, Deserialize)]
pub struct RichiestaForm {
    #[serde(default)]
    tipo: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    ente: String,
    #[serde(default)]
    modalita: String,
}

async fn mostra(
    state: &AppState,
    page: &Page,
    tipo: &str,
    q: &str,
    scelto: Option<i64>,
    modalita: &str,
    errori: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let q: String = q.chars().take(100).collect();
    let tipo = TipoEnte::from_code(tipo);
    let cercato = crate::domain::chiave_ricerca(&q).len() >= 2;
    let mut voci = Vec::new();
    if cercato {
        let r = Ricerca { testo: &q, tipo: tipo.map(TipoEnte::code), limit: 21, ..Default::default() };
        voci = state.indice_enti.cerca(&state.db, &r).await?;
    }
    // The chosen ente stays listed even when the search text changed.
    if let Some(id) = scelto
        && !voci.iter().any(|v| v.id == id)
        && let Some(e) = enti::by_id(&state.db, id).await?.filter(|e| e.attivo)
    {
        voci.insert(
            0,
            enti::Voce {
                id: e.id,
                codice_ipa: e.codice_ipa,
                denominazione: e.denominazione,
                tipo: e.tipo,
                regione: e.regione,
                attivo: true,
            },
        );
    }
    let altri = voci.len() > 20;
    voci.truncate(20);
    let lang = page.lang;
    let scelte = voci
        .into_iter()
        .map(|v| Scelta {
            id: v.id,
            dettagli: [TipoEnte::from_code(&v.tipo).map(|t| t.etichetta(lang)), v.regione]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            nome: v.denominazione,
            scelto: Some(v.id) == scelto,
        })
        .collect();
    let tipi = TipoEnte::TUTTI.into_iter().map(|t| (t.code(), t.etichetta(lang), Some(t) == tipo)).collect();
    let html = render(&Aggiungi { page, tipi, q, cercato, scelte, altri, modalita: modalita.to_owned(), errori })?;
    Ok(crate::web::no_store(html))
}

/// `GET /enti/aggiungi`.
pub async fn get_aggiungi(
    State(state): State<AppState>,
    _utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    mostra(&state, &page, &d.tipo, &d.q, None, "", vec![]).await
}

/// `POST /enti/aggiungi`.
pub async fn post_aggiungi(
    State(state): State<AppState>,
    utente: Utente,
    ctx: crate::context::Context,
    page: Page,
    Form(f): Form<RichiestaForm>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let mut errori = Vec::new();
    let ente = match f.ente.trim().parse::<i64>() {
        Ok(id) => enti::by_id(&state.db, id).await?.filter(|e| e.attivo),
        Err(_) => None,
    };
    if ente.is_none() {
        errori.push(("ente".to_owned(), lang.t("aggiungi-errore-ente")));
    }
    let modalita = Modalita::from_code(&f.modalita);
    if modalita.is_none() {
        errori.push(("modalita".to_owned(), lang.t("aggiungi-errore-modalita")));
    }
    let scelto = ente.as_ref().map(|e| e.id);
    let (Some(ente), Some(m)) = (ente, modalita) else {
        return mostra(&state, &page, &f.tipo, &f.q, scelto, &f.modalita, errori).await;
    };
    match crate::enti::associazioni::richiedi(&state, &ctx, &utente.user, &ente, m).await {
        Ok(inviata) => {
            let esito = match inviata.decide {
                ChiDecide::Responsabili => "richiesta",
                ChiDecide::Amministratori => "richiesta-amministratori",
                ChiDecide::Nessuno => "richiesta-nessuno",
            };
            Ok(Redirect::to(&format!("/area-riservata?esito={esito}")).into_response())
        }
        Err(RichiestaError::GiaAperta) => {
            let errori =
                vec![("ente".to_owned(), lang.t_args("aggiungi-errore-doppia", &[("ente", ente.denominazione)]))];
            mostra(&state, &page, &f.tipo, &f.q, scelto, &f.modalita, errori).await
        }
        Err(RichiestaError::Db(e)) => Err(e.into()),
    }
}
