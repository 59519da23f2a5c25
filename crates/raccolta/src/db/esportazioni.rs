//! Exports prepared as a job: the queue, the progress, and the file kept in parts.

use super::{Conn, Db, DbError};

/// An export job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Lavoro {
    /// Id.
    pub id: i64,
    /// URL id.
    pub pubblico: String,
    /// Who asked.
    pub user_id: Option<i64>,
    /// Their name.
    pub utente: Option<String>,
    /// Campaign folder.
    pub campagna: String,
    /// Modulo code.
    pub modulo: String,
    /// `larga` or `lunga`.
    pub forma: String,
    /// `inviati` or `bozze`.
    pub fonte: String,
    /// `csv` or `xlsx`.
    pub formato: String,
    /// `in_coda`, `in_corso`, `pronta`, `fallita`.
    pub stato: String,
    /// Questionnaires read so far.
    pub letti: i64,
    /// Questionnaires to read.
    pub totale: i64,
    /// Rows written.
    pub righe: i64,
    /// Values written.
    pub celle: i64,
    /// File size in bytes.
    pub dimensione: i64,
    /// Why it failed.
    pub errore: Option<String>,
    /// Asked.
    pub created_at: i64,
    /// Done.
    pub finita_at: Option<i64>,
    /// Deleted after.
    pub scade_at: Option<i64>,
}

const SELECT: &str = "SELECT x.id, x.pubblico, x.user_id, COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS utente, \
                      x.campagna, x.modulo, x.forma, x.fonte, x.formato, x.stato, x.letti, x.totale, x.righe, x.celle, \
                      x.dimensione, x.errore, x.created_at, x.finita_at, x.scade_at \
                      FROM esportazioni x LEFT JOIN users u ON u.id = x.user_id";

/// What a new job exports.
#[derive(Debug, Clone)]
pub struct Nuovo<'a> {
    /// URL id.
    pub pubblico: &'a str,
    /// Who asks.
    pub user_id: i64,
    /// Campaign folder.
    pub campagna: &'a str,
    /// Modulo code.
    pub modulo: &'a str,
    /// `larga` or `lunga`.
    pub forma: &'a str,
    /// `inviati` or `bozze`.
    pub fonte: &'a str,
    /// `csv` or `xlsx`.
    pub formato: &'a str,
}

/// Queues a job.
pub async fn accoda(c: impl Into<Conn<'_>>, n: &Nuovo<'_>, now: i64) -> Result<i64, DbError> {
    let (id,): (i64,) = run!(c, |ex| sqlx::query_as(
        "INSERT INTO esportazioni (pubblico, user_id, campagna, modulo, forma, fonte, formato, stato, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_coda', $8) RETURNING id"
    )
    .bind(n.pubblico)
    .bind(n.user_id)
    .bind(n.campagna)
    .bind(n.modulo)
    .bind(n.forma)
    .bind(n.fonte)
    .bind(n.formato)
    .bind(now)
    .fetch_one(ex)
    .await)?;
    Ok(id)
}

/// Takes the oldest job waiting, or one whose node stopped renewing its lease, until `now + lease_secs`; its
/// parts written so far (by a node that died) are dropped.
pub async fn prendi(db: &Db, now: i64, lease_secs: i64) -> Result<Option<Lavoro>, DbError> {
    const DOVUTA: &str = "(stato = 'in_coda' OR (stato = 'in_corso' AND lease_until < $1))";
    let sql = format!("SELECT EXISTS (SELECT 1 FROM esportazioni WHERE {DOVUTA})");
    // A plain read first: an idle queue never takes SQLite's write lock from the requests.
    let dovuta: bool = run!(db, |ex| sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(now).fetch_one(ex).await)?;
    if !dovuta {
        return Ok(None);
    }
    let blocco = match db {
        Db::Sqlite(_) => "",
        Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE esportazioni SET stato = 'in_corso', lease_until = $2, tentativi = tentativi + 1, letti = 0 \
         WHERE id = (SELECT id FROM esportazioni WHERE {DOVUTA} ORDER BY created_at, id LIMIT 1{blocco}) RETURNING id"
    );
    let mut tx = db.begin().await?;
    let id: Option<i64> = run!(&mut tx, |ex| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(now + lease_secs)
        .fetch_optional(ex)
        .await)?;
    let Some(id) = id else { return Ok(None) };
    run!(&mut tx, |ex| sqlx::query("DELETE FROM esportazioni_parti WHERE esportazione_id = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ()))?;
    tx.commit().await?;
    by_id(db, id).await
}

/// One job by id.
pub async fn by_id(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<Lavoro>, DbError> {
    let sql = format!("{SELECT} WHERE x.id = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(ex).await)?)
}

/// One job by URL id.
pub async fn by_pubblico(c: impl Into<Conn<'_>>, pubblico: &str) -> Result<Option<Lavoro>, DbError> {
    let sql = format!("{SELECT} WHERE x.pubblico = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(pubblico).fetch_optional(ex).await)?)
}

/// The latest `limit` jobs, newest first.
pub async fn recenti(c: impl Into<Conn<'_>>, limit: i64) -> Result<Vec<Lavoro>, DbError> {
    let sql = format!("{SELECT} ORDER BY x.created_at DESC, x.id DESC LIMIT $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(ex).await)?)
}

/// Records the progress of a job this node holds, and renews its lease; `false` when it no longer holds it.
pub async fn avanza(db: &Db, id: i64, letti: i64, totale: i64, lease_until: i64) -> Result<bool, DbError> {
    let n = run!(db, |ex| sqlx::query(
        "UPDATE esportazioni SET letti = $2, totale = $3, lease_until = $4 WHERE id = $1 AND stato = 'in_corso'"
    )
    .bind(id)
    .bind(letti)
    .bind(totale)
    .bind(lease_until)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Stores part `n` of a job's file.
pub async fn parte(db: &Db, id: i64, n: i64, dati: &[u8]) -> Result<(), DbError> {
    run!(db, |ex| sqlx::query("INSERT INTO esportazioni_parti (esportazione_id, n, dati) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(n)
        .bind(dati)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// What a finished job wrote.
#[derive(Debug, Clone, Copy)]
pub struct Fatto {
    /// Questionnaires.
    pub questionari: i64,
    /// Rows.
    pub righe: i64,
    /// Values.
    pub celle: i64,
    /// Bytes.
    pub dimensione: i64,
}

/// Marks a job done (its parts all stored), to be kept until `scade_at`.
pub async fn pronta(db: &Db, id: i64, f: Fatto, now: i64, scade_at: i64) -> Result<(), DbError> {
    run!(db, |ex| sqlx::query(
        "UPDATE esportazioni SET stato = 'pronta', letti = $2, totale = $2, righe = $3, celle = $4, dimensione = $5, \
         finita_at = $6, scade_at = $7, lease_until = NULL WHERE id = $1"
    )
    .bind(id)
    .bind(f.questionari)
    .bind(f.righe)
    .bind(f.celle)
    .bind(f.dimensione)
    .bind(now)
    .bind(scade_at)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Marks a job failed, with why; its parts are dropped.
pub async fn fallita(db: &Db, id: i64, errore: &str, now: i64, scade_at: i64) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    run!(&mut tx, |ex| sqlx::query("DELETE FROM esportazioni_parti WHERE esportazione_id = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ()))?;
    run!(&mut tx, |ex| sqlx::query(
        "UPDATE esportazioni SET stato = 'fallita', errore = $2, finita_at = $3, scade_at = $4, lease_until = NULL \
         WHERE id = $1"
    )
    .bind(id)
    .bind(errore)
    .bind(now)
    .bind(scade_at)
    .execute(ex)
    .await
    .map(|_| ()))?;
    tx.commit().await?;
    Ok(())
}

/// Part `n` of a job's file, if there is one.
pub async fn leggi_parte(db: &Db, id: i64, n: i64) -> Result<Option<Vec<u8>>, DbError> {
    Ok(run!(db, |ex| sqlx::query_scalar("SELECT dati FROM esportazioni_parti WHERE esportazione_id = $1 AND n = $2")
        .bind(id)
        .bind(n)
        .fetch_optional(ex)
        .await)?)
}

/// Deletes the jobs (and their files) kept past their expiry; how many.
pub async fn elimina_scadute(db: &Db, now: i64) -> Result<u64, DbError> {
    let mut tx = db.begin().await?;
    run!(&mut tx, |ex| sqlx::query(
        "DELETE FROM esportazioni_parti WHERE esportazione_id IN (SELECT id FROM esportazioni WHERE scade_at < $1)"
    )
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ()))?;
    let n = run!(&mut tx, |ex| sqlx::query("DELETE FROM esportazioni WHERE scade_at < $1")
        .bind(now)
        .execute(ex)
        .await
        .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(n)
}
