//! The two backends: identical migrations and schemas, several nodes on one PostgreSQL, recovery after an outage.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Backend, TestApp, TestDb};
use raccolta::db::Db;

/// One table as both backends can describe it, normalized so that equal schemas compare equal.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// column → (type family, not null).
    columns: BTreeMap<String, (&'static str, bool)>,
    /// Primary key columns, in order.
    primary_key: Vec<String>,
    /// (columns, unique, partial condition) of every other index, unique constraints included.
    indexes: BTreeSet<(Vec<String>, bool, Option<String>)>,
    /// Every CHECK, normalized.
    checks: BTreeSet<String>,
    /// (column, referenced table, referenced column, on delete).
    foreign_keys: BTreeSet<(String, String, String, String)>,
}

type Schema = BTreeMap<String, Table>;

/// The family of a declared or reported type: SQLite's `INTEGER PRIMARY KEY` and PostgreSQL's `bigint` are one.
fn type_family(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "bigint" | "integer" | "int8" | "int" => "integer",
        "text" | "character varying" => "text",
        "boolean" | "bool" => "boolean",
        "blob" | "bytea" => "bytes",
        _ => "other",
    }
}

/// A condition as text both backends agree on: PostgreSQL's `((a IS NULL) AND (b = ANY (ARRAY['x'::text])))`
/// and SQLite's `a IS NULL AND b IN ('x')` both become `a is null and b in 'x'`.
fn normalize(condition: &str) -> String {
    let lower =
        condition.to_lowercase().replace("::text", "").replace("= any (array[", "in (").replace("= any array[", "in ");
    let no_parens: String = lower.chars().filter(|c| !matches!(c, '(' | ')' | '[' | ']')).collect();
    no_parens.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The CHECK constraints written in a SQLite `CREATE TABLE` (ALTER TABLE … ADD COLUMN rewrites it too).
fn sqlite_checks(sql: &str) -> Vec<String> {
    let lower = sql.to_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("check") {
        let start = from + at + "check".len();
        let Some(open) = lower[start..].find('(').map(|o| start + o) else { break };
        let mut depth = 0;
        let mut end = open;
        for (k, c) in lower[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push(normalize(&sql[open + 1..end]));
        from = end;
    }
    out
}

async fn schema(db: &Db) -> Schema {
    let mut schema = Schema::new();
    match db {
        Db::Sqlite(pool) => {
            let tables: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (name, sql) in tables {
                let mut t = Table::default();
                let cols: Vec<(String, String, bool, i64)> = sqlx::query_as(
                    "SELECT name, type, \"notnull\" OR pk > 0, pk FROM pragma_table_info($1) ORDER BY pk",
                )
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
                for (col, ty, not_null, pk) in cols {
                    if pk > 0 {
                        t.primary_key.push(col.clone());
                    }
                    t.columns.insert(col, (type_family(&ty), not_null));
                }
                let indexes: Vec<(String, bool, String)> =
                    sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                        .bind(&name)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                for (index, unique, origin) in indexes.into_iter().filter(|i| i.2 != "pk") {
                    let cols: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                        .bind(&index)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                    let sql: Option<(Option<String>,)> =
                        sqlx::query_as("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1")
                            .bind(&index)
                            .fetch_optional(pool)
                            .await
                            .unwrap();
                    let partial = sql
                        .and_then(|s| s.0)
                        .and_then(|s| s.to_lowercase().split_once(" where ").map(|(_, w)| normalize(w)));
                    let _ = origin;
                    t.indexes.insert((cols.into_iter().map(|c| c.0).collect(), unique, partial));
                }
                t.checks = sqlite_checks(&sql).into_iter().collect();
                let fks: Vec<(String, String, String, String)> =
                    sqlx::query_as("SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list($1)")
                        .bind(&name)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                t.foreign_keys = fks.into_iter().collect();
                schema.insert(name, t);
            }
        }
        Db::Postgres(pool) => {
            let cols: Vec<(String, String, String, bool)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO' \
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, col, ty, not_null) in cols {
                schema.entry(table).or_default().columns.insert(col, (type_family(&ty), not_null));
            }
            let indexes: Vec<(String, bool, bool, Option<String>, String)> = sqlx::query_as(
                "SELECT t.relname::text, ix.indisunique, ix.indisprimary, pg_get_expr(ix.indpred, ix.indrelid), \
                 (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) \
                  FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) \
                  JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum) \
                 FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE n.nspname = 'public' AND t.relname NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, unique, primary, partial, cols) in indexes {
                let cols: Vec<String> = cols.split(',').map(str::to_owned).collect();
                let t = schema.entry(table).or_default();
                if primary {
                    t.primary_key = cols;
                } else {
                    t.indexes.insert((cols, unique, partial.map(|p| normalize(&p))));
                }
            }
            let checks: Vec<(String, String)> = sqlx::query_as(
                "SELECT t.relname::text, pg_get_constraintdef(c.oid) FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE n.nspname = 'public' AND c.contype = 'c'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, def) in checks {
                let body = def.trim_start_matches("CHECK");
                schema.entry(table).or_default().checks.insert(normalize(body));
            }
            let fks: Vec<(String, String, String, String, String)> = sqlx::query_as(
                "SELECT kcu.table_name::text, kcu.column_name::text, ccu.table_name::text, ccu.column_name::text, \
                 rc.delete_rule::text FROM information_schema.referential_constraints rc \
                 JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name \
                   AND kcu.constraint_schema = rc.constraint_schema \
                 JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.constraint_name \
                   AND ccu.constraint_schema = rc.constraint_schema \
                 WHERE rc.constraint_schema = 'public'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, col, ref_table, ref_col, on_delete) in fks {
                schema.entry(table).or_default().foreign_keys.insert((col, ref_table, ref_col, on_delete));
            }
        }
    }
    schema
}

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

#[tokio::test]
async fn sqlite_and_postgres_schemas_are_the_same_in_types_keys_indexes_checks_and_foreign_keys() {
    let Some(pg) = TestDb::create_reachable_postgres().await else {
        eprintln!("PostgreSQL non raggiungibile: confronto degli schemi non eseguito");
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
    let users = &schemas[0]["users"];
    assert_eq!(users.primary_key, ["id"]);
    assert!(users.checks.contains("ruolo in 'utente', 'amministratore'"), "{:?}", users.checks);
    assert!(users.indexes.contains(&(vec!["email".to_owned()], true, None)), "{:?}", users.indexes);
    let outbox_due =
        (vec!["next_attempt_at".to_owned()], false, Some("sent_at is null and failed_at is null".to_owned()));
    assert!(schemas[0]["outbox"].indexes.contains(&outbox_due), "{:?}", schemas[0]["outbox"].indexes);
    assert!(!schemas[0]["associazioni"].foreign_keys.is_empty());
    let tables: Vec<&String> = schemas[0].keys().collect();
    assert_eq!(tables, schemas[1].keys().collect::<Vec<_>>());
    for (name, table) in &schemas[0] {
        assert_eq!(table, &schemas[1][name], "table {name}: SQLite (left) and PostgreSQL (right) differ");
    }
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
    tokio::time::sleep(raccolta::db::PING_AFTER_IDLE + std::time::Duration::from_millis(100)).await;
    exec(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(app.get("/readyz").await.status().as_u16(), 503, "the outage is reported");
    assert_eq!(app.get("/").await.status().as_u16(), 200, "pages that need no database still work");
    exec(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).execute(&mut conn).await.unwrap();
    // The pool tests a connection that sat idle longer than this before handing it out, and replaces a dead one.
    tokio::time::sleep(raccolta::db::PING_AFTER_IDLE + std::time::Duration::from_millis(100)).await;
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

both_backends! {
    async fn concurrent_saves_are_committed_together_and_a_failing_one_rolls_back_alone(app) {
        use raccolta::db::DbError;
        use raccolta::db::questionari::precompila;
        raccolta::enti::import::importa(&app.state.db, raccolta::enti::demo::CSV, Default::default(), &mut |_, _, _| {}).await.unwrap();
        let ente: i64 = common::scalar_text(&app.state.db, "SELECT CAST(MIN(id) AS TEXT) FROM enti", &[]).await.unwrap().parse().unwrap();
        let mut compiti = Vec::new();
        for i in 0..64 {
            let state = app.state.clone();
            compiti.push(tokio::spawn(async move {
                state
                    .scrittore
                    .esegui(&state.db, move |tx: &mut raccolta::db::Tx| {
                        Box::pin(async move {
                            precompila(&mut *tx, ente, "prova", "M", &format!("F{i:02}"), "1", "test", 0).await?;
                            if i == 13 {
                                return Err(DbError::Inconsistent("questo salvataggio fallisce".into()));
                            }
                            Ok(i)
                        })
                    })
                    .await
            }));
        }
        for (i, c) in compiti.into_iter().enumerate() {
            let r = c.await.unwrap();
            if i == 13 { assert!(r.is_err(), "the failing job is told") } else { assert_eq!(r.unwrap(), i) }
        }
        let n = common::scalar_text(&app.state.db, "SELECT CAST(COUNT(*) AS TEXT) FROM precompilati WHERE campagna = 'prova'", &[]).await;
        assert_eq!(n.as_deref(), Some("63"), "every job but the failing one is committed");
        let fallito = common::scalar_text(&app.state.db, "SELECT campo FROM precompilati WHERE campo = 'F13'", &[]).await;
        assert_eq!(fallito, None, "the failing job's write is undone");
    }
}
