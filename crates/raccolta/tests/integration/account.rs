//! Accounts end to end, against a real SMTP server in the test process: registration (both user types),
//! confirmation, login, logout, password reset, and what protects them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::browser::{Browser, Page};
use common::smtp::SmtpServer;
use common::{Backend, TestApp};

const CAPTCHA: &str = "PROVA7";
const PASSWORD: &str = "girasole obliquo mangia tre lanterne";
const MAIL_WAIT: Duration = Duration::from_secs(20);

async fn start(backend: Backend) -> Option<(TestApp, SmtpServer)> {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app =
        TestApp::spawn_with(backend, &[("RACCOLTA_SMTP_URL", &url), ("RACCOLTA_CAPTCHA_TEST_ANSWER", CAPTCHA)]).await?;
    Some((app, smtp))
}

fn link_to(mail: &common::smtp::ReceivedMail, path: &str) -> String {
    mail.links().into_iter().find(|l| l.contains(path)).unwrap_or_else(|| panic!("no {path} link in {}", mail.text))
}

/// Registers a natural person and confirms; returns the codice identificativo utente.
async fn register_and_confirm(app: &TestApp, smtp: &SmtpServer, email: &str) -> String {
    let mut b = Browser::new(app);
    let sent = register(&mut b, email, "Maria", PASSWORD).await;
    assert_eq!(sent.status, 200);
    assert!(sent.body.contains("Controlla la tua casella di posta"), "{}", sent.body);
    let mail = smtp.wait_for(email, MAIL_WAIT).await;
    assert_eq!(mail.subject, "La registrazione sul portale Raccolta dati è quasi completata");
    assert!(mail.text.contains("ATTENZIONE: QUESTO È UN MESSAGGIO INVIATO AUTOMATICAMENTE"));
    let link = link_to(&mail, "/registrazione/conferma?token=");
    let page = b.get(&link).await;
    assert_eq!(page.status, 200);
    let done =
        b.post("/registrazione/conferma", &[("csrf", &page.hidden("csrf")), ("token", &page.hidden("token"))]).await;
    assert!(done.body.contains("La registrazione è completata"), "{}", done.body);
    let codice =
        done.body.split(r#"<strong id="codice-utente">"#).nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_eq!(codice.len(), 8);
    let second = smtp.wait_for(email, MAIL_WAIT).await;
    assert_eq!(second.subject, "La registrazione sul portale Raccolta dati è completata");
    assert!(second.text.contains(&codice), "{}", second.text);
    // The link is single use.
    let again = b.get(&link).await;
    assert!(again.body.contains("Il link non è più valido"));
    codice
}

async fn login(b: &mut Browser<'_>, user: &str, password: &str) -> Page {
    let form = b.get("/accesso").await;
    let csrf = form.hidden("csrf");
    b.post("/accesso", &[("csrf", &csrf), ("nome_utente", user), ("password", password), ("captcha", CAPTCHA)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_confirm_login_logout_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, smtp)) = start(backend).await else { continue };
        let codice = register_and_confirm(&app, &smtp, "maria.rossi@comune.example").await;

        let mut b = Browser::new(&app);
        b.get("/accesso").await;
        let before = b.cookie.clone();
        let ok = login(&mut b, &codice.to_lowercase(), PASSWORD).await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(ok.location.as_deref(), Some("/area-riservata"));
        assert_ne!(b.cookie, before, "a new session id at login");
        let home = b.get("/area-riservata").await;
        assert!(home.body.contains("Benvenuto, <strong>Maria Rossi</strong>"), "{}", home.body);
        assert!(home.body.contains("Nessun ente associato"));
        let csrf = home.hidden("csrf");
        let out = b.post("/esci", &[("csrf", &csrf)]).await;
        assert_eq!(out.status, 303);
        let again = b.get("/area-riservata").await;
        assert_eq!(again.status, 303);
        assert_eq!(again.location.as_deref(), Some("/accesso?torna=%2Farea-riservata"));

        // The e-mail works as user name too, and the second login shows the first one.
        let mut b = Browser::new(&app);
        assert_eq!(login(&mut b, "Maria.Rossi@comune.example", PASSWORD).await.status, 303);
        let home = b.get("/area-riservata").await;
        assert!(home.body.contains("Ultimo Login:"), "{}", home.body);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_unknown_user_and_unconfirmed_account_look_the_same_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, smtp)) = start(backend).await else { continue };
        let codice = register_and_confirm(&app, &smtp, "anna@comune.example").await;
        let mut b = Browser::new(&app);
        for (user, password) in
            [(codice.as_str(), "una password sbagliata"), ("ZZZZZZZZ", PASSWORD), ("x@y.example", PASSWORD)]
        {
            let page = login(&mut b, user, password).await;
            assert_eq!(page.status, 200, "{user}");
            assert!(page.body.contains("Credenziali non valide."), "{user}: {}", page.body);
        }
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_five_failures_a_user_name_must_wait_whether_or_not_it_exists() {
    let (app, smtp) = start(Backend::Sqlite).await.unwrap();
    let codice = register_and_confirm(&app, &smtp, "luca@comune.example").await;
    let mut b = Browser::new(&app);
    for user in [codice.as_str(), "NESSUNO2"] {
        for _ in 0..5 {
            assert!(login(&mut b, user, "sbagliata sbagliata").await.body.contains("Credenziali non valide."));
        }
        let page = login(&mut b, user, PASSWORD).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Troppi tentativi non riusciti"), "{user}: {}", page.body);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_reset_by_email_ends_every_session_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, smtp)) = start(backend).await else { continue };
        let email = "giulia@comune.example";
        let codice = register_and_confirm(&app, &smtp, email).await;
        let mut other = Browser::new(&app);
        assert_eq!(login(&mut other, &codice, PASSWORD).await.status, 303);

        let mut b = Browser::new(&app);
        let form = b.get("/password").await;
        let known =
            b.post("/password", &[("csrf", &form.hidden("csrf")), ("email", email), ("captcha", CAPTCHA)]).await;
        let form = b.get("/password").await;
        let unknown = b
            .post("/password", &[("csrf", &form.hidden("csrf")), ("email", "nessuno@x.example"), ("captcha", CAPTCHA)])
            .await;
        assert!(known.body.contains("Se l&#39;indirizzo corrisponde a un utente registrato"), "{}", known.body);
        assert_eq!(
            known.body.split("<main").nth(1).unwrap().split("</main>").next(),
            unknown.body.split("<main").nth(1).unwrap().split("</main>").next(),
            "the same answer for known and unknown addresses"
        );
        let mail = smtp.wait_for(email, MAIL_WAIT).await;
        assert_eq!(mail.subject, "È stata effettuata una richiesta di modifica della password");
        let link = link_to(&mail, "/password/nuova?token=");
        let page = b.get(&link).await;
        let new_password = "tramonto viola sopra sette colline";
        let done = b
            .post(
                "/password/nuova",
                &[
                    ("csrf", &page.hidden("csrf")),
                    ("token", &page.hidden("token")),
                    ("password", new_password),
                    ("conferma_password", new_password),
                ],
            )
            .await;
        assert!(done.body.contains("Password modificata"), "{}", done.body);
        assert!(smtp.wait_for(email, MAIL_WAIT).await.text.contains("password"));
        assert_eq!(other.get("/area-riservata").await.status, 303, "the other session ended");
        assert!(b.get(&link).await.body.contains("Il link non è più valido"), "single use");
        let mut c = Browser::new(&app);
        assert!(login(&mut c, &codice, PASSWORD).await.body.contains("Credenziali non valide."));
        assert_eq!(login(&mut c, &codice, new_password).await.status, 303);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_a_known_address_looks_like_success_and_warns_its_owner() {
    let (app, smtp) = start(Backend::Sqlite).await.unwrap();
    let email = "paolo@comune.example";
    register_and_confirm(&app, &smtp, email).await;
    let mut b = Browser::new(&app);
    let form = b.get("/registrazione?tipo=societa").await;
    let page = b
        .post(
            "/registrazione",
            &[
                ("csrf", &form.hidden("csrf")),
                ("tipo", "societa"),
                ("denominazione", "Consulenze Contabili S.r.l."),
                ("codice_fiscale", "00743110157"),
                ("email", email),
                ("nome", "Paolo"),
                ("cognome", "Bianchi"),
                ("password", PASSWORD),
                ("conferma_password", PASSWORD),
                ("privacy", "si"),
                ("captcha", CAPTCHA),
            ],
        )
        .await;
    assert!(page.body.contains("Controlla la tua casella di posta"), "{}", page.body);
    let mail = smtp.wait_for(email, MAIL_WAIT).await;
    assert!(!mail.subject.contains("quasi completata"), "{}", mail.subject);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_errors_are_shown_beside_fields_and_in_a_summary_keeping_what_was_typed() {
    let (app, _smtp) = start(Backend::Sqlite).await.unwrap();
    let mut b = Browser::new(&app);
    let form = b.get("/registrazione?tipo=persona_fisica").await;
    let page = b
        .post(
            "/registrazione",
            &[
                ("csrf", &form.hidden("csrf")),
                ("tipo", "persona_fisica"),
                ("nome", "Mario"),
                ("cognome", ""),
                ("codice_fiscale", "RSSMRA85T10A562X"),
                ("email", "non-una-email"),
                ("password", "corta"),
                ("conferma_password", "corta"),
                ("captcha", "SBAGLIATO"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"id="riepilogo-errori""#));
    for field in ["cognome", "codice_fiscale", "email", "password", "privacy", "captcha"] {
        assert!(page.body.contains(&format!(r##"href="#{field}""##)), "summary links to {field}");
        assert!(page.body.contains(&format!(r#"id="{field}-errore""#)), "error beside {field}");
    }
    assert!(page.body.contains(r#"value="Mario""#), "what was typed is kept");
    assert!(!page.body.contains("corta"), "passwords are never sent back");
    app.stop().await;
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_with_a_clear_page() {
    let (app, _smtp) = start(Backend::Sqlite).await.unwrap();
    let mut b = Browser::new(&app);
    b.get("/accesso").await;
    let page = b.post("/accesso", &[("nome_utente", "X"), ("password", "y"), ("captcha", CAPTCHA)]).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Modulo scaduto o non valido"), "{}", page.body);
    let cross = app
        .client
        .post(format!("{}/accesso", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("nome_utente", "X")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403);
    app.stop().await;
}

#[tokio::test]
async fn the_captcha_test_switch_shows_a_banner_on_every_page() {
    let (app, _smtp) = start(Backend::Sqlite).await.unwrap();
    let body = app.get("/").await.text().await.unwrap();
    assert!(body.contains("raccolta-banner-test"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_changes_data_password_and_email_and_ends_other_sessions_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, smtp)) = start(backend).await else { continue };
        let email = "elena@comune.example";
        let codice = register_and_confirm(&app, &smtp, email).await;
        let mut other = Browser::new(&app);
        assert_eq!(login(&mut other, &codice, PASSWORD).await.status, 303);
        let mut b = Browser::new(&app);
        assert_eq!(login(&mut b, &codice, PASSWORD).await.status, 303);

        let page = b.get("/profilo").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("(questa sessione)"), "the session list marks the current one");
        let csrf = page.hidden("csrf");
        let saved = b
            .post("/profilo/dati", &[("csrf", &csrf), ("nome", "Elena"), ("cognome", "Verdi Neri"), ("lingua", "en")])
            .await;
        assert_eq!(saved.location.as_deref(), Some("/profilo?esito=dati"));
        let page = b.get("/profilo").await;
        assert!(page.body.contains("<strong>Elena Verdi Neri</strong>"), "the header shows the new name");

        // Wrong current password: refused beside the field, nothing changes.
        let wrong = b
            .post(
                "/profilo/password",
                &[
                    ("csrf", &csrf),
                    ("password_attuale", "non è lei"),
                    ("password", PASSWORD),
                    ("conferma_password", PASSWORD),
                ],
            )
            .await;
        assert!(wrong.body.contains(r#"id="password_attuale-errore""#));
        let new_password = "ventaglio rosso per nove balene";
        let changed = b
            .post(
                "/profilo/password",
                &[
                    ("csrf", &csrf),
                    ("password_attuale", PASSWORD),
                    ("password", new_password),
                    ("conferma_password", new_password),
                ],
            )
            .await;
        assert_eq!(changed.location.as_deref(), Some("/profilo?esito=password"));
        assert_eq!(other.get("/area-riservata").await.status, 303, "the other session ended");
        assert_eq!(b.get("/area-riservata").await.status, 200, "this session goes on");
        let notice = smtp.wait_for(email, MAIL_WAIT).await;
        assert!(notice.subject.to_lowercase().contains("password"), "{}", notice.subject);

        let new_email = "elena.verdi@comune.example";
        let asked = b
            .post("/profilo/email", &[("csrf", &csrf), ("nuova_email", new_email), ("password_email", new_password)])
            .await;
        assert_eq!(asked.location.as_deref(), Some("/profilo?esito=email-inviata"));
        let mail = smtp.wait_for(new_email, MAIL_WAIT).await;
        let link = link_to(&mail, "/profilo/email/conferma?token=");
        let page = b.get(&link).await;
        let done = b
            .post("/profilo/email/conferma", &[("csrf", &page.hidden("csrf")), ("token", &page.hidden("token"))])
            .await;
        assert_eq!(done.location.as_deref(), Some("/profilo?esito=email"));
        let old = smtp.wait_for(email, MAIL_WAIT).await;
        assert!(old.text.contains(new_email), "the old address is told: {}", old.text);
        let mut c = Browser::new(&app);
        assert_eq!(login(&mut c, new_email, new_password).await.status, 303);

        let json = b.get("/profilo/dati.json").await;
        assert_eq!(json.status, 200);
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(v["utente"]["email"], new_email);
        assert_eq!(v["utente"]["codice_identificativo"], codice.as_str());
        assert!(v["registro_eventi"].as_array().unwrap().iter().any(|e| e["evento"] == "accesso.riuscito"));

        let page = b.get("/profilo").await;
        let ended = b.post("/profilo/sessioni/termina", &[("csrf", &page.hidden("csrf"))]).await;
        assert_eq!(ended.location.as_deref(), Some("/profilo?esito=sessioni"));
        assert_eq!(c.get("/area-riservata").await.status, 303);
        assert_eq!(b.get("/area-riservata").await.status, 200);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_confirmation_link_offers_to_start_again() {
    let (app, smtp) = start(Backend::Sqlite).await.unwrap();
    let mut b = Browser::new(&app);
    let form = b.get("/registrazione?tipo=persona_fisica").await;
    b.post(
        "/registrazione",
        &[
            ("csrf", &form.hidden("csrf")),
            ("tipo", "persona_fisica"),
            ("nome", "Marco"),
            ("cognome", "Neri"),
            ("codice_fiscale", "RSSMRA85T10A562S"),
            ("email", "marco@comune.example"),
            ("password", PASSWORD),
            ("conferma_password", PASSWORD),
            ("privacy", "si"),
            ("captcha", CAPTCHA),
        ],
    )
    .await;
    let mail = smtp.wait_for("marco@comune.example", MAIL_WAIT).await;
    let link = link_to(&mail, "/registrazione/conferma?token=");
    // The confirmation link is valid 24 hours.
    app.state.clock.advance(24 * 3600 + 1);
    let page = b.get(&link).await;
    assert!(page.body.contains("Il link è scaduto"), "{}", page.body);
    assert!(page.body.contains(r#"href="/registrazione""#), "offers to start again");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_captcha_is_checked_end_to_end() {
    // No test answer here: the answer is read from the server side, as only the server knows it.
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(Backend::Sqlite, &[("RACCOLTA_SMTP_URL", &smtp.url())]).await.unwrap();
    let mut b = Browser::new(&app);
    let answer = |b: &Page| b.body.split("/captcha/immagine?c=").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let form = b.get("/accesso").await;
    let key = answer(&form);
    let image = app
        .client
        .get(format!("{}/captcha/immagine?c={key}", app.base))
        .header("cookie", b.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    let first = image.bytes().await.unwrap();
    let again = app
        .client
        .get(format!("{}/captcha/immagine?c={key}", app.base))
        .header("cookie", b.cookie.clone().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(first, again, "one challenge, one picture: copies cannot be averaged to remove the noise");
    let audio = app
        .client
        .get(format!("{}/captcha/audio?c={key}&lingua=it", app.base))
        .header("cookie", b.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(audio.headers()["content-type"], "audio/wav");
    let data = common::scalar_text(&app.state.db, "SELECT data FROM sessions", &[]).await.unwrap();
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let masked = engine.decode(data["captcha"]["mascherato"].as_str().unwrap()).unwrap();
    let mask = engine.decode(&key).unwrap();
    let code: String = masked.iter().zip(&mask).map(|(a, b)| char::from(a ^ b)).collect();
    assert!(!data.to_string().contains(&code), "the session never holds the answer in clear");
    let page = b
        .post(
            "/accesso",
            &[
                ("csrf", &form.hidden("csrf")),
                ("nome_utente", "NESSUNO9"),
                ("password", "x"),
                ("captcha", &code.to_lowercase()),
            ],
        )
        .await;
    assert!(page.body.contains("Credenziali non valide."), "the captcha passed, the credentials did not");
    let page2 = b
        .post(
            "/accesso",
            &[("csrf", &page.hidden("csrf")), ("nome_utente", "NESSUNO9"), ("password", "x"), ("captcha", &code)],
        )
        .await;
    assert!(page2.body.contains("Il codice di verifica non è corretto"), "single use: the old answer no longer works");
    app.stop().await;
}

#[tokio::test]
async fn bad_form_input_gets_a_clear_page_never_a_500() {
    let (app, _smtp) = start(Backend::Sqlite).await.unwrap();
    let mut b = Browser::new(&app);
    let form = b.get("/accesso").await;
    let csrf = form.hidden("csrf");
    let cookie = b.cookie.clone().unwrap();
    let long = "x".repeat(100_000);
    for body in [
        format!("csrf={csrf}&nome_utente=a&nome_utente=b&password=x&captcha=y"),
        format!("csrf={csrf}&nome_utente=%ff%fe&password=x&captcha=y"),
        format!("csrf={csrf}"),
        format!("csrf={csrf}&nome_utente={long}&password={long}&captcha={long}"),
    ] {
        let res = app
            .client
            .post(format!("{}/accesso", app.base))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert!(status < 500, "{status} for {}", &body[..body.len().min(80)]);
        assert!(text.contains("<h1>"), "a page in the site's layout");
    }
    for path in
        ["/registrazione?tipo=pirata", "/registrazione/conferma", "/password/nuova?token=", "/captcha/immagine?c=%%%"]
    {
        let res = app.get(path).await;
        assert!(res.status().as_u16() < 500, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_address_is_audited() {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("RACCOLTA_SMTP_URL", &url),
            ("RACCOLTA_CAPTCHA_TEST_ANSWER", CAPTCHA),
            ("RACCOLTA_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await
    .unwrap();
    let mut b = Browser::new(&app);
    let form = b.get("/accesso").await;
    let req = app
        .client
        .post(format!("{}/accesso", app.base))
        .header("cookie", b.cookie.clone().unwrap())
        .header("x-forwarded-for", "6.6.6.6, 203.0.113.9")
        .form(&[
            ("csrf", form.hidden("csrf").as_str()),
            ("nome_utente", "NESSUNO3"),
            ("password", "x"),
            ("captcha", CAPTCHA),
        ]);
    assert!(b.send(req).await.body.contains("Credenziali non valide."));
    let origin =
        common::scalar_text(&app.state.db, "SELECT origin FROM audit_events WHERE action = 'accesso.fallito'", &[])
            .await;
    assert_eq!(origin.as_deref(), Some("203.0.113.9"), "the address the proxy saw, not what the client wrote");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_created_from_the_command_line_chooses_a_password_and_logs_in_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, _smtp)) = start(backend).await else { continue };
        let nuovo =
            raccolta::admin::crea(&app.state.db, &app.state.config, "admin@comune.example", "Anna Amministratrice")
                .await
                .unwrap();
        let mut b = Browser::new(&app);
        assert!(login(&mut b, &nuovo.codice, "qualsiasi cosa").await.body.contains("Credenziali non valide."));
        let page = b.get(&nuovo.link).await;
        let password = "scrivania d'argento sotto il faro";
        let done = b
            .post(
                "/password/nuova",
                &[
                    ("csrf", &page.hidden("csrf")),
                    ("token", &page.hidden("token")),
                    ("password", password),
                    ("conferma_password", password),
                ],
            )
            .await;
        assert!(done.body.contains("Password modificata"), "{}", done.body);
        assert_eq!(login(&mut b, &nuovo.codice, password).await.status, 303);
        let ruolo =
            common::scalar_text(&app.state.db, "SELECT ruolo FROM users WHERE codice = $1", &[&nuovo.codice]).await;
        assert_eq!(ruolo.as_deref(), Some("amministratore"));
        assert!(b.get(&nuovo.link).await.body.contains("Il link non è più valido"), "single use");
        app.stop().await;
    }
}

/// Sends the registration form of a natural person; returns the page.
async fn register(b: &mut Browser<'_>, email: &str, nome: &str, password: &str) -> Page {
    let form = b.get("/registrazione?tipo=persona_fisica").await;
    let csrf = form.hidden("csrf");
    b.post(
        "/registrazione",
        &[
            ("csrf", &csrf),
            ("tipo", "persona_fisica"),
            ("nome", nome),
            ("cognome", "Rossi"),
            ("codice_fiscale", "RSSMRA85T10A562S"),
            ("email", email),
            ("password", password),
            ("conferma_password", password),
            ("privacy", "si"),
            ("captcha", CAPTCHA),
            ("sito_web", ""),
        ],
    )
    .await
}

/// Asks for a password-reset link for `email`; returns the link of the e-mail.
async fn reset_link(app: &TestApp, smtp: &SmtpServer, email: &str) -> String {
    let mut b = Browser::new(app);
    let form = b.get("/password").await;
    b.post("/password", &[("csrf", &form.hidden("csrf")), ("email", email), ("captcha", CAPTCHA)]).await;
    let mail = smtp.wait_for(email, MAIL_WAIT).await;
    link_to(&mail, "/password/nuova?token=")
}

/// Chooses `password` through a reset `link`.
async fn reset_with(app: &TestApp, link: &str, password: &str) -> Page {
    let mut b = Browser::new(app);
    let page = b.get(link).await;
    b.post(
        "/password/nuova",
        &[
            ("csrf", &page.hidden("csrf")),
            ("token", &page.hidden("token")),
            ("password", password),
            ("conferma_password", password),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_registering_an_unconfirmed_address_keeps_the_pending_registrations_password_and_data() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, smtp)) = start(backend).await else { continue };
        let email = "vittima@comune.example";
        let mut owner = Browser::new(&app);
        assert_eq!(register(&mut owner, email, "Maria", PASSWORD).await.status, 200);
        smtp.wait_for(email, MAIL_WAIT).await;
        let attacker_password = "lampione storto canta nove ballate";
        let mut attacker = Browser::new(&app);
        let sent = register(&mut attacker, email, "Attaccante", attacker_password).await;
        assert!(sent.body.contains("Controlla la tua casella di posta"), "the same answer as any registration");
        let mail = smtp.wait_for(email, MAIL_WAIT).await;
        assert!(mail.text.starts_with("Gentile Maria Rossi,"), "the pending registration's name: {}", mail.text);
        assert!(!mail.text.contains("Attaccante"), "{}", mail.text);
        let link = link_to(&mail, "/registrazione/conferma?token=");
        let page = owner.get(&link).await;
        let done = owner
            .post("/registrazione/conferma", &[("csrf", &page.hidden("csrf")), ("token", &page.hidden("token"))])
            .await;
        assert!(done.body.contains("La registrazione è completata"), "{}", done.body);
        let mut b = Browser::new(&app);
        assert!(login(&mut b, email, attacker_password).await.body.contains("Credenziali non valide."));
        assert_eq!(login(&mut b, email, PASSWORD).await.status, 303, "the owner's password is the one that works");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wait_counts_one_account_by_code_and_email_refuses_the_right_password_and_ends_with_a_reset() {
    let (app, smtp) = start(Backend::Sqlite).await.unwrap();
    let email = "sara@comune.example";
    let codice = register_and_confirm(&app, &smtp, email).await;
    let mut b = Browser::new(&app);
    for user in [codice.as_str(), email, codice.as_str(), email, codice.as_str()] {
        assert!(login(&mut b, user, "sbagliata sbagliata").await.body.contains("Credenziali non valide."));
    }
    for user in [email, codice.as_str()] {
        let page = login(&mut b, user, PASSWORD).await;
        assert!(page.body.contains("Troppi tentativi non riusciti"), "{user}: the right password waits too");
    }
    let link = reset_link(&app, &smtp, email).await;
    let nuova = "tramonto viola sopra sette colline";
    assert!(reset_with(&app, &link, nuova).await.body.contains("Password modificata"));
    smtp.wait_for(email, MAIL_WAIT).await;
    assert_eq!(login(&mut b, &codice, nuova).await.status, 303, "a completed reset lifts the wait");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_sent_before_a_password_change_stop_working() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, smtp)) = start(backend).await else { continue };
        let email = "dario@comune.example";
        register_and_confirm(&app, &smtp, email).await;
        let first = reset_link(&app, &smtp, email).await;
        let second = reset_link(&app, &smtp, email).await;
        let nuova = "tramonto viola sopra sette colline";
        assert!(reset_with(&app, &second, nuova).await.body.contains("Password modificata"));
        smtp.wait_for(email, MAIL_WAIT).await;
        let mut b = Browser::new(&app);
        let page = b.get(&first).await;
        assert!(page.body.contains("Il link non è più valido"), "the older link died with the password: {}", page.body);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_audit_event_of_a_request_carries_its_user_address_browser_and_request_id() {
    let (app, smtp) = start(Backend::Sqlite).await.unwrap();
    let codice = register_and_confirm(&app, &smtp, "irene@comune.example").await;
    let mut b = Browser::new(&app);
    let form = b.get("/accesso").await;
    let req = app
        .client
        .post(format!("{}/accesso", app.base))
        .header("cookie", b.cookie.clone().unwrap())
        .header("user-agent", "ProvaBrowser/1.0")
        .header("x-request-id", "prova-richiesta-42")
        .form(&[
            ("csrf", form.hidden("csrf").as_str()),
            ("nome_utente", codice.as_str()),
            ("password", PASSWORD),
            ("captcha", CAPTCHA),
        ]);
    assert_eq!(b.send(req).await.status, 303);
    let sql = "SELECT actor || '|' || origin || '|' || user_agent || '|' || request_id || '|' || CAST(user_id AS TEXT) \
               FROM audit_events WHERE action = 'accesso.riuscito'";
    let row = common::scalar_text(&app.state.db, sql, &[]).await.unwrap();
    let user_id =
        common::scalar_text(&app.state.db, "SELECT CAST(id AS TEXT) FROM users WHERE codice = $1", &[&codice])
            .await
            .unwrap();
    assert_eq!(row, format!("{codice}|127.0.0.1|ProvaBrowser/1.0|prova-richiesta-42|{user_id}"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn current_password_checks_in_the_profile_wait_like_logins_on_the_same_account_counter() {
    let (app, smtp) = start(Backend::Sqlite).await.unwrap();
    let codice = register_and_confirm(&app, &smtp, "olga@comune.example").await;
    let mut b = Browser::new(&app);
    assert_eq!(login(&mut b, &codice, PASSWORD).await.status, 303);
    let csrf = b.get("/profilo").await.hidden("csrf");
    let nuova = "ventaglio rosso per nove balene";
    let change = |attuale: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("password_attuale", attuale.to_owned()),
            ("password", nuova.to_owned()),
            ("conferma_password", nuova.to_owned()),
        ]
    };
    for _ in 0..5 {
        let form = change("non è lei");
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = b.post("/profilo/password", &fields).await;
        assert!(page.body.contains("La password attuale non è corretta."), "{}", page.body);
    }
    let form = change(PASSWORD);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = b.post("/profilo/password", &fields).await;
    assert!(page.body.contains("Troppi tentativi non riusciti"), "the right one waits too: {}", page.body);
    let mut c = Browser::new(&app);
    let login_page = login(&mut c, &codice, PASSWORD).await;
    assert!(login_page.body.contains("Troppi tentativi non riusciti"), "the login waits too: one counter");
    app.stop().await;
}
