//! Gestione → Utenti: search the accounts (code, name, e-mail, codice fiscale, ente), see one with its
//! associations, last login and open sessions, and act on it: disable or enable it (a disabled account's sessions
//! end on their next request, on every node, because every request reads the account), end its sessions, send it
//! a password-reset link. Each action is one transaction with its audit row. Administrators only.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::solo_amministratori;
use crate::app::AppState;
use crate::context::Context;
use crate::db::users::{self, User, Voce};
use crate::db::{associazioni, audit, sessions};
use crate::domain::StatoUtente;
use crate::i18n::Lang;
use crate::ora::data_ora;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page, no_store};

const PER_PAGINA: i64 = 50;

/// `?q=&pagina=`.
#[derive(Debug, Default, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    q: String,
    #[serde(default)]
    pagina: String,
}

fn stato_testo(lang: Lang, stato: &str) -> String {
    lang.t(&format!("utenti-stato-{}", stato.replace('_', "-")))
}

#[derive(Template)]
#[template(path = "gestione/utenti.html")]
struct Elenco<'a> {
    page: &'a Page,
    q: String,
    voci: Vec<(Voce, String, String)>,
    totale: i64,
    pagina: i64,
    pagine: i64,
}

impl Elenco<'_> {
    fn link_pagina(&self, n: i64) -> String {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("pagina", &n.to_string())
            .finish();
        format!("/gestione/utenti?{q}")
    }
}

/// `GET /gestione/utenti`.
pub async fn get_utenti(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let q: String = d.q.trim().chars().take(100).collect();
    let totale = users::conta(&state.db, &q).await?;
    let pagine = ((totale + PER_PAGINA - 1) / PER_PAGINA).max(1);
    let pagina = d.pagina.parse::<i64>().unwrap_or(1).clamp(1, pagine);
    let lang = page.lang;
    let voci = users::cerca(&state.db, &q, (pagina - 1) * PER_PAGINA, PER_PAGINA)
        .await?
        .into_iter()
        .map(|v| {
            let stato = stato_testo(lang, &v.stato);
            let accesso = v.last_login_at.map(data_ora).unwrap_or_else(|| lang.t("utenti-mai"));
            (v, stato, accesso)
        })
        .collect();
    Ok(no_store(render(&Elenco { page: &page, q, voci, totale, pagina, pagine })?))
}

/// An association as the user's page lists it.
struct Associazione {
    ente_id: i64,
    ente: String,
    modalita: String,
    stato: String,
    quando: String,
}

#[derive(Template)]
#[template(path = "gestione/utente.html")]
struct Dettaglio<'a> {
    page: &'a Page,
    u: User,
    stato: String,
    ruolo: String,
    registrato: String,
    ultimo_accesso: String,
    associazioni: Vec<Associazione>,
    sessioni: Vec<(String, String, String, String)>,
    esito: String,
    se_stesso: bool,
}

/// `GET /gestione/utenti/{id}`.
pub async fn get_utente(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let u = users::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let lang = page.lang;
    let associazioni = associazioni::del_utente(&state.db, u.id)
        .await?
        .into_iter()
        .map(|a| Associazione {
            ente_id: a.ente_id,
            ente: a.denominazione.clone(),
            modalita: a.modalita().map(|m| m.etichetta(lang)).unwrap_or_default(),
            stato: a.stato().map(|s| s.etichetta(lang)).unwrap_or_default(),
            quando: data_ora(a.created_at),
        })
        .collect();
    let sessioni = sessions::list_for_user(&state.db, u.id, state.clock.now())
        .await?
        .into_iter()
        .map(|s| {
            (data_ora(s.created_at), data_ora(s.expires_at), s.ip.unwrap_or_default(), s.user_agent.unwrap_or_default())
        })
        .collect();
    let html = render(&Dettaglio {
        page: &page,
        stato: stato_testo(lang, u.stato.code()),
        ruolo: match (u.is_admin(), u.supporto) {
            (true, _) => lang.t("utenti-ruolo-amministratore"),
            (false, true) => lang.t("utenti-ruolo-supporto"),
            (false, false) => lang.t("utenti-ruolo-utente"),
        },
        registrato: data_ora(u.created_at),
        ultimo_accesso: u.last_login_at.map(data_ora).unwrap_or_else(|| lang.t("utenti-mai")),
        associazioni,
        sessioni,
        esito: crate::web::esito(lang, &q.esito),
        se_stesso: u.id == utente.user.id,
        u,
    })?;
    Ok(no_store(html))
}

/// The action's form: nothing but the CSRF token.
#[derive(Debug, Deserialize)]
pub struct Azione {}

/// `POST /gestione/utenti/{id}/{azione}`: `disattiva`, `riattiva`, `sessioni` (end them), `reset` (send a link),
/// `supporto` / `non-supporto` (grant or revoke the support role of Assistenza).
pub async fn post_azione(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    Path((id, azione)): Path<(i64, String)>,
    Form(_): Form<Azione>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let u = users::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let back = |esito: &str| Redirect::to(&format!("/gestione/utenti/{id}?esito={esito}")).into_response();
    let mut tx = state.db.begin().await?;
    let (evento, esito) = match azione.as_str() {
        "disattiva" | "riattiva" => {
            if u.id == utente.user.id {
                return Ok(back("utente-se-stesso"));
            }
            let nuovo = if azione == "disattiva" { u.stato.disattiva() } else { u.stato.riattiva() };
            let Ok(nuovo) = nuovo else { return Ok(back("utente-invariato")) };
            users::imposta_stato(&mut tx, u.id, nuovo).await?;
            // Its sessions are checked on every request anyway; removing them also clears the profile's list.
            let chiuse = if nuovo == StatoUtente::Disattivato {
                // And the Assistenza requests they had taken go back to all of support.
                crate::db::assistenza::rilascia(&mut tx, u.id).await?;
                sessions::delete_for_user(&mut tx, u.id, None).await?
            } else {
                0
            };
            let azione_audit =
                if nuovo == StatoUtente::Disattivato { "utente.disattivato" } else { "utente.riattivato" };
            (
                ctx.audit(azione_audit).target(&u.codice).details(serde_json::json!({ "sessioni": chiuse })),
                if nuovo == StatoUtente::Disattivato { "utente-disattivato" } else { "utente-riattivato" },
            )
        }
        "sessioni" => {
            let chiuse = sessions::delete_for_user(&mut tx, u.id, None).await?;
            (
                ctx.audit("utente.sessioni_chiuse")
                    .target(&u.codice)
                    .details(serde_json::json!({ "sessioni": chiuse })),
                "utente-sessioni",
            )
        }
        "supporto" | "non-supporto" => {
            let supporto = azione == "supporto";
            if u.supporto == supporto || (supporto && !u.is_active()) {
                return Ok(back("utente-invariato"));
            }
            users::imposta_supporto(&mut tx, u.id, supporto).await?;
            // Their open requests go back to all of support (an administrator keeps theirs: they still are).
            let rilasciate =
                if supporto || u.is_admin() { 0 } else { crate::db::assistenza::rilascia(&mut tx, u.id).await? };
            let azione_audit = if supporto { "utente.supporto_concesso" } else { "utente.supporto_revocato" };
            (
                ctx.audit(azione_audit)
                    .target(&u.codice)
                    .details(serde_json::json!({ "richieste_rilasciate": rilasciate })),
                if supporto { "utente-supporto" } else { "utente-non-supporto" },
            )
        }
        "reset" => {
            if !u.is_active() {
                return Ok(back("utente-non-attivo"));
            }
            let lang = Lang::from_code(&u.lang).unwrap_or(Lang::It);
            crate::web::password::accoda_reset(&state, &mut tx, &u, lang, ctx.now).await?;
            (ctx.audit("utente.reset_inviato").target(&u.codice), "utente-reset")
        }
        _ => return Err(AppError::NotFound),
    };
    audit::record(&mut tx, &evento).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(back(esito))
}
