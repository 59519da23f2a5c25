//! Reminders: which enti were reminded on which day, and who receives them.

use std::collections::{HashMap, HashSet};

use super::associazioni::Responsabile;
use super::{Conn, DbError, Tx};

/// The enti reminded about `campagna` on `giorno` (`AAAA-MM-GG`).
pub async fn del_giorno(c: impl Into<Conn<'_>>, campagna: &str, giorno: &str) -> Result<HashSet<i64>, DbError> {
    let righe: Vec<(i64,)> =
        run!(c, |ex| sqlx::query_as("SELECT ente_id FROM promemoria WHERE campagna = $1 AND giorno = $2")
            .bind(campagna)
            .bind(giorno)
            .fetch_all(ex)
            .await)?;
    Ok(righe.into_iter().map(|(e,)| e).collect())
}

/// Records that `ente_id` is reminded today; `false` when it already was (nothing written).
pub async fn registra(
    tx: &mut Tx,
    campagna: &str,
    ente_id: i64,
    giorno: &str,
    destinatari: i64,
    user_id: i64,
    now: i64,
) -> Result<bool, DbError> {
    let fatto = run!(&mut *tx, |ex| sqlx::query(
        "INSERT INTO promemoria (campagna, ente_id, giorno, destinatari, user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
    )
    .bind(campagna)
    .bind(ente_id)
    .bind(giorno)
    .bind(destinatari)
    .bind(user_id)
    .bind(now)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(fatto == 1)
}

/// Every active user who compiles for an ente (Compilazione association or responsabile), by ente: one read
/// for every ente at once.
pub async fn compilatori(c: impl Into<Conn<'_>>) -> Result<HashMap<i64, Vec<Responsabile>>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Riga {
        ente_id: i64,
        user_id: i64,
        codice: String,
        nome: String,
        email: String,
        lang: String,
    }
    let righe: Vec<Riga> = run!(c, |ex| {
        sqlx::query_as(
        "SELECT x.ente_id, u.id AS user_id, u.codice, COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS nome, \
         u.email, u.lang FROM ( \
           SELECT ente_id, user_id FROM associazioni WHERE stato = 'attiva' AND modalita = 'compilazione' \
           UNION SELECT ente_id, user_id FROM responsabili) x \
         JOIN users u ON u.id = x.user_id WHERE u.stato = 'attivo' ORDER BY x.ente_id, u.id"
    )
    .fetch_all(ex)
    .await
    })?;
    let mut out: HashMap<i64, Vec<Responsabile>> = HashMap::new();
    for r in righe {
        out.entry(r.ente_id).or_default().push(Responsabile {
            user_id: r.user_id,
            codice: r.codice,
            nome: r.nome,
            email: r.email,
            lang: r.lang,
        });
    }
    Ok(out)
}
