//! What the exports of every answer read: a modulo's questionnaires, then their answers or last invii, a block of
//! ids at a time.

use super::{Conn, DbError};

/// The questionnaires of a campaign's modulo, by id: (id, IPA code, ente name, state); only those sent at least
/// once when `inviati`.
pub async fn questionari(
    c: impl Into<Conn<'_>>,
    campagna: &str,
    modulo: &str,
    inviati: bool,
) -> Result<Vec<(i64, String, String, String)>, DbError> {
    let filtro = if inviati { " AND EXISTS (SELECT 1 FROM invii i WHERE i.questionario_id = q.id)" } else { "" };
    let sql = format!(
        "SELECT q.id, e.codice_ipa, e.denominazione, q.stato FROM questionari q JOIN enti e ON e.id = q.ente_id \
         WHERE q.campagna = $1 AND q.modulo = $2{filtro} ORDER BY q.id"
    );
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(campagna).bind(modulo).fetch_all(ex).await)?)
}

fn elenco(ids: &[i64]) -> String {
    // Ids read from the database, never typed by anyone: safe as literals, and one plan for any block size.
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The last invio of each of `ids`: (questionnaire, version, protocol, snapshot).
pub async fn ultimi_invii(c: impl Into<Conn<'_>>, ids: &[i64]) -> Result<Vec<(i64, i64, String, String)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT i.questionario_id, i.versione, i.protocollo, i.snapshot FROM invii i WHERE i.questionario_id IN ({}) \
         AND i.versione = (SELECT MAX(v.versione) FROM invii v WHERE v.questionario_id = i.questionario_id)",
        elenco(ids)
    );
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(ex).await)?)
}

/// When the last invio of `campagna` was made, if any: the open data's modification date.
pub async fn ultimo_invio(c: impl Into<Conn<'_>>, campagna: &str) -> Result<Option<i64>, DbError> {
    Ok(run!(c, |ex| sqlx::query_scalar("SELECT MAX(inviato_at) FROM invii WHERE campagna = $1")
        .bind(campagna)
        .fetch_one(ex)
        .await)?)
}

/// The stored answers of `ids` (answered ones), one row per questionnaire: (questionnaire, JSON object of field to
/// canonical value or null). One row instead of one per answer: the database's per-row cost dominated the drafts
/// export.
pub async fn risposte_per_questionario(c: impl Into<Conn<'_>>, ids: &[i64]) -> Result<Vec<(i64, String)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let elenco = elenco(ids);
    let sqlite = format!(
        "SELECT questionario_id, json_group_object(campo, valore) FROM risposte WHERE questionario_id IN ({elenco}) \
         AND risposto GROUP BY questionario_id"
    );
    let postgres = format!(
        "SELECT questionario_id, json_object_agg(campo, valore)::text FROM risposte \
         WHERE questionario_id IN ({elenco}) AND risposto GROUP BY questionario_id"
    );
    Ok(run!(c, sqlite: &sqlite, postgres: &postgres, |ex, sql| sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(ex)
        .await)?)
}

/// The prefilled values (BDAP) of the enti of `ids`, one row per questionnaire: (questionnaire, JSON object of
/// field to value).
pub async fn precompilati_per_questionario(c: impl Into<Conn<'_>>, ids: &[i64]) -> Result<Vec<(i64, String)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let elenco = elenco(ids);
    let join = "FROM questionari q JOIN precompilati p ON p.ente_id = q.ente_id AND p.campagna = q.campagna \
                AND p.modulo = q.modulo";
    let sqlite =
        format!("SELECT q.id, json_group_object(p.campo, p.valore) {join} WHERE q.id IN ({elenco}) GROUP BY q.id");
    let postgres =
        format!("SELECT q.id, json_object_agg(p.campo, p.valore)::text {join} WHERE q.id IN ({elenco}) GROUP BY q.id");
    Ok(run!(c, sqlite: &sqlite, postgres: &postgres, |ex, sql| sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(ex)
        .await)?)
}
