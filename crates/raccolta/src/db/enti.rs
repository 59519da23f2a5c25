//! The enti registry: import from IPA, search, administration.

use sqlx::QueryBuilder;

use super::{Conn, DbError};

/// An ente row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Ente {
    /// Internal id.
    pub id: i64,
    /// IPA code, e.g. `c_h501`.
    pub codice_ipa: String,
    /// Official name.
    pub denominazione: String,
    /// Codice fiscale (11 digits).
    pub codice_fiscale: String,
    /// [`crate::domain::TipoEnte`] code.
    pub tipo: String,
    /// ISTAT code of the comune where the ente is.
    pub codice_istat: Option<String>,
    /// Region.
    pub regione: Option<String>,
    /// Certified e-mail (PEC).
    pub pec: Option<String>,
    /// False once deactivated (missing from a later IPA file): no new requests.
    pub attivo: bool,
    /// Who compiles the questionnaires.
    pub referente_nome: Option<String>,
    /// Their telephone.
    pub referente_telefono: Option<String>,
    /// Their e-mail.
    pub referente_email: Option<String>,
}

const COLUMNS: &str = "id, codice_ipa, denominazione, codice_fiscale, tipo, codice_istat, regione, pec, attivo, \
                       referente_nome, referente_telefono, referente_email";

/// The registry data of an ente, as the IPA file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatiEnte {
    /// IPA code.
    pub codice_ipa: String,
    /// Name.
    pub denominazione: String,
    /// Codice fiscale.
    pub codice_fiscale: String,
    /// Type code.
    pub tipo: String,
    /// ISTAT code.
    pub codice_istat: Option<String>,
    /// Region.
    pub regione: Option<String>,
    /// PEC.
    pub pec: Option<String>,
}

impl DatiEnte {
    /// True when `ente` already holds exactly these data and is active.
    pub fn uguale_a(&self, ente: &Ente) -> bool {
        ente.attivo
            && self.denominazione == ente.denominazione
            && self.codice_fiscale == ente.codice_fiscale
            && self.tipo == ente.tipo
            && self.codice_istat == ente.codice_istat
            && self.regione == ente.regione
            && self.pec == ente.pec
    }
}

/// A search hit: enough for the autocomplete and lists.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Voce {
    /// Internal id.
    pub id: i64,
    /// IPA code.
    pub codice_ipa: String,
    /// Name.
    pub denominazione: String,
    /// Type code.
    pub tipo: String,
    /// Region.
    pub regione: Option<String>,
    /// Active.
    pub attivo: bool,
}

/// An ente by id.
/// The ente with this IPA code.
pub async fn by_codice_ipa(c: impl Into<Conn<'_>>, codice_ipa: &str) -> Result<Option<Ente>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM enti WHERE codice_ipa = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(codice_ipa).fetch_optional(ex).await)?)
}

/// The ente with this id.
pub async fn by_id(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<Ente>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM enti WHERE id = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(ex).await)?)
}

/// Every ente, for the import to compare against.
pub async fn tutti(c: impl Into<Conn<'_>>) -> Result<Vec<Ente>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM enti");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(ex).await)?)
}

/// Number of enti.
pub async fn conta(c: impl Into<Conn<'_>>) -> Result<i64, DbError> {
    let n: (i64,) = run!(c, |ex| sqlx::query_as("SELECT COUNT(*) FROM enti").fetch_one(ex).await)?;
    Ok(n.0)
}

/// Inserts new enti, many rows per statement.
pub async fn inserisci(
    c: impl Into<Conn<'_>>,
    nuovi: &[&DatiEnte],
    search_keys: &[String],
    now: i64,
) -> Result<(), DbError> {
    let mut c = c.into();
    // 11 values per row; 400 rows stay far below both backends' limits on bound parameters.
    for (blocco, chiavi) in nuovi.chunks(400).zip(search_keys.chunks(400)) {
        run!(&mut c, |ex| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO enti (codice_ipa, denominazione, codice_fiscale, tipo, codice_istat, regione, pec, \
                 attivo, search_key, created_at, updated_at) ",
            );
            qb.push_values(blocco.iter().zip(chiavi), |mut b, (e, key)| {
                b.push_bind(&e.codice_ipa)
                    .push_bind(&e.denominazione)
                    .push_bind(&e.codice_fiscale)
                    .push_bind(&e.tipo)
                    .push_bind(&e.codice_istat)
                    .push_bind(&e.regione)
                    .push_bind(&e.pec)
                    .push_bind(true)
                    .push_bind(key)
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(ex).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Rewrites the registry data of an ente (and reactivates it).
pub async fn aggiorna(
    c: impl Into<Conn<'_>>,
    id: i64,
    e: &DatiEnte,
    search_key: &str,
    now: i64,
) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query(
        "UPDATE enti SET denominazione = $1, codice_fiscale = $2, tipo = $3, codice_istat = $4, regione = $5, \
         pec = $6, attivo = TRUE, search_key = $7, updated_at = $8 WHERE id = $9"
    )
    .bind(&e.denominazione)
    .bind(&e.codice_fiscale)
    .bind(&e.tipo)
    .bind(&e.codice_istat)
    .bind(&e.regione)
    .bind(&e.pec)
    .bind(search_key)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Deactivates an ente: it stays, with its history, but takes no new requests.
pub async fn disattiva(c: impl Into<Conn<'_>>, id: i64, now: i64) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query("UPDATE enti SET attivo = FALSE, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Sets who compiles the questionnaires.
pub async fn aggiorna_referente(
    c: impl Into<Conn<'_>>,
    id: i64,
    nome: Option<&str>,
    telefono: Option<&str>,
    email: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query(
        "UPDATE enti SET referente_nome = $1, referente_telefono = $2, referente_email = $3, referente_at = $4 \
         WHERE id = $5"
    )
    .bind(nome)
    .bind(telefono)
    .bind(email)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A search: words of the name (any order, any part), an optional type, active enti only or all.
#[derive(Debug, Clone, Default)]
pub struct Ricerca<'a> {
    /// What was typed.
    pub testo: &'a str,
    /// A type code.
    pub tipo: Option<&'a str>,
    /// Include deactivated enti (administration).
    pub anche_inattivi: bool,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// Builds the WHERE clause of a search; binds in order.
fn filtro<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, r: &Ricerca<'_>, parole: &[String])
where
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1 = 1");
    if !r.anche_inattivi {
        qb.push(" AND attivo = TRUE");
    }
    if let Some(tipo) = r.tipo {
        qb.push(" AND tipo = ").push_bind(tipo.to_owned());
    }
    for p in parole {
        // Keys hold only letters, digits and spaces, so a word can never carry a LIKE wildcard.
        qb.push(" AND search_key LIKE ").push_bind(format!("%{p}%"));
    }
}

/// The words of a search, at most six, normalized like the keys.
pub fn parole(testo: &str) -> Vec<String> {
    crate::domain::chiave_ricerca(testo).split(' ').filter(|w| !w.is_empty()).take(6).map(str::to_owned).collect()
}

/// Enti matching a search: names that are or end with the words first, then word starts, then the rest,
/// shorter names first.
pub async fn cerca(c: impl Into<Conn<'_>>, r: &Ricerca<'_>) -> Result<Vec<Voce>, DbError> {
    let parole = parole(r.testo);
    let intero = parole.join(" ");
    run!(c, |ex| {
        let mut qb = QueryBuilder::new("SELECT id, codice_ipa, denominazione, tipo, regione, attivo FROM enti");
        filtro(&mut qb, r, &parole);
        qb.push(" ORDER BY CASE WHEN search_key = ")
            .push_bind(intero.clone())
            .push(" OR search_key LIKE ")
            .push_bind(format!("% {intero}"))
            .push(" THEN 0 WHEN search_key LIKE ")
            .push_bind(format!("{intero}%"))
            .push(" OR search_key LIKE ")
            .push_bind(format!("% {intero}%"))
            .push(" THEN 1 ELSE 2 END, LENGTH(search_key), search_key LIMIT ")
            .push_bind(r.limit)
            .push(" OFFSET ")
            .push_bind(r.offset);
        Ok(qb.build_query_as::<Voce>().fetch_all(ex).await?)
    })
}

/// The version of the registry: incremented by every transaction that changes the searchable data.
pub async fn versione(c: impl Into<Conn<'_>>) -> Result<i64, DbError> {
    run!(c, |ex| {
        let v: (i64,) = sqlx::query_as("SELECT valore FROM versioni WHERE nome = 'enti'").fetch_one(ex).await?;
        Ok(v.0)
    })
}

/// Marks the registry as changed, in the transaction that changes it.
pub async fn segna_modifica(c: impl Into<Conn<'_>>) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query("UPDATE versioni SET valore = valore + 1 WHERE nome = 'enti'")
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Every ente with its search key, shortest key first, and the registry's version. The version is read first:
/// should an import commit in between, the rows are newer than the number, and the next check reloads once more,
/// never the reverse (stale rows under a current number).
pub async fn per_indice(c: impl Into<Conn<'_>>) -> Result<(i64, Vec<(Voce, String)>), DbError> {
    #[derive(sqlx::FromRow)]
    struct Riga {
        #[sqlx(flatten)]
        voce: Voce,
        search_key: String,
    }
    let mut c = c.into();
    let v = versione(&mut c).await?;
    let righe: Vec<Riga> = run!(&mut c, |ex| sqlx::query_as(
        "SELECT id, codice_ipa, denominazione, tipo, regione, attivo, search_key FROM enti \
         ORDER BY LENGTH(search_key), search_key"
    )
    .fetch_all(ex)
    .await)?;
    Ok((v, righe.into_iter().map(|r| (r.voce, r.search_key)).collect()))
}

/// How many enti match a search (for paging).
pub async fn conta_ricerca(c: impl Into<Conn<'_>>, r: &Ricerca<'_>) -> Result<i64, DbError> {
    let parole = parole(r.testo);
    run!(c, |ex| {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM enti");
        filtro(&mut qb, r, &parole);
        let n = qb.build_query_as::<(i64,)>().fetch_one(ex).await?;
        Ok(n.0)
    })
}
