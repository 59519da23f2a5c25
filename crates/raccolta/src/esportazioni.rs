//! Exports as a job (Gestione → Esportazioni → *Prepara il file*): an administrator queues an export; a job on
//! any node takes it, writes it with [`crate::esporta`] to a temporary file (constant memory, as the direct
//! download), records how many questionnaires it has read every second (the page's progress bar), and stores the
//! file in the database in parts of [`PARTE`] bytes, so that it can be downloaded from every node, for
//! [`CONSERVA_GIORNI`] days. No request waits for it, so no request timeout cuts it. A node that stops in the
//! middle lets its lease lapse and another node starts the export again.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::app::AppState;
use crate::context::Context;
use crate::db::esportazioni::{self, Fatto, Lavoro, Nuovo};
use crate::db::users::User;
use crate::db::{DbError, audit};
use crate::esporta::{self, Esportazione, Fonte, Forma};

/// Bytes per stored part of a file.
pub const PARTE: usize = 1024 * 1024;
/// Days a prepared file is kept.
pub const CONSERVA_GIORNI: i64 = 7;
/// Seconds a node holds a job without renewing it.
const LEASE_SECS: i64 = 60;
/// How often the job looks at the queue when nobody wakes it.
const OGNI: Duration = Duration::from_secs(10);

/// The wake of this node's job.
#[derive(Debug, Default)]
pub struct Coda {
    sveglia: tokio::sync::Notify,
}

impl Coda {
    /// Asks the job to look at the queue now.
    pub fn sveglia(&self) {
        self.sveglia.notify_one();
    }
}

/// What to export.
#[derive(Debug, Clone, Copy)]
pub struct Richiesta<'a> {
    /// Campaign folder.
    pub campagna: &'a str,
    /// Modulo code.
    pub modulo: &'a str,
    /// Long or wide.
    pub forma: Forma,
    /// Sent or drafts.
    pub fonte: Fonte,
    /// `csv` or `xlsx`.
    pub formato: &'a str,
}

/// Queues an export for `user` (an administrator: the caller asked the guard), with its audit row; its URL id.
pub async fn accoda(state: &AppState, ctx: &Context, user: &User, r: &Richiesta<'_>) -> Result<String, DbError> {
    let pubblico = crate::compilazione::nuovo_pubblico();
    let forma = if r.forma == Forma::Lunga { "lunga" } else { "larga" };
    let fonte = if r.fonte == Fonte::Bozze { "bozze" } else { "inviati" };
    let mut tx = state.db.begin().await?;
    let n = Nuovo {
        pubblico: &pubblico,
        user_id: user.id,
        campagna: r.campagna,
        modulo: r.modulo,
        forma,
        fonte,
        formato: r.formato,
    };
    esportazioni::accoda(&mut tx, &n, ctx.now).await?;
    let evento = ctx
        .audit("esportazione.risposte")
        .target(format!("{}/{}", r.campagna, r.modulo))
        .details(serde_json::json!({ "formato": r.formato, "forma": forma, "fonte": fonte, "lavoro": pubblico }));
    audit::record(&mut tx, &evento).await?;
    tx.commit().await?;
    state.esportazioni.sveglia();
    Ok(pubblico)
}

/// Runs the queued exports until `shutdown`: when woken, and every [`OGNI`].
pub async fn lavora(state: AppState, shutdown: impl Future<Output = ()>) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        loop {
            if crate::mail::worker::has_fired(shutdown.as_mut()).await {
                return;
            }
            // Stopping drops an export in the middle: its lease lapses and a node takes it again.
            let esito = tokio::select! {
                esito = giro(&state) => esito,
                _ = shutdown.as_mut() => return,
            };
            match esito {
                Ok(true) => continue,
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(%error, "coda delle esportazioni non letta");
                    break;
                }
            }
        }
        tokio::select! {
            _ = shutdown.as_mut() => return,
            _ = state.esportazioni.sveglia.notified() => {}
            _ = tokio::time::sleep(OGNI) => {}
        }
    }
}

/// Takes one job and runs it to the end; `false` when there was none.
pub async fn giro(state: &AppState) -> Result<bool, DbError> {
    let Some(l) = esportazioni::prendi(&state.db, state.clock.now(), LEASE_SECS).await? else { return Ok(false) };
    let scade = state.clock.now() + CONSERVA_GIORNI * 24 * 3600;
    match esegui(state, &l).await {
        Ok(Some(f)) => {
            esportazioni::pronta(&state.db, l.id, f, state.clock.now(), scade).await?;
            tracing::info!(esportazione = %l.pubblico, questionari = f.questionari, byte = f.dimensione, "esportazione pronta");
        }
        // Another node took it over: it is theirs now.
        Ok(None) => tracing::warn!(esportazione = %l.pubblico, "esportazione ripresa da un altro nodo"),
        Err(error) => {
            tracing::error!(esportazione = %l.pubblico, %error, "esportazione non riuscita");
            esportazioni::fallita(&state.db, l.id, &error.to_string(), state.clock.now(), scade).await?;
        }
    }
    Ok(true)
}

/// Writes job `l`'s file and stores it; `None` when the lease was lost meanwhile.
async fn esegui(state: &AppState, l: &Lavoro) -> anyhow::Result<Option<Fatto>> {
    use anyhow::Context as _;
    let c = state.catalogo.campagna(&l.campagna).with_context(|| format!("campagna {} sconosciuta", l.campagna))?;
    let m = state
        .questionari
        .modulo(&questionario::ChiaveModulo::new(&c.id, &c.codice, &l.modulo))
        .with_context(|| format!("modulo {} sconosciuto", l.modulo))?;
    let forma = if l.forma == "lunga" { Forma::Lunga } else { Forma::Larga };
    let fonte = if l.fonte == "bozze" { Fonte::Bozze } else { Fonte::Inviati };
    let e = Esportazione::nuova(&state.db, c, m, fonte).await?;
    let totale = e.totale() as i64;
    let file = tempfile::NamedTempFile::new()?;
    let letti = Arc::new(AtomicUsize::new(0));
    let avanza = {
        let letti = letti.clone();
        move |n: usize, _: usize| letti.store(n, Ordering::Relaxed)
    };
    let percorso = file.path().to_owned();
    let formato = l.formato.clone();
    let scrivi = async move {
        match formato.as_str() {
            "xlsx" => esporta::xlsx(e, forma, &percorso, avanza).await,
            _ => {
                let f = tokio::fs::File::create(&percorso).await?;
                let mut w = tokio::io::BufWriter::new(f);
                esporta::csv(e, forma, &mut w, avanza).await
            }
        }
    };
    let mut scrivi = std::pin::pin!(scrivi);
    let mut battito = tokio::time::interval(Duration::from_secs(1));
    let r = loop {
        tokio::select! {
            r = &mut scrivi => break r?,
            _ = battito.tick() => {
                let lease = state.clock.now() + LEASE_SECS;
                if !esportazioni::avanza(&state.db, l.id, letti.load(Ordering::Relaxed) as i64, totale, lease).await? {
                    return Ok(None);
                }
            }
        }
    };
    // The file, in parts, then the job done: a reader never sees half a file.
    let mut f = tokio::fs::File::open(file.path()).await?;
    let mut n = 0;
    let mut dimensione = 0;
    loop {
        use tokio::io::AsyncReadExt;
        let mut parte = Vec::with_capacity(PARTE);
        while parte.len() < PARTE {
            let letto = (&mut f).take((PARTE - parte.len()) as u64).read_to_end(&mut parte).await?;
            if letto == 0 {
                break;
            }
        }
        if parte.is_empty() {
            break;
        }
        dimensione += parte.len() as i64;
        esportazioni::parte(&state.db, l.id, n, &parte).await?;
        n += 1;
    }
    Ok(Some(Fatto { questionari: r.questionari as i64, righe: r.righe as i64, celle: r.celle as i64, dimensione }))
}
