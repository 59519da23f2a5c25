//! The invii of the questionnaires: one row per version sent, frozen (snapshot, hash, protocol number), and the
//! gapless protocol counter of each campaign.

use super::{Conn, DbError, Tx};

/// One sending of a questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invio {
    /// Internal id.
    pub id: i64,
    /// The questionnaire.
    pub questionario_id: i64,
    /// 1, then n + 1 after each reopening.
    pub versione: i64,
    /// The questionnaire's revision after the invio.
    pub revisione: i64,
    /// Campaign folder.
    pub campagna: String,
    /// Progressive number in the campaign.
    pub numero: i64,
    /// `FC80U-2022-000123`.
    pub protocollo: String,
    /// Who sent it.
    pub user_id: Option<i64>,
    /// Their name and user code, as they were.
    pub mittente: String,
    /// When (Unix seconds).
    pub inviato_at: i64,
    /// After the campaign's deadline.
    pub in_ritardo: bool,
    /// The definition's fingerprint.
    pub impronta: String,
    /// Canonical JSON of what was sent.
    pub snapshot: String,
    /// SHA-256 of `snapshot`, 64 lowercase hexadecimal digits.
    pub sha256: String,
}

const COLUMNS: &str = "id, questionario_id, versione, revisione, campagna, numero, protocollo, user_id, mittente, inviato_at, \
                       in_ritardo, impronta, snapshot, sha256";

/// The next protocol number of protocol prefix `prefisso` (`FC80U-2022`), inside the invio's transaction: the
/// counter's row stays locked until commit, and a rollback gives the number back, so numbers have no gaps.
pub async fn prossimo_numero(tx: &mut Tx, prefisso: &str) -> Result<i64, DbError> {
    let (n,): (i64,) = run!(&mut *tx, |ex| sqlx::query_as(
        "INSERT INTO protocolli (prefisso, ultimo) VALUES ($1, 1) \
         ON CONFLICT (prefisso) DO UPDATE SET ultimo = protocolli.ultimo + 1 RETURNING ultimo"
    )
    .bind(prefisso)
    .fetch_one(ex)
    .await)?;
    Ok(n)
}

/// A new invio, as the service builds it.
#[derive(Debug, Clone)]
pub struct Nuovo<'a> {
    /// The questionnaire.
    pub questionario_id: i64,
    /// Its version.
    pub versione: i64,
    /// The questionnaire's revision after the invio.
    pub revisione: i64,
    /// Campaign folder.
    pub campagna: &'a str,
    /// Protocol number in the campaign.
    pub numero: i64,
    /// Protocol code.
    pub protocollo: &'a str,
    /// Sender.
    pub user_id: i64,
    /// Sender's name and code.
    pub mittente: &'a str,
    /// When.
    pub inviato_at: i64,
    /// After the deadline.
    pub in_ritardo: bool,
    /// Definition fingerprint.
    pub impronta: &'a str,
    /// Canonical JSON.
    pub snapshot: &'a str,
    /// Its SHA-256.
    pub sha256: &'a str,
}

/// Records an invio.
pub async fn registra(tx: &mut Tx, n: &Nuovo<'_>) -> Result<i64, DbError> {
    let (id,): (i64,) = run!(&mut *tx, |ex| {
        sqlx::query_as(
            "INSERT INTO invii (questionario_id, versione, revisione, campagna, numero, protocollo, user_id, mittente, \
         inviato_at, in_ritardo, impronta, snapshot, sha256) VALUES ($1, $2, $13, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12) RETURNING id",
        )
        .bind(n.questionario_id)
        .bind(n.versione)
        .bind(n.campagna)
        .bind(n.numero)
        .bind(n.protocollo)
        .bind(n.user_id)
        .bind(n.mittente)
        .bind(n.inviato_at)
        .bind(n.in_ritardo)
        .bind(n.impronta)
        .bind(n.snapshot)
        .bind(n.sha256)
        .bind(n.revisione)
        .fetch_one(ex)
        .await
    })?;
    Ok(id)
}

/// Every invio of a questionnaire, the first first.
pub async fn del_questionario(c: impl Into<Conn<'_>>, questionario_id: i64) -> Result<Vec<Invio>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM invii WHERE questionario_id = $1 ORDER BY versione");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(questionario_id).fetch_all(ex).await)?)
}

/// The invio with id `id`.
pub async fn by_id(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<Invio>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM invii WHERE id = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(ex).await)?)
}

/// Version `versione` of a questionnaire.
pub async fn versione(c: impl Into<Conn<'_>>, questionario_id: i64, versione: i64) -> Result<Option<Invio>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM invii WHERE questionario_id = $1 AND versione = $2");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(questionario_id)
        .bind(versione)
        .fetch_optional(ex)
        .await)?)
}

/// The invio with protocol code `protocollo`.
pub async fn by_protocollo(c: impl Into<Conn<'_>>, protocollo: &str) -> Result<Option<Invio>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM invii WHERE protocollo = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(protocollo).fetch_optional(ex).await)?)
}

/// The last version sent of each of `ente_id`'s questionnaires: questionnaire id → (version, protocol, when, late).
pub async fn ultimi_dell_ente(
    c: impl Into<Conn<'_>>,
    ente_id: i64,
) -> Result<Vec<(i64, i64, String, i64, bool)>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT i.questionario_id, i.versione, i.protocollo, i.inviato_at, i.in_ritardo FROM invii i \
         JOIN questionari q ON q.id = i.questionario_id \
         WHERE q.ente_id = $1 AND i.versione = (SELECT MAX(versione) FROM invii WHERE questionario_id = q.id) \
         ORDER BY i.questionario_id"
    )
    .bind(ente_id)
    .fetch_all(ex)
    .await)?)
}

/// One invio as the Documenti page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Documento {
    /// The questionnaire's URL id.
    pub pubblico: String,
    /// Campaign folder.
    pub campagna: String,
    /// Questionnaire code.
    pub codice: String,
    /// Modulo.
    pub modulo: String,
    /// Version.
    pub versione: i64,
    /// Protocol code.
    pub protocollo: String,
    /// When.
    pub inviato_at: i64,
    /// After the deadline.
    pub in_ritardo: bool,
    /// Whether its PDFs are made.
    pub pronto: bool,
}

/// Every invio of `ente_id`'s questionnaires, by campaign and modulo, the latest version first.
pub async fn documenti_dell_ente(c: impl Into<Conn<'_>>, ente_id: i64) -> Result<Vec<Documento>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT q.pubblico, q.campagna, q.codice, q.modulo, i.versione, i.protocollo, i.inviato_at, i.in_ritardo, \
         COALESCE(d.pronto, FALSE) AS pronto FROM invii i JOIN questionari q ON q.id = i.questionario_id \
         LEFT JOIN documenti_invio d ON d.invio_id = i.id WHERE q.ente_id = $1 \
         ORDER BY q.campagna, q.codice, q.modulo, i.versione DESC"
    )
    .bind(ente_id)
    .fetch_all(ex)
    .await)?)
}
