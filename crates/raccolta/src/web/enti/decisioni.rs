//! `GET /enti/{id}/associazioni`: an ente's pending requests and active associations, for its responsabili and
//! the administrators; `POST /associazioni/{id}/{azione}` approves, rejects, changes the mode or revokes.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::decisore;
use crate::app::AppState;
use crate::auth::guard::{self, Permission};
use crate::db::associazioni::{self, Associazione};
use crate::db::enti::Ente;
use crate::domain::{Modalita, StatoAssociazione};
use crate::enti::associazioni::Decisione;
use crate::ora::data_ora;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// An association as the page lists it.
pub struct Riga {
    /// Id.
    pub id: i64,
    /// User's name.
    pub utente: String,
    /// User's code.
    pub codice: String,
    /// User's e-mail.
    pub email: String,
    /// Mode label.
    pub modalita: String,
    /// Mode code.
    pub modalita_code: String,
    /// When asked, Rome time.
    pub quando: String,
}

impl Riga {
    /// From a row.
    pub fn da(a: &Associazione, lang: crate::i18n::Lang) -> Riga {
        Riga {
            id: a.id,
            utente: a.user_nome.clone(),
            codice: a.user_codice.clone(),
            email: a.user_email.clone(),
            modalita: a.modalita().map(|m| m.etichetta(lang)).unwrap_or_default(),
            modalita_code: a.modalita.clone(),
            quando: data_ora(a.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "enti/associazioni.html")]
struct Pagina<'a> {
    page: &'a Page,
    ente: Ente,
    in_attesa: Vec<Riga>,
    attive: Vec<Riga>,
    esito: String,
    errore: String,
}

/// `GET /enti/{id}/associazioni`.
pub async fn get_associazioni(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    let ente = decisore(&state, &utente.user, id).await?;
    let tutte = associazioni::dell_ente(&state.db, ente.id).await?;
    let (in_attesa, attive): (Vec<_>, Vec<_>) =
        tutte.iter().partition(|a| a.stato() == Some(StatoAssociazione::InAttesa));
    let html = render(&Pagina {
        page: &page,
        ente,
        in_attesa: in_attesa.into_iter().map(|a| Riga::da(a, page.lang)).collect(),
        attive: attive.into_iter().map(|a| Riga::da(a, page.lang)).collect(),
        esito: crate::web::esito(page.lang, &q.esito),
        errore: crate::web::esito(page.lang, &q.errore),
    })?;
    Ok(crate::web::no_store(html))
}

/// A decision form.
#[derive(Debug, Deserialize)]
pub struct DecisioneForm {
    #[serde(default)]
    motivo: String,
    #[serde(default)]
    modalita: String,
    #[serde(default)]
    torna: String,
}

/// `POST /associazioni/{id}/{azione}` with `azione` one of `approva`, `rifiuta`, `modalita`, `revoca`.
pub async fn post_decisione(
    State(state): State<AppState>,
    utente: Utente,
    ctx: crate::context::Context,
    Path((id, azione)): Path<(i64, String)>,
    Form(f): Form<DecisioneForm>,
) -> Result<Response, AppError> {
    let a = associazioni::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    // Asked before reading the form, so that nobody learns more of an association they may not decide on; the
    // service asks again (nobody decides on their own request, except an administrator).
    let permission = Permission::DecideAssociation { ente_id: a.ente_id, requester_id: a.user_id };
    guard::check(&state.db, &utente.user, permission).await?;
    let torna = if f.torna == "gestione" {
        "/gestione/richieste".to_owned()
    } else {
        format!("/enti/{}/associazioni", a.ente_id)
    };
    let motivo: String = f.motivo.trim().chars().take(500).collect();
    let motivo = Some(motivo).filter(|m| !m.is_empty());
    let decisione = match azione.as_str() {
        "approva" => Decisione::Approva,
        "rifiuta" => Decisione::Rifiuta(motivo),
        "revoca" => Decisione::Revoca(motivo),
        "modalita" => match Modalita::from_code(&f.modalita) {
            Some(m) => Decisione::CambiaModalita(m),
            None => return Ok(Redirect::to(&format!("{torna}?errore=modalita-non-valida")).into_response()),
        },
        _ => return Err(AppError::NotFound),
    };
    let fatto = crate::enti::associazioni::decidi(&state, &ctx, &utente.user, &a, &decisione).await?;
    let esito = if fatto { format!("esito={azione}") } else { "errore=gia-decisa".to_owned() };
    Ok(Redirect::to(&format!("{torna}?{esito}")).into_response())
}
