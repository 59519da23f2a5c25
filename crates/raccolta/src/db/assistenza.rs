//! Assistenza: requests to support, their threads (append-only) and attachments.

use super::associazioni::Responsabile;
use super::{Conn, DbError, Tx};
use crate::domain::{Categoria, StatoRichiesta};

/// A request as its page and the lists show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Richiesta {
    /// Id: its number for people.
    pub id: i64,
    /// Its URL id.
    pub pubblico: String,
    /// Who opened it.
    pub user_id: Option<i64>,
    /// Their name and code, as they were then.
    pub autore: String,
    /// The ente it is about.
    pub ente_id: Option<i64>,
    /// That ente's name.
    pub ente: Option<String>,
    /// Subject.
    pub oggetto: String,
    /// Category.
    #[sqlx(try_from = "String")]
    pub categoria: Categoria,
    /// State.
    #[sqlx(try_from = "String")]
    pub stato: StatoRichiesta,
    /// The member of support who took it.
    pub assegnata_a: Option<i64>,
    /// Their name.
    pub assegnatario: Option<String>,
    /// Opened.
    pub created_at: i64,
    /// Last message or change.
    pub aggiornata_at: i64,
    /// Messages in the thread.
    pub messaggi: i64,
}

const SELECT: &str = "SELECT r.id, r.pubblico, r.user_id, r.autore, r.ente_id, e.denominazione AS ente, r.oggetto, \
                      r.categoria, r.stato, r.assegnata_a, \
                      COALESCE(s.denominazione, s.nome || ' ' || s.cognome) AS assegnatario, r.created_at, \
                      r.aggiornata_at, r.messaggi FROM assistenza_richieste r \
                      LEFT JOIN enti e ON e.id = r.ente_id LEFT JOIN users s ON s.id = r.assegnata_a";

/// A new request.
#[derive(Debug, Clone)]
pub struct Nuova<'a> {
    /// URL id.
    pub pubblico: &'a str,
    /// Who opens it.
    pub user_id: i64,
    /// Their name and code.
    pub autore: &'a str,
    /// The ente, if any.
    pub ente_id: Option<i64>,
    /// Subject.
    pub oggetto: &'a str,
    /// Category.
    pub categoria: Categoria,
}

/// Records a new request (open, with no message yet); its id.
pub async fn crea(tx: &mut Tx, r: &Nuova<'_>, now: i64) -> Result<i64, DbError> {
    let (id,): (i64,) = run!(&mut *tx, |ex| sqlx::query_as(
        "INSERT INTO assistenza_richieste (pubblico, user_id, autore, ente_id, oggetto, categoria, stato, \
         created_at, aggiornata_at) VALUES ($1, $2, $3, $4, $5, $6, 'aperta', $7, $7) RETURNING id"
    )
    .bind(r.pubblico)
    .bind(r.user_id)
    .bind(r.autore)
    .bind(r.ente_id)
    .bind(r.oggetto)
    .bind(r.categoria.code())
    .bind(now)
    .fetch_one(ex)
    .await)?;
    Ok(id)
}

/// A message of the thread.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Messaggio {
    /// Id.
    pub id: i64,
    /// Who wrote it.
    pub user_id: Option<i64>,
    /// Their name (and code, for users).
    pub autore: String,
    /// Written by support.
    pub dal_supporto: bool,
    /// The text; empty for a change of state alone.
    pub testo: String,
    /// The state the request went to, if it changed.
    pub stato: Option<String>,
    /// When.
    pub created_at: i64,
}

/// A message to add.
#[derive(Debug, Clone)]
pub struct NuovoMessaggio<'a> {
    /// The request.
    pub richiesta_id: i64,
    /// Who writes.
    pub user_id: i64,
    /// Their name.
    pub autore: &'a str,
    /// By support.
    pub dal_supporto: bool,
    /// The text (may be empty with a change of state).
    pub testo: &'a str,
    /// The request's new state, when it changes.
    pub stato: Option<StatoRichiesta>,
    /// The member of support who takes the request if nobody has it yet.
    pub assegna: Option<i64>,
    /// `assegna` takes it even from whoever has it (*Prendi in carico*).
    pub prendi: bool,
}

/// Appends a message to the thread and updates the request (state, assignee, counters); the message's id.
/// `false`-like `None` when the request is not in `da` any more (changed meanwhile).
pub async fn aggiungi(
    tx: &mut Tx,
    m: &NuovoMessaggio<'_>,
    da: StatoRichiesta,
    now: i64,
) -> Result<Option<i64>, DbError> {
    let aggiornate = run!(&mut *tx, |ex| sqlx::query(
        "UPDATE assistenza_richieste SET stato = COALESCE($3, stato), \
         assegnata_a = CASE WHEN $7 THEN COALESCE($4, assegnata_a) ELSE COALESCE(assegnata_a, $4) END, \
         aggiornata_at = $5, messaggi = messaggi + $6 WHERE id = $1 AND stato = $2"
    )
    .bind(m.richiesta_id)
    .bind(da.code())
    .bind(m.stato.map(StatoRichiesta::code))
    .bind(m.assegna)
    .bind(now)
    .bind(i64::from(!m.testo.is_empty()))
    .bind(m.prendi)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?;
    if aggiornate != 1 {
        return Ok(None);
    }
    let (id,): (i64,) = run!(&mut *tx, |ex| sqlx::query_as(
        "INSERT INTO assistenza_messaggi (richiesta_id, user_id, autore, dal_supporto, testo, stato, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(m.richiesta_id)
    .bind(m.user_id)
    .bind(m.autore)
    .bind(m.dal_supporto)
    .bind(m.testo)
    .bind(m.stato.map(StatoRichiesta::code))
    .bind(now)
    .fetch_one(ex)
    .await)?;
    Ok(Some(id))
}

/// Stores an attachment of message `messaggio_id`.
pub async fn allega(
    tx: &mut Tx,
    messaggio_id: i64,
    nome: &str,
    tipo: &str,
    sha256: &str,
    dati: &[u8],
) -> Result<i64, DbError> {
    let (id,): (i64,) = run!(&mut *tx, |ex| sqlx::query_as(
        "INSERT INTO assistenza_allegati (messaggio_id, nome, tipo, dimensione, sha256, contenuto) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(messaggio_id)
    .bind(nome)
    .bind(tipo)
    .bind(dati.len() as i64)
    .bind(sha256)
    .bind(dati)
    .fetch_one(ex)
    .await)?;
    Ok(id)
}

/// A request by its URL id.
pub async fn by_pubblico(c: impl Into<Conn<'_>>, pubblico: &str) -> Result<Option<Richiesta>, DbError> {
    let sql = format!("{SELECT} WHERE r.pubblico = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(pubblico).fetch_optional(ex).await)?)
}

/// The thread of a request, oldest first.
pub async fn messaggi(c: impl Into<Conn<'_>>, richiesta_id: i64) -> Result<Vec<Messaggio>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT id, user_id, autore, dal_supporto, testo, stato, created_at FROM assistenza_messaggi \
         WHERE richiesta_id = $1 ORDER BY id"
    )
    .bind(richiesta_id)
    .fetch_all(ex)
    .await)?)
}

/// An attachment as the thread lists it (without its bytes).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Allegato {
    /// Id.
    pub id: i64,
    /// Its message.
    pub messaggio_id: i64,
    /// File name.
    pub nome: String,
    /// MIME type.
    pub tipo: String,
    /// Bytes.
    pub dimensione: i64,
}

/// The attachments of a request's thread.
pub async fn allegati(c: impl Into<Conn<'_>>, richiesta_id: i64) -> Result<Vec<Allegato>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT a.id, a.messaggio_id, a.nome, a.tipo, a.dimensione FROM assistenza_allegati a \
         JOIN assistenza_messaggi m ON m.id = a.messaggio_id WHERE m.richiesta_id = $1 ORDER BY a.id"
    )
    .bind(richiesta_id)
    .fetch_all(ex)
    .await)?)
}

/// One attachment of request `richiesta_id`, with its bytes: (name, type, bytes).
pub async fn allegato(
    c: impl Into<Conn<'_>>,
    richiesta_id: i64,
    id: i64,
) -> Result<Option<(String, String, Vec<u8>)>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT a.nome, a.tipo, a.contenuto FROM assistenza_allegati a \
         JOIN assistenza_messaggi m ON m.id = a.messaggio_id WHERE m.richiesta_id = $1 AND a.id = $2"
    )
    .bind(richiesta_id)
    .bind(id)
    .fetch_optional(ex)
    .await)?)
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filtro<'a> {
    /// `None`: every request (support). `Some((user, enti))`: the user's own and those of these enti.
    pub di: Option<(i64, &'a [i64])>,
    /// Only this state.
    pub stato: Option<StatoRichiesta>,
    /// Only this category.
    pub categoria: Option<Categoria>,
    /// Words in the subject, the author or the ente (a `LIKE` pattern from `audit::simile`, or "").
    pub testo: String,
}

/// The `WHERE` of [`elenco`] and [`conta`]: every parameter ($1 user or 0 for all, $2 state, $3 category,
/// $4 pattern, $5 number, $6 the pattern in capitals: see `audit::simile_maiuscolo`) is always there, as
/// PostgreSQL wants.
fn dove(f: &Filtro<'_>) -> String {
    // The ids are numbers from the database, never text from the request.
    let enti: Vec<String> = f.di.map(|d| d.1).unwrap_or_default().iter().map(i64::to_string).collect();
    let dell_ente = if enti.is_empty() { String::new() } else { format!(" OR r.ente_id IN ({})", enti.join(", ")) };
    format!(
        "($1 = 0 OR r.user_id = $1{dell_ente}) AND ($2 = '' OR r.stato = $2) AND ($3 = '' OR r.categoria = $3) \
         AND ($4 = '' OR LOWER(r.oggetto) LIKE $4 ESCAPE '\\' OR LOWER(r.autore) LIKE $4 ESCAPE '\\' \
         OR LOWER(COALESCE(e.denominazione, '')) LIKE $4 ESCAPE '\\' OR CAST(r.id AS TEXT) = $5 \
         OR r.oggetto LIKE $6 ESCAPE '\\' OR r.autore LIKE $6 ESCAPE '\\' \
         OR COALESCE(e.denominazione, '') LIKE $6 ESCAPE '\\')"
    )
}

/// The six parameters of [`dove`].
fn parametri(f: &Filtro<'_>) -> (i64, &'static str, &'static str, String, String, String) {
    let numero = f.testo.trim_matches('%').trim_start_matches('#').to_owned();
    (
        f.di.map_or(0, |d| d.0),
        f.stato.map_or("", StatoRichiesta::code),
        f.categoria.map_or("", Categoria::code),
        f.testo.clone(),
        numero,
        f.testo.to_uppercase(),
    )
}

/// The requests `f` selects, the latest updated first; `offset`/`limit` page them.
pub async fn elenco(
    c: impl Into<Conn<'_>>,
    f: &Filtro<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Richiesta>, DbError> {
    let sql = format!("{SELECT} WHERE {} ORDER BY r.aggiornata_at DESC, r.id DESC LIMIT $7 OFFSET $8", dove(f));
    let (utente, stato, categoria, testo, numero, maiuscolo) = parametri(f);
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(utente)
        .bind(stato)
        .bind(categoria)
        .bind(&testo)
        .bind(&numero)
        .bind(&maiuscolo)
        .bind(limit)
        .bind(offset)
        .fetch_all(ex)
        .await)?)
}

/// How many requests `f` selects in each state (its own state filter left aside): (state code, count).
pub async fn conta(c: impl Into<Conn<'_>>, f: &Filtro<'_>) -> Result<Vec<(String, i64)>, DbError> {
    let f = Filtro { stato: None, ..f.clone() };
    let sql = format!(
        "SELECT r.stato, COUNT(*) FROM assistenza_richieste r LEFT JOIN enti e ON e.id = r.ente_id \
         WHERE {} GROUP BY r.stato",
        dove(&f)
    );
    let (utente, stato, categoria, testo, numero, maiuscolo) = parametri(&f);
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(utente)
        .bind(stato)
        .bind(categoria)
        .bind(&testo)
        .bind(&numero)
        .bind(&maiuscolo)
        .fetch_all(ex)
        .await)?)
}

/// A user as a recipient of notices ([`Responsabile`]).
const DESTINATARI: &str = "SELECT id AS user_id, codice, COALESCE(denominazione, nome || ' ' || cognome) AS nome, \
                           email, lang FROM users";

/// The active support staff, to tell of a new request; the administrators when there is none.
pub async fn staff(c: impl Into<Conn<'_>>) -> Result<Vec<Responsabile>, DbError> {
    let mut c = c.into();
    let sql = format!("{DESTINATARI} WHERE supporto = TRUE AND stato = 'attivo' ORDER BY id");
    let supporto: Vec<Responsabile> = run!(&mut c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(ex).await)?;
    if !supporto.is_empty() {
        return Ok(supporto);
    }
    super::associazioni::amministratori(c).await
}

/// Who of the users' side follows a request: its author and whoever else wrote in it and still works on its ente
/// (an active association, or responsabile), if still active; `senza` (the writer) left out.
pub async fn partecipanti(c: impl Into<Conn<'_>>, richiesta_id: i64, senza: i64) -> Result<Vec<Responsabile>, DbError> {
    let sql = format!(
        "{DESTINATARI} WHERE stato = 'attivo' AND id <> $2 AND id IN ( \
           SELECT user_id FROM assistenza_richieste WHERE id = $1 \
           UNION SELECT user_id FROM assistenza_messaggi WHERE richiesta_id = $1 AND dal_supporto = FALSE) \
         AND (id IN (SELECT user_id FROM assistenza_richieste WHERE id = $1) \
           OR id IN (SELECT a.user_id FROM associazioni a JOIN assistenza_richieste r ON r.ente_id = a.ente_id \
                     WHERE r.id = $1 AND a.stato = 'attiva') \
           OR id IN (SELECT p.user_id FROM responsabili p JOIN assistenza_richieste r ON r.ente_id = p.ente_id \
                     WHERE r.id = $1)) \
         ORDER BY id"
    );
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(richiesta_id).bind(senza).fetch_all(ex).await)?)
}

/// The member of support `user_id` as a recipient, if still active and still support (or an administrator).
pub async fn del_supporto(c: impl Into<Conn<'_>>, user_id: i64) -> Result<Option<Responsabile>, DbError> {
    let sql =
        format!("{DESTINATARI} WHERE id = $1 AND stato = 'attivo' AND (supporto = TRUE OR ruolo = 'amministratore')");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_optional(ex).await)?)
}

/// Gives back to all of support the requests `user_id` had taken (their support role was revoked, or their
/// account disabled): one in lavorazione is aperta again; how many.
pub async fn rilascia(c: impl Into<Conn<'_>>, user_id: i64) -> Result<u64, DbError> {
    Ok(run!(c, |ex| sqlx::query(
        "UPDATE assistenza_richieste SET assegnata_a = NULL, \
         stato = CASE WHEN stato = 'in_lavorazione' THEN 'aperta' ELSE stato END WHERE assegnata_a = $1"
    )
    .bind(user_id)
    .execute(ex)
    .await
    .map(|r| r.rows_affected()))?)
}
