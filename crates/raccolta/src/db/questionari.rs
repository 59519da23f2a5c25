//! Questionnaires of the enti, their answers, the history of every answer, the squadrature's justifications and
//! the prefilled values.
//!
//! Versions: `questionari.revisione` grows by one in every transaction that changes an answer or a justification
//! ([`avanza`], which also locks the questionnaire's row until commit), and each answer keeps the revision that
//! last set it. A save carries the revision the browser saw for that field; a different stored one is a
//! conflict.

use super::{Conn, DbError, Tx};
use crate::domain::StatoQuestionario;

/// A questionnaire: one ente × campaign × modulo.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Questionario {
    /// Internal id (never in URLs).
    pub id: i64,
    /// Random id used in URLs.
    pub pubblico: String,
    /// The ente.
    pub ente_id: i64,
    /// Campaign folder (`fc80u-2022`).
    pub campagna: String,
    /// Questionnaire code (`FC80U`).
    pub codice: String,
    /// Modulo code (`B`).
    pub modulo: String,
    /// [`StatoQuestionario`] code.
    pub stato: String,
    /// The revision of the last change.
    pub revisione: i64,
    /// When it was stored.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

impl Questionario {
    /// The state; an unknown code (never written by this code) reads as read only.
    pub fn stato(&self) -> StatoQuestionario {
        StatoQuestionario::try_from(self.stato.clone()).unwrap_or(StatoQuestionario::Chiuso)
    }
}

const COLUMNS: &str = "id, pubblico, ente_id, campagna, codice, modulo, stato, revisione, created_at, updated_at";

/// The questionnaire with URL id `pubblico`.
pub async fn by_pubblico(c: impl Into<Conn<'_>>, pubblico: &str) -> Result<Option<Questionario>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM questionari WHERE pubblico = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(pubblico).fetch_optional(ex).await)?)
}

/// The questionnaire with internal id `id`.
pub async fn by_id(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<Questionario>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM questionari WHERE id = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(ex).await)?)
}

/// Questionnaires whose summary (Gestione → Monitoraggio) is behind their revision, the oldest change first.
pub async fn da_riepilogare(c: impl Into<Conn<'_>>, limit: i64) -> Result<Vec<Questionario>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM questionari WHERE riepilogo_revisione < revisione ORDER BY updated_at, id LIMIT $1"
    );
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(ex).await)?)
}

/// A questionnaire's summary for the monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Riepilogo {
    /// Required relevant fields filled in, in percent.
    pub completamento: i64,
    /// Open bloccanti.
    pub bloccanti: i64,
    /// Squadrature without a current justification.
    pub squadrature: i64,
}

/// Stores the summary computed at `revisione`, unless a newer one is stored already; whether it was stored.
pub async fn riepiloga(c: impl Into<Conn<'_>>, id: i64, revisione: i64, r: Riepilogo) -> Result<bool, DbError> {
    let fatto = run!(c, |ex| sqlx::query(
        "UPDATE questionari SET completamento = $3, bloccanti = $4, squadrature = $5, riepilogo_revisione = $2 \
         WHERE id = $1 AND riepilogo_revisione < $2"
    )
    .bind(id)
    .bind(revisione)
    .bind(r.completamento)
    .bind(r.bloccanti)
    .bind(r.squadrature)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(fatto == 1)
}

/// The stored questionnaires of an ente.
pub async fn dell_ente(c: impl Into<Conn<'_>>, ente_id: i64) -> Result<Vec<Questionario>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM questionari WHERE ente_id = $1 ORDER BY id");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ente_id).fetch_all(ex).await)?)
}

/// The questionnaire of `ente_id` for the modulo, stored now (with `pubblico` as its URL id) when it was not yet.
pub async fn apri(
    c: impl Into<Conn<'_>>,
    ente_id: i64,
    campagna: &str,
    codice: &str,
    modulo: &str,
    pubblico: &str,
    now: i64,
) -> Result<Questionario, DbError> {
    let mut c = c.into();
    run!(&mut c, |ex| {
        sqlx::query(
        "INSERT INTO questionari (pubblico, ente_id, campagna, codice, modulo, stato, revisione, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, 'aperto', 0, $6, $6) ON CONFLICT (ente_id, campagna, modulo) DO NOTHING"
    )
    .bind(pubblico)
    .bind(ente_id)
    .bind(campagna)
    .bind(codice)
    .bind(modulo)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
    })?;
    let sql = format!("SELECT {COLUMNS} FROM questionari WHERE ente_id = $1 AND campagna = $2 AND modulo = $3");
    Ok(run!(&mut c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ente_id)
        .bind(campagna)
        .bind(modulo)
        .fetch_one(ex)
        .await)?)
}

/// Reads the questionnaire inside `tx` and locks its row until commit (on SQLite the transaction already holds
/// the database's write lock).
pub async fn per_modifica(tx: &mut Tx, id: i64) -> Result<Option<Questionario>, DbError> {
    let sqlite = format!("SELECT {COLUMNS} FROM questionari WHERE id = $1");
    let postgres = format!("SELECT {COLUMNS} FROM questionari WHERE id = $1 FOR UPDATE");
    Ok(
        run!(&mut *tx, sqlite: &sqlite, postgres: &postgres, |ex, sql| sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(id)
        .fetch_optional(ex)
        .await)?,
    )
}

/// Moves the questionnaire to its next revision (and state), returning the revision; call once per transaction.
pub async fn avanza(tx: &mut Tx, id: i64, stato: StatoQuestionario, user_id: i64, now: i64) -> Result<i64, DbError> {
    let (revisione,): (i64,) = run!(&mut *tx, |ex| sqlx::query_as(
        "UPDATE questionari SET revisione = revisione + 1, stato = $2, updated_at = $3, updated_by = $4 \
         WHERE id = $1 RETURNING revisione"
    )
    .bind(id)
    .bind(stato.code())
    .bind(now)
    .bind(user_id)
    .fetch_one(ex)
    .await)?;
    Ok(revisione)
}

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Risposta {
    /// Field address.
    pub campo: String,
    /// Canonical value; `None` is a blank.
    pub valore: Option<String>,
    /// False: restored to the prefilled value (no answer).
    pub risposto: bool,
    /// The revision that set it: its version.
    pub revisione: i64,
    /// Who set it.
    pub user_id: Option<i64>,
    /// Their name, for the conflict message and the history.
    pub autore: Option<String>,
    /// When.
    pub updated_at: i64,
}

const RISPOSTA: &str = "SELECT r.campo, r.valore, r.risposto, r.revisione, r.user_id, \
     COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS autore, r.updated_at \
     FROM risposte r LEFT JOIN users u ON u.id = r.user_id";

/// Every stored answer of a questionnaire.
pub async fn risposte(c: impl Into<Conn<'_>>, questionario_id: i64) -> Result<Vec<Risposta>, DbError> {
    let sql = format!("{RISPOSTA} WHERE r.questionario_id = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(questionario_id).fetch_all(ex).await)?)
}

/// The stored answer of one field.
pub async fn risposta(c: impl Into<Conn<'_>>, questionario_id: i64, campo: &str) -> Result<Option<Risposta>, DbError> {
    let sql = format!("{RISPOSTA} WHERE r.questionario_id = $1 AND r.campo = $2");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(questionario_id)
        .bind(campo)
        .fetch_optional(ex)
        .await)?)
}

/// How a change was made, as the history shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Come {
    /// Saved by the page as the compiler typed (JavaScript).
    Autosave,
    /// Saved with the quadro's *Salva* button.
    Modulo,
    /// The prefilled value restored.
    Ripristino,
}

impl Come {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Come::Autosave => "autosave",
            Come::Modulo => "modulo",
            Come::Ripristino => "ripristino",
        }
    }
}

/// One change to write: the field, its value before and after (canonical, `None` blank), whether it is an answer
/// (false: restored to the prefilled value).
#[derive(Debug, Clone)]
pub struct Cambio<'a> {
    /// Field address.
    pub campo: &'a str,
    /// Value before.
    pub prima: Option<&'a str>,
    /// Value after.
    pub dopo: Option<&'a str>,
    /// An answer (true) or the prefilled value restored (false).
    pub risposto: bool,
    /// How.
    pub come: Come,
}

/// Writes the answer and appends it to the history, at `revisione`.
pub async fn scrivi(
    tx: &mut Tx,
    questionario_id: i64,
    cambio: &Cambio<'_>,
    revisione: i64,
    user_id: i64,
    ip: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    run!(&mut *tx, |ex| sqlx::query(
        "INSERT INTO risposte (questionario_id, campo, valore, risposto, revisione, user_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (questionario_id, campo) DO UPDATE SET \
         valore = excluded.valore, risposto = excluded.risposto, revisione = excluded.revisione, \
         user_id = excluded.user_id, updated_at = excluded.updated_at"
    )
    .bind(questionario_id)
    .bind(cambio.campo)
    .bind(cambio.dopo)
    .bind(cambio.risposto)
    .bind(revisione)
    .bind(user_id)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ()))?;
    run!(&mut *tx, |ex| sqlx::query(
        "INSERT INTO storia_risposte (questionario_id, campo, prima, dopo, come, revisione, user_id, ip, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(questionario_id)
    .bind(cambio.campo)
    .bind(cambio.prima)
    .bind(cambio.dopo)
    .bind(cambio.come.code())
    .bind(revisione)
    .bind(user_id)
    .bind(ip)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A change in a field's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Storico {
    /// Value before (canonical).
    pub prima: Option<String>,
    /// Value after (canonical).
    pub dopo: Option<String>,
    /// `autosave`, `modulo` or `ripristino`.
    pub come: String,
    /// The revision.
    pub revisione: i64,
    /// Who.
    pub autore: Option<String>,
    /// From which address.
    pub ip: Option<String>,
    /// When.
    pub created_at: i64,
}

/// Who last changed each field in the revisions after `dopo` up to `fino` (`None`: to now): field → name.
pub async fn autori_tra(
    c: impl Into<Conn<'_>>,
    questionario_id: i64,
    dopo: i64,
    fino: Option<i64>,
) -> Result<std::collections::HashMap<String, String>, DbError> {
    let righe: Vec<(String, Option<String>)> = run!(c, |ex| sqlx::query_as(
        "SELECT s.campo, COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS autore \
         FROM storia_risposte s LEFT JOIN users u ON u.id = s.user_id \
         WHERE s.questionario_id = $1 AND s.revisione > $2 AND s.revisione <= $3 ORDER BY s.id"
    )
    .bind(questionario_id)
    .bind(dopo)
    .bind(fino.unwrap_or(i64::MAX))
    .fetch_all(ex)
    .await)?;
    Ok(righe.into_iter().map(|(campo, autore)| (campo, autore.unwrap_or_default())).collect())
}

/// The history of one field, newest first.
pub async fn storia(c: impl Into<Conn<'_>>, questionario_id: i64, campo: &str) -> Result<Vec<Storico>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT s.prima, s.dopo, s.come, s.revisione, COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS autore, \
         s.ip, s.created_at FROM storia_risposte s LEFT JOIN users u ON u.id = s.user_id \
         WHERE s.questionario_id = $1 AND s.campo = $2 ORDER BY s.id DESC"
    )
    .bind(questionario_id)
    .bind(campo)
    .fetch_all(ex)
    .await)?)
}

/// The last change of a field at or before revision `revisione`, from its history: the value (`None` blank) and
/// how it was made (`ripristino`: the prefilled value applied). `None`: never changed by then.
pub async fn valore_alla_revisione(
    c: impl Into<Conn<'_>>,
    questionario_id: i64,
    campo: &str,
    revisione: i64,
) -> Result<Option<(Option<String>, String)>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT dopo, come FROM storia_risposte WHERE questionario_id = $1 AND campo = $2 AND revisione <= $3 \
         ORDER BY id DESC LIMIT 1"
    )
    .bind(questionario_id)
    .bind(campo)
    .bind(revisione)
    .fetch_optional(ex)
    .await)?)
}

/// A squadratura's justification.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Giustificazione {
    /// Rule id.
    pub regola: String,
    /// The text.
    pub testo: String,
    /// The rule's fields' values when it was written (JSON object, address → canonical value).
    pub valori: String,
    /// The revision that wrote it.
    pub revisione: i64,
    /// Who wrote it.
    pub autore: Option<String>,
    /// When.
    pub updated_at: i64,
}

/// Every justification of a questionnaire.
pub async fn giustificazioni(c: impl Into<Conn<'_>>, questionario_id: i64) -> Result<Vec<Giustificazione>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT g.regola, g.testo, g.valori, g.revisione, COALESCE(u.denominazione, u.nome || ' ' || u.cognome) \
         AS autore, g.updated_at FROM giustificazioni g LEFT JOIN users u ON u.id = g.user_id \
         WHERE g.questionario_id = $1 ORDER BY g.regola"
    )
    .bind(questionario_id)
    .fetch_all(ex)
    .await)?)
}

/// Writes (or with `None` removes) the justification of `regola`.
#[expect(clippy::too_many_arguments, reason = "one row's columns")]
pub async fn giustifica(
    tx: &mut Tx,
    questionario_id: i64,
    regola: &str,
    testo: Option<&str>,
    valori: &str,
    revisione: i64,
    user_id: i64,
    now: i64,
) -> Result<(), DbError> {
    match testo {
        Some(testo) => run!(&mut *tx, |ex| sqlx::query(
            "INSERT INTO giustificazioni (questionario_id, regola, testo, valori, revisione, user_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (questionario_id, regola) DO UPDATE SET \
             testo = excluded.testo, valori = excluded.valori, revisione = excluded.revisione, \
             user_id = excluded.user_id, updated_at = excluded.updated_at"
        )
        .bind(questionario_id)
        .bind(regola)
        .bind(testo)
        .bind(valori)
        .bind(revisione)
        .bind(user_id)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ()))?,
        None => {
            run!(&mut *tx, |ex| sqlx::query("DELETE FROM giustificazioni WHERE questionario_id = $1 AND regola = $2")
                .bind(questionario_id)
                .bind(regola)
                .execute(ex)
                .await
                .map(|_| ()))?
        }
    };
    Ok(())
}

/// A value an external source supplies.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Precompilato {
    /// Field address.
    pub campo: String,
    /// Canonical value.
    pub valore: String,
    /// The source (`BDAP`).
    pub fonte: String,
}

/// The prefilled values of an ente's modulo.
pub async fn precompilati(
    c: impl Into<Conn<'_>>,
    ente_id: i64,
    campagna: &str,
    modulo: &str,
) -> Result<Vec<Precompilato>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT campo, valore, fonte FROM precompilati WHERE ente_id = $1 AND campagna = $2 AND modulo = $3"
    )
    .bind(ente_id)
    .bind(campagna)
    .bind(modulo)
    .fetch_all(ex)
    .await)?)
}

/// Stores a prefilled value (replacing the previous one of the field); returns whether anything changed.
#[expect(clippy::too_many_arguments, reason = "one row's columns")]
pub async fn precompila(
    c: impl Into<Conn<'_>>,
    ente_id: i64,
    campagna: &str,
    modulo: &str,
    campo: &str,
    valore: &str,
    fonte: &str,
    now: i64,
) -> Result<bool, DbError> {
    let n = run!(c, |ex| sqlx::query(
        "INSERT INTO precompilati (ente_id, campagna, modulo, campo, valore, fonte, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ente_id, campagna, modulo, campo) DO UPDATE SET \
         valore = excluded.valore, fonte = excluded.fonte, updated_at = excluded.updated_at \
         WHERE precompilati.valore <> excluded.valore OR precompilati.fonte <> excluded.fonte"
    )
    .bind(ente_id)
    .bind(campagna)
    .bind(modulo)
    .bind(campo)
    .bind(valore)
    .bind(fonte)
    .bind(now)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Moves the questionnaire of `ente_id` for the campaign's modulo, when it is stored, to its next revision without
/// touching its answers or state: its prefilled values changed, and every node's evaluation of it is keyed by the
/// revision, so the next request loads them. Returns whether a questionnaire was stored.
pub async fn nuova_revisione(
    c: impl Into<Conn<'_>>,
    ente_id: i64,
    campagna: &str,
    modulo: &str,
) -> Result<bool, DbError> {
    let n = run!(c, |ex| sqlx::query(
        "UPDATE questionari SET revisione = revisione + 1 WHERE ente_id = $1 AND campagna = $2 AND modulo = $3"
    )
    .bind(ente_id)
    .bind(campagna)
    .bind(modulo)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
