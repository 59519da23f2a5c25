//! Single-use links sent by e-mail: confirmation, password reset, e-mail change. Only their SHA-256 is stored.

use super::{Conn, DbError};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Confirms a registration (24 hours).
    Conferma,
    /// Sets a new password (60 minutes).
    Reset,
    /// Confirms a new e-mail address.
    Email,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Conferma => "conferma",
            Kind::Reset => "reset",
            Kind::Email => "email",
        }
    }
}

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Never issued (or mistyped).
    Unknown,
    /// Past its validity.
    Expired,
    /// Already used, or replaced by a newer link.
    Used,
}

/// A valid link's subject.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Token {
    /// The user.
    pub user_id: i64,
    /// For e-mail changes, the new address.
    pub new_email: Option<String>,
}

/// Issues a link; earlier unused links of the same kind for the user stop working.
pub async fn issue(
    c: impl Into<Conn<'_>>,
    user_id: i64,
    kind: Kind,
    token_hash: &str,
    now: i64,
    expires_at: i64,
    new_email: Option<&str>,
) -> Result<(), DbError> {
    let mut c = c.into();
    run!(&mut c, |ex| sqlx::query(
        "UPDATE user_tokens SET used_at = $3 WHERE user_id = $1 AND kind = $2 AND used_at IS NULL"
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ()))?;
    run!(&mut c, |ex| sqlx::query(
        "INSERT INTO user_tokens (user_id, kind, token_hash, new_email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(token_hash)
    .bind(new_email)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

async fn why_invalid(status: Option<(Option<i64>, i64)>, now: i64) -> Invalid {
    match status {
        None => Invalid::Unknown,
        Some((Some(_), _)) => Invalid::Used,
        Some((None, expires_at)) if expires_at <= now => Invalid::Expired,
        Some(_) => Invalid::Used,
    }
}

/// Checks a link without using it (the page that asks to confirm).
pub async fn peek(
    c: impl Into<Conn<'_>>,
    kind: Kind,
    token_hash: &str,
    now: i64,
) -> Result<Result<Token, Invalid>, DbError> {
    let row: Option<(i64, Option<String>, Option<i64>, i64)> = run!(c, |ex| sqlx::query_as(
        "SELECT user_id, new_email, used_at, expires_at FROM user_tokens WHERE token_hash = $1 AND kind = $2"
    )
    .bind(token_hash)
    .bind(kind.as_str())
    .fetch_optional(ex)
    .await)?;
    Ok(match row {
        Some((user_id, new_email, None, expires_at)) if expires_at > now => Ok(Token { user_id, new_email }),
        Some((_, _, used, expires_at)) => Err(why_invalid(Some((used, expires_at)), now).await),
        None => Err(Invalid::Unknown),
    })
}

/// Uses a link, atomically: of two concurrent uses exactly one succeeds.
pub async fn consume(
    c: impl Into<Conn<'_>>,
    kind: Kind,
    token_hash: &str,
    now: i64,
) -> Result<Result<Token, Invalid>, DbError> {
    let mut c = c.into();
    let used: Option<Token> = run!(&mut c, |ex| sqlx::query_as(
        "UPDATE user_tokens SET used_at = $3 WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL \
         AND expires_at > $3 RETURNING user_id, new_email"
    )
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(now)
    .fetch_optional(ex)
    .await)?;
    if let Some(token) = used {
        return Ok(Ok(token));
    }
    let status: Option<(Option<i64>, i64)> = run!(&mut c, |ex| sqlx::query_as(
        "SELECT used_at, expires_at FROM user_tokens WHERE token_hash = $1 AND kind = $2"
    )
    .bind(token_hash)
    .bind(kind.as_str())
    .fetch_optional(ex)
    .await)?;
    Ok(Err(why_invalid(status, now).await))
}

/// Ends every link of `user_id` not used yet (after a password or e-mail change); returns how many.
pub async fn revoke_for_user(c: impl Into<Conn<'_>>, user_id: i64, now: i64) -> Result<u64, DbError> {
    Ok(run!(c, |ex| sqlx::query("UPDATE user_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(ex)
        .await
        .map(|r| r.rows_affected()))?)
}
