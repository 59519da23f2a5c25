//! `GET /area-riservata`: the reserved home: the user's enti (*Identificativo · Nome · Stato · Modalità*), the way
//! to ask for a new one, and, for responsabili, the enti whose requests they decide.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use crate::app::AppState;
use crate::db::associazioni;
use crate::domain::StatoAssociazione;
use crate::web::enti::KEY_ENTE;
use crate::web::pubblico::render;
use crate::web::sessione::{Utente, session_error};
use crate::web::{AppError, Page};

/// One association as the home lists it.
pub struct Riga {
    /// Ente id.
    pub ente_id: i64,
    /// IPA code.
    pub codice_ipa: String,
    /// Name.
    pub nome: String,
    /// State label.
    pub stato: String,
    /// Reason of a refusal or revocation.
    pub motivo: String,
    /// Mode label.
    pub modalita: String,
    /// For a pending request, who decides it; otherwise "".
    pub decide: String,
    /// Active: the user can open and select it.
    pub attiva: bool,
    /// It is the ente selezionato.
    pub selezionato: bool,
}

#[derive(Template)]
#[template(path = "area/home.html")]
struct Home<'a> {
    page: &'a Page,
    nome: String,
    codice: String,
    righe: Vec<Riga>,
    responsabile: Vec<(i64, String, String)>,
    esito: String,
}

/// The reserved home.
pub async fn get_area(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let selezionato = utente.session.get::<i64>(KEY_ENTE).await.map_err(session_error)?;
    let con_responsabili = associazioni::in_attesa_con_responsabili(&state.db, utente.user.id).await?;
    let righe = associazioni::del_utente(&state.db, utente.user.id)
        .await?
        .into_iter()
        .map(|a| {
            let stato = a.stato();
            let decide = match stato {
                Some(StatoAssociazione::InAttesa) if con_responsabili.contains(&a.ente_id) => {
                    lang.t("area-decidono-responsabili")
                }
                Some(StatoAssociazione::InAttesa) => lang.t("area-decidono-amministratori"),
                _ => String::new(),
            };
            Riga {
                decide,
                attiva: stato == Some(StatoAssociazione::Attiva),
                selezionato: stato == Some(StatoAssociazione::Attiva) && selezionato == Some(a.ente_id),
                ente_id: a.ente_id,
                stato: stato.map(|s| s.etichetta(lang)).unwrap_or_default(),
                modalita: a.modalita().map(|m| m.etichetta(lang)).unwrap_or_default(),
                motivo: a.motivo.unwrap_or_default(),
                codice_ipa: a.codice_ipa,
                nome: a.denominazione,
            }
        })
        .collect();
    let responsabile = associazioni::enti_responsabile(&state.db, utente.user.id)
        .await?
        .into_iter()
        .map(|(id, nome, n)| (id, nome, lang.t_n("area-richieste-in-attesa", n)))
        .collect();
    let html = render(&Home {
        page: &page,
        nome: utente.user.nome_visualizzato().trim().to_owned(),
        codice: utente.user.codice,
        righe,
        responsabile,
        esito: crate::web::esito(lang, &q.esito),
    })?;
    Ok(crate::web::no_store(html))
}
