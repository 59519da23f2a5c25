//! E-mail: what a transaction enqueues reaches a real SMTP server (a test server in this process) once, with a
//! stable Message-ID, after retries when the server says "later" and never when it says "no"; without SMTP the
//! message is written as an `.eml` file a developer can open.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::smtp::{ReceivedMail, SmtpServer, Stage};
use common::{Backend, TestDb};
use raccolta::config::Config;
use raccolta::db::{Db, outbox};
use raccolta::i18n::Lang;
use raccolta::mail::{Email, Mailer, Wake, WorkerOptions, worker};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Upper bound on any wait; a passing test needs a fraction of it.
const WAIT: Duration = Duration::from_secs(20);

const LINK: &str = "https://raccolta.comune.example/registrazione/conferma?token=Zk3p9QxLmN2vR7tY";

/// One node's view of a test database: its configuration and pool.
struct Node {
    db: Db,
    config: Config,
    _data_dir: tempfile::TempDir,
}

/// A node on `test_db`, sending to `smtp` when given, else writing `.eml` files.
async fn node(test_db: &TestDb, smtp: Option<&SmtpServer>) -> Node {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mut vars = vec![
        ("RACCOLTA_DATABASE_URL".to_owned(), test_db.url.clone()),
        ("RACCOLTA_BASE_URL".to_owned(), "https://raccolta.comune.example".to_owned()),
        ("RACCOLTA_SUPPORT_EMAIL".to_owned(), "assistenza@comune.example".to_owned()),
        ("RACCOLTA_DATA_DIR".to_owned(), data_dir.path().display().to_string()),
        ("RACCOLTA_DATABASE_MAX_CONNECTIONS".to_owned(), "4".to_owned()),
    ];
    if let Some(server) = smtp {
        vars.push(("RACCOLTA_SMTP_URL".to_owned(), server.url()));
    }
    let config = Config::load_from(None, vars).expect("valid configuration");
    let db = Db::connect(&config).await.expect("connect");
    db.migrate().await.expect("migrate");
    Node { db, config, _data_dir: data_dir }
}

/// Fast polling and a one-second backoff, so retries happen within the test.
fn fast() -> WorkerOptions {
    WorkerOptions { idle: Duration::from_millis(50), base_delay_secs: 1, ..WorkerOptions::default() }
}

/// A worker running in the background, as a node runs it.
struct RunningWorker {
    wake: Wake,
    stop: oneshot::Sender<()>,
    handle: JoinHandle<()>,
}

fn start_worker(node: &Node, options: WorkerOptions) -> RunningWorker {
    let mailer = Mailer::from_config(&node.config).expect("mailer");
    let wake = Wake::new();
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(worker::run(node.db.clone(), mailer, wake.clone(), options, async move {
        let _ = stopped.await;
    }));
    RunningWorker { wake, stop, handle }
}

impl RunningWorker {
    /// Stops the worker and waits until it has recorded what it was doing.
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(WAIT, self.handle).await.expect("the worker stops promptly").expect("worker task");
    }
}

/// Enqueues `email` for `to` in a transaction of its own and commits; returns the outbox id.
async fn enqueue(node: &Node, email: &Email, to: &str, lang: Lang) -> i64 {
    let mut tx = node.db.begin().await.expect("begin");
    let id = outbox::enqueue(&mut tx, &email.message(to, lang, &node.config)).await.expect("enqueue");
    tx.commit().await.expect("commit");
    id
}

fn quasi_completata() -> Email {
    Email::RegistrazioneQuasiCompletata { nome: "Maria Rossi".to_owned(), link: LINK.to_owned() }
}

async fn status(node: &Node, id: i64) -> outbox::OutboxStatus {
    outbox::status(&node.db, id).await.expect("status").expect("the message exists")
}

/// Writes each test twice, on SQLite and on PostgreSQL (when `RACCOLTA_TEST_POSTGRES_URL` is set).
macro_rules! on_both_backends {
    ($(async fn $name:ident($test_db:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($test_db: TestDb) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(TestDb::create(Backend::Sqlite).await.expect("sqlite")).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(test_db) = TestDb::create(Backend::Postgres).await else {
                        eprintln!("RACCOLTA_TEST_POSTGRES_URL non impostata: variante PostgreSQL non eseguita");
                        return;
                    };
                    run(test_db).await;
                }
            }
        )*
    };
}

on_both_backends! {
    async fn a_committed_email_is_delivered_over_smtp_with_its_message_id_subject_text_and_html(test_db) {
        let server = SmtpServer::start().await;
        let node = node(&test_db, Some(&server)).await;
        let mut tx = node.db.begin().await.unwrap();
        let it_id = outbox::enqueue(&mut tx, &quasi_completata().message("maria@example.it", Lang::It, &node.config))
            .await
            .unwrap();
        let en_id = outbox::enqueue(&mut tx, &quasi_completata().message("john@example.org", Lang::En, &node.config))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let worker = start_worker(&node, fast());
        worker.wake.wake();

        let it = server.wait_for("maria@example.it", WAIT).await;
        let en = server.wait_for("john@example.org", WAIT).await;
        worker.stop().await;

        assert_eq!(it.message_id, status(&node, it_id).await.message_id);
        assert_eq!(en.message_id, status(&node, en_id).await.message_id);
        assert_ne!(it.message_id, en.message_id);
        assert!(it.message_id.ends_with("@raccolta.comune.example>"), "{}", it.message_id);
        assert!(it.header("From").unwrap().contains("noreply@raccolta.example"), "{:?}", it.headers);
        assert!(it.header("To").unwrap().contains("maria@example.it"), "{:?}", it.headers);
        assert!(it.header("Content-Type").unwrap().starts_with("multipart/alternative"), "{:?}", it.headers);

        assert_eq!(it.subject, "La registrazione sul portale Raccolta dati è quasi completata");
        assert!(it.text.starts_with("Gentile Maria Rossi,\n"), "{}", it.text);
        assert!(it.text.contains("24 ore"), "{}", it.text);
        assert_eq!(it.links(), vec![LINK]);
        assert!(it.text.contains("ATTENZIONE: QUESTO È UN MESSAGGIO INVIATO AUTOMATICAMENTE"), "{}", it.text);
        assert!(it.text.contains("assistenza@comune.example"), "{}", it.text);
        assert!(it.text.trim_end().ends_with("Raccolta dati — fabbisogni standard e schede di monitoraggio"));
        assert!(it.html.contains("<html lang=\"it\">"), "{}", it.html);
        assert!(it.html.contains(&format!("<a href=\"{LINK}\"")), "{}", it.html);
        assert!(it.html.contains("Conferma la registrazione</a>"), "{}", it.html);

        assert_eq!(en.subject, "Your registration on the Raccolta dati portal is almost complete");
        assert!(en.text.starts_with("Dear Maria Rossi,\n"), "{}", en.text);
        assert_eq!(en.links(), vec![LINK]);
        assert!(en.text.contains("PLEASE NOTE: THIS IS AN AUTOMATICALLY GENERATED MESSAGE"), "{}", en.text);
        assert!(en.html.contains("<html lang=\"en\">"), "{}", en.html);
        assert!(en.html.contains("Confirm your registration</a>"), "{}", en.html);

        for id in [it_id, en_id] {
            let s = status(&node, id).await;
            assert!(s.sent_at.is_some() && s.failed_at.is_none(), "{s:?}");
            assert_eq!(s.attempts, 1);
        }
        assert_eq!(outbox::pending_count(&node.db).await.unwrap(), 0);
        assert_eq!(server.received().len(), 2);
    }

    async fn an_email_enqueued_in_a_rolled_back_transaction_is_never_sent(test_db) {
        let server = SmtpServer::start().await;
        let node = node(&test_db, Some(&server)).await;
        let mut tx = node.db.begin().await.unwrap();
        outbox::enqueue(&mut tx, &quasi_completata().message("annullata@example.it", Lang::It, &node.config))
            .await
            .unwrap();
        // The change that caused the e-mail fails: dropping the transaction rolls it back.
        drop(tx);
        enqueue(&node, &quasi_completata(), "confermata@example.it", Lang::It).await;
        let worker = start_worker(&node, fast());
        worker.wake.wake();

        server.wait_for("confermata@example.it", WAIT).await;
        worker.stop().await;

        let recipients: Vec<Vec<String>> = server.received().into_iter().map(|m| m.recipients).collect();
        assert_eq!(recipients, vec![vec!["confermata@example.it".to_owned()]]);
        assert_eq!(outbox::pending_count(&node.db).await.unwrap(), 0);
    }

    async fn a_4xx_reply_is_retried_later_with_the_same_message_id_and_then_delivered(test_db) {
        let server = SmtpServer::start().await;
        server.fail_next(Stage::Data, 451, 1);
        let node = node(&test_db, Some(&server)).await;
        let email = Email::RichiestaModificaPassword { nome: "Anna Bianchi".to_owned(), link: LINK.to_owned() };
        let id = enqueue(&node, &email, "anna@example.it", Lang::It).await;
        let worker = start_worker(&node, fast());
        worker.wake.wake();

        let delivered = server.wait_for("anna@example.it", WAIT).await;
        worker.stop().await;

        let rejected = server.rejected();
        assert_eq!(rejected.len(), 1, "the first attempt was refused");
        assert_eq!(rejected[0].message_id, delivered.message_id, "a retry keeps the Message-ID");
        assert_eq!(delivered.subject, "È stata effettuata una richiesta di modifica della password");
        assert!(delivered.text.contains("60 minuti"), "{}", delivered.text);
        let s = status(&node, id).await;
        assert_eq!(s.attempts, 2);
        assert!(s.sent_at.is_some() && s.failed_at.is_none(), "{s:?}");
        assert!(s.last_error.as_deref().unwrap_or_default().contains("451"), "{s:?}");
        assert_eq!(server.received().len(), 1);
    }

    async fn a_5xx_reply_marks_the_email_failed_with_the_error_and_it_is_never_attempted_again(test_db) {
        let server = SmtpServer::start().await;
        server.fail_next(Stage::Rcpt, 550, 1);
        let node = node(&test_db, Some(&server)).await;
        let refused = enqueue(&node, &quasi_completata(), "nessuno@example.it", Lang::It).await;
        let invalid = enqueue(&node, &quasi_completata(), "non è un indirizzo", Lang::It).await;
        // Delivered after the other two in the same batch: once it arrives, they have been attempted.
        enqueue(&node, &quasi_completata(), "segnale@example.it", Lang::It).await;
        let worker = start_worker(&node, fast());
        worker.wake.wake();

        server.wait_for("segnale@example.it", WAIT).await;
        worker.stop().await;

        let s = status(&node, refused).await;
        assert!(s.failed_at.is_some() && s.sent_at.is_none(), "{s:?}");
        assert!(s.last_error.as_deref().unwrap_or_default().contains("550"), "{s:?}");
        assert_eq!(s.attempts, 1);
        let s = status(&node, invalid).await;
        assert!(s.failed_at.is_some() && s.sent_at.is_none(), "{s:?}");
        assert!(s.last_error.as_deref().unwrap_or_default().contains("destinatario"), "{s:?}");
        assert_eq!(outbox::pending_count(&node.db).await.unwrap(), 0);
        assert_eq!(outbox::failed_count(&node.db).await.unwrap(), 2);
        let far_future = time::OffsetDateTime::now_utc().unix_timestamp() + 365 * 86_400;
        assert!(outbox::claim_due(&node.db, far_future, 60, 100).await.unwrap().is_empty());
        let recipients: Vec<Vec<String>> = server.received().into_iter().map(|m| m.recipients).collect();
        assert_eq!(recipients, vec![vec!["segnale@example.it".to_owned()]]);
    }

    async fn two_workers_on_one_database_deliver_each_email_exactly_once(test_db) {
        let server = SmtpServer::start().await;
        let first = node(&test_db, Some(&server)).await;
        let second = node(&test_db, Some(&server)).await;
        let options = WorkerOptions { batch: 5, ..fast() };
        let workers = [start_worker(&first, options.clone()), start_worker(&second, options)];
        let recipients: Vec<String> = (0..50).map(|i| format!("utente{i}@example.it")).collect();
        for (i, to) in recipients.iter().enumerate() {
            let node = if i % 2 == 0 { &first } else { &second };
            enqueue(node, &quasi_completata(), to, Lang::It).await;
            workers[i % 2].wake.wake();
        }

        for to in &recipients {
            server.wait_for(to, WAIT).await;
        }
        for worker in workers {
            worker.stop().await;
        }

        let received = server.received();
        assert_eq!(received.len(), 50, "no e-mail was sent twice");
        let ids: BTreeSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!(ids.len(), 50);
        let delivered: BTreeSet<&str> = received.iter().flat_map(|m| m.recipients.iter().map(String::as_str)).collect();
        assert_eq!(delivered, recipients.iter().map(String::as_str).collect::<BTreeSet<_>>());
        assert_eq!(outbox::pending_count(&first.db).await.unwrap(), 0);
    }

    async fn finished_emails_are_purged_and_pending_ones_kept(test_db) {
        let node = node(&test_db, None).await;
        let sent = enqueue(&node, &quasi_completata(), "inviata@example.it", Lang::It).await;
        let failed = enqueue(&node, &quasi_completata(), "fallita@example.it", Lang::It).await;
        let waiting = enqueue(&node, &quasi_completata(), "in-attesa@example.it", Lang::It).await;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert_eq!(outbox::claim_due(&node.db, now, 60, 10).await.unwrap().len(), 3);
        outbox::mark_sent(&node.db, sent, now - 100).await.unwrap();
        outbox::mark_failed(&node.db, failed, now - 100, "550 no such user").await.unwrap();
        outbox::mark_retry(&node.db, waiting, now + 600, "451 try later").await.unwrap();

        assert_eq!(outbox::purge_finished(&node.db, now - 50).await.unwrap(), 2);

        assert!(outbox::status(&node.db, sent).await.unwrap().is_none());
        assert!(outbox::status(&node.db, failed).await.unwrap().is_none());
        assert_eq!(status(&node, waiting).await.next_attempt_at, now + 600);
        assert_eq!(outbox::pending_count(&node.db).await.unwrap(), 1);
        assert!(outbox::claim_due(&node.db, now, 60, 10).await.unwrap().is_empty(), "not due before its time");
    }

    async fn a_wake_delivers_at_once_and_shutdown_stops_an_idle_worker_promptly(test_db) {
        let server = SmtpServer::start().await;
        let node = node(&test_db, Some(&server)).await;
        enqueue(&node, &quasi_completata(), "prima@example.it", Lang::It).await;
        let worker = start_worker(&node, WorkerOptions { idle: Duration::from_secs(3600), ..fast() });
        server.wait_for("prima@example.it", WAIT).await;

        // The worker now sleeps for an hour: only the wake can bring the second e-mail out in time.
        enqueue(&node, &quasi_completata(), "seconda@example.it", Lang::It).await;
        worker.wake.wake();
        server.wait_for("seconda@example.it", Duration::from_secs(5)).await;

        let asked = std::time::Instant::now();
        worker.stop().await;
        assert!(asked.elapsed() < Duration::from_secs(2), "stopped after {:?}", asked.elapsed());
    }
}

#[tokio::test]
async fn without_smtp_the_email_is_written_as_a_readable_eml_under_data_dir_mail() {
    let test_db = TestDb::create(Backend::Sqlite).await.unwrap();
    let node = node(&test_db, None).await;
    let mailer = Mailer::from_config(&node.config).unwrap();
    assert!(mailer.describe().starts_with("file://"), "{}", mailer.describe());
    let email = Email::RegistrazioneCompletata {
        nome_o_denominazione: "Comune di Roccacannuccia & C.".to_owned(),
        codice_utente: "AB12CD34".to_owned(),
        email: "luca@example.it".to_owned(),
    };
    let id = enqueue(&node, &email, "luca@example.it", Lang::It).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let rows = outbox::claim_due(&node.db, now, 60, 10).await.unwrap();
    assert_eq!(rows.len(), 1);

    mailer.send(&rows[0]).await.unwrap();

    let dir = node.config.data_dir.join("mail");
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with(&format!("-{id}.eml")), "{name}");
    let mail = ReceivedMail::parse(Vec::new(), std::fs::read_to_string(&files[0]).unwrap());
    assert_eq!(mail.subject, "La registrazione sul portale Raccolta dati è completata");
    assert_eq!(mail.message_id, rows[0].message_id);
    assert!(mail.header("To").unwrap().contains("luca@example.it"));
    assert!(
        mail.text.contains("- Nome e Cognome/Denominazione utente: Comune di Roccacannuccia & C."),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("- Codice identificativo utente: AB12CD34"), "{}", mail.text);
    assert!(mail.text.contains("- E-mail utente: luca@example.it"), "{}", mail.text);
    assert!(mail.text.contains("nome utente"), "{}", mail.text);
    assert!(mail.html.contains("Comune di Roccacannuccia &amp; C."), "{}", mail.html);
}
