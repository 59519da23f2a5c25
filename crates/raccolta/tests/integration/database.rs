//! The two backends: identical migrations and schemas, several nodes on one PostgreSQL, recovery after an outage.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeMap;

use common::{Backend, TestApp, TestDb};
use raccolta::db::Db;

/// table → [(column, not null)], sorted.
type Schema = BTreeMap<String, Vec<(String, bool)>>;

fn migration_names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_migrations_with_the_same_names() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

async fn schema(db: &Db) -> Schema {
    let rows: Vec<(String, String, bool)> = match db {
        Db::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, p.name, p.\"notnull\" OR p.pk > 0 FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::text, column_name::text, is_nullable = 'NO' FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    let mut schema = Schema::new();
    for (table, column, not_null) in rows {
        schema.entry(table).or_default().push((column, not_null));
    }
    schema.values_mut().for_each(|cols| cols.sort());
    schema
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_have_the_same_tables_columns_and_nullability() {
    let Some(pg) = TestDb::create(Backend::Postgres).await else {
        eprintln!("RACCOLTA_TEST_POSTGRES_URL non impostata: confronto degli schemi non eseguito");
        return;
    };
    let sqlite = TestDb::create(Backend::Sqlite).await.unwrap();
    let mut schemas = Vec::new();
    for db in [&sqlite, &pg] {
        let config = common::test_config(db, &[]);
        let db = Db::connect(&config).await.unwrap();
        db.migrate().await.unwrap();
        schemas.push(schema(&db).await);
        db.close().await;
    }
    assert!(schemas[0].contains_key("audit_events"));
    assert_eq!(schemas[0], schemas[1]);
}

#[tokio::test]
async fn sqlite_runs_with_wal_full_sync_and_foreign_keys() {
    let db = TestDb::create(Backend::Sqlite).await.unwrap();
    let db = Db::connect(&common::test_config(&db, &[])).await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!() };
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
    assert_eq!(mode.0, "wal");
    let sync: (i64,) = sqlx::query_as("PRAGMA synchronous").fetch_one(pool).await.unwrap();
    assert_eq!(sync.0, 2, "FULL");
    let fk: (i64,) = sqlx::query_as("PRAGMA foreign_keys").fetch_one(pool).await.unwrap();
    assert_eq!(fk.0, 1);
    let busy: (i64,) = sqlx::query_as("PRAGMA busy_timeout").fetch_one(pool).await.unwrap();
    assert!(busy.0 >= 5000);
}

#[tokio::test]
async fn a_transaction_commits_or_rolls_back_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::spawn(backend).await else { continue };
        let db = &app.state.db;
        let count = || async {
            let sql = "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'prova'";
            common::scalar_text(db, sql, &[]).await.unwrap()
        };
        for commit in [false, true] {
            let mut tx = db.begin().await.unwrap();
            let event = raccolta::context::Context::system(&app.state.clock, None).audit("prova");
            raccolta::db::audit::record(&mut tx, &event).await.unwrap();
            if commit {
                tx.commit().await.unwrap();
            } else {
                drop(tx);
            }
        }
        assert_eq!(count().await, "1", "{backend:?}: the dropped transaction left nothing");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_started_together_on_one_postgres_both_answer() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        eprintln!("RACCOLTA_TEST_POSTGRES_URL non impostata: test non eseguito");
        return;
    };
    let db = std::sync::Arc::new(db);
    // Both apply migrations at the same moment: the advisory lock makes one wait for the other.
    let (a, b) = tokio::join!(
        TestApp::spawn_on(db.clone(), Backend::Postgres, &[]),
        TestApp::spawn_on(db.clone(), Backend::Postgres, &[]),
    );
    for app in [&a, &b] {
        let res = app.get("/").await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.text().await.unwrap().contains("Questionario FC80U"));
        assert_eq!(app.get("/readyz").await.status().as_u16(), 200);
    }
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_recovers_by_itself_when_postgres_comes_back() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        eprintln!("RACCOLTA_TEST_POSTGRES_URL non impostata: test non eseguito");
        return;
    };
    let name = url::Url::parse(&app.db.url).unwrap().path().trim_start_matches('/').to_owned();
    let admin = common::postgres_admin_url().unwrap();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
    let exec = |sql: String| sqlx::query(sqlx::AssertSqlSafe(sql));
    assert_eq!(app.get("/readyz").await.status().as_u16(), 200);
    exec(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).execute(&mut conn).await.unwrap();
    exec(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(app.get("/readyz").await.status().as_u16(), 503, "the outage is reported");
    assert_eq!(app.get("/").await.status().as_u16(), 200, "pages that need no database still work");
    exec(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).execute(&mut conn).await.unwrap();
    assert_eq!(app.get("/readyz").await.status().as_u16(), 200, "no restart needed");
    app.stop().await;
}

both_backends! {
    async fn concurrent_requests_with_one_idempotency_key_act_once_and_get_the_same_response(app) {
        use raccolta::db::idempotency::{self, Next, SavedResponse};
        let user = common::utente_attivo(app, "IDEMP001", "Ida", false, "girasole obliquo mangia tre lanterne").await;
        let mut tasks = Vec::new();
        for n in 0..8 {
            let state = app.state.clone();
            tasks.push(tokio::spawn(async move {
                let ctx = raccolta::context::Context::system(&state.clock, None);
                let mut tx = state.db.begin().await.unwrap();
                match idempotency::start(&mut tx, user, "invio-1", ctx.now).await.unwrap() {
                    Next::Act => {
                        // The side effect, in the transaction that claims the key.
                        raccolta::db::audit::record(&mut tx, &ctx.audit("prova.invio")).await.unwrap();
                        let response = SavedResponse {
                            status: 303,
                            headers: vec![("location".to_owned(), format!("/fatto/{n}"))],
                            body: Vec::new(),
                        };
                        idempotency::finish(&mut tx, user, "invio-1", &response).await.unwrap();
                        tx.commit().await.unwrap();
                        response
                    }
                    Next::Replay(saved) => saved,
                }
            }));
        }
        let mut responses = Vec::new();
        for t in tasks {
            responses.push(t.await.unwrap());
        }
        assert!(responses.iter().all(|r| *r == responses[0]), "{responses:?}");
        let sql = "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'prova.invio'";
        assert_eq!(common::scalar_text(&app.state.db, sql, &[]).await.as_deref(), Some("1"), "one action");
        // Another key is another action.
        let mut tx = app.state.db.begin().await.unwrap();
        assert!(matches!(idempotency::start(&mut tx, user, "invio-2", 0).await.unwrap(), Next::Act));
    }
}
