//! The captcha of the public forms against the real server: single use under concurrency, the per-address limit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use base64::Engine as _;
use common::browser::{Browser, Page};
use common::{Backend, TestApp};

const PROVA: &str = "PROVA7";
const ACCETTATA: &str = "Credenziali non valide.";
const RIFIUTATA: &str = "Il codice di verifica non è corretto";

/// The mask of the challenge shown on `page` (it travels in the image's URL).
fn chiave(page: &Page) -> String {
    page.body
        .split("/captcha/immagine?c=")
        .nth(1)
        .expect("the page shows a captcha")
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// The code of the only challenge in the database, unmasked as the image route does: only the server knows it.
async fn codice(app: &TestApp, page: &Page) -> String {
    let data = common::scalar_text(&app.state.db, "SELECT data FROM sessions", &[]).await.unwrap();
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mascherato = engine.decode(data["captcha"]["mascherato"].as_str().unwrap()).unwrap();
    let maschera = engine.decode(chiave(page)).unwrap();
    mascherato.iter().zip(&maschera).map(|(a, b)| char::from(a ^ b)).collect()
}

/// Sends 12 login forms of one session with one captcha answer at once; returns how many got past the captcha
/// (they then fail on the credentials) and how many were refused by it.
async fn dodici_insieme(app: &TestApp, risposta: Option<&str>) -> (usize, usize) {
    let mut b = Browser::new(app);
    let form = b.get("/accesso").await;
    let risposta = match risposta {
        Some(r) => r.to_owned(),
        None => codice(app, &form).await,
    };
    let cookie = b.cookie.clone().unwrap();
    let csrf = form.hidden("csrf");
    let mut richieste = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let req = app.client.post(format!("{}/accesso", app.base)).header("cookie", &cookie).form(&[
            ("csrf", csrf.as_str()),
            ("nome_utente", "NESSUNO9"),
            ("password", "x"),
            ("captcha", risposta.as_str()),
        ]);
        richieste.spawn(async move { req.send().await.unwrap().text().await.unwrap() });
    }
    let pagine = richieste.join_all().await;
    let accettate = pagine.iter().filter(|p| p.contains(ACCETTATA)).count();
    let rifiutate = pagine.iter().filter(|p| p.contains(RIFIUTATA)).count();
    (accettate, rifiutate)
}

both_backends! {
    async fn one_solved_captcha_is_accepted_once_even_by_12_concurrent_requests(app) {
        assert_eq!(dodici_insieme(app, None).await, (1, 11), "exactly one request consumes the challenge");
    }

    async fn an_answered_challenge_is_forgotten_by_housekeeping_once_it_has_expired(app) {
        let db = &app.state.db;
        let now = app.state.clock.now();
        assert!(raccolta::db::captcha::consuma(db, "sale-di-prova", now + 600).await.unwrap());
        assert!(!raccolta::db::captcha::consuma(db, "sale-di-prova", now + 600).await.unwrap(), "single use");
        let righe = || common::scalar_text(db, "SELECT CAST(COUNT(*) AS TEXT) FROM captcha_consumati", &[]);
        raccolta::jobs::pulisci(db, now + 600).await.unwrap();
        assert_eq!(righe().await.as_deref(), Some("1"), "kept while the challenge is still valid");
        raccolta::jobs::pulisci(db, now + 601).await.unwrap();
        assert_eq!(righe().await.as_deref(), Some("0"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_captcha_test_answer_is_single_use_too_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::spawn_with(backend, &[("RACCOLTA_CAPTCHA_TEST_ANSWER", PROVA)]).await else {
            continue;
        };
        // The test answer solves any challenge, and each refused login renders the form again with a new one: a
        // request that loads the session after such a re-render meets a challenge nobody has used yet. So the
        // property is per challenge: every accepted request used up a challenge of its own, none twice.
        let (accettate, rifiutate) = dodici_insieme(&app, Some(PROVA)).await;
        let sql = "SELECT CAST(COUNT(*) AS TEXT) FROM captcha_consumati";
        let consumate: usize = common::scalar_text(&app.state.db, sql, &[]).await.unwrap().parse().unwrap();
        assert_eq!(accettate + rifiutate, 12);
        assert!(accettate >= 1, "the first request is accepted");
        assert_eq!(accettate, consumate, "one challenge per accepted request, never one twice");
        app.stop().await;
    }
}

both_backends! {
    async fn past_the_per_address_limit_no_new_challenge_is_made_until_the_wait_ends(app) {
        let mut b = Browser::new(app);
        for i in 0..raccolta::db::throttles::CAPTCHA_IP.free {
            let page = b.get("/accesso").await;
            assert!(page.body.contains("/captcha/immagine?c="), "challenge {i} refused: {}", page.body);
        }
        let page = b.get("/accesso").await;
        assert_eq!(page.status, 200, "the form is still shown, never a 500");
        assert!(page.body.contains("Sono stati chiesti troppi codici di verifica"), "{}", page.body);
        assert!(!page.body.contains("/captcha/immagine"), "no image past the limit");
        let inglese = app
            .client
            .get(format!("{}/accesso", app.base))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(inglese.contains("Too many verification codes were requested"), "{inglese}");
        let nuovo = b
            .send(app.client.post(format!("{}/captcha/nuovo", app.base)).header("x-csrf-token", page.hidden("csrf")))
            .await;
        assert_eq!(nuovo.status, 429, "{}", nuovo.body);
        let json: serde_json::Value = serde_json::from_str(&nuovo.body).unwrap();
        assert!(json["messaggio"].as_str().unwrap().contains("troppi codici di verifica"), "{json}");
        assert!(json.get("chiave").is_none(), "no challenge");
        let risposta = b
            .post(
                "/accesso",
                &[("csrf", &page.hidden("csrf")), ("nome_utente", "NESSUNO9"), ("password", "x"), ("captcha", "AAAAA")],
            )
            .await;
        assert!(!risposta.body.contains(ACCETTATA), "a form without a challenge is never accepted");

        app.state.clock.advance(raccolta::db::throttles::CAPTCHA_IP.first_wait_secs + 1);
        chiave(&b.get("/accesso").await);
        assert!(b.get("/accesso").await.body.contains("troppi codici di verifica"), "and waits again, longer");
    }
}
