//! Group commit for SQLite: concurrent saves share one transaction, and so one `fsync`.
//!
//! SQLite has one writer at a time and, with `synchronous = FULL` (an acknowledged save survives a power cut),
//! every commit waits for the disk: about a millisecond here, so one transaction per save caps a node at about a
//! thousand saves a second whatever the CPUs. The node's writer task takes the saves waiting in its queue, runs
//! each in a `SAVEPOINT` of one transaction (a save that fails rolls back alone), commits once, and only then
//! answers each caller: no save is acknowledged before the commit that holds it is durable. While a batch
//! commits, the next one queues, so the batches grow exactly when the load does.
//!
//! PostgreSQL groups concurrent commits by itself and runs transactions in parallel, so there each save keeps
//! its own transaction ([`Scrittore::esegui`] just runs it).

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use super::{Db, DbError, Tx};

/// At most this many saves in one transaction.
const MAX_GRUPPO: usize = 256;

/// A unit of work for the writer: runs in the batch's transaction, then learns the commit's outcome.
trait Lavoro: Send {
    fn esegui<'t>(&'t mut self, tx: &'t mut Tx) -> BoxFuture<'t, Result<(), DbError>>;
    fn concludi(self: Box<Self>, esito: Result<(), DbError>);
}

/// A job whose work is `f` and whose result goes back through `risposta` once committed.
struct Compito<T, F> {
    f: Option<F>,
    risultato: Option<T>,
    risposta: Option<oneshot::Sender<Result<T, DbError>>>,
}

impl<T, F> Lavoro for Compito<T, F>
where
    T: Send + 'static,
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, DbError>> + Send + 'static,
{
    fn esegui<'t>(&'t mut self, tx: &'t mut Tx) -> BoxFuture<'t, Result<(), DbError>> {
        Box::pin(async move {
            let Some(f) = self.f.take() else { return Ok(()) };
            self.risultato = Some(f(tx).await?);
            Ok(())
        })
    }

    fn concludi(mut self: Box<Self>, esito: Result<(), DbError>) {
        let r = match (esito, self.risultato.take()) {
            (Ok(()), Some(t)) => Ok(t),
            (Ok(()), None) => Err(DbError::Inconsistent("lavoro senza risultato".into())),
            (Err(e), _) => Err(e),
        };
        if let Some(tx) = self.risposta.take() {
            // The caller may have gone (request cancelled): the work is committed anyway, and its cache reloads.
            let _ = tx.send(r);
        }
    }
}

/// The node's writer: a queue on SQLite, nothing on PostgreSQL.
#[derive(Debug, Clone, Default)]
pub struct Scrittore {
    coda: Option<mpsc::Sender<Box<dyn Lavoro>>>,
}

impl Scrittore {
    /// The writer of `db`: on SQLite it starts the task that batches the saves (it ends when the last handle is
    /// dropped).
    pub fn avvia(db: &Db) -> Scrittore {
        match db {
            Db::Postgres(_) => Scrittore { coda: None },
            Db::Sqlite(_) => {
                let (tx, rx) = mpsc::channel(4 * MAX_GRUPPO);
                tokio::spawn(scrivi(db.clone(), rx));
                Scrittore { coda: Some(tx) }
            }
        }
    }

    /// Runs `f` in a transaction and returns its result once the transaction is committed. On SQLite the
    /// transaction is shared with the saves queued meanwhile, `f` in a savepoint of its own: an error of `f`
    /// undoes only what `f` did.
    pub async fn esegui<T, F>(&self, db: &Db, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, DbError>> + Send + 'static,
    {
        let Some(coda) = &self.coda else {
            let mut tx = db.begin().await?;
            let t = f(&mut tx).await?;
            tx.commit().await?;
            return Ok(t);
        };
        let (risposta, ricevi) = oneshot::channel();
        let lavoro: Box<dyn Lavoro> = Box::new(Compito { f: Some(f), risultato: None, risposta: Some(risposta) });
        coda.send(lavoro).await.map_err(|_| DbError::Inconsistent("scrittore fermo".into()))?;
        ricevi.await.map_err(|_| DbError::Inconsistent("scrittore fermo".into()))?
    }
}

async fn scrivi(db: Db, mut coda: mpsc::Receiver<Box<dyn Lavoro>>) {
    while let Some(primo) = coda.recv().await {
        let mut gruppo = vec![primo];
        while gruppo.len() < MAX_GRUPPO {
            match coda.try_recv() {
                Ok(l) => gruppo.push(l),
                Err(_) => break,
            }
        }
        let mut tx = match db.begin().await {
            Ok(tx) => tx,
            Err(e) => {
                let messaggio = e.to_string();
                for l in gruppo {
                    l.concludi(Err(DbError::Inconsistent(messaggio.clone())));
                }
                continue;
            }
        };
        let mut esiti: Vec<Result<(), DbError>> = Vec::with_capacity(gruppo.len());
        for l in &mut gruppo {
            esiti.push(in_savepoint(&mut tx, l.as_mut()).await);
        }
        let commit = tx.commit().await.map_err(|e| e.to_string());
        for (l, esito) in gruppo.into_iter().zip(esiti) {
            let esito = match (&commit, esito) {
                (Err(m), _) => Err(DbError::Inconsistent(format!("commit non riuscito: {m}"))),
                (Ok(()), e) => e,
            };
            l.concludi(esito);
        }
    }
}

async fn in_savepoint(tx: &mut Tx, l: &mut dyn Lavoro) -> Result<(), DbError> {
    comando(tx, "SAVEPOINT lavoro").await?;
    // A panicking job must not take the node's writer with it.
    let esito = match AssertUnwindSafe(l.esegui(tx)).catch_unwind().await {
        Ok(r) => r,
        Err(_) => Err(DbError::Inconsistent("salvataggio interrotto da un errore interno".into())),
    };
    match esito {
        Ok(()) => comando(tx, "RELEASE lavoro").await,
        Err(e) => {
            comando(tx, "ROLLBACK TO lavoro").await?;
            comando(tx, "RELEASE lavoro").await?;
            Err(e)
        }
    }
}

async fn comando(tx: &mut Tx, sql: &'static str) -> Result<(), DbError> {
    Ok(run!(&mut *tx, |ex| sqlx::query(sql).execute(ex).await.map(|_| ()))?)
}
