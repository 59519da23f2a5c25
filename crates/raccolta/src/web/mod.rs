//! The HTTP layer: thin handlers grouped by area, one file per action, and the middleware every response goes
//! through.

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub mod accesso;
pub mod assets;
pub mod assistenza;
pub mod captcha;
pub mod client_ip;
pub mod contesto;
pub mod documenti;
pub mod enti;
pub mod error;
pub mod gestione;
pub mod layers;
pub mod link;
pub mod notifiche;
pub mod ops;
pub mod page;
pub mod password;
pub mod profilo;
pub mod pubblico;
pub mod questionari;
pub mod registrazione;
pub mod sessione;

pub use error::AppError;
pub use page::Page;

/// Outcomes and errors that pages announce after a redirect (`?esito=…`); anything else shows nothing.
const ESITI: [&str; 32] = [
    "utente-supporto",
    "utente-non-supporto",
    "utente-disattivato",
    "utente-riattivato",
    "utente-sessioni",
    "utente-reset",
    "utente-se-stesso",
    "utente-invariato",
    "utente-non-attivo",
    "campagna",
    "richiesta",
    "richiesta-amministratori",
    "richiesta-nessuno",
    "selezionato",
    "referente",
    "approva",
    "rifiuta",
    "modalita",
    "revoca",
    "gia-decisa",
    "modalita-non-valida",
    "nominato",
    "rimosso",
    "gia-responsabile",
    "utente-sconosciuto",
    "lette",
    "inviato",
    "gia-inviato",
    "riapertura-richiesta",
    "riapertura-approvata",
    "riapertura-respinta",
    "riapertura-gia-decisa",
];

/// `?esito=…&errore=…`: what the page before the redirect did, or why it did not. Every page reads it the same way.
#[derive(Debug, Default, serde::Deserialize)]
pub struct EsitoQuery {
    /// The outcome code.
    #[serde(default)]
    pub esito: String,
    /// The error code.
    #[serde(default)]
    pub errore: String,
}

/// The sentence of an outcome code, or "" for an unknown code.
pub fn esito(lang: crate::i18n::Lang, code: &str) -> String {
    if ESITI.contains(&code) { lang.t(&format!("esito-{code}")) } else { String::new() }
}

/// A reserved page: never kept by the browser's or a proxy's cache.
pub fn no_store(html: axum::response::Html<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CACHE_CONTROL, "no-store")], html).into_response()
}

/// The message of `campo` among a form's errors, or "" (templates show it beside the field).
pub fn errore_di<'a>(errori: &'a [(String, String)], campo: &str) -> &'a str {
    errori.iter().find(|(f, _)| f == campo).map_or("", |(_, m)| m.as_str())
}

/// The router of the whole platform, with its middleware.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/", get(pubblico::home::get_home))
        .route("/archivio", get(pubblico::archivio::get_archivio))
        .route("/guida", get(pubblico::contenuti::get_guida))
        .route("/accessibilita", get(pubblico::contenuti::get_accessibilita))
        .route("/privacy", get(pubblico::contenuti::get_privacy))
        .route("/campagne/{campagna}/modelli/{file}", get(documenti::get_modello))
        .route("/campagne/{campagna}/{tipo}/{documento}", get(pubblico::documento::get_documento))
        .route("/lingua/{codice}", get(pubblico::lingua::get_lingua))
        .route("/open-data", get(pubblico::open_data::get_elenco))
        .route("/open-data/{campagna}", get(pubblico::open_data::get_campagna))
        .route("/open-data/{campagna}/{file}", get(pubblico::open_data::get_file))
        .route("/accesso", get(accesso::entra::get_accesso).post(accesso::entra::post_accesso))
        .route("/esci", axum::routing::post(accesso::esci::post_esci))
        .route(
            "/registrazione",
            get(registrazione::nuova::get_registrazione).post(registrazione::nuova::post_registrazione),
        )
        .route("/password", get(password::richiesta::get_password).post(password::richiesta::post_password))
        .route("/password/nuova", get(password::nuova::get_nuova).post(password::nuova::post_nuova))
        .route(
            "/registrazione/conferma",
            get(registrazione::conferma::get_conferma).post(registrazione::conferma::post_conferma),
        )
        .route("/area-riservata", get(accesso::area::get_area))
        .route("/profilo", get(profilo::pagina::get_profilo))
        .route("/profilo/dati", axum::routing::post(profilo::dati::post_dati))
        .route("/profilo/dati.json", get(profilo::dati::get_dati_json))
        .route("/profilo/password", axum::routing::post(profilo::password::post_password))
        .route("/profilo/email", axum::routing::post(profilo::email::post_email))
        .route("/profilo/email/conferma", get(profilo::email::get_conferma).post(profilo::email::post_conferma))
        .route("/profilo/sessioni/termina", axum::routing::post(profilo::sessioni::post_termina))
        .route("/enti/cerca", get(enti::cerca::get_cerca))
        .route("/enti/aggiungi", get(enti::aggiungi::get_aggiungi).post(enti::aggiungi::post_aggiungi))
        .route("/enti/{id}", get(enti::scheda::get_scheda))
        .route("/enti/{id}/seleziona", post(enti::scheda::post_seleziona))
        .route("/enti/{id}/referente", post(enti::scheda::post_referente))
        .route("/enti/{id}/associazioni", get(enti::decisioni::get_associazioni))
        .route("/associazioni/{id}/{azione}", post(enti::decisioni::post_decisione))
        .route("/questionari", get(questionari::elenco::get_elenco))
        .route("/questionari/esporta.csv", get(questionari::elenco::get_csv))
        .route("/questionari/esporta.xlsx", get(questionari::elenco::get_xlsx))
        .route("/enti/{id}/questionari/{campagna}/{modulo}", get(questionari::get_apri))
        .route("/questionari/{id}", get(questionari::compila::get_questionario))
        .route(
            "/questionari/{id}/compila/{quadro}",
            get(questionari::compila::get_compila).post(questionari::compila::post_compila),
        )
        .route("/questionari/{id}/visualizza/{quadro}", get(questionari::compila::get_visualizza))
        .route("/questionari/{id}/campi", post(questionari::compila::post_campo))
        .route("/questionari/{id}/eventi", get(questionari::eventi::get_eventi))
        .route("/questionari/{id}/controlli", get(questionari::controlli::get_controlli))
        .route("/questionari/{id}/giustificazioni", post(questionari::compila::post_giustificazione))
        .route("/questionari/{id}/storia/{campo}", get(questionari::storia::get_storia))
        .route("/questionari/{id}/invio", get(questionari::invio::get_invio).post(questionari::invio::post_invio))
        .route("/questionari/{id}/invii/{versione}", get(questionari::invio::get_ricevuta))
        .route("/questionari/{id}/invii/{versione}/differenze", get(questionari::invio::get_differenze_versione))
        .route("/questionari/{id}/invii/{versione}/{file}", get(documenti::get_pdf))
        .route("/documenti", get(documenti::get_documenti))
        .route("/questionari/{id}/differenze", get(questionari::invio::get_differenze))
        .route("/verifica", get(questionari::invio::get_verifica))
        .route("/richieste-apertura", get(questionari::riapertura::get_richieste))
        .route(
            "/questionari/{id}/riapertura",
            get(questionari::riapertura::get_riapertura).post(questionari::riapertura::post_riapertura),
        )
        .route("/gestione/riaperture", get(questionari::riapertura::get_gestione))
        .route("/gestione/riaperture/{id}", post(questionari::riapertura::post_decisione))
        .route("/assistenza", get(assistenza::get_elenco))
        .route(
            "/assistenza/nuova",
            get(assistenza::get_nuova)
                .post(assistenza::post_nuova)
                .layer(axum::extract::DefaultBodyLimit::max(assistenza::CORPO_MAX)),
        )
        .route("/assistenza/{id}", get(assistenza::get_richiesta))
        .route(
            "/assistenza/{id}/messaggi",
            post(assistenza::post_messaggio).layer(axum::extract::DefaultBodyLimit::max(assistenza::CORPO_MAX)),
        )
        .route("/assistenza/{id}/stato", post(assistenza::post_stato))
        .route("/assistenza/{id}/allegati/{n}", get(assistenza::get_allegato))
        .route("/notifiche", get(notifiche::get_notifiche))
        .route("/notifiche/lette", post(notifiche::post_lette))
        .route("/gestione", get(gestione::get_gestione))
        .route("/gestione/enti", get(gestione::get_enti))
        .route("/gestione/enti/{id}", get(gestione::get_ente))
        .route("/gestione/enti/{id}/responsabili", post(gestione::post_responsabile))
        .route("/gestione/richieste", get(gestione::get_richieste))
        .route("/gestione/campagne", get(gestione::campagne::get_campagne))
        .route("/gestione/campagne/{id}", post(gestione::campagne::post_campagna))
        .route("/gestione/monitoraggio", get(gestione::monitoraggio::get_monitoraggio))
        .route("/gestione/monitoraggio.csv", get(gestione::monitoraggio::get_csv))
        .route(
            "/gestione/monitoraggio/promemoria",
            get(gestione::monitoraggio::get_promemoria).post(gestione::monitoraggio::post_promemoria),
        )
        .route("/gestione/monitoraggio.xlsx", get(gestione::monitoraggio::get_xlsx))
        .route(
            "/gestione/esportazioni",
            get(gestione::esportazioni::get_esportazioni).post(gestione::esportazioni::post_esportazione),
        )
        .route("/gestione/esportazioni/file", get(gestione::esportazioni::get_file))
        .route("/gestione/esportazioni/{id}", get(gestione::esportazioni::get_lavoro))
        .route("/gestione/esportazioni/{id}/stato.json", get(gestione::esportazioni::get_lavoro_json))
        .route("/gestione/esportazioni/{id}/file", get(gestione::esportazioni::get_lavoro_file))
        .route("/gestione/utenti", get(gestione::utenti::get_utenti))
        .route("/gestione/utenti/{id}", get(gestione::utenti::get_utente))
        .route("/gestione/utenti/{id}/{azione}", post(gestione::utenti::post_azione))
        .route("/gestione/audit", get(gestione::audit::get_audit))
        .route("/gestione/audit.csv", get(gestione::audit::get_csv))
        .route("/captcha/immagine", get(captcha::get_immagine))
        .route("/captcha/audio", get(captcha::get_audio))
        .route("/captcha/nuovo", axum::routing::post(captcha::post_nuovo))
        .route("/healthz", get(ops::get_healthz))
        .route("/readyz", get(ops::get_readyz))
        .route("/metrics", get(ops::get_metrics))
        .route("/static/{*path}", get(assets::get_asset))
        .fallback(error::fallback);
    if state.config.test_routes {
        router = router
            .route("/__test/lento", get(ops::get_lento))
            .route("/__test/panico", get(ops::get_panico))
            .route("/__test/errore/{stato}", get(ops::get_errore));
    }
    layers::apply(router, state.clone()).with_state(state)
}
