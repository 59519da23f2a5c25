//! `GET /questionari/{id}/invio`: the *Riepilogo invio* (what blocks it, the squadrature with their
//! justifications, the deadline, and the confirmation). `POST /questionari/{id}/invio`: invio, once per key.
//! `GET /questionari/{id}/invii/{versione}`: the receipt of a version. `GET /verifica`: the public check of a
//! receipt.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::vista::html_id;
use super::{accesso, errore};
use crate::app::AppState;
use crate::compilazione::cache::Stato;
use crate::compilazione::invio::{self, EsitoInvio};
use crate::compilazione::{self, Accesso};
use crate::context::Context;
use crate::db::invii::{self, Invio};
use crate::db::throttles;
use crate::ora::data_ora;
use crate::web::client_ip::ClientIp;
use crate::web::pubblico::{format_date, render};
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// Blocking problems listed per quadro before "and N more".
const VOCI_PER_QUADRO: usize = 20;

/// What blocks invio in one quadro.
struct Blocco {
    codice: String,
    titolo: String,
    /// Link and sentence.
    voci: Vec<(String, String)>,
    /// Problems past [`VOCI_PER_QUADRO`].
    altri: usize,
}

#[derive(Template)]
#[template(path = "questionari/invio.html")]
struct Riepilogo<'a> {
    page: &'a Page,
    pubblico: String,
    titolo: String,
    ente: String,
    stato: String,
    scadenza: String,
    ritardo: bool,
    versione: i64,
    blocchi: Vec<Blocco>,
    /// Link, message, justification.
    squadrature: Vec<(String, String, String)>,
    consentito: bool,
    chiave: String,
    primo_quadro: String,
    errore: String,
}

/// The blocking problems and the justified squadrature of `s`, with links into the compile pages.
fn problemi(s: &Stato, pubblico: &str, page: &Page) -> (Vec<Blocco>, Vec<(String, String, String)>) {
    let m = s.modulo;
    let l = compilazione::lingua(page.lang);
    let mut blocchi: Vec<Blocco> = m
        .quadri
        .iter()
        .map(|q| Blocco { codice: q.codice.clone(), titolo: q.titolo.get(l).to_owned(), voci: Vec::new(), altri: 0 })
        .collect();
    let mut aggiungi = |q: usize, href: String, testo: String| {
        let b = &mut blocchi[q];
        if b.voci.len() < VOCI_PER_QUADRO {
            b.voci.push((href, testo));
        } else {
            b.altri += 1;
        }
    };
    for (i, c) in m.campi.iter().enumerate() {
        if let Some(e) = s.valutazione.errore(i as questionario::IdCampo) {
            let href =
                format!("/questionari/{pubblico}/compila/{}#{}", m.quadri[c.quadro].codice, html_id(&c.indirizzo));
            aggiungi(c.quadro, href, format!("{}: {}", c.etichetta.get(l), e.messaggio(l)));
        }
    }
    let mut giustificate = Vec::new();
    for (i, r) in m.regole.iter().enumerate() {
        if s.valutazione.esito_regola(i) != Some(questionario::Esito::Violata) {
            continue;
        }
        let Some(q) = compilazione::quadro_della_regola(m, i) else { continue };
        let href = format!("/questionari/{pubblico}/compila/{}#regola-{}", m.quadri[q].codice, html_id(&r.id));
        let messaggio = s.valutazione.messaggio_regola(i, l).unwrap_or_default();
        let giustificazione = s.giustificazioni.get(&r.id).filter(|_| !s.superate.contains(&r.id));
        match (r.gravita, giustificazione) {
            (questionario::Gravita::Bloccante, _) => {
                aggiungi(q, href, format!("{}: {messaggio}", page.t("compila-gravita-bloccante")));
            }
            (questionario::Gravita::Squadratura, None) => {
                let chiave = if s.superate.contains(&r.id) {
                    "invio-squadratura-superata"
                } else {
                    "invio-squadratura-da-giustificare"
                };
                aggiungi(
                    q,
                    href,
                    format!("{}: {messaggio} ({})", page.t("compila-gravita-squadratura"), page.t(chiave)),
                );
            }
            (questionario::Gravita::Squadratura, Some(g)) => giustificate.push((href, messaggio, g.testo.clone())),
            (questionario::Gravita::Avviso, _) => {}
        }
    }
    blocchi.retain(|b| !b.voci.is_empty());
    (blocchi, giustificate)
}

/// A new idempotency key for the confirmation form: 128 random bits.
fn nuova_chiave() -> String {
    crate::auth::token::random_token()
}

async fn riepilogo(
    state: &AppState,
    page: &Page,
    a: &Accesso,
    status: StatusCode,
    errore_invio: String,
) -> Result<Response, AppError> {
    let m = a.modulo;
    let l = compilazione::lingua(page.lang);
    let campagna = compilazione::campagna(state, &a.q).ok_or(AppError::NotFound)?;
    let guardia = compilazione::valutazione(state, a).await.map_err(errore)?;
    let Some(s) = guardia.as_ref() else { return Err(AppError::NotFound) };
    let (blocchi, squadrature) = problemi(s, &a.q.pubblico, page);
    let consentito = s.valutazione.riepilogo().invio_consentito;
    drop(guardia);
    let ente = a.nome_ente(state).await?;
    let versione = invii::del_questionario(&state.db, a.q.id).await?.last().map_or(1, |i| i.versione + 1);
    let html = render(&Riepilogo {
        page,
        pubblico: a.q.pubblico.clone(),
        titolo: a.titolo(l),
        ente,
        stato: a.q.stato().etichetta(page.lang),
        scadenza: format_date(campagna.scadenza(), page.lang),
        ritardo: invio::in_ritardo(crate::ora::oggi(state.clock.now()), campagna.scadenza()),
        versione,
        blocchi,
        squadrature,
        consentito,
        chiave: nuova_chiave(),
        primo_quadro: m.quadri.first().map(|q| q.codice.clone()).unwrap_or_default(),
        errore: errore_invio,
    })?;
    Ok((status, crate::web::no_store(html)).into_response())
}

/// Where a questionnaire that may not be sent now sends its reader: the last receipt, else the checks.
async fn altrove(state: &AppState, a: &Accesso) -> Result<Response, AppError> {
    let ultimo = invii::del_questionario(&state.db, a.q.id).await?.pop();
    Ok(match ultimo {
        Some(i) => Redirect::to(&format!("/questionari/{}/invii/{}", a.q.pubblico, i.versione)),
        None => Redirect::to(&format!("/questionari/{}/controlli", a.q.pubblico)),
    }
    .into_response())
}

/// `GET /questionari/{id}/invio`.
pub async fn get_invio(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    if !a.modificabile {
        return altrove(&state, &a).await;
    }
    riepilogo(&state, &page, &a, StatusCode::OK, String::new()).await
}

/// The confirmation form.
#[derive(Debug, Deserialize)]
pub struct Conferma {
    #[serde(default)]
    chiave: String,
}

/// `POST /questionari/{id}/invio`.
pub async fn post_invio(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<Conferma>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    if f.chiave.trim().is_empty() || f.chiave.len() > 100 {
        return Err(AppError::BadRequest("chiave di invio mancante".into()));
    }
    // A questionnaire sent meanwhile (by someone else, or by this very request before a retry) is answered by
    // the service with its receipt; anything else read only is refused there.
    let esito = invio::invia(&state, &ctx, &utente.user, &a, &f.chiave).await;
    match esito {
        Ok(EsitoInvio::Inviato(i)) => {
            Ok(Redirect::to(&format!("/questionari/{}/invii/{}?esito=inviato", a.q.pubblico, i.versione))
                .into_response())
        }
        Ok(EsitoInvio::GiaInviato(i)) => {
            Ok(Redirect::to(&format!("/questionari/{}/invii/{}?esito=gia-inviato", a.q.pubblico, i.versione))
                .into_response())
        }
        Ok(EsitoInvio::NonConsentito(_)) => {
            riepilogo(&state, &page, &a, StatusCode::UNPROCESSABLE_ENTITY, page.t("invio-non-consentito")).await
        }
        Err(e) => Err(errore(e)),
    }
}

#[derive(Template)]
#[template(path = "questionari/ricevuta.html")]
struct Ricevuta<'a> {
    page: &'a Page,
    pubblico: String,
    invio: Invio,
    ente: String,
    modulo: String,
    quando: String,
    link_verifica: String,
    primo_quadro: String,
    /// Every version: number, protocol, when.
    versioni: Vec<(i64, String, String)>,
    esito: String,
    /// The last version, sent, and the user may ask to reopen it.
    riapribile: bool,
    /// Its PDFs are made.
    pronto: bool,
}

/// `?esito=inviato`.
#[derive(Debug, Default, Deserialize)]
pub struct EsitoRicevuta {
    #[serde(default)]
    esito: String,
}

/// `GET /questionari/{id}/invii/{versione}`: the receipt, for anyone who may view the questionnaire.
pub async fn get_ricevuta(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path((id, versione)): Path<(String, String)>,
    Query(q): Query<EsitoRicevuta>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    let versione: i64 = versione.parse().map_err(|_| AppError::NotFound)?;
    let tutti = invii::del_questionario(&state.db, a.q.id).await?;
    let invio = tutti.iter().find(|i| i.versione == versione).cloned().ok_or(AppError::NotFound)?;
    let l = compilazione::lingua(page.lang);
    let ente = a.nome_ente(&state).await?;
    let link_verifica = format!("/verifica?protocollo={}&sha256={}", invio.protocollo, invio.sha256);
    let esito = crate::web::esito(page.lang, &q.esito);
    let riapribile = tutti.last().is_some_and(|u| u.versione == invio.versione)
        && super::riapertura::puo_chiedere(&state, &utente, &a);
    let pronto = crate::db::documenti::pronti(&state.db, a.q.id).await?.contains(&invio.versione);
    let html = render(&Ricevuta {
        riapribile,
        pronto,
        page: &page,
        pubblico: a.q.pubblico.clone(),
        ente,
        modulo: a.titolo(l),
        quando: data_ora(invio.inviato_at),
        link_verifica,
        primo_quadro: a.modulo.quadri.first().map(|q| q.codice.clone()).unwrap_or_default(),
        versioni: tutti.iter().map(|i| (i.versione, i.protocollo.clone(), data_ora(i.inviato_at))).collect(),
        invio,
        esito,
    })?;
    Ok(crate::web::no_store(html))
}

/// What a valid receipt shows on the public page: nothing else.
pub struct Valida {
    protocollo: String,
    ente: String,
    modulo: String,
    versione: i64,
    quando: String,
    in_ritardo: bool,
}

/// The outcome of a check.
pub enum EsitoVerifica {
    /// Protocol and hash match an invio.
    Valida(Valida),
    /// They do not.
    Nessuna,
    /// Too many checks from this address: wait.
    Attendi(String),
}

#[derive(Template)]
#[template(path = "pubblico/verifica.html")]
struct Verifica<'a> {
    page: &'a Page,
    protocollo: String,
    sha256: String,
    esito: Option<EsitoVerifica>,
}

/// `?protocollo=&sha256=`.
#[derive(Debug, Default, Deserialize)]
pub struct DomandaVerifica {
    #[serde(default)]
    protocollo: String,
    #[serde(default)]
    sha256: String,
}

/// Checks of receipts from one address: 30 in 10 minutes, then a wait that doubles (a protocol code is easy to
/// guess, a hash is not, but nobody needs to try thousands).
pub const VERIFICA_IP: throttles::Policy =
    throttles::Policy { window_secs: 600, free: 30, first_wait_secs: 60, max_wait_secs: 3600 };

/// The address a limit counts by: an IPv4 address, or the /64 network of an IPv6 one (what one subscriber
/// gets, so changing address within it does not reset the count).
pub fn chiave_limite(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => ip.to_owned(),
    }
}

/// This node's own count of checks per address, in front of the database's: past the free checks of the window
/// an address is refused here, with no write, so a flood of checks cannot load the database.
fn entro_il_limite_locale(state: &AppState, chiave: &str, now: i64) -> bool {
    let mut conteggi = state.verifiche.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if conteggi.len() >= 10_000 {
        conteggi.retain(|_, (inizio, _)| now - *inizio < VERIFICA_IP.window_secs);
    }
    let voce = conteggi.entry(chiave.to_owned()).or_insert((now, 0));
    if now - voce.0 >= VERIFICA_IP.window_secs {
        *voce = (now, 0);
    }
    voce.1 += 1;
    voce.1 <= VERIFICA_IP.free
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_ipv6_address_counts_by_its_64_network_and_an_ipv4_one_by_itself() {
        assert_eq!(super::chiave_limite("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(super::chiave_limite("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_eq!(super::chiave_limite("192.0.2.7"), "192.0.2.7");
    }
}

/// `GET /verifica`: public.
pub async fn get_verifica(
    State(state): State<AppState>,
    page: Page,
    ClientIp(ip): ClientIp,
    Query(d): Query<DomandaVerifica>,
) -> Result<Response, AppError> {
    let protocollo: String = d.protocollo.trim().chars().take(64).collect();
    let sha256: String = d.sha256.trim().chars().take(64).collect();
    let esito = if protocollo.is_empty() && sha256.is_empty() {
        None
    } else {
        let now = state.clock.now();
        let chiave = format!("verifica:{}", chiave_limite(&ip));
        if !entro_il_limite_locale(&state, &chiave, now) {
            Some(EsitoVerifica::Attendi(page.lang.t_n("verifica-attendi", VERIFICA_IP.first_wait_secs / 60)))
        } else if let Some(fino) = throttles::blocked_until(&state.db, &chiave, now).await? {
            let minuti = ((fino - now) + 59) / 60;
            Some(EsitoVerifica::Attendi(page.lang.t_n("verifica-attendi", minuti.max(1))))
        } else {
            throttles::record(&state.db, &chiave, now, VERIFICA_IP).await?;
            Some(match invio::verifica(&state, &protocollo, &sha256).await? {
                Some(i) => {
                    let q = crate::db::questionari::by_id(&state.db, i.questionario_id).await?;
                    let ente = match &q {
                        Some(q) => crate::db::enti::by_id(&state.db, q.ente_id).await?.map(|e| e.denominazione),
                        None => None,
                    };
                    EsitoVerifica::Valida(Valida {
                        protocollo: i.protocollo.clone(),
                        ente: ente.unwrap_or_default(),
                        modulo: q.map(|q| format!("{} {}", q.codice, q.modulo)).unwrap_or_default(),
                        versione: i.versione,
                        quando: data_ora(i.inviato_at),
                        in_ritardo: i.in_ritardo,
                    })
                }
                None => EsitoVerifica::Nessuna,
            })
        }
    };
    let status = match esito {
        Some(EsitoVerifica::Attendi(_)) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::OK,
    };
    let html = render(&Verifica { page: &page, protocollo, sha256, esito })?;
    Ok((status, html).into_response())
}

#[derive(Template)]
#[template(path = "questionari/differenze.html")]
struct Differenze<'a> {
    page: &'a Page,
    titolo_pagina: String,
    titolo: String,
    ente: String,
    spiegazione: String,
    righe: Vec<invio::Differenza>,
    indietro: String,
    indietro_testo: String,
}

async fn pagina_differenze(
    state: &AppState,
    page: &Page,
    a: &Accesso,
    versione: Option<i64>,
) -> Result<Response, AppError> {
    let l = compilazione::lingua(page.lang);
    let righe = invio::differenze(state, a, versione, l).await.map_err(errore)?.ok_or(AppError::NotFound)?;
    let ente = a.nome_ente(state).await?;
    let primo = a.modulo.quadri.first().map(|q| q.codice.clone()).unwrap_or_default();
    let (titolo_pagina, spiegazione, indietro, indietro_testo) = match versione {
        Some(v) => (
            page.lang.t_args("differenze-titolo-versione", &[("versione", v.to_string())]),
            page.lang
                .t_args("differenze-spiegazione-versione", &[("prima", (v - 1).to_string()), ("dopo", v.to_string())]),
            format!("/questionari/{}/invii/{v}", a.q.pubblico),
            page.t("differenze-torna-ricevuta"),
        ),
        None => (
            page.t("differenze-titolo-bozza"),
            page.t("differenze-spiegazione-bozza"),
            format!("/questionari/{}/compila/{primo}", a.q.pubblico),
            page.t("invio-torna"),
        ),
    };
    let html = render(&Differenze {
        page,
        titolo_pagina,
        titolo: a.titolo(l),
        ente,
        spiegazione,
        righe,
        indietro,
        indietro_testo,
    })?;
    Ok(crate::web::no_store(html))
}

/// `GET /questionari/{id}/invii/{versione}/differenze`: what version `versione` changed from the one before.
pub async fn get_differenze_versione(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path((id, versione)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    let versione: i64 = versione.parse().map_err(|_| AppError::NotFound)?;
    pagina_differenze(&state, &page, &a, Some(versione)).await
}

/// `GET /questionari/{id}/differenze`: what changed since the last invio (a reopened questionnaire).
pub async fn get_differenze(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    pagina_differenze(&state, &page, &a, None).await
}
