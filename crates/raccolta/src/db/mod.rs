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

/// Where a db function runs: on the pool (each statement committed on its own) or inside the caller's
/// transaction, so any read can see, and any write can join, a change that is not committed yet.
///
/// Every db function takes `impl Into<Conn>`: pass `&state.db` or `&mut tx` (`&mut *tx` for a `&mut Tx`).
pub enum Conn<'c> {
    /// A pool of either backend.
    Pool(&'c Db),
    /// An open transaction of either backend.
    Tx(&'c mut Tx),
}

impl<'c> From<&'c Db> for Conn<'c> {
    fn from(db: &'c Db) -> Self {
        Conn::Pool(db)
    }
}

impl<'c> From<&'c mut Tx> for Conn<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        Conn::Tx(tx)
    }
}

/// A shorter borrow of the same connection, for a function that runs several statements on one `Conn`.
impl<'a, 'c: 'a> From<&'a mut Conn<'c>> for Conn<'a> {
    fn from(conn: &'a mut Conn<'c>) -> Self {
        match conn {
            Conn::Pool(db) => Conn::Pool(db),
            Conn::Tx(tx) => Conn::Tx(tx),
        }
    }
}

/// Runs the same code on whichever backend and executor `conn` holds: `run!(conn, |ex| query.fetch_one(ex).await)`,
/// where `e` is a pool or the transaction's connection. Private to `db/`: SQL lives only here.
///
/// The two-string form `run!(conn, sqlite: "…", postgres: "…", |e, sql| …)` keeps the rare SQL that must differ
/// side by side.
macro_rules! run {
    ($conn:expr, |$e:ident| $body:expr) => {
        match ::core::convert::Into::<$crate::db::Conn<'_>>::into($conn) {
            $crate::db::Conn::Pool($crate::db::Db::Sqlite($e)) => $body,
            $crate::db::Conn::Pool($crate::db::Db::Postgres($e)) => $body,
            $crate::db::Conn::Tx($crate::db::Tx::Sqlite(tx)) => {
                let $e = &mut **tx;
                $body
            }
            $crate::db::Conn::Tx($crate::db::Tx::Postgres(tx)) => {
                let $e = &mut **tx;
                $body
            }
        }
    };
    ($conn:expr, sqlite: $sqlite:expr, postgres: $postgres:expr, |$e:ident, $sql:ident| $body:expr) => {
        match ::core::convert::Into::<$crate::db::Conn<'_>>::into($conn) {
            $crate::db::Conn::Pool($crate::db::Db::Sqlite($e)) => {
                let $sql: &str = $sqlite;
                $body
            }
            $crate::db::Conn::Pool($crate::db::Db::Postgres($e)) => {
                let $sql: &str = $postgres;
                $body
            }
            $crate::db::Conn::Tx($crate::db::Tx::Sqlite(tx)) => {
                let $e = &mut **tx;
                let $sql: &str = $sqlite;
                $body
            }
            $crate::db::Conn::Tx($crate::db::Tx::Postgres(tx)) => {
                let $e = &mut **tx;
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

impl Tx {
    /// Makes the transaction's changes durable.
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

// After `run!`: a `macro_rules!` is visible only to the modules declared below it.
pub mod assistenza;
pub mod associazioni;
pub mod audit;
pub mod campagne;
pub mod captcha;
pub mod documenti;
pub mod enti;
pub mod esporta;
pub mod esportazioni;
pub mod idempotency;
pub mod invii;
pub mod monitoraggio;
pub mod notifiche;
pub mod outbox;
pub mod promemoria;
pub mod questionari;
pub mod riaperture;
pub mod scrittore;
pub mod sessions;
pub mod throttles;
pub mod tokens;
pub mod users;

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
    /// Rows that contradict what the code guarantees (a bug, never the user's doing).
    #[error("dati incoerenti: {0}")]
    Inconsistent(String),
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

/// A PostgreSQL connection idle in the pool this long is pinged before it is handed out: HikariCP's
/// `aliveBypassWindowMs`, 500 ms. A connection that served a request a moment ago is trusted; one that waited
/// longer (through a restart of the database, perhaps) is tested, and replaced if dead.
pub const PING_AFTER_IDLE: Duration = Duration::from_millis(500);

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
                .foreign_keys(true)
                // Pages are read from a shared memory map of the file instead of being copied into each
                // connection's 2 MB cache: a page that reads 10 MB (the monitoring of 8,000 enti) reads it from
                // the OS cache at memory speed, on every connection. Writes still go through the WAL.
                .pragma("mmap_size", "268435456");
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
                // A connection that outlived a database restart is tested before use, so the node recovers alone;
                // but only one that sat idle for [`PING_AFTER_IDLE`]: under load every connection is in use all
                // the time, and a ping before each statement would double the round trips of a request.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= PING_AFTER_IDLE {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
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
        run!(self, |ex| sqlx::query("SELECT 1").execute(ex).await.map(|_| ()))?;
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
        fn of<D: sqlx::Database>(pool: &sqlx::Pool<D>) -> PoolStats {
            PoolStats { size: pool.size(), idle: pool.num_idle(), max: pool.options().get_max_connections() }
        }
        match self {
            Db::Sqlite(pool) => of(pool),
            Db::Postgres(pool) => of(pool),
        }
    }

    /// Closes every connection; used at shutdown.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
