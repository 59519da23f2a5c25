//! Periodic housekeeping of a node: expired sessions, registrations never confirmed, stale counters, answered
//! captcha challenges once expired, e-mails delivered or given up more than 30 days ago (their bodies hold links and
//! personal data), idempotency keys older than 48 hours, prepared exports past their seven days.
//! Every node runs it; the deletions are idempotent, so running it on several nodes is harmless.

use std::future::Future;
use std::time::Duration;

use crate::db::{Db, audit, captcha, idempotency, outbox, sessions, throttles, users};
use crate::ora::Clock;
use crate::web::registrazione::NON_CONFERMATA_GIORNI;

/// How often housekeeping runs.
const EVERY: Duration = Duration::from_secs(600);

/// Runs housekeeping now and then every ten minutes, until `shutdown`; also moves the audit log's rows older
/// than `conservazione_giorni` to the archive.
pub async fn pulizia(db: Db, clock: Clock, conservazione_giorni: i64, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        if let Err(error) = pulisci(&db, clock.now()).await {
            tracing::warn!(%error, "pulizia periodica non riuscita");
        }
        match archivia_audit(&db, clock.now(), conservazione_giorni).await {
            Ok(0) => {}
            Ok(righe) => tracing::info!(righe, "registro di audit: eventi spostati nell'archivio"),
            Err(error) => tracing::warn!(%error, "archiviazione del registro di audit non riuscita"),
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
    let esportazioni = crate::db::esportazioni::elimina_scadute(db, now).await?;
    if sessioni + registrazioni + contatori + email + captcha + chiavi + esportazioni > 0 {
        tracing::info!(sessioni, registrazioni, contatori, email, captcha, chiavi, esportazioni, "pulizia periodica");
    }
    Ok(())
}

/// Moves the sealed audit rows older than `giorni` before `now` to the archive, a thousand at a time: the rows moved.
pub async fn archivia_audit(db: &Db, now: i64, giorni: i64) -> Result<usize, crate::db::DbError> {
    let prima_di = now - giorni * 24 * 3600;
    let mut totale = 0;
    loop {
        let n = audit::archivia(db, prima_di, 1000, now).await?;
        totale += n;
        if n < 1000 {
            return Ok(totale);
        }
    }
}

/// How often the audit log's new rows are sealed into its chain.
const SIGILLO_OGNI: Duration = Duration::from_secs(2);

/// Seals the audit log's new rows (`db::audit::sigilla`) every two seconds, until `shutdown`. Every node runs it;
/// the chain's head row lets one seal at a time.
pub async fn sigilla_audit(db: Db, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        loop {
            match audit::sigilla(&db, 1000).await {
                Ok(1000) => continue,
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(%error, "sigillatura del registro di audit non riuscita");
                    break;
                }
            }
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(SIGILLO_OGNI) => {}
        }
    }
}
