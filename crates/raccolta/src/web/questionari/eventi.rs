//! `GET /questionari/{id}/eventi?quadro=D`: the compile page's server-sent events. `salvataggio`: values another
//! page saved (each changed field's value, version, author; totals, rules and completion), in this page's
//! language; `presenti`: who else has this quadro open. Rights are checked when the stream opens and again every
//! heartbeat: a revoked association ends it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use futures_util::stream;
use serde::Deserialize;
use tokio::sync::broadcast;

use super::accesso;
use crate::app::AppState;
use crate::compilazione::eventi::Evento;
use crate::compilazione::{self, Accesso};
use crate::web::sessione::Utente;
use crate::web::{AppError, Page};

/// How often a page says it is still open.
const BATTITO: Duration = Duration::from_secs(20);

/// A page not heard from for this long is gone (a node stopped without saying so).
const SCADENZA: Duration = Duration::from_secs(50);

/// `?quadro=D`.
#[derive(Debug, Deserialize)]
pub struct Quadro {
    #[serde(default)]
    quadro: String,
}

struct Flusso {
    state: AppState,
    utente: Utente,
    a: Accesso,
    lingua: questionario::Lingua,
    lang: crate::i18n::Lang,
    quadro: String,
    conn: String,
    nome: String,
    rx: broadcast::Receiver<Evento>,
    /// The other pages on this quadro: user, name, whether it compiles, when last heard.
    altri: HashMap<String, (i64, String, bool, Instant)>,
    battito: tokio::time::Interval,
    primo: bool,
    ultimi: Vec<String>,
    finito: bool,
}

impl Flusso {
    async fn presenza(&self, esce: bool, risposta: bool) {
        let e = Evento::Presenza {
            questionario: self.a.q.id,
            quadro: self.quadro.clone(),
            conn: self.conn.clone(),
            utente: self.utente.user.id,
            nome: self.nome.clone(),
            esce,
            compila: self.a.modificabile,
            risposta,
        };
        self.state.eventi.pubblica(&self.state.db, e).await;
    }

    /// The names of the other users on this quadro, when they changed since the last time.
    fn presenti(&mut self) -> Option<Event> {
        let adesso = Instant::now();
        self.altri.retain(|_, (_, _, _, visto)| adesso.duration_since(*visto) < SCADENZA);
        let gruppo = |compila: bool| {
            let mut nomi: Vec<String> = self
                .altri
                .values()
                .filter(|(utente, _, c, _)| *utente != self.utente.user.id && *c == compila)
                .map(|(_, n, _, _)| n.clone())
                .collect();
            nomi.sort();
            nomi.dedup();
            nomi
        };
        let (compilano, consultano) = (gruppo(true), gruppo(false));
        // Someone both compiling and reading (two tabs) is named once, as compiling.
        let consultano: Vec<String> = consultano.into_iter().filter(|n| !compilano.contains(n)).collect();
        let nomi: Vec<String> = compilano.iter().chain(&consultano).cloned().collect();
        if nomi == self.ultimi && !self.primo {
            return None;
        }
        self.primo = false;
        self.ultimi = nomi.clone();
        let frase = |chiave: &str, nomi: &[String]| match nomi.len() {
            0 => None,
            n => Some(self.lang.t_n_args(chiave, n as i64, &[("nomi", nomi.join(", "))])),
        };
        let testo = [frase("compila-presenti", &compilano), frase("compila-presenti-lettura", &consultano)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        Some(evento("presenti", serde_json::json!({ "nomi": nomi, "testo": testo })))
    }

    /// This page's view of a save made elsewhere.
    async fn salvataggio(
        &mut self,
        revisione: i64,
        campi: &[String],
        delta: Option<&questionario::Delta>,
        autore: &str,
    ) -> Option<Event> {
        let voce = self.state.valutazioni.voce(self.a.q.id);
        let mut guardia = voce.clone().read_owned().await;
        // Saved on another node (or this node's copy was dropped): read the stored state.
        let ricaricata = guardia.as_ref().is_none_or(|s| s.revisione < revisione);
        if ricaricata {
            drop(guardia);
            let q = crate::db::questionari::by_pubblico(&self.state.db, &self.a.q.pubblico).await.ok().flatten()?;
            guardia = crate::compilazione::cache::leggi(voce, &self.state.db, self.a.modulo, &q).await.ok()?;
        }
        let s = guardia.as_ref()?;
        let m = self.a.modulo;
        let mut valori = serde_json::Map::new();
        for c in campi {
            if let Some(id) = m.id(c) {
                valori.insert(c.clone(), serde_json::to_value(compilazione::attuale(s, id, self.lingua)).ok()?);
            }
        }
        let (aggiornamenti, ricarica) = match delta {
            Some(d) => (s.valutazione.compatto_delta(d, self.lingua), false),
            None => (s.valutazione.compatto(self.lingua), true),
        };
        let mostra: serde_json::Map<String, serde_json::Value> = aggiornamenti
            .valori
            .keys()
            .filter_map(|a| {
                let id = m.id(a)?;
                Some((a.clone(), compilazione::valori::mostra(m, s.valutazione.valore(id), id, self.lingua).into()))
            })
            .collect();
        let messaggio = self.lang.t_args("compila-aggiornato-da", &[("autore", autore.to_owned())]);
        Some(evento(
            "salvataggio",
            serde_json::json!({
                "campi": valori,
                "aggiornamenti": aggiornamenti,
                "mostra": mostra,
                "conteggi": super::conteggi_json(self.lang, &compilazione::conteggi(s)),
                "autore": autore,
                "messaggio": messaggio,
                "ricarica": ricarica,
            }),
        ))
    }

    async fn prossimo(&mut self) -> Option<Event> {
        loop {
            if self.finito {
                return None;
            }
            if let Some(e) = self.presenti() {
                return Some(e);
            }
            tokio::select! {
                _ = self.battito.tick() => {
                    // Still allowed? A revoked association ends the stream.
                    if compilazione::accedi(&self.state, &self.utente.user, &self.a.q.pubblico).await.is_err() {
                        self.finito = true;
                        return None;
                    }
                    self.presenza(false, false).await;
                }
                e = self.rx.recv() => match e {
                    Ok(Evento::Salvataggio { questionario, revisione, campi, delta, autore, origine }) if questionario == self.a.q.id => {
                        if origine.as_deref() == Some(self.conn.as_str()) {
                            continue;
                        }
                        let delta = delta.as_ref().map(questionario::Delta::from);
                        if let Some(e) = self.salvataggio(revisione, &campi, delta.as_ref(), &autore).await {
                            return Some(e);
                        }
                    }
                    Ok(Evento::Inviato { questionario, pubblico, versione, protocollo, autore }) if questionario == self.a.q.id => {
                        // Nothing more to follow: the page is read only from now on.
                        self.finito = true;
                        let messaggio = self.lang.t_args(
                            "compila-inviato-da",
                            &[("autore", autore), ("protocollo", protocollo)],
                        );
                        let href = format!("/questionari/{pubblico}/invii/{versione}");
                        return Some(evento("inviato", serde_json::json!({ "messaggio": messaggio, "href": href, "link": self.lang.t("compila-vedi-ricevuta") })));
                    }
                    Ok(Evento::Presenza { questionario, quadro, conn, utente, nome, esce, compila, risposta }) if questionario == self.a.q.id && conn != self.conn => {
                        if quadro != self.quadro || esce {
                            self.altri.remove(&conn);
                        } else {
                            let nuovo = !self.altri.contains_key(&conn);
                            self.altri.insert(conn, (utente, nome, compila, Instant::now()));
                            // A newcomer learns at once who is already here.
                            if nuovo && !risposta {
                                self.presenza(false, true).await;
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let revisione = self.a.q.revisione;
                        if let Some(e) = self.salvataggio(revisione + 1, &[], None, "").await {
                            return Some(e);
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    }
}

impl Drop for Flusso {
    fn drop(&mut self) {
        // The page closed: the others learn it now rather than at the timeout.
        let state = self.state.clone();
        let e = Evento::Presenza {
            questionario: self.a.q.id,
            quadro: self.quadro.clone(),
            conn: self.conn.clone(),
            utente: self.utente.user.id,
            nome: self.nome.clone(),
            esce: true,
            compila: self.a.modificabile,
            risposta: false,
        };
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { state.eventi.pubblica(&state.db, e).await });
        }
    }
}

fn evento(nome: &str, dati: serde_json::Value) -> Event {
    Event::default().event(nome).data(dati.to_string())
}

/// `GET /questionari/{id}/eventi?quadro=D`.
pub async fn get_eventi(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<Quadro>,
) -> Result<Response, AppError> {
    let a = accesso(&state, &utente, &id).await?;
    if !a.modulo.quadri.iter().any(|x| x.codice == q.quadro) {
        return Err(AppError::NotFound);
    }
    let conn = crate::auth::token::random_token();
    let rx = state.eventi.iscrivi();
    let mut battito = tokio::time::interval(BATTITO);
    battito.reset();
    let flusso = Flusso {
        lingua: compilazione::lingua(page.lang),
        lang: page.lang,
        nome: utente.user.nome_visualizzato().trim().to_owned(),
        state,
        utente,
        a,
        quadro: q.quadro,
        conn: conn.clone(),
        rx,
        altri: HashMap::new(),
        battito,
        primo: true,
        ultimi: Vec::new(),
        finito: false,
    };
    flusso.presenza(false, false).await;
    let inizio = evento("connessione", serde_json::json!({ "conn": conn }));
    let stream =
        stream::once(async move { Ok::<Event, Infallible>(inizio) })
            .chain(stream::unfold(flusso, |mut f| async move {
                f.prossimo().await.map(|e| (Ok::<Event, Infallible>(e), f))
            }));
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response())
}
