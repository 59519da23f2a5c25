//! The outbox worker: claims due messages, sends them, records the outcome.
//!
//! Every node may run one; claims are leases in the database, so a message is sent by one node at a time. A
//! transient failure is retried with exponential backoff, a permanent one (or too many transient ones) marks the
//! message failed. The worker sleeps while the outbox is empty, and wakes at once when a request calls
//! [`Wake::wake`] after committing a message.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;

use super::transport::{Mailer, SEND_TIMEOUT};
use crate::db::outbox::{self, OutboxRow};
use crate::db::{Db, DbError};

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Pause between polls while there is nothing to send.
    pub idle: Duration,
    /// Seconds a claim lasts; longer than one whole delivery may take.
    pub lease_secs: i64,
    /// Messages claimed at once.
    pub batch: i64,
    /// Attempts after which a message failing transiently is given up.
    pub max_attempts: i64,
    /// Delay after the first failed attempt; doubled after each further one.
    pub base_delay_secs: i64,
    /// Longest delay between two attempts.
    pub max_delay_secs: i64,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            idle: Duration::from_secs(1),
            lease_secs: 60,
            batch: 20,
            max_attempts: 10,
            base_delay_secs: 30,
            max_delay_secs: 3600,
        }
    }
}

impl WorkerOptions {
    /// Seconds to wait after the `attempts`-th failed attempt: base × 2^(attempts − 1), at most the maximum.
    pub fn backoff_secs(&self, attempts: i64) -> i64 {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.base_delay_secs.saturating_mul(1_i64 << doublings).min(self.max_delay_secs)
    }
}

/// Wakes the worker of this node for immediate delivery; cheap to clone into the application state.
#[derive(Debug, Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    /// A new handle, to give both to the worker and to the request handlers.
    pub fn new() -> Wake {
        Wake::default()
    }

    /// Asks the worker to look at the outbox now; call it after committing a message. A wake while the worker is
    /// busy is kept, so the worker looks again as soon as it is done.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Delivers the outbox until `shutdown` completes. The message being sent when it does is finished (bounded by
/// the send timeout); the rest of the batch is given back for the next start or another node.
#[tracing::instrument(name = "outbox_worker", skip_all, fields(transport = %mailer.describe()))]
pub async fn run(db: Db, mailer: Mailer, wake: Wake, options: WorkerOptions, shutdown: impl Future<Output = ()>) {
    debug_assert!(options.lease_secs > i64::try_from(SEND_TIMEOUT.as_secs()).unwrap_or(i64::MAX));
    let mut shutdown = std::pin::pin!(shutdown);
    tracing::info!(backend = db.backend(), "invio delle e-mail avviato");
    'work: loop {
        if has_fired(shutdown.as_mut()).await {
            break;
        }
        match outbox::claim_due(&db, now(), options.lease_secs, options.batch).await {
            Ok(rows) => {
                let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= options.batch;
                let mut rows = rows.into_iter();
                while let Some(row) = rows.next() {
                    if has_fired(shutdown.as_mut()).await {
                        for row in std::iter::once(row).chain(rows) {
                            if let Err(error) = outbox::release(&db, row.id).await {
                                tracing::warn!(%error, outbox_id = row.id, "e-mail non rilasciata all'arresto");
                            }
                        }
                        break 'work;
                    }
                    deliver(&db, &mailer, &options, &row).await;
                }
                if full {
                    continue;
                }
            }
            Err(error) => tracing::warn!(%error, "lettura della coda delle e-mail non riuscita"),
        }
        tokio::select! {
            biased;
            () = shutdown.as_mut() => break,
            () = wake.0.notified() => {}
            () = tokio::time::sleep(options.idle) => {}
        }
    }
    tracing::info!("invio delle e-mail arrestato");
}

/// True when `shutdown` has completed; never waits. Once it returns true the future must not be polled again.
pub(crate) async fn has_fired<F: Future<Output = ()>>(mut shutdown: Pin<&mut F>) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(shutdown.as_mut().poll(cx).is_ready())).await
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[tracing::instrument(skip_all, fields(outbox_id = row.id, message_id = %row.message_id, attempt = row.attempts))]
async fn deliver(db: &Db, mailer: &Mailer, options: &WorkerOptions, row: &OutboxRow) {
    let result = mailer.send(row).await;
    let at = now();
    match result {
        Ok(()) => {
            tracing::info!("e-mail consegnata");
            record(|| outbox::mark_sent(db, row.id, at)).await;
        }
        Err(error) if error.is_permanent() => {
            tracing::warn!(%error, "e-mail non consegnabile: abbandonata");
            let text = error.to_string();
            record(|| outbox::mark_failed(db, row.id, at, &text)).await;
        }
        Err(error) if row.attempts >= options.max_attempts => {
            tracing::warn!(%error, "e-mail non consegnata dopo il numero massimo di tentativi: abbandonata");
            let text = format!("{error} (dopo {} tentativi)", row.attempts);
            record(|| outbox::mark_failed(db, row.id, at, &text)).await;
        }
        Err(error) => {
            let delay = options.backoff_secs(row.attempts);
            tracing::info!(%error, retry_in_secs = delay, "e-mail non consegnata: nuovo tentativo più tardi");
            let text = error.to_string();
            record(|| outbox::mark_retry(db, row.id, at + delay, &text)).await;
        }
    }
}

/// Writes an outcome, retrying briefly: after a successful send, losing the outcome would mean sending it again
/// when the lease expires.
async fn record<F, Fut>(write: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), DbError>>,
{
    let mut pause = Duration::from_millis(200);
    for attempt in 1..=5 {
        match write().await {
            Ok(()) => return,
            Err(error) if attempt == 5 => {
                tracing::error!(%error, "esito dell'invio non registrato: l'e-mail potrebbe essere inviata di nuovo");
            }
            Err(error) => {
                tracing::warn!(%error, attempt, "esito dell'invio non registrato, riprovo");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let o = WorkerOptions::default();
        let delays: Vec<i64> = (1..=10).map(|n| o.backoff_secs(n)).collect();
        assert_eq!(delays, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(o.backoff_secs(0), 30);
        assert_eq!(o.backoff_secs(i64::MAX), 3600);
    }

    #[test]
    fn the_lease_outlasts_a_whole_delivery() {
        let o = WorkerOptions::default();
        assert!(o.lease_secs > i64::try_from(SEND_TIMEOUT.as_secs()).unwrap_or(i64::MAX));
    }

    #[tokio::test]
    async fn a_wake_while_busy_is_not_lost() {
        let wake = Wake::new();
        wake.wake();
        tokio::time::timeout(Duration::from_secs(1), wake.0.notified()).await.expect("the stored wake is delivered");
    }
}
