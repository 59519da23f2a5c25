//! Browser tests: the real site in Debian's Chromium, driven by playwright-core, checked with axe-core.
//! `tests/browser/axe.mjs` does the browsing; this test starts the application and judges the outcome.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::process::Command;

/// Runs `tests/browser/<script>` with Node against the application, with `args` after its base URL and `env` set,
/// prints what it printed, and returns whether it succeeded with its standard output and error.
async fn node(script: &str, args: Vec<std::ffi::OsString>, env: &[(&str, &str)]) -> (bool, String, String) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser").join(script);
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let out = tokio::task::spawn_blocking(move || Command::new("node").arg(script).args(args).envs(env).output())
        .await
        .unwrap()
        .expect("node is installed (Node.js is needed by the browser tests)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    println!("{stdout}");
    eprintln!("{stderr}");
    (out.status.success(), stdout, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_page_passes_axe_core_and_keyboard_checks_in_italian_and_english() {
    let app = common::TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let (ok, stdout, stderr) = node("axe.mjs", vec![app.base.clone().into()], &[]).await;
    assert!(ok, "axe-core or the keyboard checks found problems:\n{stdout}\n{stderr}");
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
    common::utente_attivo(&app, "ENTIS001", "Sara", false, password).await;
    let responsabile = common::utente_attivo(&app, "ENTIR001", "Rita", false, password).await;
    let admin = common::utente_attivo(&app, "ENTIA001", "Anna", true, password).await;
    let r = raccolta::db::enti::Ricerca { testo: "comune di bologna", limit: 1, ..Default::default() };
    let bologna = raccolta::db::enti::cerca(db, &r).await.unwrap()[0].id;
    let mut tx = db.begin().await.unwrap();
    raccolta::db::associazioni::nomina(&mut tx, bologna, responsabile, admin, app.state.clock.now()).await.unwrap();
    tx.commit().await.unwrap();

    let mail_dir = app.db.data_dir().join("mail");
    let (ok, stdout, stderr) =
        node("percorsi.mjs", vec![app.base.clone().into(), mail_dir.into()], &[("PERCORSO_ENTI", "1")]).await;
    assert!(ok, "the account journeys failed in the browser:\n{stdout}\n{stderr}");
    assert!(!stdout.contains("FALLITO"), "{stdout}");
    assert!(stdout.contains(", 0 violazioni"), "{stdout}");
    app.stop().await;
}

/// Compiling end to end in Chromium: `tests/browser/compilazione.mjs` fills quadro D of FC80U modulo B with the
/// keyboard only (autosave, totals, a bloccante tripped and fixed, a squadratura justified), saves a quadro of
/// modulo A with JavaScript off (error summary, then "Valori salvati."), opens one quadro in two browsers
/// (presence, live values, a conflict overwritten), cuts the network while typing, and runs axe-core on every
/// quadro of every modulo of the Comune di Milano: empty in Italian and English, read only in Italian, with errors
/// on a few of them; then sends a complete scheda with the keyboard, reads its receipt, verifies it on the public
/// page, asks to reopen it and has an administrator approve. `COMPILAZIONE_AXE_COMPLETO=1` checks every quadro in each of the three states in both languages (over four
/// minutes instead of two or three).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compiling_works_by_keyboard_without_javascript_in_two_browsers_and_offline_and_passes_axe_core() {
    use raccolta::db::{associazioni, enti};
    use raccolta::domain::{Modalita, StatoAssociazione};

    let app = common::TestApp::spawn_with(common::Backend::Sqlite, &[("RACCOLTA_CAPTCHA_TEST_ANSWER", "PROVA7")])
        .await
        .unwrap();
    let db = &app.state.db;
    raccolta::enti::demo::carica(db).await.unwrap();
    let r = enti::Ricerca { testo: "", anche_inattivi: true, limit: 1000, ..Default::default() };
    let milano = enti::cerca(db, &r).await.unwrap().into_iter().find(|v| v.codice_ipa == "c_f205").unwrap().id;
    // Two compilers and a reader of the Comune di Milano (the script knows their codes and the password).
    let password = "girasole obliquo mangia tre lanterne";
    for (codice, nome, modalita) in [
        ("COMP0001", "Maria", Modalita::Compilazione),
        ("COMP0002", "Giulia", Modalita::Compilazione),
        ("CONS0001", "Carlo", Modalita::Consultazione),
    ] {
        let id = common::utente_attivo(&app, codice, nome, false, password).await;
        let a = associazioni::richiedi(db, id, milano, modalita, 0).await.unwrap();
        associazioni::decidi(db, a, StatoAssociazione::InAttesa, StatoAssociazione::Attiva, None, id, 0).await.unwrap();
    }

    // Journey 6: a compiler of the Comune di Bologna whose scheda trasporto is complete, ready to send.
    let bologna = enti::cerca(db, &r).await.unwrap().into_iter().find(|v| v.codice_ipa == "c_a944").unwrap().id;
    let ivo = crate::compilazione::utente(&app, "INVI0001", "Ivo", Some((bologna, Modalita::Compilazione))).await;
    let mut b = crate::compilazione::login(&app, "INVI0001").await;
    let pubblico = crate::compilazione::apri(&mut b, bologna, "monitoraggio-2023", "TRASPORTO").await;
    crate::invio::compila_inviabile(&mut b, &app, ivo, &pubblico).await;
    common::utente_attivo(&app, "AMMI0001", "Anna", true, password).await;

    let (ok, stdout, stderr) =
        node("compilazione.mjs", vec![app.base.clone().into()], &[("INVIO_PUBBLICO", pubblico.as_str())]).await;
    assert!(ok, "the compile journeys failed in the browser:\n{stdout}\n{stderr}");
    assert!(!stdout.contains("FALLITO"), "{stdout}");
    assert!(stdout.contains(", 0 violazioni"), "{stdout}");
    app.stop().await;
}
