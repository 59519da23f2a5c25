//! What compile pages tell each other: a save (so that every open page of the questionnaire shows the new values
//! within a second) and who has a quadro open ("Anche Maria Rossi sta compilando questo quadro").
//!
//! One bus per node. On SQLite (one node) an event goes straight to the node's subscribers. On PostgreSQL every
//! event goes through `NOTIFY raccolta_compilazione`, and each node's listener hands what it hears (its own
//! events included) to its subscribers: every node sees every save, so pages open on different nodes follow each
//! other too. A save carries the engine's [`Delta`] (field and rule numbers, no language), so each page renders
//! the change in its own language from its node's evaluation, reloaded first when that node did not make it.

use questionario::Delta;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::db::Db;

/// The PostgreSQL channel.
const CANALE: &str = "raccolta_compilazione";

/// NOTIFY payloads must stay under 8000 bytes; a larger change is announced without its delta.
const MAX_PAYLOAD: usize = 7500;

/// An event of the compile pages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "tipo", rename_all = "snake_case")]
pub enum Evento {
    /// Answers were stored.
    Salvataggio {
        /// Questionnaire id.
        questionario: i64,
        /// Its revision after the save.
        revisione: i64,
        /// The fields stored.
        campi: Vec<String>,
        /// What the save changed; `None` when too large to send: pages reload their state.
        delta: Option<DeltaJson>,
        /// Who saved.
        autore: String,
        /// The page that saved (its event connection), which needs no echo.
        origine: Option<String>,
    },
    /// The questionnaire was sent: its pages become read only.
    Inviato {
        /// Questionnaire id.
        questionario: i64,
        /// Its URL id.
        pubblico: String,
        /// The version sent.
        versione: i64,
        /// Protocol code.
        protocollo: String,
        /// Who sent it.
        autore: String,
    },
    /// An administrator changed a campaign's state or dates: every node reloads them ([`crate::campagne`]).
    Campagne {
        /// The campaign.
        campagna: String,
    },
    /// A page of a quadro opened, is still open, or closed.
    Presenza {
        /// Questionnaire id.
        questionario: i64,
        /// Quadro code.
        quadro: String,
        /// The page's event connection.
        conn: String,
        /// The user.
        utente: i64,
        /// Their name.
        nome: String,
        /// True when the page closed.
        esce: bool,
        /// The page compiles (false: read only, a viewer). Absent in events of older nodes: compiling.
        #[serde(default = "vero")]
        compila: bool,
        /// True when this answers a newcomer (no answer expected).
        risposta: bool,
    },
}

fn vero() -> bool {
    true
}

/// [`Delta`] as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeltaJson {
    v: Vec<u32>,
    p: Vec<u32>,
    e: Vec<u32>,
    r: Vec<usize>,
    q: Vec<usize>,
}

impl From<&Delta> for DeltaJson {
    fn from(d: &Delta) -> Self {
        DeltaJson {
            v: d.valori.clone(),
            p: d.pertinenza.clone(),
            e: d.errori.clone(),
            r: d.regole.clone(),
            q: d.quadri.clone(),
        }
    }
}

impl From<&DeltaJson> for Delta {
    fn from(d: &DeltaJson) -> Self {
        Delta {
            valori: d.v.clone(),
            pertinenza: d.p.clone(),
            errori: d.e.clone(),
            regole: d.r.clone(),
            quadri: d.q.clone(),
        }
    }
}

/// The node's bus.
#[derive(Debug)]
pub struct Bus {
    tx: broadcast::Sender<Evento>,
}

impl Default for Bus {
    fn default() -> Self {
        Bus { tx: broadcast::channel(1024).0 }
    }
}

impl Bus {
    /// A new subscription: every event from now on (a slow page that falls 1,024 events behind reloads).
    pub fn iscrivi(&self) -> broadcast::Receiver<Evento> {
        self.tx.subscribe()
    }

    /// Sends `evento` to every page of every node. Never fails the caller: a lost event only delays a page.
    pub async fn pubblica(&self, db: &Db, mut evento: Evento) {
        match db {
            Db::Sqlite(_) => {
                let _ = self.tx.send(evento);
            }
            Db::Postgres(pool) => {
                let mut payload = serde_json::to_string(&evento).unwrap_or_default();
                if payload.len() > MAX_PAYLOAD {
                    if let Evento::Salvataggio { delta, campi, .. } = &mut evento {
                        *delta = None;
                        campi.clear();
                    }
                    payload = serde_json::to_string(&evento).unwrap_or_default();
                }
                let sent = sqlx::query("SELECT pg_notify($1, $2)").bind(CANALE).bind(&payload).execute(pool).await;
                if let Err(error) = sent {
                    tracing::warn!(%error, "evento di compilazione non inviato agli altri nodi");
                    let _ = self.tx.send(evento);
                }
            }
        }
    }

    /// On PostgreSQL: listens to the channel and hands every event to this node's subscribers, until `stop`.
    pub async fn ascolta(&self, db: Db, stop: impl std::future::Future<Output = ()>) {
        let Db::Postgres(pool) = db else {
            stop.await;
            return;
        };
        tokio::pin!(stop);
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(error) => {
                    tracing::warn!(%error, "ascolto degli eventi di compilazione non riuscito: nuovo tentativo");
                    tokio::select! {
                        _ = &mut stop => return,
                        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                    }
                }
            };
            if let Err(error) = listener.listen(CANALE).await {
                tracing::warn!(%error, "LISTEN non riuscito");
                continue;
            }
            loop {
                tokio::select! {
                    _ = &mut stop => return,
                    n = listener.recv() => match n {
                        Ok(n) => {
                            if let Ok(e) = serde_json::from_str::<Evento>(n.payload()) {
                                let _ = self.tx.send(e);
                            }
                        }
                        Err(error) => {
                            if pool.is_closed() {
                                return;
                            }
                            tracing::warn!(%error, "ascolto degli eventi interrotto: riprendo");
                            break;
                        }
                    }
                }
            }
        }
    }
}
