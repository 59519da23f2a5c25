//! `raccolta admin create`: the first administrator, and any other, from the command line.
//!
//! No default accounts and no passwords on the command line: the new administrator gets a one-time link (the
//! same single-use, 24-hour token as a password reset) to choose a password on the site. The one exception is
//! demo mode (`RACCOLTA_DEMO=true`, refused in production), which has an administrator with a documented password
//! so that a newcomer can decide the requests they send.

use crate::auth::PasswordHasher;
use crate::auth::token::{random_token, token_hash};
use crate::config::Config;
use crate::context::Context;
use crate::db::audit;
use crate::db::{Db, tokens, users};
use crate::domain::{CodiceUtente, Email, TestoBreve};

/// How long the link to choose the password stays valid.
const LINK_VALIDO_ORE: i64 = 24;

/// A created administrator.
#[derive(Debug)]
pub struct NuovoAmministratore {
    /// The username.
    pub codice: String,
    /// The one-time link to choose the password.
    pub link: String,
}

/// Why an administrator could not be created; the message is for the operator.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Bad e-mail or name.
    #[error("{0}")]
    Dati(String),
    /// The address already belongs to a user.
    #[error("esiste già un utente con l'indirizzo {0}")]
    Esistente(String),
    /// Anything else.
    #[error(transparent)]
    Altro(#[from] anyhow::Error),
}

/// Creates an administrator and returns the link to choose the password.
pub async fn crea(db: &Db, config: &Config, email: &str, nome: &str) -> Result<NuovoAmministratore, AdminError> {
    let lang = crate::i18n::Lang::It;
    let email = Email::parse(email).map_err(|e| AdminError::Dati(format!("--email: {}", e.messaggio(lang))))?;
    let nome = TestoBreve::parse(nome, 200).map_err(|e| AdminError::Dati(format!("--name: {}", e.messaggio(lang))))?;
    let (first, rest) = nome.as_str().split_once(' ').unwrap_or((nome.as_str(), ""));
    if users::by_email(db, email.as_str()).await.map_err(anyhow::Error::from)?.is_some() {
        return Err(AdminError::Esistente(email.as_str().to_owned()));
    }
    // An unusable password until the administrator chooses one through the link.
    let hasher = PasswordHasher::new(1).map_err(anyhow::Error::from)?;
    let hash = hasher.hash(&random_token()).await.map_err(anyhow::Error::from)?;
    let clock = crate::ora::Clock::default();
    let now = clock.now();
    let token = random_token();
    let mut tx = db.begin().await.map_err(anyhow::Error::from)?;
    let mut codice = CodiceUtente::genera();
    while users::codice_exists(&mut tx, codice.as_str()).await.map_err(anyhow::Error::from)? {
        codice = CodiceUtente::genera();
    }
    let id = users::insert_admin(&mut tx, codice.as_str(), first, rest, email.as_str(), &hash, now)
        .await
        .map_err(anyhow::Error::from)?;
    // Requests sent while no administrator existed reached nobody: the new one finds them under the bell.
    crate::enti::associazioni::notifica_in_attesa(&mut tx, id, now).await.map_err(anyhow::Error::from)?;
    let expires = now + LINK_VALIDO_ORE * 3600;
    tokens::issue(&mut tx, id, tokens::Kind::Reset, &token_hash(&token), now, expires, None)
        .await
        .map_err(anyhow::Error::from)?;
    let event = Context::system(&clock, Some("cli"))
        .audit("amministratore.creato")
        .target(codice.as_str())
        .concerning(id)
        .details(serde_json::json!({ "email": email.as_str() }));
    audit::record(&mut tx, &event).await.map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    let base = config.base_url.as_str().trim_end_matches('/');
    Ok(NuovoAmministratore { codice: codice.as_str().to_owned(), link: format!("{base}/password/nuova?token={token}") })
}

/// The demo administrator's e-mail address (it is also a valid user name at login).
pub const DEMO_EMAIL: &str = "amministratore@demo.raccolta.example";

/// The demo administrator's password, documented in the README and printed at start: demo mode only.
pub const DEMO_PASSWORD: &str = "demo raccolta amministratore";

/// The demo administrator, as the start-up log shows it.
#[derive(Debug)]
pub struct AmministratoreDemo {
    /// The username.
    pub codice: String,
    /// True when this start created it.
    pub creato: bool,
}

/// Creates the demo administrator unless a user with its address exists (then nothing changes, its password
/// included); the caller runs this only in demo mode, which production refuses.
pub async fn crea_demo(
    db: &Db,
    hasher: &PasswordHasher,
    clock: &crate::ora::Clock,
) -> Result<AmministratoreDemo, AdminError> {
    if let Some(u) = users::by_email(db, DEMO_EMAIL).await.map_err(anyhow::Error::from)? {
        return Ok(AmministratoreDemo { codice: u.codice, creato: false });
    }
    let hash = hasher.hash(DEMO_PASSWORD).await.map_err(anyhow::Error::from)?;
    let now = clock.now();
    let mut tx = db.begin().await.map_err(anyhow::Error::from)?;
    let mut codice = CodiceUtente::genera();
    while users::codice_exists(&mut tx, codice.as_str()).await.map_err(anyhow::Error::from)? {
        codice = CodiceUtente::genera();
    }
    let id = users::insert_admin(&mut tx, codice.as_str(), "Amministratore", "Demo", DEMO_EMAIL, &hash, now)
        .await
        .map_err(anyhow::Error::from)?;
    crate::enti::associazioni::notifica_in_attesa(&mut tx, id, now).await.map_err(anyhow::Error::from)?;
    let event = Context::system(clock, Some("demo"))
        .audit("amministratore.creato")
        .target(codice.as_str())
        .concerning(id)
        .details(serde_json::json!({ "email": DEMO_EMAIL, "demo": true }));
    audit::record(&mut tx, &event).await.map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(AmministratoreDemo { codice: codice.as_str().to_owned(), creato: true })
}

/// The demo compiler's e-mail address (also a valid user name at login).
pub const DEMO_COMPILATORE_EMAIL: &str = "compilatore@demo.raccolta.example";

/// The demo compiler's password: demo mode only.
pub const DEMO_COMPILATORE_PASSWORD: &str = "demo raccolta compilatore";

/// The demo comune the demo compiler works on, in Compilazione mode (IPA code).
pub const DEMO_COMUNE: &str = "c_f205";

/// Creates the demo compiler, associated in Compilazione mode with the demo comune, unless a user with its
/// address exists; demo mode only (production refuses it).
pub async fn crea_compilatore_demo(
    db: &Db,
    hasher: &PasswordHasher,
    clock: &crate::ora::Clock,
) -> Result<AmministratoreDemo, AdminError> {
    if let Some(u) = users::by_email(db, DEMO_COMPILATORE_EMAIL).await.map_err(anyhow::Error::from)? {
        return Ok(AmministratoreDemo { codice: u.codice, creato: false });
    }
    let ente = crate::db::enti::by_codice_ipa(db, DEMO_COMUNE)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| anyhow::anyhow!("il comune dimostrativo {DEMO_COMUNE} non è tra gli enti"))?;
    let hash = hasher.hash(DEMO_COMPILATORE_PASSWORD).await.map_err(anyhow::Error::from)?;
    let now = clock.now();
    let mut tx = db.begin().await.map_err(anyhow::Error::from)?;
    let mut codice = CodiceUtente::genera();
    while users::codice_exists(&mut tx, codice.as_str()).await.map_err(anyhow::Error::from)? {
        codice = CodiceUtente::genera();
    }
    let nuovo = users::NewUser {
        codice: codice.as_str(),
        tipo: "persona_fisica",
        nome: "Maria",
        cognome: "Rossi",
        denominazione: None,
        codice_fiscale: "RSSMRA85T50F205Z",
        email: DEMO_COMPILATORE_EMAIL,
        password_hash: &hash,
        lang: "it",
    };
    let id = users::insert(&mut tx, &nuovo, now).await.map_err(anyhow::Error::from)?;
    users::activate(&mut tx, id, now).await.map_err(anyhow::Error::from)?;
    let associazione =
        crate::db::associazioni::richiedi(&mut tx, id, ente.id, crate::domain::Modalita::Compilazione, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::db::associazioni::decidi(
        &mut tx,
        associazione,
        crate::domain::StatoAssociazione::InAttesa,
        crate::domain::StatoAssociazione::Attiva,
        None,
        id,
        now,
    )
    .await
    .map_err(anyhow::Error::from)?;
    let event = Context::system(clock, Some("demo"))
        .audit("utente.demo_creato")
        .target(codice.as_str())
        .concerning(id)
        .details(
            serde_json::json!({ "email": DEMO_COMPILATORE_EMAIL, "ente": DEMO_COMUNE, "modalita": "compilazione" }),
        );
    audit::record(&mut tx, &event).await.map_err(anyhow::Error::from)?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(AmministratoreDemo { codice: codice.as_str().to_owned(), creato: true })
}
