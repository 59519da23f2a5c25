//! Browser tests: the real site in Debian's Chromium, driven by playwright-core, checked with axe-core.
//! `tests/browser/axe.mjs` does the browsing; this test starts the application and judges the outcome.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

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
