//! Captcha challenges already answered: single use across requests and nodes, decided by one unique key.

use super::{Conn, DbError};

/// Marks the challenge with salt `sale` (valid until `scade`, UTC seconds) as answered; `true` for the one caller
/// that consumed it, `false` for everyone after (or at the same time), whatever the session they loaded says.
pub async fn consuma(c: impl Into<Conn<'_>>, sale: &str, scade: i64) -> Result<bool, DbError> {
    let inserite = run!(c, |ex| sqlx::query(
        "INSERT INTO captcha_consumati (sale, scade) VALUES ($1, $2) ON CONFLICT (sale) DO NOTHING"
    )
    .bind(sale)
    .bind(scade)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(inserite == 1)
}

/// Forgets the challenges expired before `now`: an expired challenge is refused anyway, consumed or not.
pub async fn delete_expired(c: impl Into<Conn<'_>>, now: i64) -> Result<u64, DbError> {
    Ok(run!(c, |ex| sqlx::query("DELETE FROM captcha_consumati WHERE scade < $1")
        .bind(now)
        .execute(ex)
        .await
        .map(|r| r.rows_affected()))?)
}
