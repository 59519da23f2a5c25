//! `POST /profilo/dati` changes names and language; `GET /profilo/dati.json` downloads one's personal data.

use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pagina::pagina;
use crate::app::AppState;
use crate::context::Context;
use crate::db::audit;
use crate::db::{sessions, users};
use crate::domain::TestoBreve;
use crate::i18n::Lang;
use crate::ora::data_ora;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// The data form.
#[derive(Debug, Deserialize)]
pub struct DatiForm {
    #[serde(default)]
    nome: String,
    #[serde(default)]
    cognome: String,
    #[serde(default)]
    denominazione: String,
    #[serde(default)]
    lingua: String,
}

/// `POST /profilo/dati`.
pub async fn post_dati(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Form(f): Form<DatiForm>,
) -> Result<Response, AppError> {
    let u = &utente.user;
    let mut errori = Vec::new();
    let mut field =
        |name: &str, value: &str| match TestoBreve::parse(value, if name == "denominazione" { 200 } else { 100 }) {
            Ok(t) => t.into_string(),
            Err(e) => {
                errori.push((name.to_owned(), e.messaggio(page.lang)));
                String::new()
            }
        };
    let nome = field("nome", &f.nome);
    let cognome = field("cognome", &f.cognome);
    let denominazione = u.denominazione.as_ref().map(|_| field("denominazione", &f.denominazione));
    let lang = Lang::from_code(&f.lingua).filter(|l| l.code() == f.lingua);
    if lang.is_none() {
        errori.push(("lingua".to_owned(), page.t("profilo-lingua-non-valida")));
    }
    let Some(lang) = lang.filter(|_| errori.is_empty()) else {
        let typed = (f.nome, f.cognome, f.denominazione, String::new());
        return pagina(&state, &utente, &page, String::new(), errori, Some(typed)).await;
    };
    let mut tx = state.db.begin().await?;
    users::set_profile(&mut tx, u.id, &nome, &cognome, denominazione.as_deref(), lang.code()).await?;
    audit::record(&mut tx, &ctx.audit("profilo.dati_modificati")).await?;
    tx.commit().await?;
    Ok(Redirect::to("/profilo?esito=dati").into_response())
}

/// `GET /profilo/dati.json`: everything the platform keeps about the user, as JSON (GDPR art. 15 and 20).
pub async fn get_dati_json(State(state): State<AppState>, utente: Utente) -> Result<Response, AppError> {
    let u = &utente.user;
    let sessioni = sessions::list_for_user(&state.db, u.id, state.clock.now()).await?;
    let eventi = audit::of_user(&state.db, u.id).await?;
    let body = serde_json::json!({
        "generato_il": data_ora(state.clock.now()),
        "utente": {
            "codice_identificativo": u.codice,
            "tipo": u.tipo,
            "nome": u.nome,
            "cognome": u.cognome,
            "denominazione": u.denominazione,
            "codice_fiscale": u.codice_fiscale,
            "email": u.email,
            "lingua": u.lang,
            "registrato_il": data_ora(u.created_at),
            "confermato_il": u.confirmed_at.map(data_ora),
            "ultimo_accesso": u.last_login_at.map(data_ora),
            "password_modificata_il": data_ora(u.password_changed_at),
        },
        "sessioni_attive": sessioni.iter().map(|s| serde_json::json!({
            "inizio": data_ora(s.created_at), "scadenza": data_ora(s.expires_at), "ip": s.ip, "browser": s.user_agent,
        })).collect::<Vec<_>>(),
        "registro_eventi": eventi.iter().map(|e| serde_json::json!({
            "quando": data_ora(e.occurred_at), "evento": e.action, "da": e.origin, "browser": e.user_agent,
        })).collect::<Vec<_>>(),
    });
    let json = serde_json::to_string_pretty(&body).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"raccolta-miei-dati.json\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json,
    )
        .into_response())
}
