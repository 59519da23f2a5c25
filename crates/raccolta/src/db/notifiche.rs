//! Notifications under the header's bell.

use super::{Conn, DbError};

/// A notification with the name of its ente.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notifica {
    /// Id.
    pub id: i64,
    /// What happened: `richiesta`, `approvata`, `rifiutata`, `modalita`, `revocata`.
    pub tipo: String,
    /// The ente.
    pub ente_id: Option<i64>,
    /// Its name.
    pub ente_nome: Option<String>,
    /// The association concerned.
    pub associazione_id: Option<i64>,
    /// A reason, a mode, a user's name: what the text quotes.
    pub dettaglio: String,
    /// When.
    pub created_at: i64,
    /// When it was read.
    pub letta_at: Option<i64>,
}

/// A new notification.
#[derive(Debug, Clone)]
pub struct Nuova<'a> {
    /// Recipient.
    pub user_id: i64,
    /// Kind.
    pub tipo: &'a str,
    /// The ente it is about, if any.
    pub ente_id: Option<i64>,
    /// Association, when the notification is about one.
    pub associazione_id: Option<i64>,
    /// What the text quotes.
    pub dettaglio: &'a str,
}

/// Records a notification.
pub async fn crea(c: impl Into<Conn<'_>>, n: &Nuova<'_>, now: i64) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query(
        "INSERT INTO notifiche (user_id, tipo, ente_id, associazione_id, dettaglio, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(n.user_id)
    .bind(n.tipo)
    .bind(n.ente_id)
    .bind(n.associazione_id)
    .bind(n.dettaglio)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records many notifications with one statement per 500.
pub async fn crea_molte(c: impl Into<Conn<'_>>, tutte: &[Nuova<'_>], now: i64) -> Result<(), DbError> {
    let mut c: Conn<'_> = c.into();
    for blocco in tutte.chunks(500) {
        let valori: Vec<String> = (0..blocco.len())
            .map(|i| {
                let b = i * 6;
                format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6)
            })
            .collect();
        let sql = format!(
            "INSERT INTO notifiche (user_id, tipo, ente_id, associazione_id, dettaglio, created_at) VALUES {}",
            valori.join(", ")
        );
        run!(&mut c, |ex| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for n in blocco {
                q = q.bind(n.user_id).bind(n.tipo).bind(n.ente_id).bind(n.associazione_id).bind(n.dettaglio).bind(now);
            }
            q.execute(ex).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Unread notifications of a user.
pub async fn non_lette(c: impl Into<Conn<'_>>, user_id: i64) -> Result<i64, DbError> {
    let n: (i64,) =
        run!(c, |ex| sqlx::query_as("SELECT COUNT(*) FROM notifiche WHERE user_id = $1 AND letta_at IS NULL")
            .bind(user_id)
            .fetch_one(ex)
            .await)?;
    Ok(n.0)
}

/// Total notifications of a user.
pub async fn conta(c: impl Into<Conn<'_>>, user_id: i64) -> Result<i64, DbError> {
    let n: (i64,) = run!(c, |ex| sqlx::query_as("SELECT COUNT(*) FROM notifiche WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(ex)
        .await)?;
    Ok(n.0)
}

/// A page of a user's notifications, newest first.
pub async fn pagina(c: impl Into<Conn<'_>>, user_id: i64, offset: i64, limit: i64) -> Result<Vec<Notifica>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT n.id, n.tipo, n.ente_id, e.denominazione AS ente_nome, n.associazione_id, n.dettaglio, n.created_at, \
         n.letta_at FROM notifiche n LEFT JOIN enti e ON e.id = n.ente_id WHERE n.user_id = $1 \
         ORDER BY n.created_at DESC, n.id DESC LIMIT $2 OFFSET $3"
    )
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await)?)
}

/// Marks one notification (or, with `None`, all) of a user as read.
pub async fn segna_lette(c: impl Into<Conn<'_>>, user_id: i64, id: Option<i64>, now: i64) -> Result<u64, DbError> {
    Ok(run!(c, |ex| sqlx::query(
        "UPDATE notifiche SET letta_at = $1 WHERE user_id = $2 AND letta_at IS NULL AND ($3 IS NULL OR id = $3)"
    )
    .bind(now)
    .bind(user_id)
    .bind(id)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?)
}
