//! The public site: what a visitor sees, in Italian and English, and how bad input is answered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::TestApp;

async fn html(app: &TestApp, path: &str, lang: Option<&str>) -> (u16, String) {
    let res = match lang {
        Some(l) => app.get_with(path, "cookie", &format!("lang={l}")).await,
        None => app.get(path).await,
    };
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

both_backends! {
    async fn home_lists_both_open_campaigns_with_instructions_and_models_in_italian(app) {
        let (status, body) = html(app, "/", None).await;
        assert_eq!(status, 200);
        assert!(body.contains(r#"<html lang="it">"#));
        assert!(body.contains("Fabbisogni Standard — Questionario FC80U, annualità 2022"));
        assert!(body.contains("Scheda di monitoraggio / Relazione consuntiva, annualità 2023"));
        for href in [
            "/campagne/fc80u-2022/istruzioni/premessa",
            "/campagne/fc80u-2022/istruzioni/dati-strutturali",
            "/campagne/fc80u-2022/istruzioni/dati-contabili",
            "/campagne/fc80u-2022/modelli/A.pdf",
            "/campagne/fc80u-2022/modelli/B.pdf",
            "/campagne/monitoraggio-2023/istruzioni/sociale",
            "/campagne/monitoraggio-2023/istruzioni/asili-nido",
            "/campagne/monitoraggio-2023/istruzioni/trasporto-disabili",
            "/campagne/monitoraggio-2023/modelli/SOCIALE.pdf",
        ] {
            assert!(body.contains(&format!(r#"href="{href}""#)), "missing link {href}");
        }
        assert!(body.contains(r#"href="/accesso">ACCEDI ALLA RACCOLTA DATI</a>"#));
        assert!(body.contains(r#"href="/archivio""#));
        assert!(!body.contains("FC60U"), "a closed campaign is not on the home page");
        assert_eq!(count(&body, "<h1"), 1);
        assert!(body.contains(r##"href="#main""##), "skip link");
        assert!(body.contains(r#"<main id="main""#));
        assert!(body.contains(r#"<a class="nav-link active" href="/" aria-current="page">"#), "current page marked");
        assert!(body.contains(r#"class="raccolta-lingua attiva""#), "current language marked");
        assert!(!body.contains("<script>"), "no inline script");
    }

    async fn the_home_title_names_the_site_once(app) {
        for lang in ["it", "en"] {
            let (_, body) = html(app, "/", Some(lang)).await;
            let title = body.split("<title>").nth(1).unwrap().split("</title>").next().unwrap();
            assert_eq!(count(title, "Raccolta dati"), 1, "{title}");
        }
    }

    async fn home_is_in_english_by_accept_language_and_the_cookie_wins(app) {
        let res = app.get_with("/", "accept-language", "en-GB,en;q=0.9,it;q=0.5").await;
        let body = res.text().await.unwrap();
        assert!(body.contains(r#"<html lang="en">"#));
        assert!(body.contains("Standard expenditure needs — Questionnaire FC80U, year 2022"));
        assert!(body.contains("Monitoring form / Final report, year 2023"));
        assert!(body.contains("ACCESS THE DATA COLLECTION"));
        let res = app
            .client
            .get(format!("{}/", app.base))
            .header("accept-language", "en")
            .header("cookie", "lang=it")
            .send()
            .await
            .unwrap();
        assert!(res.text().await.unwrap().contains(r#"<html lang="it">"#));
    }

    async fn the_language_switch_remembers_the_choice_and_keeps_the_page(app) {
        let (_, body) = html(app, "/guida", None).await;
        assert!(body.contains(r#"href="/lingua/en?torna=%2Fguida""#), "switch links back to the same page");
        let res = app.get("/lingua/en?torna=%2Fguida").await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(res.headers()["location"], "/guida");
        let cookie = res.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("lang=en;") && cookie.contains("Path=/") && cookie.contains("SameSite=Lax"), "{cookie}");
        let (_, body) = html(app, "/guida", Some("en")).await;
        assert!(body.contains("<h1>Platform guide</h1>"));
        let res = app.get("/lingua/it?torna=%2F%2Fevil.example%2F").await;
        assert_eq!(res.headers()["location"], "/", "no open redirect");
        assert_eq!(app.get("/lingua/de").await.status().as_u16(), 404);
    }

    async fn the_archive_lists_closed_campaigns_only(app) {
        let (status, body) = html(app, "/archivio", None).await;
        assert_eq!(status, 200);
        assert!(body.contains("Questionario FC60U, annualità 2019"));
        assert!(body.contains(r#"href="/campagne/fc60u-2019/istruzioni/premessa""#));
        assert!(!body.contains("FC80U, annualità 2022"));
        let (_, body) = html(app, "/archivio", Some("en")).await;
        assert!(body.contains("Archive of previous years"));
    }

    async fn guide_accessibility_and_privacy_pages_exist_in_both_languages(app) {
        for (path, it, en) in [
            ("/guida", "Guida alla piattaforma", "Platform guide"),
            ("/accessibilita", "Dichiarazione di accessibilità", "Accessibility statement"),
            ("/privacy", "Informativa sulla privacy", "Privacy notice"),
        ] {
            let (status, body) = html(app, path, Some("it")).await;
            assert_eq!(status, 200, "{path}");
            assert!(body.contains(&format!("<h1>{it}</h1>")), "{path} it");
            assert_eq!(count(&body, "<h1"), 1, "{path}");
            let (_, body) = html(app, path, Some("en")).await;
            assert!(body.contains(&format!("<h1>{en}</h1>")), "{path} en");
        }
        let (_, guida) = html(app, "/guida", Some("it")).await;
        for section in ["Accesso", "Modifica Password", "Nuova Registrazione", "Aggiungi nuovo ente", "Questionari e compilazione", "Invio, ricevuta e verifica", "Richieste Apertura", "PDF e Documenti", "Assistenza", "Funzionalità della piattaforma"] {
            assert!(guida.contains(section), "the guide covers {section}");
        }
    }

    async fn the_guide_and_the_home_describe_support_and_the_open_data_and_nothing_as_coming_later(app) {
        for (lang, presenti, assenti) in [
            ("it", ["open data", "Assistenza"], ["prossima versione", "Esporta le risposte"]),
            ("en", ["open data", "Support"], ["later version", "Export the answers"]),
        ] {
            for path in ["/guida", "/"] {
                let (_, body) = html(app, path, Some(lang)).await;
                for p in presenti {
                    assert!(body.contains(p), "{path} {lang} describes {p}");
                }
                for a in assenti {
                    assert!(!body.contains(a), "{path} {lang} says «{a}»");
                }
            }
        }
    }

    async fn every_campaign_document_opens_in_both_languages(app) {
        for campagna in ["fc80u-2022", "monitoraggio-2023", "fc60u-2019"] {
            let c = app.state.catalogo.campagna(campagna).expect("campaign");
            for d in &c.istruzioni {
                for lang in ["it", "en"] {
                    let path = format!("/campagne/{campagna}/istruzioni/{}", d.id);
                    let (status, body) = html(app, &path, Some(lang)).await;
                    assert_eq!(status, 200, "{path} {lang}");
                    assert_eq!(count(&body, "<h1"), 1, "{path} {lang}");
                }
            }
        }
        assert_eq!(app.get("/campagne/fc80u-2022/istruzioni/inesistente").await.status().as_u16(), 404);
        assert_eq!(app.get("/campagne/nessuna/istruzioni/premessa").await.status().as_u16(), 404);
        assert_eq!(app.get("/campagne/fc80u-2022/altro/premessa").await.status().as_u16(), 404);
        // The models are no longer hand-written pages: they are PDFs made from the definitions.
        assert_eq!(app.get("/campagne/fc80u-2022/modelli/dati-contabili").await.status().as_u16(), 404);
    }

    async fn unknown_paths_get_a_404_page_in_the_site_layout_and_language(app) {
        let (status, body) = html(app, "/non-esiste", None).await;
        assert_eq!(status, 404);
        assert!(body.contains("<h1>Pagina non trovata</h1>"));
        assert!(body.contains(r#"class="it-footer""#), "site layout");
        let (status, body) = html(app, "/non-esiste", Some("en")).await;
        assert_eq!(status, 404);
        assert!(body.contains("<h1>Page not found</h1>"));
    }

    async fn malformed_query_strings_get_a_400_page(app) {
        let (status, body) = html(app, "/?q=%zz", None).await;
        assert_eq!(status, 400);
        assert!(body.contains("<h1>Richiesta non valida</h1>"));
        let (status, _) = html(app, "/lingua/en?torna=%ff", None).await;
        assert_eq!(status, 400);
    }

    async fn a_wrong_method_gets_a_405_page_without_internals(app) {
        // OPTIONS: state-changing methods meet the CSRF check before the method router.
        let res = app.client.request(reqwest::Method::OPTIONS, format!("{}/guida", app.base)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 405);
        assert!(res.text().await.unwrap().contains("Operazione non consentita"));
    }

    async fn a_panic_becomes_a_500_page_with_the_request_id_and_no_internals(app) {
        let res = app.get_with("/__test/panico", "x-request-id", "richiesta-di-prova-42").await;
        assert_eq!(res.status().as_u16(), 500);
        assert_eq!(res.headers()["x-request-id"], "richiesta-di-prova-42");
        let body = res.text().await.unwrap();
        assert!(body.contains("Si è verificato un errore"));
        assert!(body.contains("richiesta-di-prova-42"), "the id to quote to support");
        assert!(!body.contains("panico di prova"), "no internals on the page");
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200, "the node survives");
    }

    async fn every_response_carries_the_security_headers_and_a_request_id(app) {
        for path in ["/", "/non-esiste", "/static/css/raccolta.css", "/healthz"] {
            let res = app.get(path).await;
            let h = res.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert!(h.contains_key("referrer-policy"), "{path}");
            assert!(!h.contains_key("strict-transport-security"), "{path}: no HSTS over http");
            assert!(!h["x-request-id"].is_empty(), "{path}");
        }
    }

    async fn every_response_says_the_server_time_unless_its_handler_reports_its_own(app) {
        for path in ["/", "/non-esiste", "/static/css/raccolta.css", "/healthz"] {
            let res = app.get(path).await;
            let t = res.headers()["server-timing"].to_str().unwrap().to_owned();
            let ms: Option<f64> = t.strip_prefix("app;dur=").and_then(|v| v.parse().ok());
            assert!(ms.is_some_and(|ms| ms >= 0.0), "{path}: {t}");
        }
        // The autocomplete reports the time of its search, which the benchmark of the enti reads.
        let res = app.get("/enti/cerca?q=roma").await;
        let t = res.headers()["server-timing"].to_str().unwrap();
        assert!(t.starts_with("db;dur=") && !t.contains("app;"), "{t}");
    }

    async fn operations_endpoints_answer(app) {
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
        assert_eq!(app.get("/readyz").await.status().as_u16(), 200);
        app.get("/").await;
        let metrics = app.get("/metrics").await.text().await.unwrap();
        assert!(metrics.contains("http_requests_total"), "{metrics}");
        assert!(metrics.contains(r#"route="/""#), "labelled by route: {metrics}");
        assert!(metrics.contains(r#"status="200""#), "{metrics}");
        assert!(metrics.contains("http_request_duration_seconds_bucket"), "{metrics}");
        assert!(metrics.contains("db_pool_connections"), "{metrics}");
        app.get("/non/esiste/123").await;
        let metrics = app.get("/metrics").await.text().await.unwrap();
        assert!(!metrics.contains("/non/esiste/123"), "unknown paths do not become labels");
    }

    async fn readyz_says_503_when_the_database_is_gone(app) {
        app.state.db.close().await;
        let res = app.get("/readyz").await;
        assert_eq!(res.status().as_u16(), 503);
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200, "the process is still alive");
    }

    async fn static_assets_are_served_by_the_binary_with_validators(app) {
        let res = app.get("/static/bi/css/bootstrap-italia.min.css").await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let res = app.get_with("/static/bi/css/bootstrap-italia.min.css", "if-none-match", &etag).await;
        assert_eq!(res.status().as_u16(), 304);
        let res = app.get("/static/bi/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2").await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(app.get("/static/bi/svg/sprites.svg").await.status().as_u16(), 200);
        assert_eq!(app.get("/static/js/raccolta.js").await.status().as_u16(), 200);
        let fonts = app.get("/static/css/fonts.css").await.text().await.unwrap();
        for url in fonts.split("url('").skip(1).map(|s| s.split('\'').next().unwrap()) {
            assert_eq!(app.get(url).await.status().as_u16(), 200, "{url}");
        }
        assert_eq!(app.get("/static/../Cargo.toml").await.status().as_u16(), 404);
        assert_eq!(app.get("/static/bi/package.json").await.status().as_u16(), 404);
    }

    async fn the_start_of_a_node_is_audited(app) {
        let events = raccolta::db::audit::recent(&app.state.db, 10).await.unwrap();
        assert!(events.iter().any(|(actor, action)| actor == "sistema" && action == "sistema.avvio"), "{events:?}");
    }
}

#[tokio::test]
async fn https_base_url_adds_hsts() {
    let app = TestApp::spawn_with(common::Backend::Sqlite, &[("RACCOLTA_BASE_URL", "https://raccolta.example")])
        .await
        .unwrap();
    let res = app.get("/").await;
    assert!(res.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
    app.stop().await;
}

#[tokio::test]
async fn oversized_bodies_get_a_413_page() {
    // A small limit, so the whole body fits the socket buffers and the client reads the answer instead of
    // failing on a connection the server already closed.
    let app = TestApp::spawn_with(common::Backend::Sqlite, &[("RACCOLTA_BODY_LIMIT_BYTES", "1024")]).await.unwrap();
    let res = app
        .client
        .post(format!("{}/", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
    assert!(res.text().await.unwrap().contains("Dati troppo grandi"));
    app.stop().await;
}

#[tokio::test]
async fn a_request_over_the_time_limit_gets_the_unavailable_page() {
    let app = TestApp::spawn_with(common::Backend::Sqlite, &[("RACCOLTA_REQUEST_TIMEOUT_SECS", "1")]).await.unwrap();
    let res = app.get("/__test/lento?ms=5000").await;
    assert_eq!(res.status().as_u16(), 503);
    assert!(res.text().await.unwrap().contains("Servizio temporaneamente non disponibile"));
    app.stop().await;
}

#[tokio::test]
async fn a_client_request_id_is_kept_only_when_short_and_printable() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let id = |res: &reqwest::Response| res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id(&app.get_with("/", "x-request-id", "lb-7f3a.2026:01").await), "lb-7f3a.2026:01");
    let long = "a".repeat(65);
    for bad in [long.as_str(), "<script>alert(1)</script>", "due parole", "a\"b"] {
        let got = id(&app.get_with("/", "x-request-id", bad).await);
        assert_ne!(got, bad);
        assert_eq!(got.len(), 36, "a fresh UUID instead of {bad:?}: {got}");
    }
    app.stop().await;
}

#[tokio::test]
async fn errors_are_a_page_for_browsers_and_problem_json_for_json_clients() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let page = app.get("/__test/errore/409").await;
    assert_eq!(page.status(), 409);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("Conflitto con una modifica più recente"), "{html}");
    assert!(html.contains("Il valore è stato modificato da un altro utente."), "{html}");

    let json = |path: &'static str| app.get_with(path, "accept", "application/json");
    let res = json("/__test/errore/409").await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body = common::json(res).await;
    assert_eq!(body["status"], 409);
    assert_eq!(body["title"], "Conflitto con una modifica più recente");
    assert_eq!(body["detail"], "Il valore è stato modificato da un altro utente.");
    assert_eq!(body["instance"], "/__test/errore/409");

    let body = common::json(json("/__test/errore/422").await).await;
    assert_eq!(body["status"], 422);
    assert_eq!(body["errors"][0]["field"], "D11.A");
    assert_eq!(body["errors"][1]["message"], "Il valore non può essere negativo.");
    let html = app.get("/__test/errore/422").await.text().await.unwrap();
    assert!(html.contains("D12.B") && html.contains("Il valore non può essere negativo."), "{html}");

    let res = json("/non-esiste").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body = common::json(res).await;
    assert_eq!(body["title"], "Pagina non trovata");

    let english = app
        .client
        .get(format!("{}/__test/errore/409", app.base))
        .header("accept", "application/problem+json")
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let body = common::json(english).await;
    assert_eq!(body["title"], "Conflict with a more recent change");
    app.stop().await;
}

#[tokio::test]
async fn a_json_error_body_written_by_a_handler_reaches_the_client_as_it_is() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    let res = app.get("/__test/errore/400").await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.text().await.unwrap(), r#"{"proprio":true}"#);
    app.stop().await;
}

#[tokio::test]
async fn anonymous_visits_of_pages_without_forms_keep_nothing_on_the_server() {
    let app = TestApp::spawn(common::Backend::Sqlite).await.unwrap();
    for path in ["/", "/guida", "/archivio", "/privacy", "/accessibilita", "/non-esiste", "/lingua/en?torna=/"] {
        let res = app.get(path).await;
        assert!(res.status().as_u16() < 500, "{path}");
        assert!(
            res.headers().get("set-cookie").is_none_or(|c| !c.to_str().unwrap().contains("raccolta_sessione")),
            "{path}"
        );
    }
    let sql = "SELECT CAST(COUNT(*) AS TEXT) FROM sessions";
    assert_eq!(common::scalar_text(&app.state.db, sql, &[]).await.as_deref(), Some("0"));
    // A form with a captcha has something to keep: then, and only then, a session.
    assert_eq!(app.get("/accesso").await.status(), 200);
    assert_eq!(common::scalar_text(&app.state.db, sql, &[]).await.as_deref(), Some("1"));
    app.stop().await;
}
