//! The PDFs of the invii: the job's queue (one row per invio, written in the invio's transaction) and the stored
//! bytes.

use super::{Conn, Db, DbError, Tx};

/// Which PDF of an invio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tipo {
    /// The questionnaire as sent.
    Questionario,
    /// Its one-page receipt.
    Ricevuta,
}

impl Tipo {
    fn colonna(self) -> &'static str {
        match self {
            Tipo::Questionario => "questionario_pdf",
            Tipo::Ricevuta => "ricevuta_pdf",
        }
    }
}

/// Queues the PDFs of invio `invio_id`, inside its transaction.
pub async fn accoda(tx: &mut Tx, invio_id: i64, now: i64) -> Result<(), DbError> {
    run!(&mut *tx, |ex| sqlx::query("INSERT INTO documenti_invio (invio_id, prossimo_at) VALUES ($1, $2)")
        .bind(invio_id)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Claims up to `limit` invii whose PDFs are due, leasing each until `now + lease_secs` (the claim's token: see
/// [`fallito`]): their ids.
pub async fn prendi(db: &Db, now: i64, lease_secs: i64, limit: i64) -> Result<Vec<i64>, DbError> {
    // A plain read first: an idle queue never takes SQLite's write lock from the requests.
    let dovuti: bool = run!(db, |ex| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM documenti_invio WHERE NOT pronto AND prossimo_at <= $1)"
    )
    .bind(now)
    .fetch_one(ex)
    .await)?;
    if !dovuti {
        return Ok(Vec::new());
    }
    let blocco = match db {
        Db::Sqlite(_) => "",
        Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE documenti_invio SET prossimo_at = $2, tentativi = tentativi + 1 WHERE invio_id IN (SELECT invio_id \
         FROM documenti_invio WHERE NOT pronto AND prossimo_at <= $1 ORDER BY prossimo_at, invio_id LIMIT $3{blocco}) \
         RETURNING invio_id"
    );
    let mut tx = db.begin().await?;
    let mut ids: Vec<i64> = run!(&mut tx, |ex| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(now + lease_secs)
        .bind(limit)
        .fetch_all(ex)
        .await)?;
    tx.commit().await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Stores the PDFs of an invio, once: a row already made keeps its bytes.
pub async fn salva(db: &Db, invio_id: i64, questionario: &[u8], ricevuta: &[u8], now: i64) -> Result<bool, DbError> {
    let fatto = run!(db, |ex| sqlx::query(
        "UPDATE documenti_invio SET pronto = TRUE, questionario_pdf = $2, ricevuta_pdf = $3, generato_at = $4, \
         errore = NULL WHERE invio_id = $1 AND NOT pronto"
    )
    .bind(invio_id)
    .bind(questionario)
    .bind(ricevuta)
    .bind(now)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(fatto == 1)
}

/// Records a failure of the claim that leased the row until `lease`; the job tries again at `prossimo_at`. A
/// claim whose lease ran out (another node has the row now) changes nothing.
pub async fn fallito(db: &Db, invio_id: i64, lease: i64, errore: &str, prossimo_at: i64) -> Result<(), DbError> {
    run!(db, |ex| sqlx::query(
        "UPDATE documenti_invio SET errore = $2, prossimo_at = $3 WHERE invio_id = $1 AND NOT pronto \
         AND prossimo_at = $4"
    )
    .bind(invio_id)
    .bind(errore)
    .bind(prossimo_at)
    .bind(lease)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// When an invio's PDFs are next due (a lease or a retry), while they are not made.
pub async fn prossimo(c: impl Into<Conn<'_>>, invio_id: i64) -> Result<Option<i64>, DbError> {
    Ok(run!(c, |ex| sqlx::query_scalar("SELECT prossimo_at FROM documenti_invio WHERE invio_id = $1 AND NOT pronto")
        .bind(invio_id)
        .fetch_optional(ex)
        .await)?)
}

/// How many attempts an invio's PDFs have had, and the last failure.
pub async fn tentativi(c: impl Into<Conn<'_>>, invio_id: i64) -> Result<Option<(i64, Option<String>)>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as("SELECT tentativi, errore FROM documenti_invio WHERE invio_id = $1")
        .bind(invio_id)
        .fetch_optional(ex)
        .await)?)
}

/// The stored PDF of an invio: `None` while it is not made yet (or the invio has none).
pub async fn pdf(c: impl Into<Conn<'_>>, invio_id: i64, tipo: Tipo) -> Result<Option<Vec<u8>>, DbError> {
    let sql = format!("SELECT {} FROM documenti_invio WHERE invio_id = $1 AND pronto", tipo.colonna());
    let riga: Option<Option<Vec<u8>>> =
        run!(c, |ex| sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(invio_id).fetch_optional(ex).await)?;
    Ok(riga.flatten())
}

/// Of the invii of questionnaire `questionario_id`, the versions whose PDFs are made.
pub async fn pronti(c: impl Into<Conn<'_>>, questionario_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(run!(c, |ex| sqlx::query_scalar(
        "SELECT i.versione FROM invii i JOIN documenti_invio d ON d.invio_id = i.id \
         WHERE i.questionario_id = $1 AND d.pronto ORDER BY i.versione"
    )
    .bind(questionario_id)
    .fetch_all(ex)
    .await)?)
}
