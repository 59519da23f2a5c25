//! Periodic housekeeping of a node: expired sessions, registrations never confirmed, stale counters, answered
//! captcha challenges once expired, e-mails delivered or given up more than 30 days ago (their bodies hold links and
//! personal data), idempotency keys older than 48 hours.
//! Every node runs it; the deletions are idempotent, so running it on several nodes is harmless.

use std::future::Future;
use std::time::Duration;

use crate::db::{Db, captcha, idempotency, outbox, sessions, throttles, users};
use crate::ora::Clock;
use crate::web::registrazione::NON_CONFERMATA_GIORNI;

/// How often housekeeping runs.
const EVERY: Duration = Duration::from_secs(600);

/// Runs housekeeping now and then every ten minutes, until `shutdown`.
pub async fn pulizia(db: Db, clock: Clock, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        if let Err(error) = pulisci(&db, clock.now()).await {
            tracing::warn!(%error, "pulizia periodica non riuscita");
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}

/// One round of housekeeping, as of `now`.
pub async fn pulisci(db: &Db, now: i64) -> Result<(), crate::db::DbError> {
    let sessioni = sessions::delete_expired(db, now).await?;
    let registrazioni = users::delete_unconfirmed_before(db, now - NON_CONFERMATA_GIORNI * 24 * 3600).await?;
    let contatori = throttles::delete_stale(db, now).await?;
    let email = outbox::purge_finished(db, now - 30 * 24 * 3600).await?;
    let captcha = captcha::delete_expired(db, now).await?;
    let chiavi = idempotency::delete_before(db, now - 48 * 3600).await?;
    if sessioni + registrazioni + contatori + email + captcha + chiavi > 0 {
        tracing::info!(sessioni, registrazioni, contatori, email, captcha, chiavi, "pulizia periodica");
    }
    Ok(())
}
