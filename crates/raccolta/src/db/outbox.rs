//! The e-mail outbox: messages are written in the transaction of the change that causes them, and a worker on any
//! node delivers them later. A claim is a lease (`claimed_until`), so two nodes never send the same message at once
//! and a node that dies mid-send only delays it until the lease expires.

use rand::RngCore;

use super::{Conn, Db, DbError};

/// An e-mail to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The single recipient's address.
    pub recipient: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part, complete on its own.
    pub body_text: String,
    /// The HTML part.
    pub body_html: String,
    /// Right-hand side of the generated `Message-ID` (the host of the public URL).
    pub message_id_domain: String,
}

/// A claimed message, ready to be sent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxRow {
    /// Row id.
    pub id: i64,
    /// `<random@host>`, the same on every attempt so receivers can drop duplicates.
    pub message_id: String,
    /// The recipient's address.
    pub recipient: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub body_text: String,
    /// The HTML part.
    pub body_html: String,
    /// Delivery attempts started so far, this one included.
    pub attempts: i64,
}

/// Where a message stands, for tests, metrics and administrators.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxStatus {
    /// Row id.
    pub id: i64,
    /// The stable `Message-ID`.
    pub message_id: String,
    /// Delivery attempts started so far.
    pub attempts: i64,
    /// Earliest time of the next attempt (UTC seconds).
    pub next_attempt_at: i64,
    /// When it was accepted by the transport, if it was.
    pub sent_at: Option<i64>,
    /// When it was given up, if it was.
    pub failed_at: Option<i64>,
    /// The latest delivery error.
    pub last_error: Option<String>,
}

/// Columns returned by a claim, in [`OutboxRow`] order.
const ROW_COLUMNS: &str = "id, message_id, recipient, subject, body_text, body_html, attempts";

/// Writes `msg` inside the caller's transaction, due now; returns its id.
#[tracing::instrument(skip_all, fields(outbox_id))]
pub async fn enqueue(c: impl Into<Conn<'_>>, msg: &NewMessage) -> Result<i64, DbError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let message_id = new_message_id(&msg.message_id_domain);
    let id: i64 = run!(c, |ex| {
        sqlx::query_scalar(
            "INSERT INTO outbox (message_id, recipient, subject, body_text, body_html, created_at, next_attempt_at, \
             attempts) VALUES ($1, $2, $3, $4, $5, $6, $6, 0) RETURNING id",
        )
        .bind(&message_id)
        .bind(&msg.recipient)
        .bind(&msg.subject)
        .bind(&msg.body_text)
        .bind(&msg.body_html)
        .bind(now)
        .fetch_one(ex)
        .await
    })?;
    tracing::Span::current().record("outbox_id", id);
    Ok(id)
}

/// Queues many messages with one statement per 500, each not sent before its delay in seconds from now: a
/// reminder to thousands of enti.
pub async fn enqueue_molti(c: impl Into<Conn<'_>>, msgs: &[(NewMessage, i64)]) -> Result<(), DbError> {
    let mut c: Conn<'_> = c.into();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for blocco in msgs.chunks(500) {
        let valori: Vec<String> = (0..blocco.len())
            .map(|i| {
                let b = i * 7;
                format!("(${}, ${}, ${}, ${}, ${}, ${}, ${}, 0)", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7)
            })
            .collect();
        let sql = format!(
            "INSERT INTO outbox (message_id, recipient, subject, body_text, body_html, created_at, next_attempt_at, \
             attempts) VALUES {}",
            valori.join(", ")
        );
        run!(&mut c, |ex| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (m, dopo) in blocco {
                q = q
                    .bind(new_message_id(&m.message_id_domain))
                    .bind(&m.recipient)
                    .bind(&m.subject)
                    .bind(&m.body_text)
                    .bind(&m.body_html)
                    .bind(now)
                    .bind(now + dopo.max(&0));
            }
            q.execute(ex).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// `<32 hex digits@domain>`: 128 random bits, so ids never collide across nodes.
fn new_message_id(domain: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let domain = if domain.is_empty() { "raccolta.invalid" } else { domain };
    format!("<{hex}@{domain}>")
}

/// Condition of a message that may be claimed at `$1`.
const DUE: &str = "sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                   AND (claimed_until IS NULL OR claimed_until <= $1)";

/// Claims up to `limit` due messages for `lease_secs` seconds and counts the attempt; oldest first.
///
/// Due means: not sent, not failed, `next_attempt_at <= now`, and not claimed or with an expired lease.
#[tracing::instrument(skip_all, fields(backend = db.backend(), claimed))]
pub async fn claim_due(db: &Db, now: i64, lease_secs: i64, limit: i64) -> Result<Vec<OutboxRow>, DbError> {
    // Every node polls about once a second: a plain read first, so an empty outbox never takes SQLite's write lock
    // away from the requests.
    let due: bool = run!(db, |ex| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT EXISTS (SELECT 1 FROM outbox WHERE {DUE})")))
            .bind(now)
            .fetch_one(ex)
            .await
    })?;
    if !due {
        return Ok(Vec::new());
    }
    // PostgreSQL: rows another node is claiming right now are skipped, not waited for; the outer UPDATE re-checks
    // the condition on the latest row version. SQLite: BEGIN IMMEDIATE serializes claimers on the write lock.
    let sql = match db {
        Db::Sqlite(_) => format!(
            "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox \
             WHERE {DUE} ORDER BY next_attempt_at, id LIMIT $3) RETURNING {ROW_COLUMNS}"
        ),
        Db::Postgres(_) => format!(
            "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox \
             WHERE {DUE} ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING {ROW_COLUMNS}"
        ),
    };
    let mut tx = db.begin().await?;
    let mut rows: Vec<OutboxRow> = run!(&mut tx, |ex| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now).bind(now + lease_secs).bind(limit).fetch_all(ex).await
    })?;
    tx.commit().await?;
    // RETURNING does not promise an order.
    rows.sort_by_key(|r| r.id);
    tracing::Span::current().record("claimed", rows.len());
    Ok(rows)
}

/// Records that the transport accepted the message; `last_error` keeps any earlier transient failure.
#[tracing::instrument(skip(c))]
pub async fn mark_sent(c: impl Into<Conn<'_>>, id: i64, now: i64) -> Result<(), DbError> {
    run!(c, |ex| {
        sqlx::query("UPDATE outbox SET sent_at = $2, claimed_until = NULL WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(ex)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// Releases the claim and schedules another attempt at `next_attempt_at`, keeping the error for administrators.
#[tracing::instrument(skip(c, error))]
pub async fn mark_retry(c: impl Into<Conn<'_>>, id: i64, next_attempt_at: i64, error: &str) -> Result<(), DbError> {
    run!(c, |ex| {
        sqlx::query(
            "UPDATE outbox SET next_attempt_at = $2, claimed_until = NULL, last_error = $3 \
             WHERE id = $1 AND sent_at IS NULL",
        )
        .bind(id)
        .bind(next_attempt_at)
        .bind(error)
        .execute(ex)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Gives the message up for good: it is never attempted again.
#[tracing::instrument(skip(c, error))]
pub async fn mark_failed(c: impl Into<Conn<'_>>, id: i64, now: i64, error: &str) -> Result<(), DbError> {
    run!(c, |ex| {
        sqlx::query(
            "UPDATE outbox SET failed_at = $2, claimed_until = NULL, last_error = $3 WHERE id = $1 AND sent_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(error)
        .execute(ex)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Gives back a claimed message that was not attempted (the worker is stopping), without counting the attempt.
#[tracing::instrument(skip(c))]
pub async fn release(c: impl Into<Conn<'_>>, id: i64) -> Result<(), DbError> {
    run!(c, |ex| {
        sqlx::query(
            "UPDATE outbox SET claimed_until = NULL, attempts = attempts - 1 \
             WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL AND claimed_until IS NOT NULL",
        )
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Deletes messages sent or given up before `before` (UTC seconds); returns how many. Their bodies carry links
/// with tokens and personal data, which need not outlive delivery.
#[tracing::instrument(skip(c))]
pub async fn purge_finished(c: impl Into<Conn<'_>>, before: i64) -> Result<u64, DbError> {
    let done = run!(c, |ex| {
        sqlx::query("DELETE FROM outbox WHERE sent_at < $1 OR failed_at < $1")
            .bind(before)
            .execute(ex)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(done)
}

/// Messages neither sent nor given up.
pub async fn pending_count(c: impl Into<Conn<'_>>) -> Result<i64, DbError> {
    let n: i64 = run!(c, |ex| {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
            .fetch_one(ex)
            .await
    })?;
    Ok(n)
}

/// Messages given up for good.
pub async fn failed_count(c: impl Into<Conn<'_>>) -> Result<i64, DbError> {
    let n: i64 = run!(c, |ex| {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL").fetch_one(ex).await
    })?;
    Ok(n)
}

/// The delivery status of one message, if it exists.
pub async fn status(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<OutboxStatus>, DbError> {
    let row: Option<OutboxStatus> = run!(c, |ex| {
        sqlx::query_as(
            "SELECT id, message_id, attempts, next_attempt_at, sent_at, failed_at, last_error \
             FROM outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(ex)
        .await
    })?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_random_and_carry_the_domain() {
        let a = new_message_id("raccolta.comune.example");
        let b = new_message_id("raccolta.comune.example");
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@raccolta.comune.example>"), "{a}");
        assert_eq!(a.len(), 1 + 32 + 1 + "raccolta.comune.example".len() + 1);
        assert!(new_message_id("").ends_with("@raccolta.invalid>"));
    }
}
