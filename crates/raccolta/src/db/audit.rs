//! The audit log: who did what, when, from where. An event is built from the request's
//! [`Context`](crate::context::Context) (so it carries the user, address, browser and request id) and recorded
//! with the change it describes, in the same transaction: both commit, or neither.

use super::{Conn, DbError};

/// One audited event. Built only by [`Context::audit`](crate::context::Context::audit).
#[derive(Debug, Clone)]
pub struct AuditEvent {
    actor: String,
    action: String,
    target: Option<String>,
    origin: Option<String>,
    request_id: Option<String>,
    details: serde_json::Value,
    user_id: Option<i64>,
    user_agent: Option<String>,
    at: i64,
}

impl AuditEvent {
    /// An event with everything the context knows; see [`Context::audit`](crate::context::Context::audit).
    pub(crate) fn new(
        actor: String,
        action: &str,
        user_id: Option<i64>,
        origin: Option<String>,
        user_agent: Option<String>,
        request_id: Option<String>,
        at: i64,
    ) -> AuditEvent {
        AuditEvent {
            actor,
            action: action.to_owned(),
            target: None,
            origin,
            request_id,
            details: serde_json::Value::Object(Default::default()),
            user_id,
            user_agent,
            at,
        }
    }

    /// On what (a user code, an ente, a request), when relevant.
    pub fn target(mut self, target: impl Into<String>) -> AuditEvent {
        self.target = Some(target.into());
        self
    }

    /// Details as JSON.
    pub fn details(mut self, details: serde_json::Value) -> AuditEvent {
        self.details = details;
        self
    }

    /// The user the event concerns when no one is signed in (a failed login on a known account, a
    /// confirmation): it appears in that user's own record.
    pub fn concerning(mut self, user_id: i64) -> AuditEvent {
        self.user_id = Some(user_id);
        self
    }

    /// The dotted name.
    pub fn action(&self) -> &str {
        &self.action
    }
}

/// Appends `event` to the audit log, on `c`: pass the transaction of the change it records.
pub async fn record(c: impl Into<Conn<'_>>, event: &AuditEvent) -> Result<(), DbError> {
    let details = event.details.to_string();
    run!(c, |ex| {
        sqlx::query(
            "INSERT INTO audit_events (occurred_at, actor, action, target, origin, request_id, details, user_id, \
             user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(event.at)
        .bind(&event.actor)
        .bind(&event.action)
        .bind(&event.target)
        .bind(&event.origin)
        .bind(&event.request_id)
        .bind(&details)
        .bind(event.user_id)
        .bind(&event.user_agent)
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
