//! Enti and associations end to end over HTTP, on SQLite and PostgreSQL: the import, the search, the request →
//! approval → selection flow with its notifications and e-mails, rejection and revocation, bad input, and the
//! authorization matrix of every ente-scoped route.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::browser::{Browser, Page};
use common::{Backend, TestApp};
use raccolta::db::{associazioni, enti, outbox};
use raccolta::domain::{Modalita, StatoAssociazione};
use raccolta::enti::import::{self, ImportError, Opzioni};

const CAPTCHA: &str = "PROVA7";
const PASSWORD: &str = "girasole obliquo mangia tre lanterne";

const DEMO: &[u8] = raccolta::enti::demo::CSV;

async fn start(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn_with(backend, &[("RACCOLTA_CAPTCHA_TEST_ANSWER", CAPTCHA)]).await?;
    import::importa(&app.state.db, DEMO, Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
    Some(app)
}

async fn utente(app: &TestApp, codice: &str, nome: &str, admin: bool) -> i64 {
    common::utente_attivo(app, codice, nome, admin, PASSWORD).await
}

async fn login<'a>(app: &'a TestApp, codice: &str) -> Browser<'a> {
    login_con(app, codice, PASSWORD).await
}

/// Logs in as `nome` (code or e-mail) with `password`; the login must succeed.
async fn login_con<'a>(app: &'a TestApp, nome: &str, password: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    let form = b.get("/accesso").await;
    let csrf = form.hidden("csrf");
    let page = b
        .post("/accesso", &[("csrf", &csrf), ("nome_utente", nome), ("password", password), ("captcha", CAPTCHA)])
        .await;
    assert_eq!(page.status, 303, "login of {nome}: {}", page.body);
    b
}

async fn ente_id(app: &TestApp, codice_ipa: &str) -> i64 {
    let r = enti::Ricerca { testo: "", anche_inattivi: true, limit: 1000, ..Default::default() };
    enti::cerca(&app.state.db, &r).await.unwrap().into_iter().find(|v| v.codice_ipa == codice_ipa).unwrap().id
}

/// The CSRF token of a signed-in browser.
async fn csrf(b: &mut Browser<'_>) -> String {
    b.get("/area-riservata").await.hidden("csrf")
}

async fn chiedi(b: &mut Browser<'_>, ente: i64, modalita: &str) -> Page {
    let csrf = csrf(b).await;
    b.post("/enti/aggiungi", &[("csrf", &csrf), ("ente", &ente.to_string()), ("modalita", modalita)]).await
}

async fn json(app: &TestApp, path: &str) -> serde_json::Value {
    serde_json::from_str(&app.get(path).await.text().await.unwrap()).unwrap()
}

fn bell(page: &Page) -> String {
    page.body.split(r#"id="notifiche-non-lette">"#).nth(1).unwrap().split('<').next().unwrap().to_owned()
}

both_backends! {
    async fn search_finds_names_without_accents_or_capitals(app) {
        import::importa(&app.state.db, DEMO, Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        let res: serde_json::Value = json(app, "/enti/cerca?q=CITTA%20roma").await;
        assert_eq!(res[0]["nome"], "Città metropolitana di Roma Capitale", "{res}");
        let res: serde_json::Value = json(app, "/enti/cerca?q=roma&tipo=comune").await;
        assert_eq!(res.as_array().unwrap().len(), 1, "{res}");
        assert_eq!(res[0]["nome"], "Roma Capitale");
        let res: serde_json::Value = json(app, "/enti/cerca?q=bozen").await;
        assert_eq!(res[0]["nome"], "Comune di Bolzano/Stadtgemeinde Bozen");
        // One letter, a forged type, a wildcard: no error, no surprise.
        let res: serde_json::Value = json(app, "/enti/cerca?q=r").await;
        assert_eq!(res, serde_json::json!([]));
        let res: serde_json::Value = json(app, "/enti/cerca?q=%25&tipo=xx").await;
        assert_eq!(res, serde_json::json!([]));
        let res: serde_json::Value = json(app, "/enti/cerca?q=comune&tipo=xx").await;
        assert_eq!(res.as_array().unwrap().len(), 15, "an unknown type is no filter: every \"Comune di …\"");
    }
}

/// An IPA-like file of `n` enti, with valid codici fiscali.
fn ipa(n: usize, nome: &str) -> String {
    let mut out = String::from("Codice_IPA;Denominazione_ente;Codice_fiscale_ente;Codice_Categoria;Regione\n");
    for i in 0..n {
        let body = format!("{:010}", 80_000_000 + i * 7);
        let sum: u32 = body
            .chars()
            .enumerate()
            .map(|(k, c)| {
                let d = c.to_digit(10).unwrap();
                if k % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
            })
            .sum();
        let cat = if i % 100 == 1 { "L5" } else { "L6" };
        out.push_str(&format!("e_{i:05};{nome} {i};{body}{};{cat};Lazio\n", (10 - sum % 10) % 10));
    }
    out
}

both_backends! {
    async fn the_in_memory_index_answers_like_sql_and_sees_an_import_made_on_another_node(app) {
        let db = &app.state.db;
        let indice = &app.state.indice_enti;
        import::importa(db, ipa(3000, "Comune di Prova").as_bytes(), Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        import::importa(db, DEMO, Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        for testo in ["prova", "prova 1", "prova 12", "di prova 29", "comune", "roma", "citta roma", "bozen", "ma", "o", "xyz", "prova prova", "1 prova"] {
            for tipo in [None, Some("comune"), Some("provincia")] {
                for (offset, limit) in [(0, 20), (5, 7), (2990, 50)] {
                    let r = enti::Ricerca { testo, tipo, offset, limit, anche_inattivi: false };
                    assert_eq!(indice.cerca(db, &r).await.unwrap(), enti::cerca(db, &r).await.unwrap(), "{testo} {tipo:?} {offset}");
                }
            }
        }

        // Another node imports: this node's next search sees the change, with no restart.
        let altro = common::TestApp::spawn_on(app.db.clone(), app.backend, &[]).await;
        let r = enti::Ricerca { testo: "prova 2999", limit: 20, ..Default::default() };
        assert_eq!(indice.cerca(db, &r).await.unwrap().len(), 1);
        let rinominato = ipa(3000, "Comune di Prova").replace("Comune di Prova 2999;", "Comune di Saggio 2999;");
        import::importa(&altro.state.db, rinominato.as_bytes(), Opzioni { disattiva_mancanti: true }, &mut |_, _, _| {})
            .await
            .unwrap();
        assert!(indice.cerca(db, &r).await.unwrap().is_empty(), "the old name is gone");
        let nuovo = enti::Ricerca { testo: "saggio", limit: 20, ..Default::default() };
        assert_eq!(indice.cerca(db, &nuovo).await.unwrap().len(), 1);
        let demo = enti::Ricerca { testo: "roma", limit: 20, ..Default::default() };
        assert!(indice.cerca(db, &demo).await.unwrap().is_empty(), "the demo enti were deactivated by the import");
        let tutti = enti::Ricerca { anche_inattivi: true, ..demo };
        assert_eq!(indice.cerca(db, &tutti).await.unwrap(), enti::cerca(db, &tutti).await.unwrap());
        altro.stop().await;
    }
}

both_backends! {
    async fn an_ente_with_a_malformed_istat_code_is_imported_without_it_and_the_report_says_so(app) {
        let file = "Codice_IPA;Denominazione_ente;Codice_fiscale_ente;Codice_Categoria;Codice_comune_ISTAT\n\
                    c_h501;Roma Capitale;02438750586;L6;58-091\nc_a944;Comune di Bologna;01232710374;L6;37006\n";
        let r = import::importa(&app.state.db, file.as_bytes(), Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        assert_eq!(r.inserite, 2, "{r:?}");
        assert_eq!(r.avvisi.len(), 1, "{r:?}");
        assert_eq!(r.avvisi[0].codice_ipa, "c_h501");
        let bologna = enti::by_id(&app.state.db, ente_id(app, "c_a944").await).await.unwrap().unwrap();
        assert_eq!(bologna.codice_istat.as_deref(), Some("037006"));
        let demo = import::importa(&app.state.db, DEMO, Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        assert!(demo.avvisi.is_empty(), "{:?}", demo.avvisi);
    }
}

both_backends! {
    async fn eight_thousand_enti_import_once_and_a_second_run_changes_nothing(app) {
        let db = &app.state.db;
        let file = ipa(8000, "Comune di Prova");
        let r = import::importa(db, file.as_bytes(), Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        assert_eq!((r.righe, r.inserite, r.aggiornate, r.invariate), (8000, 8000, 0, 0));
        let again = import::importa(db, file.as_bytes(), Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        assert_eq!((again.inserite, again.aggiornate, again.invariate), (0, 0, 8000));
        assert_eq!(enti::conta(db).await.unwrap(), 8000);

        // One name changed and ten enti gone: one update, ten reported; deactivated only when asked.
        let mut righe: Vec<&str> = file.lines().collect();
        righe.truncate(righe.len() - 10);
        let changed = righe.join("\n").replace("Comune di Prova 5;", "Comune di Prova Cinque;");
        let r = import::importa(db, changed.as_bytes(), Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        assert_eq!((r.aggiornate, r.invariate, r.mancanti.len(), r.disattivate), (1, 7989, 10, 0));
        let r = import::importa(db, changed.as_bytes(), Opzioni { disattiva_mancanti: true }, &mut |_, _, _| {})
            .await
            .unwrap();
        assert_eq!((r.aggiornate, r.mancanti.len(), r.disattivate), (0, 10, 10));
        let res: serde_json::Value = json(app, "/enti/cerca?q=prova%207999").await;
        assert_eq!(res, serde_json::json!([]), "a deactivated ente takes no requests");
        // Back in the file: reactivated.
        let r = import::importa(db, file.as_bytes(), Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        assert_eq!(r.aggiornate, 11);

        // A malformed file is refused whole: nothing of its valid rows is written.
        let broken = format!("{}e_00001;Doppio;80000007;L6;Lazio\n", ipa(5, "Nuovo Nome"));
        let broken = broken.replacen("e_00000;Nuovo Nome 0", "e_09999;Nuovo Nome 0", 1);
        let err = import::importa(db, broken.as_bytes(), Opzioni::default(), &mut |_, _, _| {}).await.unwrap_err();
        assert!(matches!(err, ImportError::Duplicato { .. }), "{err}");
        let res: serde_json::Value = json(app, "/enti/cerca?q=nuovo%20nome").await;
        assert_eq!(res, serde_json::json!([]));
        assert_eq!(enti::conta(db).await.unwrap(), 8000);
        for bad in [&b""[..], b"Codice_IPA;Denominazione_ente\nx;y\n", b"Codice_IPA,Denominazione_ente,Codice_fiscale_ente,Codice_Categoria\n"] {
            assert!(import::importa(db, bad, Opzioni::default(), &mut |_, _, _| {}).await.is_err());
        }
        assert_eq!(enti::conta(db).await.unwrap(), 8000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_approval_selection_rejection_and_revocation_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = start(backend).await else { continue };
        let db = &app.state.db;
        utente(&app, "ADMIN001", "Anna", true).await;
        utente(&app, "RESP0001", "Rita", false).await;
        let u_id = utente(&app, "UTEN0001", "Ugo", false).await;
        utente(&app, "UTEN0002", "Vera", false).await;
        let bologna = ente_id(&app, "c_a944").await;

        // No responsabile yet: the request goes to the administrators.
        let mut u = login(&app, "UTEN0001").await;
        let home = u.get("/area-riservata").await;
        assert!(home.body.contains("Nessun ente associato"), "{}", home.body);
        let form = u.get("/enti/aggiungi?q=bologna").await;
        assert!(form.body.contains(&format!(r#"value="{bologna}""#)), "the no-JS search lists it: {}", form.body);
        let sent = chiedi(&mut u, bologna, "compilazione").await;
        assert_eq!(sent.location.as_deref(), Some("/area-riservata?esito=richiesta-amministratori"));
        let home = u.get("/area-riservata?esito=richiesta-amministratori").await;
        assert!(home.body.contains("In attesa di approvazione"), "{}", home.body);
        assert!(home.body.contains("Richiesta inviata agli amministratori della piattaforma"), "{}", home.body);
        assert!(home.body.contains("Decidono gli amministratori della piattaforma"), "{}", home.body);
        let again = chiedi(&mut u, bologna, "consultazione").await;
        assert_eq!(again.status, 200);
        assert!(
            again.body.contains("Hai già una richiesta in attesa o un&#x27;associazione attiva per Comune di Bologna")
                || again
                    .body
                    .contains("Hai già una richiesta in attesa o un&#39;associazione attiva per Comune di Bologna"),
            "{}",
            again.body
        );
        // Forged values: a clear message each, nothing recorded.
        let csrf_u = csrf(&mut u).await;
        let forged =
            u.post("/enti/aggiungi", &[("csrf", &csrf_u), ("ente", "999999"), ("modalita", "amministratore")]).await;
        assert!(
            forged.body.contains("Scegli l&#x27;ente dall&#x27;elenco.") || forged.body.contains("Scegli l&#39;ente"),
            "{}",
            forged.body
        );
        assert!(forged.body.contains("Scegli la modalità: Consultazione o Compilazione."));
        assert_eq!(associazioni::del_utente(db, u_id).await.unwrap().len(), 1);

        let mut admin = login(&app, "ADMIN001").await;
        let page = admin.get("/gestione/richieste").await;
        assert_eq!(bell(&page), "1", "the administrator was notified");
        assert!(page.body.contains("Ugo Prova (UTEN0001)"), "{}", page.body);
        // The administrator appoints Rita responsabile of Bologna.
        let csrf_a = csrf(&mut admin).await;
        let done = admin
            .post(
                &format!("/gestione/enti/{bologna}/responsabili"),
                &[("csrf", &csrf_a), ("azione", "nomina"), ("utente", "resp0001")],
            )
            .await;
        assert_eq!(done.location.as_deref(), Some(format!("/gestione/enti/{bologna}?esito=nominato").as_str()));
        let twice = admin
            .post(
                &format!("/gestione/enti/{bologna}/responsabili"),
                &[("csrf", &csrf_a), ("azione", "nomina"), ("utente", "RESP0001")],
            )
            .await;
        assert!(twice.location.unwrap().ends_with("errore=gia-responsabile"));

        // Vera's request now goes to Rita.
        let mut v = login(&app, "UTEN0002").await;
        chiedi(&mut v, bologna, "consultazione").await;
        let mut r = login(&app, "RESP0001").await;
        let page = r.get(&format!("/enti/{bologna}/associazioni")).await;
        assert_eq!(page.status, 200);
        assert_eq!(bell(&page), "1");
        let assoc = associazioni::dell_ente(db, bologna).await.unwrap();
        let ugo = assoc.iter().find(|a| a.user_id == u_id).unwrap().id;
        let vera = assoc.iter().find(|a| a.user_id != u_id).unwrap().id;
        let csrf_r = csrf(&mut r).await;
        let ok = r.post(&format!("/associazioni/{ugo}/approva"), &[("csrf", &csrf_r)]).await;
        assert_eq!(ok.location.as_deref(), Some(format!("/enti/{bologna}/associazioni?esito=approva").as_str()));
        let twice = r.post(&format!("/associazioni/{ugo}/approva"), &[("csrf", &csrf_r)]).await;
        assert_eq!(twice.location.as_deref(), Some(format!("/enti/{bologna}/associazioni?errore=gia-decisa").as_str()));
        let page = r.get(&format!("/enti/{bologna}/associazioni?errore=gia-decisa")).await;
        assert!(page.body.contains("Nessuna modifica: la richiesta era già stata decisa"), "{}", page.body);
        r.post(
            &format!("/associazioni/{vera}/rifiuta"),
            &[("csrf", &csrf_r), ("motivo", "Non risulta dipendente dell'ente")],
        )
        .await;

        // Ugo: notified, selects Bologna, the header says so on every page.
        let home = u.get("/area-riservata").await;
        assert_eq!(bell(&home), "1");
        assert!(home.body.contains("Attiva"));
        let notifiche = u.get("/notifiche").await;
        assert!(
            notifiche.body.contains("La tua richiesta per Comune di Bologna è stata approvata: modalità Compilazione."),
            "{}",
            notifiche.body
        );
        let csrf_u = csrf(&mut u).await;
        u.post("/notifiche/lette", &[("csrf", &csrf_u)]).await;
        assert_eq!(bell(&u.get("/area-riservata").await), "0");
        let sel = u.post(&format!("/enti/{bologna}/seleziona"), &[("csrf", &csrf_u)]).await;
        assert_eq!(sel.status, 303);
        let guida = u.get("/guida").await;
        assert!(
            guida.body.contains(&format!(
                r#"Ente selezionato: <a href="/enti/{bologna}">Comune di Bologna</a> (Compilazione)"#
            )),
            "{}",
            guida.body
        );
        let saved = u
            .post(
                &format!("/enti/{bologna}/referente"),
                &[
                    ("csrf", &csrf_u),
                    ("nome", "Ugo Prova"),
                    ("telefono", "051 123456"),
                    ("email", "ugo@comune.bologna.it"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303);
        let bad = u
            .post(
                &format!("/enti/{bologna}/referente"),
                &[("csrf", &csrf_u), ("nome", "Ugo"), ("telefono", "abc"), ("email", "non-una-email")],
            )
            .await;
        assert_eq!(bad.status, 200);
        assert!(bad.body.contains("Scrivi un numero di telefono"), "{}", bad.body);
        assert_eq!(enti::by_id(db, bologna).await.unwrap().unwrap().referente_telefono.as_deref(), Some("051 123456"));

        // Vera sees the refusal and its reason.
        let home = v.get("/area-riservata").await;
        assert!(
            home.body.contains("Rifiutata") && home.body.contains("Non risulta dipendente dell&#x27;ente")
                || home.body.contains("Non risulta dipendente dell&#39;ente"),
            "{}",
            home.body
        );

        // Rita moves Ugo to Consultazione: he can read, not change.
        let csrf_r = csrf(&mut r).await;
        r.post(&format!("/associazioni/{ugo}/modalita"), &[("csrf", &csrf_r), ("modalita", "consultazione")]).await;
        let forged =
            r.post(&format!("/associazioni/{ugo}/modalita"), &[("csrf", &csrf_r), ("modalita", "padrone")]).await;
        assert!(forged.location.unwrap().ends_with("errore=modalita-non-valida"));
        assert_eq!(u.get(&format!("/enti/{bologna}")).await.status, 200);
        let denied = u.post(&format!("/enti/{bologna}/referente"), &[("csrf", &csrf_u), ("nome", "X")]).await;
        assert_eq!(denied.status, 404);
        // Rita revokes: the next request already sees it.
        r.post(&format!("/associazioni/{ugo}/revoca"), &[("csrf", &csrf_r), ("motivo", "Fine incarico")]).await;
        assert_eq!(u.get(&format!("/enti/{bologna}")).await.status, 404);
        let guida = u.get("/guida").await;
        assert!(!guida.body.contains("Ente selezionato:"), "the selection is dropped");
        let twice = r.post(&format!("/associazioni/{ugo}/revoca"), &[("csrf", &csrf_r)]).await;
        assert!(twice.location.unwrap().ends_with("errore=gia-decisa"));
        let a = associazioni::by_id(db, ugo).await.unwrap().unwrap();
        assert_eq!(a.stato(), Some(StatoAssociazione::Revocata));
        assert_eq!(a.motivo.as_deref(), Some("Fine incarico"));
        // After a revocation a new request is possible.
        assert_eq!(chiedi(&mut u, bologna, "consultazione").await.status, 303);

        // Every event also went out by e-mail, in the recipient's language.
        let n = outbox::pending_count(db).await.unwrap() + sqlx_sent(&app).await;
        assert!(n >= 7, "request ×3, approved, rejected, mode, revoked: {n}");
        // Unknown and malformed ids: 404 and 400, never 500.
        assert_eq!(u.get("/enti/999999").await.status, 404);
        assert_eq!(u.get("/enti/abc").await.status, 400);
        assert_eq!(r.post("/associazioni/999999/approva", &[("csrf", &csrf_r)]).await.status, 404);
        assert_eq!(r.post(&format!("/associazioni/{ugo}/distruggi"), &[("csrf", &csrf_r)]).await.status, 404);
        app.stop().await;
    }
}

/// Messages already handed to the transport (the file mailer of the tests delivers quickly).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_sent_before_any_administrator_exists_says_so_and_reaches_the_first_one_created() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = start(backend).await else { continue };
        let db = &app.state.db;
        utente(&app, "UTEN0001", "Ugo", false).await;
        let bologna = ente_id(&app, "c_a944").await;
        let roma = ente_id(&app, "c_h501").await;
        let mut u = login(&app, "UTEN0001").await;
        let sent = chiedi(&mut u, bologna, "compilazione").await;
        assert_eq!(sent.location.as_deref(), Some("/area-riservata?esito=richiesta-nessuno"));
        let home = u.get("/area-riservata?esito=richiesta-nessuno").await;
        assert!(home.body.contains("la piattaforma non ha ancora un amministratore"), "{}", home.body);
        assert!(home.body.contains("raccolta admin create"), "{}", home.body);
        assert!(home.body.contains("Decidono gli amministratori della piattaforma"), "{}", home.body);
        chiedi(&mut u, roma, "consultazione").await;

        // The first administrator, created afterwards, finds both requests under the bell.
        let admin = raccolta::admin::crea_demo(db, &app.state.hasher, &app.state.clock).await.unwrap();
        assert!(admin.creato);
        let mut a = login_con(&app, raccolta::admin::DEMO_EMAIL, raccolta::admin::DEMO_PASSWORD).await;
        let notifiche = a.get("/notifiche").await;
        assert_eq!(bell(&notifiche), "2", "{}", notifiche.body);
        assert!(
            notifiche.body.contains("Ugo Prova (UTEN0001) chiede di lavorare su Comune di Bologna"),
            "{}",
            notifiche.body
        );
        assert!(notifiche.body.contains(&format!("/enti/{bologna}/associazioni")), "{}", notifiche.body);

        // One created from the command line later too; a decided request is not brought back.
        let richieste = associazioni::dell_ente(db, roma).await.unwrap();
        let ctx = raccolta::context::Context::system(&app.state.clock, None);
        let demo = raccolta::db::users::by_email(db, raccolta::admin::DEMO_EMAIL).await.unwrap().unwrap();
        raccolta::enti::associazioni::decidi(
            &app.state,
            &ctx,
            &demo,
            &richieste[0],
            &raccolta::enti::associazioni::Decisione::Approva,
        )
        .await
        .unwrap();
        raccolta::admin::crea(db, &app.state.config, "secondo@comune.example", "Sara Seconda").await.unwrap();
        let secondo = raccolta::db::users::by_email(db, "secondo@comune.example").await.unwrap().unwrap();
        assert_eq!(raccolta::db::notifiche::non_lette(db, secondo.id).await.unwrap(), 1, "only Bologna still waits");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_has_one_administrator_who_logs_in_with_the_documented_password_at_every_start() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let demo = [("RACCOLTA_CAPTCHA_TEST_ANSWER", CAPTCHA), ("RACCOLTA_DEMO", "true")];
        let Some(app) = TestApp::spawn_with(backend, &demo).await else { continue };
        let again = TestApp::spawn_on(app.db.clone(), app.backend, &demo).await;
        let n = common::scalar_text(
            &app.state.db,
            "SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE ruolo = 'amministratore'",
            &[],
        )
        .await;
        assert_eq!(n.as_deref(), Some("1"), "a second start creates no second administrator");
        again.stop().await;
        let mut b = login_con(&app, raccolta::admin::DEMO_EMAIL, raccolta::admin::DEMO_PASSWORD).await;
        assert_eq!(b.get("/gestione").await.status, 200, "the demo administrator reaches Gestione");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_says_primo_accesso_at_the_first_sign_in_and_stays_on_a_page_that_does_not_exist() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = start(backend).await else { continue };
        utente(&app, "UTEN0001", "Ugo", false).await;
        let mut u = login(&app, "UTEN0001").await;
        let home = u.get("/area-riservata").await;
        assert!(home.body.contains("Primo accesso"), "{}", home.body);
        assert!(!home.body.contains("Ultimo Login"), "{}", home.body);
        let missing = u.get("/pagina-che-non-esiste").await;
        assert_eq!(missing.status, 404);
        assert!(missing.body.contains("Pagina non trovata"), "{}", missing.body);
        assert!(missing.body.contains("<strong>Ugo Prova</strong>"), "the signed-in header: {}", missing.body);
        assert!(missing.body.contains(&format!(r#"name="csrf" value="{}""#, home.hidden("csrf"))), "Esci works");
        let second = login(&app, "UTEN0001").await.get("/area-riservata").await;
        assert!(second.body.contains("Ultimo Login"), "{}", second.body);
        assert!(!second.body.contains("Primo accesso"), "{}", second.body);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reserved_home_greets_without_a_stray_space_and_speaks_of_authorities_in_english() {
    let Some(app) = start(Backend::Sqlite).await else { return };
    let hash = app.state.hasher.hash(PASSWORD).await.unwrap();
    let now = app.state.clock.now();
    let mut tx = app.state.db.begin().await.unwrap();
    // `raccolta admin create --name Anna`: a one-word name, an empty surname.
    raccolta::db::users::insert_admin(&mut tx, "ADMIN001", "Anna", "", "anna@comune.example", &hash, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut a = login(&app, "ADMIN001").await;
    let home = a.get("/area-riservata").await;
    assert!(home.body.contains("Benvenuto, Anna."), "{}", home.body);
    assert!(home.body.contains("<strong>Anna</strong>"), "{}", home.body);
    let en = a.send(app.client.get(format!("{}/area-riservata", app.base)).header("accept-language", "en")).await;
    assert!(en.body.contains("Your authorities"), "{}", en.body);
    assert!(!en.body.contains("Your enti"), "{}", en.body);
    app.stop().await;
}

async fn sqlx_sent(app: &TestApp) -> i64 {
    let mut n = 0;
    for id in 1..200 {
        if let Some(s) = outbox::status(&app.state.db, id).await.unwrap()
            && s.sent_at.is_some()
        {
            n += 1;
        }
    }
    n
}

#[derive(Clone, Copy, Debug)]
enum Chi {
    Anonimo,
    Nessuna,
    InAttesa,
    Consultazione,
    Compilazione,
    ResponsabileAltro,
    Amministratore,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_matrix_of_every_ente_scoped_route_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = start(backend).await else { continue };
        let db = &app.state.db;
        let e = ente_id(&app, "c_f205").await;
        let altro = ente_id(&app, "c_l219").await;
        let now = app.state.clock.now();
        let admin = utente(&app, "MATADMIN", "Amm", true).await;
        let mut browsers = Vec::new();
        for (codice, chi) in [
            ("MATNESS1", Chi::Nessuna),
            ("MATATTE1", Chi::InAttesa),
            ("MATCONS1", Chi::Consultazione),
            ("MATCOMP1", Chi::Compilazione),
            ("MATRESP1", Chi::ResponsabileAltro),
        ] {
            let id = utente(&app, codice, "Persona", false).await;
            let mut tx = db.begin().await.unwrap();
            match chi {
                Chi::InAttesa => {
                    associazioni::richiedi(&mut tx, id, e, Modalita::Compilazione, now).await.unwrap();
                }
                Chi::Consultazione | Chi::Compilazione => {
                    let m =
                        if matches!(chi, Chi::Compilazione) { Modalita::Compilazione } else { Modalita::Consultazione };
                    let a = associazioni::richiedi(&mut tx, id, e, m, now).await.unwrap();
                    associazioni::decidi(
                        &mut tx,
                        a,
                        StatoAssociazione::InAttesa,
                        StatoAssociazione::Attiva,
                        None,
                        admin,
                        now,
                    )
                    .await
                    .unwrap();
                }
                Chi::ResponsabileAltro => {
                    associazioni::nomina(&mut tx, altro, id, admin, now).await.unwrap();
                }
                _ => {}
            }
            tx.commit().await.unwrap();
            browsers.push((chi, Some(login(&app, codice).await)));
        }
        browsers.insert(0, (Chi::Anonimo, None));
        browsers.push((Chi::Amministratore, Some(login(&app, "MATADMIN").await)));
        // A pending request of someone else, for the decision routes.
        let terzo = utente(&app, "MATTERZO", "Terzo", false).await;
        let mut tx = db.begin().await.unwrap();
        let pendente = associazioni::richiedi(&mut tx, terzo, e, Modalita::Consultazione, now).await.unwrap();
        tx.commit().await.unwrap();

        // Expected status per persona, in the order: anonimo, nessuna, in attesa, consultazione, compilazione,
        // responsabile di un altro ente, amministratore. Anonymous GETs go to the login page (303); anonymous
        // POSTs carry no session token (403). 404 hides what exists.
        let routes: Vec<(&str, String, [u16; 7])> = vec![
            ("GET", format!("/enti/{e}"), [303, 404, 404, 200, 200, 404, 200]),
            ("POST", format!("/enti/{e}/seleziona"), [403, 404, 404, 303, 303, 404, 303]),
            ("POST", format!("/enti/{e}/referente"), [403, 404, 404, 404, 303, 404, 404]),
            ("GET", format!("/enti/{e}/associazioni"), [303, 404, 404, 404, 404, 404, 200]),
            ("POST", format!("/associazioni/{pendente}/modalita"), [403, 404, 404, 404, 404, 404, 303]),
            ("POST", format!("/associazioni/{pendente}/rifiuta"), [403, 404, 404, 404, 404, 404, 303]),
            ("GET", format!("/gestione/enti/{e}"), [303, 404, 404, 404, 404, 404, 200]),
            ("POST", format!("/gestione/enti/{e}/responsabili"), [403, 404, 404, 404, 404, 404, 303]),
            ("GET", "/gestione/richieste".to_owned(), [303, 404, 404, 404, 404, 404, 200]),
            ("GET", "/gestione/enti".to_owned(), [303, 404, 404, 404, 404, 404, 200]),
        ];
        let mut failures = Vec::new();
        for (method, path, expected) in &routes {
            for (i, (chi, browser)) in browsers.iter_mut().enumerate() {
                let status = match browser {
                    None => {
                        let url = format!("{}{path}", app.base);
                        let req = if *method == "GET" {
                            app.client.get(url)
                        } else {
                            app.client.post(url).form(&[("x", "y")])
                        };
                        req.send().await.unwrap().status().as_u16()
                    }
                    Some(b) if *method == "GET" => b.get(path).await.status,
                    Some(b) => {
                        let csrf = csrf(b).await;
                        let form = [
                            ("csrf", csrf.as_str()),
                            ("nome", "Mario Rossi"),
                            ("modalita", "compilazione"),
                            ("azione", "nomina"),
                            ("utente", "MATTERZO"),
                        ];
                        b.post(path, &form).await.status
                    }
                };
                if status != expected[i] {
                    failures.push(format!("{method} {path} as {chi:?}: {status}, expected {}", expected[i]));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_rendered_for_a_signed_in_user_is_marked_no_store() {
    let app = start(Backend::Sqlite).await.unwrap();
    utente(&app, "CACHE001", "Carla", false).await;
    let anonymous = app.get("/guida").await;
    assert!(anonymous.headers().get("cache-control").is_none(), "a public page for a visitor may be cached");
    let mut b = login(&app, "CACHE001").await;
    for path in ["/guida", "/", "/archivio", "/enti/aggiungi", "/profilo", "/pagina-che-non-esiste"] {
        let req = app.client.get(format!("{}{path}", app.base)).header("cookie", b.cookie.clone().unwrap());
        let res = req.send().await.unwrap();
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let _ = b.get("/area-riservata").await;
    app.stop().await;
}

/// The `expires_at` of the only signed-in session.
async fn scadenza(app: &TestApp) -> i64 {
    let sql = "SELECT CAST(expires_at AS TEXT) FROM sessions WHERE user_id IS NOT NULL";
    common::scalar_text(&app.state.db, sql, &[]).await.unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_limit_counts_from_the_last_request_and_a_page_view_writes_at_most_once_a_minute() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = start(backend).await else { continue };
        utente(&app, "SLIDE001", "Silvia", false).await;
        let mut b = login(&app, "SLIDE001").await;
        assert_eq!(b.get("/profilo").await.status, 200);
        let first = scadenza(&app).await;
        assert_eq!(b.get("/profilo").await.status, 200);
        assert_eq!(scadenza(&app).await, first, "a second view within the minute writes nothing");
        // Reading and typing for an hour, with a request every 20 minutes: never logged out.
        for _ in 0..3 {
            app.state.clock.advance(20 * 60);
            let page = b.get("/profilo").await;
            assert_eq!(page.status, 200, "still signed in");
        }
        assert!(scadenza(&app).await >= first + 60 * 60, "the expiry moved with the requests");
        // Idle for more than 30 minutes: the session ends.
        app.state.clock.advance(31 * 60);
        let page = b.get("/profilo").await;
        assert_eq!(page.status, 303);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_request_without_a_session_gets_401_in_json_never_a_redirect() {
    let app = start(Backend::Sqlite).await.unwrap();
    let res = app.get_with("/profilo", "accept", "application/json").await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body = common::json(res).await;
    assert_eq!(body["status"], 401);
    assert_eq!(body["title"], "Accesso necessario");
    let page = app.get("/profilo").await;
    assert_eq!(page.status(), 303, "a browser is still sent to the login page");
    app.stop().await;
}

/// The user row of `id`.
async fn user_row(app: &TestApp, id: i64) -> raccolta::db::users::User {
    raccolta::db::users::by_id(&app.state.db, id).await.unwrap().unwrap()
}

both_backends! {
    async fn the_guard_answers_every_permission_for_every_kind_of_user(app) {
        use raccolta::auth::guard::{Permission, allows};
        import::importa(&app.state.db, DEMO, Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        let (ente, altro) = (ente_id(app, "c_f205").await, ente_id(app, "c_l219").await);
        let admin = utente(app, "GUARDADM", "Ada", true).await;
        let resp = utente(app, "GUARDRES", "Rita", false).await;
        let comp = utente(app, "GUARDCOM", "Carlo", false).await;
        let cons = utente(app, "GUARDCON", "Cora", false).await;
        let estraneo = utente(app, "GUARDEST", "Elio", false).await;
        let now = app.state.clock.now();
        let mut tx = app.state.db.begin().await.unwrap();
        associazioni::nomina(&mut tx, ente, resp, admin, now).await.unwrap();
        for (u, m) in [(comp, Modalita::Compilazione), (cons, Modalita::Consultazione)] {
            let id = associazioni::richiedi(&mut tx, u, ente, m, now).await.unwrap();
            let (da, a) = (StatoAssociazione::InAttesa, StatoAssociazione::Attiva);
            assert!(associazioni::decidi(&mut tx, id, da, a, None, admin, now).await.unwrap());
        }
        tx.commit().await.unwrap();
        let perms = [
            Permission::Administer,
            Permission::View { ente_id: ente },
            Permission::Compile { ente_id: ente },
            Permission::DecideAssociations { ente_id: ente },
            Permission::DecideAssociation { ente_id: ente, requester_id: comp },
            Permission::View { ente_id: altro },
        ];
        let expected = [
            (admin, [true, true, false, true, true, true]),
            (resp, [false, true, true, true, true, false]),
            (comp, [false, true, true, false, false, false]),
            (cons, [false, true, false, false, false, false]),
            (estraneo, [false, false, false, false, false, false]),
        ];
        for (id, row) in expected {
            let user = user_row(app, id).await;
            for (p, want) in perms.iter().zip(row) {
                assert_eq!(allows(&app.state.db, &user, *p).await.unwrap(), want, "{} {p:?}", user.codice);
            }
        }
    }

    async fn a_service_refuses_a_decision_its_caller_did_not_check(app) {
        use raccolta::enti::associazioni::{Decisione, decidi};
        import::importa(&app.state.db, DEMO, Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
        let ente = ente_id(app, "c_f205").await;
        let chiede = utente(app, "SERVCHI1", "Ciro", false).await;
        let estraneo = utente(app, "SERVEST1", "Elsa", false).await;
        let mut tx = app.state.db.begin().await.unwrap();
        let id = associazioni::richiedi(&mut tx, chiede, ente, Modalita::Compilazione, 0).await.unwrap();
        tx.commit().await.unwrap();
        let a = associazioni::by_id(&app.state.db, id).await.unwrap().unwrap();
        let ctx = raccolta::context::Context::system(&app.state.clock, None);
        for who in [estraneo, chiede] {
            let user = user_row(app, who).await;
            let refused = decidi(&app.state, &ctx, &user, &a, &Decisione::Approva).await;
            assert!(matches!(refused, Err(raccolta::auth::guard::Denied::NotAllowed)), "{}", user.codice);
        }
        let after = associazioni::by_id(&app.state.db, id).await.unwrap().unwrap();
        assert_eq!(after.stato(), Some(StatoAssociazione::InAttesa), "nothing changed");
    }
}
