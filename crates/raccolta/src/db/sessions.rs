//! The session store of tower-sessions, on our database, so that every node sees every session.
//!
//! The table keeps the SHA-256 of the session id, never the id itself: a copy of the database does not let anyone
//! take over a session. `user_id`, `ip` and `user_agent` are copied out of the session data so that all sessions
//! of a user can be listed or ended at once.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::{Conn, Db, DbError};
use crate::ora::Clock;

/// Session data keys copied into columns.
pub const KEY_USER_ID: &str = "user_id";
/// Client address at login.
pub const KEY_IP: &str = "ip";
/// Browser at login.
pub const KEY_USER_AGENT: &str = "user_agent";

/// tower-sessions store over [`Db`].
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
    clock: Clock,
}

impl DbSessionStore {
    /// A store on `db`; a session is expired when `clock` passes its expiry.
    pub fn new(db: Db, clock: Clock) -> Self {
        DbSessionStore { db, clock }
    }
}

fn id_hash(id: &Id) -> String {
    let digest = Sha256::digest(id.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

struct Columns {
    data: String,
    user_id: Option<i64>,
    ip: Option<String>,
    user_agent: Option<String>,
    expires_at: i64,
}

/// tower-sessions dates a record by the system's time; the table dates it by the platform's clock (which tests
/// move), so that "idle for 30 minutes" means 30 minutes of that clock.
fn clock_offset(clock: &Clock) -> i64 {
    clock.now() - OffsetDateTime::now_utc().unix_timestamp()
}

fn columns(record: &Record, offset: i64) -> session_store::Result<Columns> {
    let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let text = |k: &str| record.data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Ok(Columns {
        data,
        user_id: record.data.get(KEY_USER_ID).and_then(serde_json::Value::as_i64),
        ip: text(KEY_IP),
        user_agent: text(KEY_USER_AGENT),
        expires_at: record.expiry_date.unix_timestamp() + offset,
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let now = self.clock.now();
        loop {
            let c = columns(record, clock_offset(&self.clock))?;
            let inserted = run!(&self.db, |ex| {
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, data, created_at, expires_at, ip, user_agent) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id_hash(&record.id))
                .bind(c.user_id)
                .bind(&c.data)
                .bind(now)
                .bind(c.expires_at)
                .bind(&c.ip)
                .bind(&c.user_agent)
                .execute(ex)
                .await
                .map(|r| r.rows_affected())
            })
            .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            // 128 random bits collided with an existing session: astronomically rare, but never reuse it.
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let now = self.clock.now();
        let c = columns(record, clock_offset(&self.clock))?;
        run!(&self.db, |ex| {
            sqlx::query(
                "INSERT INTO sessions (id, user_id, data, created_at, expires_at, ip, user_agent) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, \
                 expires_at = excluded.expires_at, ip = excluded.ip, user_agent = excluded.user_agent",
            )
            .bind(id_hash(&record.id))
            .bind(c.user_id)
            .bind(&c.data)
            .bind(now)
            .bind(c.expires_at)
            .bind(&c.ip)
            .bind(&c.user_agent)
            .execute(ex)
            .await
            .map(|_| ())
        })
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = self.clock.now();
        let row: Option<(String, i64)> = run!(&self.db, |ex| {
            sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(id_hash(id))
                .bind(now)
                .fetch_optional(ex)
                .await
        })
        .map_err(backend)?;
        let Some((data, expires_at)) = row else { return Ok(None) };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            OffsetDateTime::from_unix_timestamp(expires_at - clock_offset(&self.clock)).map_err(backend)?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        run!(&self.db, |ex| {
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id_hash(id)).execute(ex).await.map(|_| ())
        })
        .map_err(backend)
    }
}

/// One active session of a user, for the profile page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionInfo {
    /// SHA-256 of the session id (never the id).
    pub id: String,
    /// When it started (UTC seconds).
    pub created_at: i64,
    /// When it expires if idle.
    pub expires_at: i64,
    /// Client address.
    pub ip: Option<String>,
    /// Browser.
    pub user_agent: Option<String>,
}

/// The active sessions of a user, newest first.
pub async fn list_for_user(c: impl Into<Conn<'_>>, user_id: i64, now: i64) -> Result<Vec<SessionInfo>, DbError> {
    Ok(run!(c, |ex| {
        sqlx::query_as(
            "SELECT id, created_at, expires_at, ip, user_agent FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(ex)
        .await
    })?)
}

/// Ends every session of a user, except `keep` (the hash of the current one) when given.
pub async fn delete_for_user(c: impl Into<Conn<'_>>, user_id: i64, keep: Option<&Id>) -> Result<u64, DbError> {
    let keep = keep.map(id_hash).unwrap_or_default();
    Ok(run!(c, |ex| {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(&keep)
            .execute(ex)
            .await
            .map(|r| r.rows_affected())
    })?)
}

/// The store's hash of a session id, to recognise the current session in a list.
pub fn hash_of(id: &Id) -> String {
    id_hash(id)
}

/// Deletes sessions expired at `now`; returns how many.
pub async fn delete_expired(c: impl Into<Conn<'_>>, now: i64) -> Result<u64, DbError> {
    Ok(run!(c, |ex| {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(ex)
            .await
            .map(|r| r.rows_affected())
    })?)
}
