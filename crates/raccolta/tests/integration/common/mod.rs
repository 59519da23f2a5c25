//! Test harness: the real application on 127.0.0.1 port 0, with a fresh database per test.
//!
//! SQLite always; PostgreSQL too when `RACCOLTA_TEST_POSTGRES_URL` names a server where we may create databases
//! (each test creates its own and drops it, even when the test fails).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod smtp;

use std::net::SocketAddr;

use raccolta::app::{self, AppState};
use raccolta::config::Config;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The database backends a test may run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `RACCOLTA_TEST_POSTGRES_URL`, when set. Under CI (`CI` set) a missing URL fails the test instead of skipping
/// its PostgreSQL variant: CI must never pass by testing one backend only.
pub fn postgres_admin_url() -> Option<String> {
    let url = std::env::var("RACCOLTA_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty());
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        url.is_some() || !ci,
        "CI è impostata ma RACCOLTA_TEST_POSTGRES_URL no: le varianti PostgreSQL non possono essere saltate in CI"
    );
    url
}

/// The local server of a developer's machine, tried when no URL is configured.
const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh, empty database for one test, and a folder of its own for the node's files (e-mails written as
/// `.eml`): nothing a test does lands in the working tree. Both are dropped with it.
pub struct TestDb {
    pub url: String,
    dir: tempfile::TempDir,
    /// PostgreSQL: the database's name and the server URL it was created through.
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A new database on `backend`, or `None` for PostgreSQL when no server is configured.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("tempdir");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("sub/raccolta.db").display());
                Some(TestDb { url, dir, pg: None })
            }
            Backend::Postgres => Some(Self::on_postgres(postgres_admin_url()?, dir).await),
        }
    }

    /// A PostgreSQL database on the configured server, or else on the local one when it answers (the schema
    /// comparison runs on every `cargo test` where PostgreSQL is reachable).
    pub async fn create_reachable_postgres() -> Option<TestDb> {
        let admin = match postgres_admin_url() {
            Some(url) => url,
            None => {
                use sqlx::Connection;
                let attempt = sqlx::PgConnection::connect(LOCAL_POSTGRES);
                let conn = tokio::time::timeout(std::time::Duration::from_secs(3), attempt).await.ok()?.ok()?;
                let _ = conn.close().await;
                LOCAL_POSTGRES.to_owned()
            }
        };
        Some(Self::on_postgres(admin, tempfile::tempdir().expect("tempdir")).await)
    }

    async fn on_postgres(admin: String, dir: tempfile::TempDir) -> TestDb {
        let name = format!("raccolta_test_{}", random_suffix());
        let mut conn = connect_admin(&admin).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        let mut url = url::Url::parse(&admin).expect("RACCOLTA_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        TestDb { url: url.to_string(), dir, pg: Some((name, admin)) }
    }

    /// The node's data folder (`RACCOLTA_DATA_DIR`), inside the test's temporary folder.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }
}

async fn connect_admin(admin: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(admin).await.expect("connect to RACCOLTA_TEST_POSTGRES_URL")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((name, admin)) = self.pg.take() else { return };
        // Drop is synchronous and may run inside a runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let mut conn = connect_admin(&admin).await;
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&mut conn)
                    .await;
            });
        })
        .join();
    }
}

fn random_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}_{}_{}", std::process::id(), nanos % 1_000_000_000, n)
}

/// A running application.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    pub backend: Backend,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
    pub db: std::sync::Arc<TestDb>,
}

/// The configuration of a test node on `db`, with extra `RACCOLTA_*` settings.
pub fn test_config(db: &TestDb, extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("RACCOLTA_DATABASE_URL".to_owned(), db.url.clone()),
        ("RACCOLTA_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
        ("RACCOLTA_TEST_ROUTES".to_owned(), "true".to_owned()),
        ("RACCOLTA_DATABASE_MAX_CONNECTIONS".to_owned(), "4".to_owned()),
    ];
    if !extra.iter().any(|(k, _)| *k == "RACCOLTA_DATA_DIR") {
        vars.push(("RACCOLTA_DATA_DIR".to_owned(), db.data_dir().display().to_string()));
    }
    vars.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    Config::load_from(None, vars).expect("test configuration is valid")
}

impl TestApp {
    /// Starts the application on a fresh database of `backend`; `None` when that backend is not configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    /// Like [`TestApp::spawn`] with extra `RACCOLTA_*` settings.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
        let db = std::sync::Arc::new(TestDb::create(backend).await?);
        Some(Self::spawn_on(db, backend, extra).await)
    }

    /// Starts another node on an existing database.
    pub async fn spawn_on(db: std::sync::Arc<TestDb>, backend: Backend, extra: &[(&str, &str)]) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        // Links in e-mails must lead back to this very server.
        let base_url = format!("http://{addr}");
        let mut settings = vec![("RACCOLTA_BASE_URL", base_url.as_str())];
        settings.extend(extra.iter().copied());
        let config = test_config(&db, &settings);
        let state = AppState::build(config).await.expect("application starts");
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(app::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        TestApp {
            addr,
            base: format!("http://{addr}"),
            state,
            client,
            backend,
            shutdown: Some(tx),
            handle: Some(handle),
            db,
        }
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("request")
    }

    /// GET `path` with one header.
    pub async fn get_with(&self, path: &str, name: &str, value: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).header(name, value).send().await.expect("request")
    }

    /// Stops the server as SIGTERM would, and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task").expect("server stops cleanly");
        }
    }
}

/// Writes each test twice, once per backend: `mod name { sqlite, postgres }`. The PostgreSQL variant returns at
/// once when `RACCOLTA_TEST_POSTGRES_URL` is not set; CI sets it. `settings [(K, V), …];` before the tests starts
/// their application with those extra `RACCOLTA_*` settings.
#[macro_export]
macro_rules! both_backends {
    (settings $settings:expr; $(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: &$crate::common::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::common::TestApp::spawn_with($crate::common::Backend::Sqlite, $settings)
                        .await
                        .expect("sqlite");
                    run(&app).await;
                    app.stop().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(app) =
                        $crate::common::TestApp::spawn_with($crate::common::Backend::Postgres, $settings).await
                    else {
                        eprintln!("RACCOLTA_TEST_POSTGRES_URL non impostata: variante PostgreSQL non eseguita");
                        return;
                    };
                    run(&app).await;
                    app.stop().await;
                }
            }
        )*
    };
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $crate::both_backends! { settings &[]; $(async fn $name($app) $body)* }
    };
}

/// An active user (an administrator when `admin`) with `password`, created directly in the database, with the
/// e-mail `<codice>@comune.example`; returns the id.
pub async fn utente_attivo(app: &TestApp, codice: &str, nome: &str, admin: bool, password: &str) -> i64 {
    use raccolta::db::users::{self, NewUser};
    let hash = app.state.hasher.hash(password).await.unwrap();
    let email = format!("{}@comune.example", codice.to_lowercase());
    let now = app.state.clock.now();
    let mut tx = app.state.db.begin().await.unwrap();
    let id = if admin {
        users::insert_admin(&mut tx, codice, nome, "Amministratore", &email, &hash, now).await.unwrap()
    } else {
        let u = NewUser {
            codice,
            tipo: "persona_fisica",
            nome,
            cognome: "Prova",
            denominazione: None,
            codice_fiscale: "RSSMRA85T10A562S",
            email: &email,
            password_hash: &hash,
            lang: "it",
        };
        let id = users::insert(&mut tx, &u, now).await.unwrap();
        users::activate(&mut tx, id, now).await.unwrap();
        id
    };
    tx.commit().await.unwrap();
    id
}

/// The first column of the first row of `sql` (with `binds` as `$1`, `$2`…) as text, on either backend: for tests
/// that read back what no page shows. `sql` must yield TEXT (`CAST(x AS TEXT)` for numbers).
pub async fn scalar_text(db: &raccolta::db::Db, sql: &str, binds: &[&str]) -> Option<String> {
    use raccolta::db::Db;
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db {
        Db::Sqlite(pool) => {
            let mut q = sqlx::query_scalar::<_, Option<String>>(sql);
            for b in binds {
                q = q.bind(*b);
            }
            q.fetch_optional(pool).await.expect("query").flatten()
        }
        Db::Postgres(pool) => {
            let mut q = sqlx::query_scalar::<_, Option<String>>(sql);
            for b in binds {
                q = q.bind(*b);
            }
            q.fetch_optional(pool).await.expect("query").flatten()
        }
    }
}

/// Runs one statement on either backend, for a test that sets up a state no page can reach.
pub async fn execute(db: &raccolta::db::Db, sql: &str) {
    use raccolta::db::Db;
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .expect("statement");
}

/// The body of `res` as JSON.
pub async fn json(res: reqwest::Response) -> serde_json::Value {
    let text = res.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
