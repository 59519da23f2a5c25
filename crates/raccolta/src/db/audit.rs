//! The audit log: who did what, when, from where. An event is built from the request's
//! [`Context`](crate::context::Context) (so it carries the user, address, browser and request id) and recorded
//! with the change it describes, in the same transaction: both commit, or neither.
//!
//! The log is tamper-evident: [`sigilla`] links the rows written so far into a hash chain, and [`verifica`] walks
//! it and names the first row that was altered or deleted.

use super::{Conn, Db, DbError};

/// One audited event. Built only by [`Context::audit`](crate::context::Context::audit).
#[derive(Debug, Clone)]
pub struct AuditEvent {
    actor: String,
    action: String,
    target: Option<String>,
    origin: Option<String>,
    request_id: Option<String>,
    details: serde_json::Value,
    user_id: Option<i64>,
    user_agent: Option<String>,
    at: i64,
}

impl AuditEvent {
    /// An event with everything the context knows; see [`Context::audit`](crate::context::Context::audit).
    pub(crate) fn new(
        actor: String,
        action: &str,
        user_id: Option<i64>,
        origin: Option<String>,
        user_agent: Option<String>,
        request_id: Option<String>,
        at: i64,
    ) -> AuditEvent {
        AuditEvent {
            actor,
            action: action.to_owned(),
            target: None,
            origin,
            request_id,
            details: serde_json::Value::Object(Default::default()),
            user_id,
            user_agent,
            at,
        }
    }

    /// On what (a user code, an ente, a request), when relevant.
    pub fn target(mut self, target: impl Into<String>) -> AuditEvent {
        self.target = Some(target.into());
        self
    }

    /// Details as JSON.
    pub fn details(mut self, details: serde_json::Value) -> AuditEvent {
        self.details = details;
        self
    }

    /// The user the event concerns when no one is signed in (a failed login on a known account, a
    /// confirmation): it appears in that user's own record.
    pub fn concerning(mut self, user_id: i64) -> AuditEvent {
        self.user_id = Some(user_id);
        self
    }

    /// The dotted name.
    pub fn action(&self) -> &str {
        &self.action
    }
}

/// Appends `event` to the audit log, on `c`: pass the transaction of the change it records.
pub async fn record(c: impl Into<Conn<'_>>, event: &AuditEvent) -> Result<(), DbError> {
    let details = event.details.to_string();
    run!(c, |ex| {
        sqlx::query(
            "INSERT INTO audit_events (occurred_at, actor, action, target, origin, request_id, details, user_id, \
             user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(event.at)
        .bind(&event.actor)
        .bind(&event.action)
        .bind(&event.target)
        .bind(&event.origin)
        .bind(&event.request_id)
        .bind(&details)
        .bind(event.user_id)
        .bind(&event.user_agent)
        .execute(ex)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The most recent events, newest first (for administrators and tests).
pub async fn recent(c: impl Into<Conn<'_>>, limit: i64) -> Result<Vec<(String, String)>, DbError> {
    let rows: Vec<(String, String)> = run!(c, |ex| {
        sqlx::query_as("SELECT actor, action FROM audit_events ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(ex)
            .await
    })?;
    Ok(rows)
}

/// One event of a user's own record, for *Scarica i tuoi dati*.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventoUtente {
    /// When (UTC seconds).
    pub occurred_at: i64,
    /// What, as a dotted name.
    pub action: String,
    /// From which address.
    pub origin: Option<String>,
    /// With which browser.
    pub user_agent: Option<String>,
}

/// Every event concerning `user_id`, oldest first.
pub async fn of_user(c: impl Into<Conn<'_>>, user_id: i64) -> Result<Vec<EventoUtente>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT occurred_at, action, origin, user_agent FROM audit_events WHERE user_id = $1 ORDER BY id"
    )
    .bind(user_id)
    .fetch_all(ex)
    .await)?)
}

/// The hash before the first sealed row.
pub const CATENA_ORIGINE: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row as the chain hashes it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Riga {
    id: i64,
    occurred_at: i64,
    actor: String,
    action: String,
    target: Option<String>,
    origin: Option<String>,
    request_id: Option<String>,
    details: String,
    user_id: Option<i64>,
    user_agent: Option<String>,
}

const COLONNE: &str = "id, occurred_at, actor, action, target, origin, request_id, details, user_id, user_agent";

/// A sealed row: its content, position and hash.
#[derive(Debug, sqlx::FromRow)]
struct Sigillata {
    #[sqlx(flatten)]
    riga: Riga,
    catena_seq: i64,
    catena_hash: String,
}

/// The link of row `r` at position `seq` after `precedente`: SHA-256 of the previous hash and the row's content as
/// a JSON array (unambiguous: no separator can be forged inside a field).
fn anello(precedente: &str, seq: i64, r: &Riga) -> String {
    use sha2::{Digest, Sha256};
    let contenuto = serde_json::json!([
        seq,
        r.id,
        r.occurred_at,
        r.actor,
        r.action,
        r.target,
        r.origin,
        r.request_id,
        r.details,
        r.user_id,
        r.user_agent
    ]);
    let mut h = Sha256::new();
    h.update(precedente.as_bytes());
    h.update(b"\n");
    h.update(contenuto.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Seals up to `limit` rows not sealed yet, in id order: each gets the next position in the chain and the hash
/// that links it to the one before. One sealer at a time (the chain's head row is locked), on any node; the writers
/// of the rows never wait for it. The rows sealed.
pub async fn sigilla(db: &Db, limit: i64) -> Result<usize, DbError> {
    // A plain read first: an idle log never takes SQLite's write lock.
    let da_fare: bool =
        run!(db, |ex| sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_events WHERE catena_seq IS NULL)")
            .fetch_one(ex)
            .await)?;
    if !da_fare {
        return Ok(0);
    }
    let blocco = match db {
        Db::Sqlite(_) => "",
        Db::Postgres(_) => " FOR UPDATE",
    };
    let mut tx = db.begin().await?;
    let testa = format!("SELECT ultimo_seq, ultimo_hash FROM audit_catena WHERE id = 1{blocco}");
    let (mut seq, mut hash): (i64, String) =
        run!(&mut tx, |ex| sqlx::query_as(sqlx::AssertSqlSafe(testa)).fetch_one(ex).await)?;
    let sql = format!("SELECT {COLONNE} FROM audit_events WHERE catena_seq IS NULL ORDER BY id LIMIT $1");
    let righe: Vec<Riga> =
        run!(&mut tx, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(ex).await)?;
    for r in &righe {
        seq += 1;
        hash = anello(&hash, seq, r);
        run!(&mut tx, |ex| sqlx::query("UPDATE audit_events SET catena_seq = $1, catena_hash = $2 WHERE id = $3")
            .bind(seq)
            .bind(&hash)
            .bind(r.id)
            .execute(ex)
            .await
            .map(|_| ()))?;
    }
    run!(&mut tx, |ex| sqlx::query("UPDATE audit_catena SET ultimo_seq = $1, ultimo_hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .execute(ex)
        .await
        .map(|_| ()))?;
    tx.commit().await?;
    Ok(righe.len())
}

/// Moves the sealed rows that occurred before `prima_di` to the archive, at most `limit`, in one transaction: the
/// longest prefix of the chain whose rows are all that old (a newer row stops it, so the live table always holds
/// the chain's tail). The rows moved.
pub async fn archivia(db: &Db, prima_di: i64, limit: i64, now: i64) -> Result<usize, DbError> {
    let blocco = match db {
        Db::Sqlite(_) => "",
        Db::Postgres(_) => " FOR UPDATE",
    };
    let mut tx = db.begin().await?;
    // With the head locked, the sealer is not adding positions meanwhile.
    let testa = format!("SELECT ultimo_seq FROM audit_catena WHERE id = 1{blocco}");
    let _: i64 = run!(&mut tx, |ex| sqlx::query_scalar(sqlx::AssertSqlSafe(testa)).fetch_one(ex).await)?;
    let (primo, fine): (Option<i64>, Option<i64>) = run!(&mut tx, |ex| sqlx::query_as(
        "SELECT MIN(catena_seq), (SELECT MIN(catena_seq) FROM audit_events WHERE catena_seq IS NOT NULL \
         AND occurred_at >= $1) FROM audit_events WHERE catena_seq IS NOT NULL"
    )
    .bind(prima_di)
    .fetch_one(ex)
    .await)?;
    let Some(primo) = primo else { return Ok(0) };
    // Up to the first row too recent (excluded), and at most `limit` rows.
    let ultimo = fine.map_or(i64::MAX, |f| f - 1).min(primo + limit - 1);
    if ultimo < primo {
        return Ok(0);
    }
    let colonne = format!("{COLONNE}, catena_seq, catena_hash");
    let copia = format!(
        "INSERT INTO audit_archivio ({colonne}, archiviato_at) SELECT {colonne}, $3 FROM audit_events \
         WHERE catena_seq >= $1 AND catena_seq <= $2"
    );
    let spostati = run!(&mut tx, |ex| sqlx::query(sqlx::AssertSqlSafe(copia))
        .bind(primo)
        .bind(ultimo)
        .bind(now)
        .execute(ex)
        .await
        .map(|r| r.rows_affected()))?;
    run!(&mut tx, |ex| sqlx::query("DELETE FROM audit_events WHERE catena_seq >= $1 AND catena_seq <= $2")
        .bind(primo)
        .bind(ultimo)
        .execute(ex)
        .await
        .map(|_| ()))?;
    tx.commit().await?;
    Ok(spostati as usize)
}

/// What a check of the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EsitoCatena {
    /// Every sealed row links to the one before, and the last is the head the sealer recorded.
    Integra {
        /// Rows sealed.
        sigillati: i64,
        /// Rows written but not sealed yet (the sealer runs every few seconds).
        da_sigillare: i64,
        /// The last hash: write it down elsewhere to detect a rewritten chain later.
        testa: String,
    },
    /// The first row that does not match: what was found there.
    Interrotta {
        /// The chain position where it breaks.
        seq: i64,
        /// The row's id there (`None`: no row has that position, it was deleted).
        id: Option<i64>,
        /// Why, in Italian.
        motivo: String,
    },
}

/// Checks the whole chain, in pages of `pagina` rows, and names the first row that breaks it.
pub async fn verifica(db: &Db, pagina: i64) -> Result<EsitoCatena, DbError> {
    let (ultimo_seq, ultimo_hash): (i64, String) =
        run!(db, |ex| sqlx::query_as("SELECT ultimo_seq, ultimo_hash FROM audit_catena WHERE id = 1")
            .fetch_one(ex)
            .await)?;
    let mut precedente = CATENA_ORIGINE.to_owned();
    let mut atteso = 1_i64;
    // The archive holds a prefix of the chain, the live table the rest: one walk over both.
    for tabella in ["audit_archivio", "audit_events"] {
        loop {
            let sql = format!(
                "SELECT {COLONNE}, catena_seq, catena_hash FROM {tabella} WHERE catena_seq >= $1 \
                 ORDER BY catena_seq LIMIT $2"
            );
            let righe: Vec<Sigillata> =
                run!(db, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(atteso).bind(pagina).fetch_all(ex).await)?;
            let finite = (righe.len() as i64) < pagina;
            for Sigillata { riga: r, catena_seq: seq, catena_hash: hash } in righe {
                if seq != atteso {
                    return Ok(EsitoCatena::Interrotta {
                        seq: atteso,
                        id: None,
                        motivo: format!(
                            "manca l'evento in posizione {atteso}: è stato cancellato (segue l'evento {})",
                            r.id
                        ),
                    });
                }
                let calcolato = anello(&precedente, seq, &r);
                if calcolato != hash {
                    return Ok(EsitoCatena::Interrotta {
                        seq,
                        id: Some(r.id),
                        motivo: format!(
                            "l'evento {} ({}, {}) è stato modificato dopo la sigillatura",
                            r.id, r.action, r.actor
                        ),
                    });
                }
                precedente = hash;
                atteso += 1;
            }
            if finite {
                break;
            }
        }
    }
    let sigillati = atteso - 1;
    if sigillati != ultimo_seq || (sigillati > 0 && precedente != ultimo_hash) {
        return Ok(EsitoCatena::Interrotta {
            seq: atteso,
            id: None,
            motivo: format!(
                "la catena registrata finisce in posizione {ultimo_seq}, ma gli eventi sigillati arrivano a {sigillati}: \
                 gli ultimi sono stati cancellati o sostituiti"
            ),
        });
    }
    let da_sigillare: i64 =
        run!(db, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE catena_seq IS NULL")
            .fetch_one(ex)
            .await)?;
    Ok(EsitoCatena::Integra { sigillati, da_sigillare, testa: precedente })
}

/// What the administrators' page filters the log by; every part optional.
#[derive(Debug, Clone, Default)]
pub struct Filtro {
    /// Part of the actor (user code, name, `sistema`), any case.
    pub chi: String,
    /// The start of the action (`questionario.` for every questionnaire event).
    pub cosa: String,
    /// Part of the target (a questionnaire's id, an ente's code), any case.
    pub oggetto: String,
    /// From this Unix second, included.
    pub dal: Option<i64>,
    /// Up to this Unix second, excluded.
    pub al: Option<i64>,
}

/// One event as the page and the CSV show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Evento {
    /// Id.
    pub id: i64,
    /// When (Unix seconds).
    pub occurred_at: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub target: Option<String>,
    /// From where (address).
    pub origin: Option<String>,
    /// The request it belongs to.
    pub request_id: Option<String>,
    /// Details, JSON.
    pub details: String,
    /// Position in the chain (`None`: not sealed yet).
    pub catena_seq: Option<i64>,
}

/// `%x%` with `x`'s own `%`, `_` and `\` taken literally (the queries say `ESCAPE '\'`), lowercased; "" for none.
pub(crate) fn simile(x: &str, prefisso: bool) -> String {
    let x = x.trim().to_lowercase();
    if x.is_empty() {
        return String::new();
    }
    let x = x.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    if prefisso { format!("{x}%") } else { format!("%{x}%") }
}

/// [`simile`] in capitals, for the names stored with accented capitals (`NICOLÒ`, `Èrica`): SQLite's `LOWER` and
/// `LIKE` fold only ASCII letters, so next to `LOWER(x) LIKE simile` a query asks `x LIKE simile_maiuscolo` too,
/// which matches any ASCII case and the accented letters in capitals (PostgreSQL's `LOWER` needs no help).
pub(crate) fn simile_maiuscolo(x: &str) -> String {
    simile(x, false).to_uppercase()
}

const FILTRO: &str = "($1 = '' OR LOWER(actor) LIKE $1 ESCAPE '\\') AND ($2 = '' OR LOWER(action) LIKE $2 ESCAPE '\\') \
                      AND ($3 = '' OR LOWER(COALESCE(target, '')) LIKE $3 ESCAPE '\\') \
                      AND occurred_at >= $4 AND occurred_at < $5";

/// How many events `f` matches.
pub async fn conta(c: impl Into<Conn<'_>>, f: &Filtro) -> Result<i64, DbError> {
    let sql = format!("SELECT COUNT(*) FROM audit_events WHERE {FILTRO}");
    Ok(run!(c, |ex| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(simile(&f.chi, false))
        .bind(simile(&f.cosa, true))
        .bind(simile(&f.oggetto, false))
        .bind(f.dal.unwrap_or(i64::MIN))
        .bind(f.al.unwrap_or(i64::MAX))
        .fetch_one(ex)
        .await)?)
}

/// The events `f` matches with an id below `prima_di` (all when `None`), newest first, at most `limit`, after
/// skipping `offset`: pages of the page (offset) and of the CSV (by id, so a long export never rereads).
pub async fn cerca(
    c: impl Into<Conn<'_>>,
    f: &Filtro,
    prima_di: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Evento>, DbError> {
    let sql = format!(
        "SELECT id, occurred_at, actor, action, target, origin, request_id, details, catena_seq FROM audit_events \
         WHERE {FILTRO} AND id < $6 ORDER BY id DESC LIMIT $7 OFFSET $8"
    );
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(simile(&f.chi, false))
        .bind(simile(&f.cosa, true))
        .bind(simile(&f.oggetto, false))
        .bind(f.dal.unwrap_or(i64::MIN))
        .bind(f.al.unwrap_or(i64::MAX))
        .bind(prima_di.unwrap_or(i64::MAX))
        .bind(limit)
        .bind(offset)
        .fetch_all(ex)
        .await)?)
}
