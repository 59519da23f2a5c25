//! Browser tests: the real site in Debian's Chromium, driven by playwright-core, checked with axe-core.
//! `tests/browser/axe.mjs` does the browsing; this test starts the application and judges the outcome.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_page_passes_axe_core_and_keyboard_checks_in_italian_and_english() {
    let app = common::TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/axe.mjs");
    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || Command::new("node").arg(script).arg(base).output())
        .await
        .unwrap()
        .expect("node is installed (Node.js is needed by the browser tests)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(out.status.success(), "axe-core or the keyboard checks found problems:\n{stdout}\n{stderr}");
    assert!(stdout.contains("0 violazioni"), "{stdout}");
    app.stop().await;
}

/// The accounts feature end to end in Chromium: `tests/browser/percorsi.mjs` registers a person and a company,
/// follows the links of the e-mails (written as `.eml` files, since no SMTP server is configured), logs in with the
/// keyboard only, uses the captcha controls, changes the password, and runs axe-core on every page it reaches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_login_and_password_reset_work_in_a_real_browser() {
    let app = common::TestApp::spawn_with(common::Backend::Sqlite, &[("RACCOLTA_CAPTCHA_TEST_ANSWER", "PROVA7")])
        .await
        .unwrap();
    // Path f (enti): the demo enti, two users, the responsabile of Bologna and an administrator.
    let db = &app.state.db;
    raccolta::enti::demo::carica(db).await.unwrap();
    let password = "girasole obliquo mangia tre lanterne";
    common::utente_attivo(&app, "ENTIU001", "Ugo", false, password).await;
    common::utente_attivo(&app, "ENTIU002", "Vera", false, password).await;
    let responsabile = common::utente_attivo(&app, "ENTIR001", "Rita", false, password).await;
    let admin = common::utente_attivo(&app, "ENTIA001", "Anna", true, password).await;
    let r = raccolta::db::enti::Ricerca { testo: "comune di bologna", limit: 1, ..Default::default() };
    let bologna = raccolta::db::enti::cerca(db, &r).await.unwrap()[0].id;
    let mut tx = db.begin().await.unwrap();
    raccolta::db::associazioni::nomina(&mut tx, bologna, responsabile, admin, app.state.clock.now()).await.unwrap();
    tx.commit().await.unwrap();

    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/percorsi.mjs");
    let mail_dir = app.db.data_dir().join("mail");
    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script).arg(base).arg(mail_dir).env("PERCORSO_ENTI", "1").output()
    })
    .await
    .unwrap()
    .expect("node is installed (Node.js is needed by the browser tests)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(out.status.success(), "the account journeys failed in the browser:\n{stdout}\n{stderr}");
    assert!(!stdout.contains("FALLITO"), "{stdout}");
    assert!(stdout.contains(", 0 violazioni"), "{stdout}");
    app.stop().await;
}
