//! Compiling: the *Questionari* of the ente selezionato, the compile page of each quadro, autosave, the
//! justifications and each field's history. Every handler asks the guard through [`accesso`] (at least
//! Consultazione on the questionnaire's ente; any other user gets 404), and every change asks it again in the
//! service (Compilazione).

pub mod compila;
pub mod controlli;
pub mod elenco;
pub mod eventi;
pub mod invio;
pub mod riapertura;
pub mod storia;
pub mod vista;

use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use serde::Deserialize;

use crate::app::AppState;
use crate::compilazione::{self, Accesso, Errore};
use crate::context::Context;
use crate::web::AppError;
use crate::web::enti::con_accesso;
use crate::web::sessione::Utente;

/// The questionnaire `id` for this user, or 404.
pub async fn accesso(state: &AppState, utente: &Utente, id: &str) -> Result<Accesso, AppError> {
    compilazione::accedi(state, &utente.user, id).await.map_err(errore)
}

/// The answer to a refused questionnaire request.
pub fn errore(e: Errore) -> AppError {
    match e {
        Errore::NonTrovato => AppError::NotFound,
        Errore::SolaLettura => AppError::Conflict(
            "Il questionario è in sola lettura: non si può modificare (inviato, campagna chiusa, o accesso in \
             Consultazione)."
                .into(),
        ),
        Errore::Db(e) => e.into(),
    }
}

/// The quadri's counts as the navigation shows them: code, open bloccanti and squadrature to justify, as
/// sentences in `lang` ("" when none), for the page to apply without knowing plural rules.
pub fn conteggi_json(lang: crate::i18n::Lang, conteggi: &[(String, usize, usize)]) -> serde_json::Value {
    let testo = |chiave: &str, n: usize| if n == 0 { String::new() } else { lang.t_n(chiave, n as i64) };
    conteggi
        .iter()
        .map(|(q, b, sq)| {
            serde_json::json!({
                "quadro": q,
                "bloccanti": testo("compila-n-bloccanti", *b),
                "squadrature": testo("compila-n-squadrature", *sq),
            })
        })
        .collect()
}

/// `?vista=1`: open read only.
#[derive(Debug, Default, Deserialize)]
pub struct Apri {
    #[serde(default)]
    vista: String,
}

/// `GET /enti/{ente}/questionari/{campagna}/{modulo}`: the ente's questionnaire for that modulo, stored the
/// first time it is needed; then its first quadro.
pub async fn get_apri(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    Path((ente_id, campagna, modulo)): Path<(i64, String, String)>,
    Query(q): Query<Apri>,
) -> Result<Redirect, AppError> {
    let (ente, _) = con_accesso(&state, &utente.user, ente_id, crate::domain::Modalita::Consultazione).await?;
    let questionario =
        compilazione::apri(&state, &ctx, &utente.user, &ente, &campagna, &modulo).await.map_err(errore)?;
    let a = accesso(&state, &utente, &questionario.pubblico).await?;
    let vista = if a.modificabile && q.vista.is_empty() { "compila" } else { "visualizza" };
    let primo = a.modulo.quadri.first().map(|q| q.codice.clone()).unwrap_or_default();
    Ok(Redirect::to(&format!("/questionari/{}/{vista}/{primo}", a.q.pubblico)))
}
