//! The audit log: who did what, when, from where. Later issues record every authentication event, association
//! decision and state change here; the foundation records node start and stop.

use time::OffsetDateTime;

use super::{Db, DbError};
use crate::with_db;

/// One audited event.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent<'a> {
    /// Who: a user code, `sistema` for the platform itself.
    pub actor: &'a str,
    /// What, as a dotted name (`sistema.avvio`).
    pub action: &'a str,
    /// On what, when relevant.
    pub target: Option<&'a str>,
    /// From where: client address or node name.
    pub origin: Option<&'a str>,
    /// Request id, to join the audit log with the request log.
    pub request_id: Option<&'a str>,
    /// Free-form JSON details.
    pub details: serde_json::Value,
    /// The user concerned, when known.
    pub user_id: Option<i64>,
    /// The browser, for authentication events.
    pub user_agent: Option<&'a str>,
}

/// Appends an event to the audit log.
pub async fn record(db: &Db, event: &AuditEvent<'_>) -> Result<(), DbError> {
    let at = OffsetDateTime::now_utc().unix_timestamp();
    let details = event.details.to_string();
    with_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO audit_events (occurred_at, actor, action, target, origin, request_id, details, user_id, \
             user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(at)
        .bind(event.actor)
        .bind(event.action)
        .bind(event.target)
        .bind(event.origin)
        .bind(event.request_id)
        .bind(&details)
        .bind(event.user_id)
        .bind(event.user_agent)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The most recent events, newest first (for administrators and tests).
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<(String, String)>, DbError> {
    let rows: Vec<(String, String)> = with_db!(db, |pool| {
        sqlx::query_as("SELECT actor, action FROM audit_events ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows)
}
