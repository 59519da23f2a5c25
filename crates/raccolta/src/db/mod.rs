//! The only place with SQL. One [`Db`] over SQLite or PostgreSQL, the same SQL text on both.
//!
//! Errors: [`DbError`] for everything here; the web layer maps it to a 503/500 page.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::config::Config;

pub mod associazioni;
pub mod audit;
pub mod enti;
pub mod notifiche;
pub mod outbox;
pub mod sessions;
pub mod throttles;
pub mod tokens;
pub mod users;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The database of the platform: SQLite embedded by default, PostgreSQL for several nodes.
#[derive(Clone, Debug)]
pub enum Db {
    /// One file, one node.
    Sqlite(SqlitePool),
    /// One server, any number of stateless nodes.
    Postgres(PgPool),
}

/// Runs the same code on whichever pool is active: `with_db!(db, |pool| query.fetch_one(pool).await)`.
///
/// The two-string form `with_db!(db, sqlite: "…", postgres: "…", |pool, sql| …)` keeps the rare SQL that must
/// differ side by side.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
    ($db:expr, sqlite: $sqlite:expr, postgres: $postgres:expr, |$pool:ident, $sql:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                let $sql: &str = $sqlite;
                $body
            }
            $crate::db::Db::Postgres($pool) => {
                let $sql: &str = $postgres;
                $body
            }
        }
    };
}

/// A write transaction on either backend. On SQLite it starts with `BEGIN IMMEDIATE`, so two writers queue on
/// the lock instead of failing half-way with `SQLITE_BUSY`.
pub enum Tx {
    /// SQLite transaction.
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// PostgreSQL transaction.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs the same code on whichever transaction is active: `with_tx!(tx, |conn| query.execute(&mut **conn).await)`.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite($conn) => $body,
            $crate::db::Tx::Postgres($conn) => $body,
        }
    };
}

impl Tx {
    /// Makes the transaction's changes durable.
    pub async fn commit(self) -> Result<(), DbError> {
        with_tx!(self, |tx| tx.commit().await)?;
        Ok(())
    }
}

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL could not be understood.
    #[error("indirizzo del database non valido: {0}")]
    BadUrl(String),
    /// The SQLite folder could not be created.
    #[error("impossibile creare la cartella del database {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Running migrations failed.
    #[error("migrazione del database non riuscita: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl DbError {
    /// True when a UNIQUE constraint refused the write (e.g. two requests registering one address at once).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Sqlx(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// Pool figures for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    /// Open connections.
    pub size: u32,
    /// Idle connections.
    pub idle: usize,
    /// Configured maximum.
    pub max: u32,
}

impl Db {
    /// Opens a pool for `config.database_url`; for SQLite the file and its folder are created when missing.
    pub async fn connect(config: &Config) -> Result<Db, DbError> {
        let url = config.database_url.expose_secret();
        let max = config.database_max_connections;
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbError::BadUrl(format!("{e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // An acknowledged save must survive a power cut.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            if let Some(parent) = Path::new(options.get_filename()).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)
                    .map_err(|source| DbError::Folder { path: parent.display().to_string(), source })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| DbError::BadUrl(config.database_url_redacted() + ": " + &e.to_string()))?
                .application_name("raccolta");
            let pool = PgPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(5))
                // A connection that outlived a database restart is tested before use, so the node recovers alone.
                .test_before_acquire(true)
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }

    /// Applies pending migrations. On PostgreSQL sqlx holds an advisory lock meanwhile, so nodes starting
    /// together apply each migration once.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbError> {
        with_db!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// `sqlite` or `postgres`, for logs.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Connection counts for the metrics page.
    pub fn pool_stats(&self) -> PoolStats {
        with_db!(self, |pool| PoolStats {
            size: pool.size(),
            idle: pool.num_idle(),
            max: pool.options().get_max_connections(),
        })
    }

    /// Closes every connection; used at shutdown.
    pub async fn close(&self) {
        with_db!(self, |pool| pool.close().await);
    }
}
