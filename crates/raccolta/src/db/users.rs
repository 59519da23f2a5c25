//! Users: registration, confirmation, credentials, profile.

use super::{Conn, DbError};
use crate::domain::{Ruolo, StatoUtente};

/// A user row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    /// Internal id.
    pub id: i64,
    /// Codice identificativo utente: the username.
    pub codice: String,
    /// `persona_fisica` or `societa`.
    pub tipo: String,
    /// Name (of the referente, for a company).
    pub nome: String,
    /// Surname (of the referente, for a company).
    pub cognome: String,
    /// Company name.
    pub denominazione: Option<String>,
    /// Codice fiscale or partita IVA.
    pub codice_fiscale: String,
    /// Lower-cased e-mail.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Preferred language.
    pub lang: String,
    /// Where the account stands.
    #[sqlx(try_from = "String")]
    pub stato: StatoUtente,
    /// Registration time.
    pub created_at: i64,
    /// Confirmation time.
    pub confirmed_at: Option<i64>,
    /// Time of the latest login.
    pub last_login_at: Option<i64>,
    /// Time of the latest password change.
    pub password_changed_at: i64,
    /// The platform role.
    #[sqlx(try_from = "String")]
    pub ruolo: Ruolo,
    /// A member of support staff (Assistenza), granted by an administrator.
    pub supporto: bool,
}

impl User {
    /// "Nome Cognome (CODICE)": how a receipt, a request and a decision name who made them.
    pub fn nome_e_codice(&self) -> String {
        format!("{} ({})", self.nome_visualizzato().trim(), self.codice)
    }

    /// "Nome Cognome", or the company name.
    pub fn nome_visualizzato(&self) -> String {
        match &self.denominazione {
            Some(d) => d.clone(),
            None => format!("{} {}", self.nome, self.cognome),
        }
    }

    /// Checks a new password against the policy and this user's own data (the refusal names which data).
    pub fn controlla_password(&self, password: &str) -> Result<(), crate::domain::PasswordError> {
        let dati = crate::domain::DatiUtente {
            nome: Some(&self.nome),
            cognome: Some(&self.cognome),
            denominazione: self.denominazione.as_deref(),
            email: Some(&self.email),
            codice_fiscale: Some(&self.codice_fiscale).filter(|c| !c.is_empty()).map(String::as_str),
            codice_utente: Some(&self.codice),
        };
        crate::domain::controlla_password_utente(password, &dati)
    }

    /// True once the e-mail has been confirmed and the account is not disabled.
    pub fn is_active(&self) -> bool {
        self.stato == StatoUtente::Attivo
    }

    /// An administrator of the platform.
    pub fn is_admin(&self) -> bool {
        self.ruolo == Ruolo::Amministratore
    }

    /// Answers Assistenza requests: support staff, and administrators.
    pub fn is_support(&self) -> bool {
        self.is_admin() || self.supporto
    }
}

const COLUMNS: &str = "id, codice, tipo, nome, cognome, denominazione, codice_fiscale, email, password_hash, lang, \
                       stato, created_at, confirmed_at, last_login_at, password_changed_at, ruolo, \
                       supporto";

/// Data of a new registration.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Username, generated.
    pub codice: &'a str,
    /// `persona_fisica` or `societa`.
    pub tipo: &'a str,
    /// Name.
    pub nome: &'a str,
    /// Surname.
    pub cognome: &'a str,
    /// Company name.
    pub denominazione: Option<&'a str>,
    /// Codice fiscale or partita IVA.
    pub codice_fiscale: &'a str,
    /// Lower-cased e-mail.
    pub email: &'a str,
    /// Argon2id hash.
    pub password_hash: &'a str,
    /// Language of the registration page.
    pub lang: &'a str,
}

/// A user by id.
pub async fn by_id(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(ex).await)?)
}

/// A user by lower-cased e-mail.
pub async fn by_email(c: impl Into<Conn<'_>>, email: &str) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(ex).await)?)
}

/// A user by username (codice identificativo).
pub async fn by_codice(c: impl Into<Conn<'_>>, codice: &str) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE codice = $1");
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(codice).fetch_optional(ex).await)?)
}

/// True when the username is taken.
pub async fn codice_exists(c: impl Into<Conn<'_>>, codice: &str) -> Result<bool, DbError> {
    let n: (i64,) =
        run!(c, |ex| sqlx::query_as("SELECT COUNT(*) FROM users WHERE codice = $1").bind(codice).fetch_one(ex).await)?;
    Ok(n.0 > 0)
}

/// Inserts an unconfirmed user; returns its id.
pub async fn insert(c: impl Into<Conn<'_>>, u: &NewUser<'_>, now: i64) -> Result<i64, DbError> {
    let id: (i64,) = run!(c, |ex| {
        sqlx::query_as(
        "INSERT INTO users (codice, tipo, nome, cognome, denominazione, codice_fiscale, email, password_hash, lang, \
         stato, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'da_confermare', $10, $10) RETURNING id",
    )
    .bind(u.codice)
    .bind(u.tipo)
    .bind(u.nome)
    .bind(u.cognome)
    .bind(u.denominazione)
    .bind(u.codice_fiscale)
    .bind(u.email)
    .bind(u.password_hash)
    .bind(u.lang)
    .bind(now)
    .fetch_one(ex)
    .await
    })?;
    Ok(id.0)
}

/// Activates a confirmed account.
pub async fn activate(c: impl Into<Conn<'_>>, id: i64, now: i64) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query(
        "UPDATE users SET stato = 'attivo', confirmed_at = $2 WHERE id = $1 AND stato = 'da_confermare'"
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets a new password hash.
pub async fn set_password(c: impl Into<Conn<'_>>, id: i64, hash: &str, now: i64) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Records a successful login; returns the time of the previous one (atomically when `c` is a transaction).
pub async fn record_login(c: impl Into<Conn<'_>>, id: i64, now: i64) -> Result<Option<i64>, DbError> {
    let mut c = c.into();
    let previous: Option<(Option<i64>,)> =
        run!(&mut c, |ex| sqlx::query_as("SELECT last_login_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(ex)
            .await)?;
    run!(&mut c, |ex| sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(previous.and_then(|p| p.0))
}

/// Changes the e-mail address.
pub async fn set_email(c: impl Into<Conn<'_>>, id: i64, email: &str) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query("UPDATE users SET email = $2 WHERE id = $1")
        .bind(id)
        .bind(email)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Updates name fields and language.
pub async fn set_profile(
    c: impl Into<Conn<'_>>,
    id: i64,
    nome: &str,
    cognome: &str,
    denominazione: Option<&str>,
    lang: &str,
) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query("UPDATE users SET nome = $2, cognome = $3, denominazione = $4, lang = $5 WHERE id = $1")
        .bind(id)
        .bind(nome)
        .bind(cognome)
        .bind(denominazione)
        .bind(lang)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Inserts an active administrator (created from the command line; no codice fiscale is asked).
pub async fn insert_admin(
    c: impl Into<Conn<'_>>,
    codice: &str,
    nome: &str,
    cognome: &str,
    email: &str,
    hash: &str,
    now: i64,
) -> Result<i64, DbError> {
    let id: (i64,) = run!(c, |ex| sqlx::query_as(
        "INSERT INTO users (codice, tipo, nome, cognome, codice_fiscale, email, password_hash, lang, stato, \
         created_at, confirmed_at, password_changed_at, ruolo) \
         VALUES ($1, 'persona_fisica', $2, $3, '', $4, $5, 'it', 'attivo', $6, $6, $6, 'amministratore') RETURNING id",
    )
    .bind(codice)
    .bind(nome)
    .bind(cognome)
    .bind(email)
    .bind(hash)
    .bind(now)
    .fetch_one(ex)
    .await)?;
    Ok(id.0)
}

/// Deletes registrations never confirmed since before `cutoff`; returns how many.
pub async fn delete_unconfirmed_before(c: impl Into<Conn<'_>>, cutoff: i64) -> Result<u64, DbError> {
    Ok(run!(c, |ex| sqlx::query("DELETE FROM users WHERE stato = 'da_confermare' AND created_at < $1")
        .bind(cutoff)
        .execute(ex)
        .await
        .map(|r| r.rows_affected()))?)
}

/// A user as Gestione → Utenti lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Voce {
    /// Id.
    pub id: i64,
    /// Code.
    pub codice: String,
    /// Name or company name.
    pub nome: String,
    /// E-mail.
    pub email: String,
    /// Codice fiscale or partita IVA.
    pub codice_fiscale: String,
    /// State code.
    pub stato: String,
    /// Role code.
    pub ruolo: String,
    /// Support staff.
    pub supporto: bool,
    /// Latest login.
    pub last_login_at: Option<i64>,
    /// Active associations.
    pub enti: i64,
}

/// Users whose code, name, e-mail, codice fiscale or one of whose enti (name or IPA code) contains every word of
/// `testo` (case-insensitive), by code; `offset`/`limit` page them.
const CERCA: &str = "FROM users u WHERE ($1 = '' OR LOWER(u.codice) LIKE $1 ESCAPE '\\' OR LOWER(u.email) LIKE $1 ESCAPE '\\' \
     OR LOWER(u.codice_fiscale) LIKE $1 ESCAPE '\\' \
     OR LOWER(u.nome || ' ' || u.cognome || ' ' || COALESCE(u.denominazione, '')) LIKE $1 ESCAPE '\\' \
     OR (u.nome || ' ' || u.cognome || ' ' || COALESCE(u.denominazione, '')) LIKE $4 ESCAPE '\\' \
     OR EXISTS (SELECT 1 FROM associazioni a JOIN enti e ON e.id = a.ente_id WHERE a.user_id = u.id \
       AND a.stato IN ('attiva', 'in_attesa') AND (e.search_key LIKE $2 ESCAPE '\\' OR LOWER(e.codice_ipa) = $3)))";

/// See [`CERCA`]; `testo` is matched as one phrase.
pub async fn cerca(c: impl Into<Conn<'_>>, testo: &str, offset: i64, limit: i64) -> Result<Vec<Voce>, DbError> {
    let sql = format!(
        "SELECT u.id, u.codice, COALESCE(u.denominazione, u.nome || ' ' || u.cognome) AS nome, u.email, \
         u.codice_fiscale, u.stato, u.ruolo, u.supporto, u.last_login_at, \
         (SELECT COUNT(*) FROM associazioni a WHERE a.user_id = u.id AND a.stato = 'attiva') AS enti \
         {CERCA} ORDER BY u.codice LIMIT $5 OFFSET $6"
    );
    let (simile, chiave, ipa, maiuscolo) = criteri(testo);
    Ok(run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&simile)
        .bind(&chiave)
        .bind(&ipa)
        .bind(&maiuscolo)
        .bind(limit)
        .bind(offset)
        .fetch_all(ex)
        .await)?)
}

/// How many users [`cerca`] finds.
pub async fn conta(c: impl Into<Conn<'_>>, testo: &str) -> Result<i64, DbError> {
    let sql = format!("SELECT COUNT(*) {CERCA}");
    let (simile, chiave, ipa, maiuscolo) = criteri(testo);
    let (n,): (i64,) = run!(c, |ex| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&simile)
        .bind(&chiave)
        .bind(&ipa)
        .bind(&maiuscolo)
        .fetch_one(ex)
        .await)?;
    Ok(n)
}

fn criteri(testo: &str) -> (String, String, String, String) {
    let testo = testo.trim();
    let chiave = crate::domain::chiave_ricerca(testo);
    (
        super::audit::simile(testo, false),
        super::audit::simile(&chiave, false),
        testo.to_lowercase(),
        super::audit::simile_maiuscolo(testo),
    )
}

/// Sets the account's state (an administrator disables or enables it).
pub async fn imposta_stato(c: impl Into<Conn<'_>>, id: i64, stato: StatoUtente) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query("UPDATE users SET stato = $2 WHERE id = $1")
        .bind(id)
        .bind(stato.code())
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Grants or revokes the support role.
pub async fn imposta_supporto(c: impl Into<Conn<'_>>, id: i64, supporto: bool) -> Result<(), DbError> {
    run!(c, |ex| sqlx::query("UPDATE users SET supporto = $2 WHERE id = $1")
        .bind(id)
        .bind(supporto)
        .execute(ex)
        .await
        .map(|_| ()))?;
    Ok(())
}
