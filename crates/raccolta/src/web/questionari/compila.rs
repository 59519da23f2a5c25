//! `GET /questionari/{id}/compila/{quadro}` (and `/visualizza/{quadro}`): one quadro of a questionnaire, to
//! compile or read. `POST /questionari/{id}/compila/{quadro}`: the quadro's *Salva* button, for browsers without
//! JavaScript (valid values stored, refused ones shown back with their errors). `POST /questionari/{id}/campi`:
//! autosave of one field (JSON). `POST /questionari/{id}/giustificazioni`: a squadratura's justification.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::vista::{self, Digitati, VistaCampo, VistaRegola, VistaSezione, VoceQuadro};
use super::{accesso, errore};
use crate::app::AppState;
use crate::compilazione::{self, Accesso, Base, EsitoCampo, Modifica};
use crate::context::Context;
use crate::db::questionari::Come;
use crate::i18n::Lang;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

#[derive(Template)]
#[template(path = "questionari/compila.html")]
struct Compila<'a> {
    page: &'a Page,
    pubblico: String,
    titolo: String,
    ente: String,
    istruzioni_modulo: String,
    quadri: Vec<VoceQuadro>,
    codice_quadro: String,
    titolo_quadro: String,
    istruzioni_quadro: String,
    sezioni: Vec<VistaSezione>,
    annotazioni: VistaCampo,
    regole: Vec<VistaRegola>,
    modificabile: bool,
    revisione: i64,
    sommario: Vec<(String, String, String)>,
    esito: String,
    formato_numeri: String,
    stato: String,
    vista: &'static str,
    /// The campaign's deadline.
    scadenza: String,
    /// The last invio (when, protocol) and its receipt.
    inviato: Option<(String, String)>,
}

impl Compila<'_> {
    fn href_quadro(&self, codice: &str) -> String {
        format!("/questionari/{}/{}/{}", self.pubblico, self.vista, codice)
    }
}

/// `?esito=salvato`.
#[derive(Debug, Default, Deserialize)]
pub struct EsitoPagina {
    #[serde(default)]
    esito: String,
}

async fn pagina(
    state: &AppState,
    page: &Page,
    a: &Accesso,
    quadro: &str,
    sola_lettura: bool,
    digitati: &Digitati,
    esito: &str,
) -> Result<Response, AppError> {
    let m = a.modulo;
    let q = m.quadri.iter().position(|q| q.codice == quadro).ok_or(AppError::NotFound)?;
    let l = compilazione::lingua(page.lang);
    // Usually the ente selezionato, whose name the header has already read.
    let selezionato = page.utente.as_ref().and_then(|u| u.ente.as_ref()).filter(|(id, _, _)| *id == a.q.ente_id);
    let ente = match selezionato {
        Some((_, nome, _)) => nome.clone(),
        None => a.nome_ente(state).await?,
    };
    let quadro_def = &m.quadri[q];
    let sommario = digitati
        .iter()
        .map(|(indirizzo, (_, messaggio))| {
            let etichetta = m.id(indirizzo).map(|id| m.campi[id as usize].etichetta.get(l).to_owned());
            (vista::html_id(indirizzo), etichetta.unwrap_or_else(|| indirizzo.clone()), messaggio.clone())
        })
        .collect();
    let stato = a.q.stato().etichetta(page.lang);
    let scadenza = compilazione::campagna(state, &a.q)
        .map(|c| {
            let data = crate::web::pubblico::format_date(c.scadenza(), page.lang);
            page.lang.t_args("compila-scadenza", &[("data", data)])
        })
        .unwrap_or_default();
    // Only a questionnaire that left compiling has invii: no query for the others.
    let inviato = if matches!(
        a.q.stato(),
        crate::domain::StatoQuestionario::Aperto | crate::domain::StatoQuestionario::InCompilazione
    ) {
        None
    } else {
        crate::db::invii::del_questionario(&state.db, a.q.id).await?.pop().map(|i| {
            let href = format!("/questionari/{}/invii/{}", a.q.pubblico, i.versione);
            let testo = page.lang.t_args(
                "compila-inviato-il",
                &[("quando", crate::ora::data_ora(i.inviato_at)), ("protocollo", i.protocollo)],
            );
            (testo, href)
        })
    };
    // Read locked only while the page is built: no database round trip under it.
    let guardia = compilazione::valutazione(state, a).await.map_err(errore)?;
    let Some(s) = guardia.as_ref() else { return Err(AppError::NotFound) };
    let modificabile = a.modificabile && !sola_lettura;
    let sezioni = vista::sezioni(s, q, l, page.lang, digitati);
    let html = render(&Compila {
        page,
        pubblico: a.q.pubblico.clone(),
        titolo: m.titolo.get(l).to_owned(),
        ente,
        istruzioni_modulo: m.istruzioni.as_ref().map(|t| t.get(l).to_owned()).unwrap_or_default(),
        quadri: vista::navigazione(s, q, l),
        codice_quadro: quadro_def.codice.clone(),
        titolo_quadro: quadro_def.titolo.get(l).to_owned(),
        istruzioni_quadro: quadro_def.istruzioni.as_ref().map(|t| t.get(l).to_owned()).unwrap_or_default(),
        sezioni,
        annotazioni: vista::campo(s, quadro_def.annotazioni, l, page.lang, digitati),
        regole: vista::regole(s, Some(q), l),
        modificabile,
        revisione: s.revisione,
        sommario,
        esito: if esito == "salvato" { page.t("compila-esito-salvato") } else { String::new() },
        formato_numeri: questionario::formato_numeri(l).to_owned(),
        stato,
        vista: if modificabile { "compila" } else { "visualizza" },
        scadenza,
        inviato,
    })?;
    let status = if digitati.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, crate::web::no_store(html)).into_response())
}

/// `GET /questionari/{id}`: the first quadro.
pub async fn get_questionario(
    State(state): State<AppState>,
    utente: Utente,
    Path(id): Path<String>,
) -> Result<Redirect, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    let vista = if a.modificabile { "compila" } else { "visualizza" };
    let primo = a.modulo.quadri.first().map(|q| q.codice.clone()).unwrap_or_default();
    Ok(Redirect::to(&format!("/questionari/{}/{vista}/{primo}", a.q.pubblico)))
}

/// `GET /questionari/{id}/compila/{quadro}`: read only when the user may not change it.
pub async fn get_compila(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path((id, quadro)): Path<(String, String)>,
    Query(q): Query<EsitoPagina>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    pagina(&state, &page, &a, &quadro, false, &Digitati::new(), &q.esito).await
}

/// `GET /questionari/{id}/visualizza/{quadro}`.
pub async fn get_visualizza(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path((id, quadro)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    pagina(&state, &page, &a, &quadro, true, &Digitati::new(), "").await
}

/// `POST /questionari/{id}/compila/{quadro}`: every field of the quadro, with the revision the page was
/// rendered at.
pub async fn post_compila(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Path((id, quadro)): Path<(String, String)>,
    axum::Form(campi): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    let m = a.modulo;
    let q = m.quadri.iter().position(|q| q.codice == quadro).ok_or(AppError::NotFound)?;
    let revisione: i64 = campi
        .iter()
        .find(|(k, _)| k == "_revisione")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| AppError::BadRequest("revisione mancante".into()))?;
    // Only the fields of this quadro; anything else in the form is ignored.
    let del_quadro = |indirizzo: &str| m.id(indirizzo).is_some_and(|id| m.campi[id as usize].quadro == q);
    // "Ripristina" of a prefilled value: that field goes back to its source, the others are saved as typed.
    let ripristina = campi.iter().find(|(k, _)| k == "_ripristina").map(|(_, v)| v.clone());
    let mut modifiche: Vec<Modifica> = campi
        .iter()
        .filter(|(k, _)| del_quadro(k) && Some(k) != ripristina.as_ref())
        .map(|(k, v)| Modifica { campo: k.clone(), testo: Some(v.clone()), base: Base::Pagina(revisione) })
        .collect();
    if let Some(campo) = ripristina.filter(|c| del_quadro(c)) {
        modifiche.push(Modifica { campo, testo: None, base: Base::Pagina(revisione) });
    }
    let salvataggio = compilazione::salva(&state, &ctx, &utente.user, page.lang, &a, &modifiche, Come::Modulo, None)
        .await
        .map_err(errore)?;
    let mut digitati = Digitati::new();
    for ((campo, esito), modifica) in salvataggio.esiti.iter().zip(&modifiche) {
        let testo = modifica.testo.clone().unwrap_or_default();
        match esito {
            EsitoCampo::Rifiutato { messaggio } => {
                digitati.insert(campo.clone(), (testo, messaggio.clone()));
            }
            EsitoCampo::Conflitto(attuale) => {
                let messaggio = page.lang.t_args(
                    "compila-conflitto-modulo",
                    &[
                        ("valore", attuale.mostra.clone()),
                        ("autore", attuale.autore.clone()),
                        ("quando", attuale.quando.clone()),
                    ],
                );
                digitati.insert(campo.clone(), (testo, messaggio));
            }
            _ => {}
        }
    }
    // The stored state may have moved: reread the row's revision before rendering.
    let a = accesso(&state, &utente, &id).await?;
    if digitati.is_empty() {
        return Ok(Redirect::to(&format!("/questionari/{}/compila/{}?esito=salvato#riepilogo", a.q.pubblico, quadro))
            .into_response());
    }
    pagina(&state, &page, &a, &quadro, false, &digitati, "").await
}

/// The autosave body: a value typed (`valore`), or `ripristina` to go back to the prefilled value.
#[derive(Debug, Deserialize)]
pub struct Salva {
    campo: String,
    #[serde(default)]
    valore: Option<String>,
    #[serde(default)]
    ripristina: bool,
    versione: i64,
}

/// `POST /questionari/{id}/campi` (JSON): 200 with the new version and what changed; 422 refused (with why);
/// 409 a newer value exists (with it, who set it and when).
pub async fn post_campo(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    lang: Lang,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    Json(corpo): Json<Salva>,
) -> Result<Response, AppError> {
    // The page's event connection, so that its own save is not echoed back to it.
    let origine = headers.get("x-raccolta-conn").and_then(|v| v.to_str().ok()).filter(|v| v.len() <= 64);
    let a = accesso(&state, &utente, &id).await?;
    let testo = if corpo.ripristina { None } else { Some(corpo.valore.clone().unwrap_or_default()) };
    let modifica = Modifica { campo: corpo.campo.clone(), testo, base: Base::Versione(corpo.versione) };
    let s = compilazione::salva(&state, &ctx, &utente.user, lang, &a, &[modifica], Come::Autosave, origine)
        .await
        .map_err(errore)?;
    let Some((_, esito)) = s.esiti.first() else { return Err(AppError::BadRequest("nessun campo".into())) };
    let l = compilazione::lingua(lang);
    let corrente = {
        let voce = state.valutazioni.voce(a.q.id);
        let g = voce.read().await;
        g.as_ref().and_then(|st| a.modulo.id(&corpo.campo).map(|cid| compilazione::attuale(st, cid, l)))
    };
    let (status, json) = match esito {
        EsitoCampo::Salvato { .. } | EsitoCampo::Invariato => (
            StatusCode::OK,
            serde_json::json!({
                "esito": "salvato",
                "campo": corpo.campo,
                "attuale": corrente,
                "ora": s.ora,
                "aggiornamenti": s.aggiornamenti,
                "mostra": s.mostra,
                "giustificazioni": s.giustificazioni,
                "conteggi": super::conteggi_json(lang, &s.conteggi),
            }),
        ),
        EsitoCampo::Rifiutato { messaggio } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({ "esito": "rifiutato", "campo": corpo.campo, "messaggio": messaggio }),
        ),
        EsitoCampo::Conflitto(attuale) => (
            StatusCode::CONFLICT,
            serde_json::json!({
                "esito": "conflitto",
                "campo": corpo.campo,
                "attuale": attuale,
                "messaggio": lang.t_args("compila-conflitto", &[("autore", attuale.autore.clone()), ("quando", attuale.quando.clone())]),
            }),
        ),
    };
    Ok((status, Json(json)).into_response())
}

/// A justification: the rule, its text (empty removes it), and for the form the quadro to return to.
#[derive(Debug, Deserialize)]
pub struct Giustifica {
    regola: String,
    #[serde(default)]
    testo: String,
    #[serde(default)]
    quadro: String,
}

/// `POST /questionari/{id}/giustificazioni`: a form (redirects back to the quadro) or JSON.
pub async fn post_giustificazione(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    lang: Lang,
    Path(id): Path<String>,
    corpo: axum::extract::Request,
) -> Result<Response, AppError> {
    let json = crate::web::layers::wants_json(corpo.headers());
    let g: Giustifica = if json {
        let Json(g) =
            Json::<Giustifica>::from_request(corpo, &state).await.map_err(|e| AppError::BadRequest(e.to_string()))?;
        g
    } else {
        let axum::Form(g) = axum::Form::<Giustifica>::from_request(corpo, &state)
            .await
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        g
    };
    let a = accesso(&state, &utente, &id).await?;
    let esito = compilazione::giustifica(&state, &ctx, &utente.user, &a, &g.regola, &g.testo).await.map_err(errore)?;
    match esito {
        Ok(fatto) if json => Ok(Json(serde_json::json!({
            "esito": "salvato",
            "regola": g.regola,
            "invio": fatto.invio,
            "conteggi": super::conteggi_json(lang, &fatto.conteggi),
        }))
        .into_response()),
        Ok(_) => {
            let quadro = if a.modulo.quadri.iter().any(|q| q.codice == g.quadro) {
                g.quadro.clone()
            } else {
                a.modulo.quadri.first().map(|q| q.codice.clone()).unwrap_or_default()
            };
            Ok(Redirect::to(&format!(
                "/questionari/{}/compila/{quadro}?esito=salvato#regola-{}",
                a.q.pubblico, g.regola
            ))
            .into_response())
        }
        Err(motivo) => {
            let messaggio = lang.t(if motivo == "lunghezza" {
                "compila-giustificazione-lunga"
            } else {
                "compila-regola-sconosciuta"
            });
            Err(AppError::Unprocessable(vec![("testo".into(), messaggio)]))
        }
    }
}

use axum::extract::FromRequest as _;
