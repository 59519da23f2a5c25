//! Anti-automation counters in the database, so limits hold across nodes.

use super::{Conn, DbError};

/// How a counter turns into a wait.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Events counted within this many seconds; older ones are forgotten.
    pub window_secs: i64,
    /// Events allowed before waiting starts.
    pub free: i64,
    /// First wait, in seconds; it doubles with each further event.
    pub first_wait_secs: i64,
    /// Longest wait.
    pub max_wait_secs: i64,
}

/// Logins for one account name: after 5 failures, 1 minute, then doubling, at most 15 minutes.
pub const LOGIN_ACCOUNT: Policy = Policy { window_secs: 24 * 3600, free: 5, first_wait_secs: 60, max_wait_secs: 900 };
/// Failed logins from one address, whatever the account: a password-spraying brake.
pub const LOGIN_IP: Policy = Policy { window_secs: 3600, free: 50, first_wait_secs: 60, max_wait_secs: 900 };
/// Registrations, reset requests and similar from one address.
pub const FORM_IP: Policy = Policy { window_secs: 3600, free: 20, first_wait_secs: 300, max_wait_secs: 3600 };
/// Captcha images from one address.
pub const CAPTCHA_IP: Policy = Policy { window_secs: 600, free: 120, first_wait_secs: 60, max_wait_secs: 600 };

/// Until when `key` must wait (UTC seconds), if it must.
pub async fn blocked_until(c: impl Into<Conn<'_>>, key: &str, now: i64) -> Result<Option<i64>, DbError> {
    let row: Option<(i64,)> = run!(c, |ex| sqlx::query_as("SELECT blocked_until FROM throttles WHERE key = $1")
        .bind(key)
        .fetch_optional(ex)
        .await)?;
    Ok(row.map(|r| r.0).filter(|until| *until > now))
}

/// Counts one event for `key`; returns until when further events must wait (0 when they need not).
pub async fn record(c: impl Into<Conn<'_>>, key: &str, now: i64, policy: Policy) -> Result<i64, DbError> {
    let mut c = c.into();
    let window_floor = now - policy.window_secs;
    let count: (i64,) = run!(&mut c, |ex| sqlx::query_as(
        "INSERT INTO throttles (key, failures, window_start, blocked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN throttles.window_start < $3 THEN 1 ELSE throttles.failures + 1 END, \
           window_start = CASE WHEN throttles.window_start < $3 THEN $2 ELSE throttles.window_start END \
         RETURNING failures"
    )
    .bind(key)
    .bind(now)
    .bind(window_floor)
    .fetch_one(ex)
    .await)?;
    // After `free` events, every further one waits.
    let over = count.0 - policy.free + 1;
    if over <= 0 {
        return Ok(0);
    }
    let doublings = u32::try_from(over - 1).unwrap_or(u32::MAX).min(20);
    let wait = policy.first_wait_secs.saturating_mul(1_i64 << doublings).min(policy.max_wait_secs);
    let until = now + wait;
    run!(&mut c, |ex| sqlx::query("UPDATE throttles SET blocked_until = $2 WHERE key = $1")
        .bind(key)
        .bind(until)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(until)
}

/// Forgets `key` (e.g. after a successful login).
pub async fn reset(c: impl Into<Conn<'_>>, key: &str) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query("DELETE FROM throttles WHERE key = $1").bind(key).execute(ex).await.map(|_| ()))?;
    Ok(())
}

/// Deletes counters idle for a day.
pub async fn delete_stale(c: impl Into<Conn<'_>>, now: i64) -> Result<u64, DbError> {
    Ok(run!(c, |ex| sqlx::query("DELETE FROM throttles WHERE window_start < $1 AND blocked_until < $2")
        .bind(now - 24 * 3600)
        .bind(now)
        .execute(ex)
        .await
        .map(|r| r.rows_affected()))?)
}
