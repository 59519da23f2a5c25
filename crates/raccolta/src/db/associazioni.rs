//! Users' associations with enti, and the enti's responsabili.
//!
//! Every decision is a conditional UPDATE (`… WHERE stato = 'in_attesa'`): of two responsabili deciding at once, or
//! one clicking twice, exactly one changes the row and the other is told it was already decided.

use super::users::User;
use super::{Conn, DbError};
use crate::domain::{Modalita, StatoAssociazione};

/// An association with the names of its user and ente, as lists and decisions show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Associazione {
    /// Id.
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// The user's code.
    pub user_codice: String,
    /// The user's name or company name.
    pub user_nome: String,
    /// The user's e-mail.
    pub user_email: String,
    /// The user's language.
    pub user_lang: String,
    /// The ente.
    pub ente_id: i64,
    /// Its IPA code.
    pub codice_ipa: String,
    /// Its name.
    pub denominazione: String,
    /// `consultazione` or `compilazione`.
    pub modalita: String,
    /// [`StatoAssociazione`] code.
    pub stato: String,
    /// Reason of a refusal or revocation.
    pub motivo: Option<String>,
    /// When it was asked for.
    pub created_at: i64,
    /// When it was last decided.
    pub decided_at: Option<i64>,
}

impl Associazione {
    /// The state.
    pub fn stato(&self) -> Option<StatoAssociazione> {
        StatoAssociazione::from_code(&self.stato)
    }

    /// The mode.
    pub fn modalita(&self) -> Option<Modalita> {
        Modalita::from_code(&self.modalita)
    }
}

const SELECT: &str = "SELECT a.id, a.user_id, u.codice AS user_codice, \
     COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS user_nome, u.email AS user_email, u.lang AS user_lang, \
     a.ente_id, e.codice_ipa, e.denominazione, a.modalita, a.stato, a.motivo, a.created_at, a.decided_at \
     FROM associazioni a JOIN users u ON u.id = a.user_id JOIN enti e ON e.id = a.ente_id";

/// Why a request could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RichiestaError {
    /// The user already has a pending or active association with the ente.
    #[error("associazione già aperta")]
    GiaAperta,
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Records a pending request; refused when one is already pending or active for this user and ente.
pub async fn richiedi(
    c: impl Into<Conn<'_>>,
    user_id: i64,
    ente_id: i64,
    m: Modalita,
    now: i64,
) -> Result<i64, RichiestaError> {
    let mut c = c.into();
    let aperte: (i64,) = run!(&mut c, |ex| sqlx::query_as(
        "SELECT COUNT(*) FROM associazioni WHERE user_id = $1 AND ente_id = $2 AND stato IN ('in_attesa', 'attiva')"
    )
    .bind(user_id)
    .bind(ente_id)
    .fetch_one(ex)
    .await)
    .map_err(DbError::from)?;
    if aperte.0 > 0 {
        return Err(RichiestaError::GiaAperta);
    }
    let inserted: Result<(i64,), DbError> = run!(&mut c, |ex| sqlx::query_as(
        "INSERT INTO associazioni (user_id, ente_id, modalita, stato, created_at) \
         VALUES ($1, $2, $3, 'in_attesa', $4) RETURNING id"
    )
    .bind(user_id)
    .bind(ente_id)
    .bind(m.code())
    .bind(now)
    .fetch_one(ex)
    .await)
    .map_err(DbError::from);
    match inserted {
        Ok((id,)) => Ok(id),
        // Two submits racing: the partial unique index lets one through.
        Err(e) if e.is_unique_violation() => Err(RichiestaError::GiaAperta),
        Err(e) => Err(e.into()),
    }
}

/// One association.
pub async fn by_id(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<Associazione>, DbError> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(ex).await)?)
}

/// A user's associations, open ones first, newest first.
pub async fn del_utente(c: impl Into<Conn<'_>>, user_id: i64) -> Result<Vec<Associazione>, DbError> {
    let sql = format!(
        "{SELECT} WHERE a.user_id = $1 ORDER BY CASE a.stato WHEN 'attiva' THEN 0 WHEN 'in_attesa' THEN 1 ELSE 2 END, \
         a.created_at DESC, a.id DESC LIMIT 200"
    );
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_all(ex).await)?)
}

/// An ente's pending and active associations, pending first.
pub async fn dell_ente(c: impl Into<Conn<'_>>, ente_id: i64) -> Result<Vec<Associazione>, DbError> {
    let sql = format!(
        "{SELECT} WHERE a.ente_id = $1 AND a.stato IN ('in_attesa', 'attiva') \
         ORDER BY CASE a.stato WHEN 'in_attesa' THEN 0 ELSE 1 END, a.created_at, a.id"
    );
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ente_id).fetch_all(ex).await)?)
}

/// Every pending request of the platform, oldest first (administrators).
pub async fn in_attesa(c: impl Into<Conn<'_>>, limit: i64) -> Result<Vec<Associazione>, DbError> {
    let sql = format!("{SELECT} WHERE a.stato = 'in_attesa' ORDER BY a.created_at, a.id LIMIT $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(ex).await)?)
}

/// Pending requests of enti that have no responsabile: the administrators decide them.
pub async fn in_attesa_senza_responsabili(c: impl Into<Conn<'_>>) -> Result<Vec<Associazione>, DbError> {
    let sql = format!(
        "{SELECT} WHERE a.stato = 'in_attesa' AND NOT EXISTS (SELECT 1 FROM responsabili r \
         JOIN users ru ON ru.id = r.user_id WHERE r.ente_id = a.ente_id AND ru.stato = 'attivo') \
         ORDER BY a.created_at, a.id"
    );
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(ex).await)?)
}

/// The enti among a user's pending requests that have an active responsabile (who decides them).
pub async fn in_attesa_con_responsabili(c: impl Into<Conn<'_>>, user_id: i64) -> Result<Vec<i64>, DbError> {
    let rows: Vec<(i64,)> = run!(c, |ex| sqlx::query_as(
        "SELECT DISTINCT a.ente_id FROM associazioni a WHERE a.user_id = $1 AND a.stato = 'in_attesa' AND EXISTS \
         (SELECT 1 FROM responsabili r JOIN users ru ON ru.id = r.user_id WHERE r.ente_id = a.ente_id \
         AND ru.stato = 'attivo')"
    )
    .bind(user_id)
    .fetch_all(ex)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How many requests wait for a decision, platform-wide.
pub async fn conta_in_attesa(c: impl Into<Conn<'_>>) -> Result<i64, DbError> {
    let n: (i64,) = run!(c, |ex| sqlx::query_as("SELECT COUNT(*) FROM associazioni WHERE stato = 'in_attesa'")
        .fetch_one(ex)
        .await)?;
    Ok(n.0)
}

/// Moves an association from `da` to `a`, with a reason; false when it was not in state `da` any more.
pub async fn decidi(
    c: impl Into<Conn<'_>>,
    id: i64,
    da: StatoAssociazione,
    a: StatoAssociazione,
    motivo: Option<&str>,
    by: i64,
    now: i64,
) -> Result<bool, DbError> {
    let r = run!(c, |ex| {
        sqlx::query(
        "UPDATE associazioni SET stato = $1, motivo = $2, decided_at = $3, decided_by = $4 WHERE id = $5 AND stato = $6"
    )
    .bind(a.code())
    .bind(motivo)
    .bind(now)
    .bind(by)
    .bind(id)
    .bind(da.code())
    .execute(ex)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(r == 1)
}

/// Changes the mode of an active association; false when it is not active or already in that mode.
pub async fn cambia_modalita(c: impl Into<Conn<'_>>, id: i64, m: Modalita, by: i64, now: i64) -> Result<bool, DbError> {
    let r = run!(c, |ex| sqlx::query(
        "UPDATE associazioni SET modalita = $1, decided_at = $2, decided_by = $3 \
         WHERE id = $4 AND stato = 'attiva' AND modalita <> $1"
    )
    .bind(m.code())
    .bind(now)
    .bind(by)
    .bind(id)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// What a user may do on an ente right now: the mode of their active association; a responsabile compiles.
/// Read on every request, so a revocation takes effect at once on every node.
pub async fn accesso(c: impl Into<Conn<'_>>, user_id: i64, ente_id: i64) -> Result<Option<Modalita>, DbError> {
    let row: Option<(String,)> = run!(c, |ex| sqlx::query_as(
        "SELECT 'compilazione' FROM responsabili WHERE user_id = $1 AND ente_id = $2 \
         UNION ALL SELECT modalita FROM associazioni WHERE user_id = $1 AND ente_id = $2 AND stato = 'attiva'"
    )
    .bind(user_id)
    .bind(ente_id)
    .fetch_all(ex)
    .await
    .map(|rows: Vec<(String,)>| rows.into_iter().max_by_key(|r| Modalita::from_code(&r.0))))?;
    Ok(row.and_then(|r| Modalita::from_code(&r.0)))
}

/// A responsabile of an ente, with contact data.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Responsabile {
    /// The user.
    pub user_id: i64,
    /// Their code.
    pub codice: String,
    /// Name or company name.
    pub nome: String,
    /// E-mail.
    pub email: String,
    /// Language.
    pub lang: String,
}

impl From<&User> for Responsabile {
    /// A user as a recipient of notices.
    fn from(u: &User) -> Self {
        Responsabile {
            user_id: u.id,
            codice: u.codice.clone(),
            nome: u.nome_visualizzato().trim().to_owned(),
            email: u.email.clone(),
            lang: u.lang.clone(),
        }
    }
}

/// The responsabili of an ente.
pub async fn responsabili(c: impl Into<Conn<'_>>, ente_id: i64) -> Result<Vec<Responsabile>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT u.id AS user_id, u.codice, COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS nome, u.email, \
         u.lang FROM responsabili r JOIN users u ON u.id = r.user_id WHERE r.ente_id = $1 AND u.stato = 'attivo' \
         ORDER BY u.cognome, u.nome, u.id"
    )
    .bind(ente_id)
    .fetch_all(ex)
    .await)?)
}

/// Who compiles for an ente: its responsabili and the users with an active Compilazione association, each once,
/// active accounts only (an invio's receipt and notices go to them).
pub async fn compilatori(c: impl Into<Conn<'_>>, ente_id: i64) -> Result<Vec<Responsabile>, DbError> {
    Ok(run!(c, |ex| {
        sqlx::query_as(
        "SELECT u.id AS user_id, u.codice, COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS nome, u.email, \
         u.lang FROM users u WHERE u.stato = 'attivo' AND u.id IN ( \
           SELECT user_id FROM responsabili WHERE ente_id = $1 \
           UNION SELECT user_id FROM associazioni WHERE ente_id = $1 AND stato = 'attiva' AND modalita = 'compilazione') \
         ORDER BY u.id"
    )
    .bind(ente_id)
    .fetch_all(ex)
    .await
    })?)
}

/// The active administrators (who receive requests for enti without responsabili).
pub async fn amministratori(c: impl Into<Conn<'_>>) -> Result<Vec<Responsabile>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT id AS user_id, codice, COALESCE(denominazione, nome || ' ' || cognome) AS nome, email, lang \
         FROM users WHERE ruolo = 'amministratore' AND stato = 'attivo' ORDER BY id"
    )
    .fetch_all(ex)
    .await)?)
}

/// True when the user is a responsabile of the ente.
pub async fn is_responsabile(c: impl Into<Conn<'_>>, user_id: i64, ente_id: i64) -> Result<bool, DbError> {
    let n: (i64,) =
        run!(c, |ex| sqlx::query_as("SELECT COUNT(*) FROM responsabili WHERE user_id = $1 AND ente_id = $2")
            .bind(user_id)
            .bind(ente_id)
            .fetch_one(ex)
            .await)?;
    Ok(n.0 > 0)
}

/// The enti a user is responsabile of, with the number of pending requests of each.
pub async fn enti_responsabile(c: impl Into<Conn<'_>>, user_id: i64) -> Result<Vec<(i64, String, i64)>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT e.id, e.denominazione, (SELECT COUNT(*) FROM associazioni a WHERE a.ente_id = e.id \
         AND a.stato = 'in_attesa') FROM responsabili r JOIN enti e ON e.id = r.ente_id WHERE r.user_id = $1 \
         ORDER BY e.denominazione"
    )
    .bind(user_id)
    .fetch_all(ex)
    .await)?)
}

/// Appoints a responsabile; false when they already were.
pub async fn nomina(c: impl Into<Conn<'_>>, ente_id: i64, user_id: i64, by: i64, now: i64) -> Result<bool, DbError> {
    let r = run!(c, |ex| sqlx::query(
        "INSERT INTO responsabili (ente_id, user_id, nominato_da, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (ente_id, user_id) DO NOTHING"
    )
    .bind(ente_id)
    .bind(user_id)
    .bind(by)
    .bind(now)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// Removes a responsabile; false when they were not one.
pub async fn rimuovi(c: impl Into<Conn<'_>>, ente_id: i64, user_id: i64) -> Result<bool, DbError> {
    let r = run!(c, |ex| sqlx::query("DELETE FROM responsabili WHERE ente_id = $1 AND user_id = $2")
        .bind(ente_id)
        .bind(user_id)
        .execute(ex)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}
