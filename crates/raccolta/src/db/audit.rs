//! The audit log: who did what, when, from where. Later issues record every authentication event, association
//! decision and state change here; the foundation records node start and stop.

use time::OffsetDateTime;

use super::{Conn, DbError};

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
pub async fn record(c: impl Into<Conn<'_>>, event: &AuditEvent<'_>) -> Result<(), DbError> {
    let at = OffsetDateTime::now_utc().unix_timestamp();
    let details = event.details.to_string();
    run!(c, |ex| {
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
        .execute(ex)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The most recent events, newest first (for administrators and tests).
pub async fn recent(c: impl Into<Conn<'_>>, limit: i64) -> Result<Vec<(String, String)>, DbError> {
    let rows: Vec<(String, String)> = run!(c, |ex| {
        sqlx::query_as("SELECT actor, action FROM audit_events ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(ex)
            .await
    })?;
    Ok(rows)
}

/// One event of a user's own record, for *Scarica i tuoi dati*.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventoUtente {
    /// When (UTC seconds).
    pub occurred_at: i64,
    /// What, as a dotted name.
    pub action: String,
    /// From which address.
    pub origin: Option<String>,
    /// With which browser.
    pub user_agent: Option<String>,
}

/// Every event concerning `user_id`, oldest first.
pub async fn of_user(c: impl Into<Conn<'_>>, user_id: i64) -> Result<Vec<EventoUtente>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT occurred_at, action, origin, user_agent FROM audit_events WHERE user_id = $1 ORDER BY id"
    )
    .bind(user_id)
    .fetch_all(ex)
    .await)?)
}
