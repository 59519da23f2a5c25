//! *Assistenza*: `GET /assistenza` lists the requests the user sees (support: all of them, filtered by state and
//! category); `GET|POST /assistenza/nuova` opens one (a form with attachments, `multipart/form-data`);
//! `GET /assistenza/{id}` is its thread with the reply form; `POST /assistenza/{id}/messaggi` writes in it;
//! `POST /assistenza/{id}/stato` closes, reopens, takes or moves it; `GET /assistenza/{id}/allegati/{n}`
//! downloads an attachment, always as a file. The service ([`crate::assistenza`]) asks the guard; this layer
//! only reads forms and draws pages.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::assistenza::{self, Accesso, Azione, DatiNuova, Errore, Errori, allegati};
use crate::context::Context;
use crate::db::assistenza::{self as archivio, Filtro, Richiesta};
use crate::domain::{Categoria, StatoRichiesta};
use crate::i18n::Lang;
use crate::ora::data_ora;
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page, no_store};

const PER_PAGINA: i64 = 25;

/// The largest body of a form with attachments: every attachment at its largest, and the text.
pub const CORPO_MAX: usize = allegati::ALLEGATI_MAX * allegati::DIMENSIONE_MAX + 1024 * 1024;

/// True for the routes that take attachments (their body may reach [`CORPO_MAX`]).
pub fn con_allegati(path: &str) -> bool {
    path == "/assistenza/nuova"
        || path
            .strip_prefix("/assistenza/")
            .is_some_and(|rest| rest.split_once('/').is_some_and(|(id, coda)| !id.is_empty() && coda == "messaggi"))
}

fn errore(e: Errore) -> AppError {
    match e {
        Errore::NonTrovato => AppError::NotFound,
        Errore::Db(e) => e.into(),
    }
}

/// `?stato=&categoria=&q=&pagina=&esito=`.
#[derive(Debug, Default, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    stato: String,
    #[serde(default)]
    categoria: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    pagina: String,
    #[serde(default)]
    esito: String,
}

/// A request as the list shows it.
struct Voce {
    r: Richiesta,
    stato: String,
    categoria: String,
    aggiornata: String,
}

#[derive(Template)]
#[template(path = "assistenza/elenco.html")]
struct Elenco<'a> {
    page: &'a Page,
    supporto: bool,
    voci: Vec<Voce>,
    /// (code, label, count) of every state.
    conteggi: Vec<(String, String, i64)>,
    stati: Vec<(String, String)>,
    categorie: Vec<(String, String)>,
    stato: String,
    categoria: String,
    q: String,
    totale: i64,
    pagina: i64,
    pagine: i64,
    esito: String,
}

impl Elenco<'_> {
    fn link(&self, stato: &str, pagina: i64) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("stato", stato), ("categoria", &self.categoria), ("q", &self.q)] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        if pagina > 1 {
            q.append_pair("pagina", &pagina.to_string());
        }
        let q = q.finish();
        if q.is_empty() { "/assistenza".to_owned() } else { format!("/assistenza?{q}") }
    }

    fn link_pagina(&self, n: i64) -> String {
        self.link(&self.stato, n)
    }

    fn link_stato(&self, stato: &str) -> String {
        self.link(stato, 1)
    }
}

fn stati(lang: Lang) -> Vec<(String, String)> {
    StatoRichiesta::TUTTI.iter().map(|s| (s.code().to_owned(), s.etichetta(lang))).collect()
}

fn categorie(lang: Lang) -> Vec<(String, String)> {
    Categoria::TUTTE.iter().map(|c| (c.code().to_owned(), c.etichetta(lang))).collect()
}

/// `GET /assistenza`.
pub async fn get_elenco(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let supporto = utente.user.is_support() && utente.user.is_active();
    let enti: Vec<i64> = if supporto {
        Vec::new()
    } else {
        assistenza::enti_di(&state, &utente.user).await?.into_iter().map(|e| e.0).collect()
    };
    let stato = StatoRichiesta::from_code(&d.stato);
    let categoria = Categoria::from_code(&d.categoria);
    let q: String = d.q.trim().chars().take(100).collect();
    let filtro = Filtro {
        di: (!supporto).then_some((utente.user.id, enti.as_slice())),
        stato,
        categoria,
        testo: crate::db::audit::simile(&q, false),
    };
    let per_stato = archivio::conta(&state.db, &filtro).await?;
    let quanti = |code: &str| per_stato.iter().find(|(s, _)| s == code).map_or(0, |(_, n)| *n);
    let totale = match stato {
        Some(s) => quanti(s.code()),
        None => per_stato.iter().map(|(_, n)| n).sum(),
    };
    let pagine = ((totale + PER_PAGINA - 1) / PER_PAGINA).max(1);
    let pagina = d.pagina.parse::<i64>().unwrap_or(1).clamp(1, pagine);
    let voci = archivio::elenco(&state.db, &filtro, (pagina - 1) * PER_PAGINA, PER_PAGINA)
        .await?
        .into_iter()
        .map(|r| Voce {
            stato: r.stato.etichetta(lang),
            categoria: r.categoria.etichetta(lang),
            aggiornata: data_ora(r.aggiornata_at),
            r,
        })
        .collect();
    let conteggi =
        StatoRichiesta::TUTTI.iter().map(|s| (s.code().to_owned(), s.etichetta(lang), quanti(s.code()))).collect();
    let esito = if d.esito == "aperta" { lang.t("assistenza-esito-aperta") } else { String::new() };
    let html = render(&Elenco {
        page: &page,
        supporto,
        voci,
        conteggi,
        stati: stati(lang),
        categorie: categorie(lang),
        stato: stato.map(|s| s.code().to_owned()).unwrap_or_default(),
        categoria: categoria.map(|c| c.code().to_owned()).unwrap_or_default(),
        q,
        totale,
        pagina,
        pagine,
        esito,
    })?;
    Ok(no_store(html))
}

#[derive(Template)]
#[template(path = "assistenza/nuova.html")]
struct FormNuova<'a> {
    page: &'a Page,
    d: DatiNuova,
    enti: Vec<(i64, String)>,
    categorie: Vec<(String, String)>,
    errori: Errori,
    oggetto_max: usize,
    testo_max: usize,
    allegati_max: usize,
    dimensione_mb: usize,
    aiuto_allegati: String,
}

impl FormNuova<'_> {
    fn errore(&self, campo: &str) -> &str {
        crate::web::errore_di(&self.errori, campo)
    }
}

async fn form_nuova(
    state: &AppState,
    utente: &Utente,
    page: &Page,
    d: DatiNuova,
    errori: Errori,
) -> Result<Response, AppError> {
    let enti = assistenza::enti_di(state, &utente.user).await?;
    let status = if errori.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&FormNuova {
        page,
        d,
        enti,
        categorie: categorie(page.lang),
        errori,
        oggetto_max: assistenza::OGGETTO_MAX,
        testo_max: assistenza::TESTO_MAX,
        allegati_max: allegati::ALLEGATI_MAX,
        dimensione_mb: allegati::DIMENSIONE_MAX / (1024 * 1024),
        aiuto_allegati: aiuto_allegati(page.lang),
    })?;
    Ok((status, no_store(html)).into_response())
}

/// `?ente=`: the form opened from an ente's page starts on it.
#[derive(Debug, Default, Deserialize)]
pub struct DomandaNuova {
    #[serde(default)]
    ente: String,
}

/// `GET /assistenza/nuova`.
pub async fn get_nuova(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(q): Query<DomandaNuova>,
) -> Result<Response, AppError> {
    // The ente the link names, else the ente selezionato, else the user's only ente.
    let ente = if q.ente.is_empty() {
        match crate::web::enti::selezionato(&state, &utente).await? {
            Some((e, _)) => e.id.to_string(),
            None => match assistenza::enti_di(&state, &utente.user).await?[..] {
                [(id, _)] => id.to_string(),
                _ => String::new(),
            },
        }
    } else {
        q.ente
    };
    form_nuova(&state, &utente, &page, DatiNuova { ente, ..Default::default() }, Vec::new()).await
}

/// A form with attachments as read: its text fields, its files (name, bytes), and why reading stopped early.
#[derive(Debug, Default)]
struct Letto {
    campi: Vec<(String, String)>,
    file: Vec<(String, Vec<u8>)>,
    interrotto: bool,
}

impl Letto {
    fn campo(&self, nome: &str) -> String {
        self.campi.iter().find(|(k, _)| k == nome).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

/// Reads a `multipart/form-data` form: file inputs left empty are skipped; a body cut short (too large, or the
/// connection dropped) keeps what was read before, so the text typed is shown back.
async fn leggi(mut m: Multipart) -> Letto {
    let mut letto = Letto::default();
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                letto.interrotto = true;
                break;
            }
        };
        let nome = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file) => match field.bytes().await {
                Ok(b) if file.is_empty() && b.is_empty() => {}
                Ok(b) => letto.file.push((file, b.to_vec())),
                Err(_) => {
                    letto.interrotto = true;
                    break;
                }
            },
            None => match field.text().await {
                Ok(t) => letto.campi.push((nome, t)),
                Err(_) => {
                    letto.interrotto = true;
                    break;
                }
            },
        }
    }
    letto
}

fn aiuto_allegati(lang: Lang) -> String {
    let args =
        [("n", allegati::ALLEGATI_MAX.to_string()), ("max", (allegati::DIMENSIONE_MAX / (1024 * 1024)).to_string())];
    lang.t_args("assistenza-allegati-aiuto", &args)
}

fn interrotto(lang: Lang, errori: &mut Errori) {
    let args =
        [("max", (allegati::DIMENSIONE_MAX / (1024 * 1024)).to_string()), ("n", allegati::ALLEGATI_MAX.to_string())];
    errori.push(("allegati".into(), lang.t_args("assistenza-invio-interrotto", &args)));
}

/// `POST /assistenza/nuova`.
pub async fn post_nuova(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    m: Multipart,
) -> Result<Response, AppError> {
    let letto = leggi(m).await;
    let d = DatiNuova {
        oggetto: letto.campo("oggetto"),
        categoria: letto.campo("categoria"),
        ente: letto.campo("ente"),
        testo: letto.campo("testo"),
    };
    if letto.interrotto {
        let mut errori = Errori::new();
        interrotto(page.lang, &mut errori);
        return form_nuova(&state, &utente, &page, d, errori).await;
    }
    match assistenza::apri(&state, &ctx, &utente.user, page.lang, &d, letto.file).await.map_err(errore)? {
        Ok(pubblico) => Ok(Redirect::to(&format!("/assistenza/{pubblico}?esito=aperta")).into_response()),
        Err(errori) => form_nuova(&state, &utente, &page, d, errori).await,
    }
}

/// A message of the thread as the page shows it.
struct VoceThread {
    autore: String,
    dal_supporto: bool,
    quando: String,
    testo: String,
    /// The state it moved the request to, as a sentence.
    stato: String,
    /// (number, name, type, size) of each attachment.
    allegati: Vec<(i64, String, String, String)>,
}

#[derive(Template)]
#[template(path = "assistenza/richiesta.html")]
struct Pagina<'a> {
    page: &'a Page,
    r: Richiesta,
    stato: String,
    categoria: String,
    aperta: String,
    thread: Vec<VoceThread>,
    supporto: bool,
    /// Assigned to the user looking.
    mia: bool,
    stati: Vec<(String, String)>,
    testo: String,
    errori: Errori,
    esito: String,
    testo_max: usize,
    allegati_max: usize,
    dimensione_mb: usize,
    aiuto_allegati: String,
}

impl Pagina<'_> {
    fn errore(&self, campo: &str) -> &str {
        crate::web::errore_di(&self.errori, campo)
    }

    fn chiusa(&self) -> bool {
        self.r.stato == StatoRichiesta::Chiusa
    }
}

/// "2,4 MB", "730 kB": a size as people read it.
fn dimensione(lang: Lang, byte: i64) -> String {
    let (valore, unita) =
        if byte >= 1024 * 1024 { (byte as f64 / (1024.0 * 1024.0), "MB") } else { (byte as f64 / 1024.0, "kB") };
    let testo = format!("{valore:.1}");
    let testo = if lang == Lang::It { testo.replace('.', ",") } else { testo };
    format!("{testo} {unita}")
}

async fn pagina(
    state: &AppState,
    utente: &Utente,
    page: &Page,
    a: Accesso,
    testo: String,
    errori: Errori,
    esito: &str,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let messaggi = archivio::messaggi(&state.db, a.r.id).await?;
    let allegati = archivio::allegati(&state.db, a.r.id).await?;
    let thread = messaggi
        .into_iter()
        .map(|m| {
            let stato = m
                .stato
                .as_deref()
                .and_then(StatoRichiesta::from_code)
                .map(|s| lang.t_args("assistenza-thread-stato", &[("stato", s.etichetta(lang))]))
                .unwrap_or_default();
            VoceThread {
                autore: m.autore,
                dal_supporto: m.dal_supporto,
                quando: data_ora(m.created_at),
                testo: m.testo,
                stato,
                allegati: allegati
                    .iter()
                    .filter(|x| x.messaggio_id == m.id)
                    .map(|x| {
                        let tipo = allegati::TipoFile::from_mime(&x.tipo).map_or("", |t| t.nome()).to_owned();
                        (x.id, x.nome.clone(), tipo, dimensione(lang, x.dimensione))
                    })
                    .collect(),
            }
        })
        .collect();
    let esito = match esito {
        "aperta" => lang.t("assistenza-esito-aperta"),
        "inviato" => lang.t("assistenza-esito-inviato"),
        "stato" => lang.t("assistenza-esito-stato"),
        _ => String::new(),
    };
    let status = if errori.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&Pagina {
        page,
        stato: a.r.stato.etichetta(lang),
        categoria: a.r.categoria.etichetta(lang),
        aperta: data_ora(a.r.created_at),
        thread,
        supporto: a.come_supporto,
        mia: a.r.assegnata_a == Some(utente.user.id),
        stati: stati(lang),
        testo,
        errori,
        esito,
        testo_max: assistenza::TESTO_MAX,
        allegati_max: allegati::ALLEGATI_MAX,
        dimensione_mb: allegati::DIMENSIONE_MAX / (1024 * 1024),
        aiuto_allegati: aiuto_allegati(page.lang),
        r: a.r,
    })?;
    Ok((status, no_store(html)).into_response())
}

/// `GET /assistenza/{id}`.
pub async fn get_richiesta(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<crate::web::EsitoQuery>,
) -> Result<Response, AppError> {
    let a = assistenza::accesso(&state, &utente.user, &id).await.map_err(errore)?;
    pagina(&state, &utente, &page, a, String::new(), Vec::new(), &q.esito).await
}

/// `POST /assistenza/{id}/messaggi`: `testo`, attachments, and for support `poi` (the state to leave it in).
pub async fn post_messaggio(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Path(id): Path<String>,
    m: Multipart,
) -> Result<Response, AppError> {
    let a = assistenza::accesso(&state, &utente.user, &id).await.map_err(errore)?;
    let letto = leggi(m).await;
    let testo = letto.campo("testo");
    if letto.interrotto {
        let mut errori = Errori::new();
        interrotto(page.lang, &mut errori);
        return pagina(&state, &utente, &page, a, testo, errori, "").await;
    }
    let poi = StatoRichiesta::from_code(&letto.campo("poi"));
    let esito = assistenza::agisci(&state, &ctx, &utente.user, page.lang, &a, Azione::Scrivi(poi), &testo, letto.file)
        .await
        .map_err(errore)?;
    match esito {
        Ok(()) => Ok(Redirect::to(&format!("/assistenza/{id}?esito=inviato#ultimo")).into_response()),
        Err(errori) => pagina(&state, &utente, &page, a, testo, errori, "").await,
    }
}

/// `azione` (`chiudi`, `riapri`, `prendi`, `imposta`) and, with `imposta`, `stato`.
#[derive(Debug, Deserialize)]
pub struct FormStato {
    #[serde(default)]
    azione: String,
    #[serde(default)]
    stato: String,
}

/// `POST /assistenza/{id}/stato`.
pub async fn post_stato(
    State(state): State<AppState>,
    utente: Utente,
    ctx: Context,
    page: Page,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormStato>,
) -> Result<Response, AppError> {
    let a = assistenza::accesso(&state, &utente.user, &id).await.map_err(errore)?;
    let azione = match (f.azione.as_str(), StatoRichiesta::from_code(&f.stato)) {
        ("chiudi", _) => Azione::Chiudi,
        ("riapri", _) => Azione::Riapri,
        ("prendi", _) => Azione::PrendiInCarico,
        ("imposta", Some(s)) => Azione::Imposta(s),
        _ => return Err(AppError::BadRequest(page.t("assistenza-azione-sconosciuta"))),
    };
    match assistenza::agisci(&state, &ctx, &utente.user, page.lang, &a, azione, "", Vec::new()).await.map_err(errore)? {
        Ok(()) => Ok(Redirect::to(&format!("/assistenza/{id}?esito=stato")).into_response()),
        Err(errori) => pagina(&state, &utente, &page, a, String::new(), errori, "").await,
    }
}

/// `GET /assistenza/{id}/allegati/{n}`: the file as sent, with the type read from its content, as a download.
pub async fn get_allegato(
    State(state): State<AppState>,
    utente: Utente,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let a = assistenza::accesso(&state, &utente.user, &id).await.map_err(errore)?;
    let n: i64 = n.parse().map_err(|_| AppError::NotFound)?;
    let (nome, tipo, dati) = archivio::allegato(&state.db, a.r.id, n).await?.ok_or(AppError::NotFound)?;
    let mut res = crate::web::questionari::elenco::allegato(dati, &tipo, &nome);
    // Never run by the browser, whatever it holds.
    res.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(res)
}
