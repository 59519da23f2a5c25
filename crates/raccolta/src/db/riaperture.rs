//! Richieste Apertura: the requests to reopen a sent questionnaire and their decisions.

use super::{Conn, DbError, Tx};

/// A request with what the lists show of its questionnaire and ente.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Richiesta {
    /// Id.
    pub id: i64,
    /// The questionnaire.
    pub questionario_id: i64,
    /// Its URL id.
    pub pubblico: String,
    /// Its ente.
    pub ente_id: i64,
    /// The ente's name.
    pub ente: String,
    /// Questionnaire code and modulo (`FC80U`, `B`).
    pub codice: String,
    /// Modulo.
    pub modulo: String,
    /// The version it asks to reopen.
    pub versione: i64,
    /// Who asked.
    pub user_id: Option<i64>,
    /// Their name and code.
    pub richiedente: String,
    /// Why.
    pub motivazione: String,
    /// `in_attesa`, `approvata`, `respinta`.
    pub stato: String,
    /// When it was asked.
    pub created_at: i64,
    /// Who decided (name and code).
    pub decisore: Option<String>,
    /// The decision's note.
    pub nota: Option<String>,
    /// When it was decided.
    pub decisa_at: Option<i64>,
}

const SELECT: &str = "SELECT r.id, r.questionario_id, q.pubblico, q.ente_id, e.denominazione AS ente, q.codice, \
                      q.modulo, r.versione, r.user_id, r.richiedente, r.motivazione, r.stato, r.created_at, \
                      r.decisore, r.nota, r.decisa_at FROM richieste_apertura r \
                      JOIN questionari q ON q.id = r.questionario_id JOIN enti e ON e.id = q.ente_id";

/// Records a request; `false` when one is already waiting for this questionnaire.
pub async fn crea(
    tx: &mut Tx,
    questionario_id: i64,
    versione: i64,
    user_id: i64,
    richiedente: &str,
    motivazione: &str,
    now: i64,
) -> Result<Option<i64>, DbError> {
    let id: Option<(i64,)> = run!(&mut *tx, |ex| sqlx::query_as(
        "INSERT INTO richieste_apertura (questionario_id, versione, user_id, richiedente, motivazione, stato, \
         created_at) VALUES ($1, $2, $3, $4, $5, 'in_attesa', $6) ON CONFLICT DO NOTHING RETURNING id"
    )
    .bind(questionario_id)
    .bind(versione)
    .bind(user_id)
    .bind(richiedente)
    .bind(motivazione)
    .bind(now)
    .fetch_optional(ex)
    .await)?;
    Ok(id.map(|r| r.0))
}

/// One request.
pub async fn by_id(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<Richiesta>, DbError> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(ex).await)?)
}

/// The requests of an ente's questionnaires, the latest first.
pub async fn dell_ente(c: impl Into<Conn<'_>>, ente_id: i64) -> Result<Vec<Richiesta>, DbError> {
    let sql = format!("{SELECT} WHERE q.ente_id = $1 ORDER BY r.created_at DESC, r.id DESC");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ente_id).fetch_all(ex).await)?)
}

/// The requests of one questionnaire, the latest first.
pub async fn del_questionario(c: impl Into<Conn<'_>>, questionario_id: i64) -> Result<Vec<Richiesta>, DbError> {
    let sql = format!("{SELECT} WHERE r.questionario_id = $1 ORDER BY r.created_at DESC, r.id DESC");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(questionario_id).fetch_all(ex).await)?)
}

/// Requests waiting for a decision (the oldest first), then the latest `decise` decided ones.
pub async fn per_gestione(c: impl Into<Conn<'_>>, decise: i64) -> Result<Vec<Richiesta>, DbError> {
    let mut c = c.into();
    let sql = format!("{SELECT} WHERE r.stato = 'in_attesa' ORDER BY r.created_at, r.id");
    let mut out: Vec<Richiesta> = run!(&mut c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(ex).await)?;
    let sql = format!("{SELECT} WHERE r.stato <> 'in_attesa' ORDER BY r.decisa_at DESC, r.id DESC LIMIT $1");
    let decise: Vec<Richiesta> =
        run!(&mut c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(decise).fetch_all(ex).await)?;
    out.extend(decise);
    Ok(out)
}

/// How many requests wait for a decision.
pub async fn in_attesa(c: impl Into<Conn<'_>>) -> Result<i64, DbError> {
    let (n,): (i64,) =
        run!(c, |ex| sqlx::query_as("SELECT COUNT(*) FROM richieste_apertura WHERE stato = 'in_attesa'")
            .fetch_one(ex)
            .await)?;
    Ok(n)
}

/// Records the decision on a waiting request; `false` when it was no longer waiting.
pub async fn decidi(
    tx: &mut Tx,
    id: i64,
    approvata: bool,
    deciso_da: i64,
    decisore: &str,
    nota: &str,
    now: i64,
) -> Result<bool, DbError> {
    let r = run!(&mut *tx, |ex| sqlx::query(
        "UPDATE richieste_apertura SET stato = $2, deciso_da = $3, decisore = $4, nota = $5, decisa_at = $6 \
         WHERE id = $1 AND stato = 'in_attesa'"
    )
    .bind(id)
    .bind(if approvata { "approvata" } else { "respinta" })
    .bind(deciso_da)
    .bind(decisore)
    .bind(nota)
    .bind(now)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}
