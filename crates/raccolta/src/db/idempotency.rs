//! Actions that must happen once, as in *Zero To Production*: the first request with a key inserts the key's row
//! inside the transaction of its side effects and stores its response there too; a retried, doubled or concurrent
//! request with the same key finds the row and replays the stored response instead of acting again.
//!
//! Concurrency: the row's primary key does the work. On PostgreSQL a second `INSERT` of the same key waits for
//! the first transaction and then conflicts; on SQLite `BEGIN IMMEDIATE` queues the second writer behind the
//! first. Either way the second request sees the first one's response, never a half-done action.

use super::{DbError, Tx};

/// A response as stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers worth replaying (e.g. `location`, `content-type`), name and value.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// What the caller must do after [`start`].
#[derive(Debug)]
pub enum Next {
    /// The key is new: act inside the transaction, then [`finish`] with the response, then commit.
    Act,
    /// The action already happened: answer with its response (the caller drops the transaction).
    Replay(SavedResponse),
}

/// Claims `key` for `user_id` inside `tx`, or returns the response of the request that claimed it first.
pub async fn start(tx: &mut Tx, user_id: i64, key: &str, now: i64) -> Result<Next, DbError> {
    let inserted = run!(&mut *tx, |ex| sqlx::query(
        "INSERT INTO idempotency (user_id, idempotency_key, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, idempotency_key) DO NOTHING"
    )
    .bind(user_id)
    .bind(key)
    .bind(now)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    if inserted == 1 {
        return Ok(Next::Act);
    }
    match trova(tx, user_id, key).await? {
        Some(saved) => Ok(Next::Replay(saved)),
        // The first request committed its claim without a response: a bug in the caller. Never act twice.
        None => Err(DbError::Inconsistent(format!("chiave di idempotenza {key} senza risposta"))),
    }
}

/// The row of a key, as stored.
#[derive(sqlx::FromRow)]
struct Stored {
    response_status: Option<i64>,
    response_headers: Option<String>,
    response_body: Option<Vec<u8>>,
}

async fn stored(tx: &mut Tx, user_id: i64, key: &str) -> Result<Option<Stored>, DbError> {
    Ok(run!(&mut *tx, |ex| sqlx::query_as(
        "SELECT response_status, response_headers, response_body FROM idempotency \
         WHERE user_id = $1 AND idempotency_key = $2"
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(ex)
    .await)?)
}

/// The stored response of `key`, if a committed action claimed it (a read: nothing is claimed).
pub async fn trova(tx: &mut Tx, user_id: i64, key: &str) -> Result<Option<SavedResponse>, DbError> {
    Ok(stored(tx, user_id, key).await?.and_then(|r| {
        Some(SavedResponse {
            status: u16::try_from(r.response_status?).unwrap_or(500),
            headers: r.response_headers.and_then(|h| serde_json::from_str(&h).ok()).unwrap_or_default(),
            body: r.response_body.unwrap_or_default(),
        })
    }))
}

/// Stores the response of the action that claimed `key`; commit `tx` afterwards.
pub async fn finish(tx: &mut Tx, user_id: i64, key: &str, response: &SavedResponse) -> Result<(), DbError> {
    let headers = serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".to_owned());
    run!(&mut *tx, |ex| sqlx::query(
        "UPDATE idempotency SET response_status = $3, response_headers = $4, response_body = $5 \
         WHERE user_id = $1 AND idempotency_key = $2"
    )
    .bind(user_id)
    .bind(key)
    .bind(i64::from(response.status))
    .bind(&headers)
    .bind(&response.body)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets keys older than `cutoff`; returns how many.
pub async fn delete_before(c: impl Into<super::Conn<'_>>, cutoff: i64) -> Result<u64, DbError> {
    Ok(run!(c, |ex| sqlx::query("DELETE FROM idempotency WHERE created_at < $1")
        .bind(cutoff)
        .execute(ex)
        .await
        .map(|r| r.rows_affected()))?)
}
