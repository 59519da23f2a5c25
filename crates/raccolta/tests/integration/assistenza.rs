//! Assistenza, on SQLite and PostgreSQL, through the real router: a user opens a request with an attachment,
//! support (named by an administrator) answers in the thread, the states follow, each side hears of the other
//! (bell and e-mail without the message's text); an attachment whose content lies about its type is refused
//! and nothing is stored; every route answers only who may see the request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::common::TestApp;
use crate::common::browser::{Browser, Page};
use crate::compilazione::{con_demo, ente_id, login, start, utente};
use common::Backend;
use raccolta::domain::Modalita;

const PASSWORD: &str = "girasole obliquo mangia tre lanterne";
const TESTO: &str = "Il totale della tabella del personale non torna con la somma delle righe.";

async fn conta(app: &TestApp, sql: &str) -> i64 {
    common::scalar_text(&app.state.db, sql, &[]).await.unwrap().parse().unwrap()
}

async fn testo(app: &TestApp, sql: &str) -> String {
    common::scalar_text(&app.state.db, sql, &[]).await.unwrap_or_default()
}

/// A `multipart/form-data` body as a browser sends it: the text fields, then the files.
fn multipart(campi: &[(&str, &str)], file: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let confine = "----raccolta-prova-7d1f";
    let mut corpo = Vec::new();
    for (nome, valore) in campi {
        corpo.extend_from_slice(
            format!("--{confine}\r\nContent-Disposition: form-data; name=\"{nome}\"\r\n\r\n{valore}\r\n").as_bytes(),
        );
    }
    for (nome, dati) in file {
        corpo.extend_from_slice(
            format!(
                "--{confine}\r\nContent-Disposition: form-data; name=\"allegati\"; filename=\"{nome}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        corpo.extend_from_slice(dati);
        corpo.extend_from_slice(b"\r\n");
    }
    corpo.extend_from_slice(format!("--{confine}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={confine}"), corpo)
}

async fn invia(b: &mut Browser<'_>, path: &str, campi: &[(&str, &str)], file: &[(&str, &[u8])]) -> Page {
    let (tipo, corpo) = multipart(campi, file);
    let req = b.app.client.post(format!("{}{path}", b.app.base)).header("content-type", tipo).body(corpo);
    b.send(req).await
}

/// Opens a request as the form does; the page the server answered.
pub(crate) async fn apri(b: &mut Browser<'_>, ente: &str, oggetto: &str, file: &[(&str, &[u8])]) -> Page {
    let csrf = b.get("/assistenza/nuova").await.hidden("csrf");
    let campi = [
        ("csrf", csrf.as_str()),
        ("oggetto", oggetto),
        ("categoria", "compilazione"),
        ("ente", ente),
        ("testo", TESTO),
    ];
    invia(b, "/assistenza/nuova", &campi, file).await
}

fn pubblico_di(p: &Page) -> String {
    let l = p.location.as_deref().unwrap_or_else(|| panic!("no redirect: {} {}", p.status, p.body));
    l.trim_start_matches("/assistenza/").split('?').next().unwrap().to_owned()
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

/// The support user: an administrator names them from Gestione → Utenti.
async fn nomina_supporto(app: &TestApp, codice: &str) -> i64 {
    let id = common::utente_attivo(app, codice, "Sara Supporto", false, PASSWORD).await;
    let admin_codice = format!("A{}", &codice[1..]);
    common::utente_attivo(app, &admin_codice, "Ada Nomina", true, PASSWORD).await;
    let mut admin = login(app, &admin_codice).await;
    let csrf = admin.get(&format!("/gestione/utenti/{id}")).await.hidden("csrf");
    let r = admin.post(&format!("/gestione/utenti/{id}/supporto"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let dopo = admin.get(&format!("/gestione/utenti/{id}?esito=utente-supporto")).await;
    assert!(
        dopo.body.contains("Supporto (Assistenza)") && dopo.body.contains("Revoca il ruolo di supporto"),
        "{}",
        dopo.body
    );
    id
}

con_demo! {
    async fn a_user_opens_a_request_with_an_attachment_and_support_answers_in_the_thread(app) {
        let milano = ente_id(app, "c_f205").await;
        let uid = utente(app, "UASS0001", "Maria Assistenza", Some((milano, Modalita::Compilazione))).await;
        utente(app, "UASS0002", "Carlo Collega", Some((milano, Modalita::Consultazione))).await;
        let sid = nomina_supporto(app, "SASS0001").await;
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'utente.supporto_concesso'").await, 1);

        // The user opens it, with a PDF, about Milano.
        let mut u = login(app, "UASS0001").await;
        let form = u.get("/assistenza/nuova").await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("enctype=\"multipart/form-data\"") && form.body.contains("Milano"), "{}", form.body);
        let r = apri(&mut u, &milano.to_string(), "Totale personale che non torna", &[("schermata città.pdf", PDF)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let p = pubblico_di(&r);
        assert_eq!(p.len(), 32, "a random id, not a number");
        let pagina = u.get(&format!("/assistenza/{p}?esito=aperta")).await;
        assert!(pagina.body.contains("Richiesta inviata.") && pagina.body.contains(TESTO), "{}", pagina.body);
        assert!(pagina.body.contains("schermata città.pdf") && pagina.body.contains("Aperta"), "{}", pagina.body);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'assistenza.aperta'").await, 1);
        // Support hears of it: the bell, and an e-mail that does not carry the text.
        assert_eq!(conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE user_id = {sid} AND tipo = 'assistenza_nuova'")).await, 1);
        let mail = testo(app, "SELECT body_text FROM outbox WHERE recipient = 'sass0001@comune.example'").await;
        let oggetto = testo(app, "SELECT subject FROM outbox WHERE recipient = 'sass0001@comune.example'").await;
        assert_eq!(oggetto, "Nuova richiesta di assistenza n. 1");
        assert!(mail.contains("«Totale\npersonale che non torna»") && mail.contains(&format!("/assistenza/{p}")), "{mail}");
        assert!(!mail.contains("non torna con la somma"), "no message text in the e-mail: {mail}");

        // Support lists it, opens it, downloads the attachment as sent, as a file.
        let mut s = login(app, "SASS0001").await;
        let elenco = s.get("/assistenza").await;
        assert!(elenco.body.contains("Totale personale che non torna") && elenco.body.contains("Maria Assistenza"), "{}", elenco.body);
        let filtrato = s.get("/assistenza?stato=chiusa").await;
        assert!(!filtrato.body.contains("Totale personale che non torna"));
        let pagina = s.get(&format!("/assistenza/{p}")).await;
        let n: String = pagina.body.split(&format!("/assistenza/{p}/allegati/")).nth(1).unwrap().split('"').next().unwrap().to_owned();
        let res = app.client.get(format!("{}/assistenza/{p}/allegati/{n}", app.base)).header("cookie", s.cookie.clone().unwrap()).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let disposizione = res.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposizione.starts_with("attachment;") && disposizione.contains("filename*=UTF-8''schermata%20citt%C3%A0.pdf"), "{disposizione}");
        assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
        assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

        // Support answers: waiting for the user, taken by support; the user hears of it.
        let csrf = pagina.hidden("csrf");
        let r = invia(&mut s, &format!("/assistenza/{p}/messaggi"), &[("csrf", &csrf), ("testo", "Ricalcoli la riga 3: manca il part-time."), ("poi", "in_attesa")], &[]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let stato = testo(app, &format!("SELECT stato || ' ' || CAST(assegnata_a AS TEXT) FROM assistenza_richieste WHERE pubblico = '{p}'")).await;
        assert_eq!(stato, format!("in_attesa {sid}"));
        assert_eq!(conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE user_id = {uid} AND tipo = 'assistenza_messaggio'")).await, 1);
        let mail = testo(app, "SELECT body_text FROM outbox WHERE recipient = 'uass0001@comune.example' ORDER BY id DESC").await;
        assert!(mail.contains("Sara Supporto") && !mail.contains("part-time"), "{mail}");
        let pagina = u.get(&format!("/assistenza/{p}")).await;
        assert!(pagina.body.contains("Ricalcoli la riga 3") && pagina.body.contains("In attesa dell&#39;utente"), "{}", pagina.body);
        let notifiche = u.get("/notifiche").await;
        assert!(notifiche.body.contains("Sara Supporto Prova ha scritto nella richiesta di assistenza n."), "{}", notifiche.body);

        // A colleague of the ente sees it and writes: back to the one of support who has it.
        let mut c = login(app, "UASS0002").await;
        assert!(c.get("/assistenza").await.body.contains("Totale personale che non torna"));
        let csrf = c.get(&format!("/assistenza/{p}")).await.hidden("csrf");
        let r = invia(&mut c, &format!("/assistenza/{p}/messaggi"), &[("csrf", &csrf), ("testo", "Fatto, ora torna. Grazie.")], &[("riga 3.png", PNG)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(testo(app, &format!("SELECT stato FROM assistenza_richieste WHERE pubblico = '{p}'")).await, "in_lavorazione");
        assert_eq!(conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE user_id = {sid} AND tipo = 'assistenza_messaggio'")).await, 1);

        // The author closes it; writing again reopens it to support.
        let csrf = u.get(&format!("/assistenza/{p}")).await.hidden("csrf");
        let r = u.post(&format!("/assistenza/{p}/stato"), &[("csrf", &csrf), ("azione", "chiudi")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(testo(app, &format!("SELECT stato FROM assistenza_richieste WHERE pubblico = '{p}'")).await, "chiusa");
        let r = u.post(&format!("/assistenza/{p}/stato"), &[("csrf", &csrf), ("azione", "chiudi")]).await;
        assert_eq!(r.status, 422, "already closed: {}", r.body);
        assert!(r.body.contains("già in questo stato"));
        // A user cannot use support's powers, whatever the form says.
        assert_eq!(u.post(&format!("/assistenza/{p}/stato"), &[("csrf", &csrf), ("azione", "imposta"), ("stato", "in_attesa")]).await.status, 404);
        let r = invia(&mut u, &format!("/assistenza/{p}/messaggi"), &[("csrf", &csrf), ("testo", "Scusate, di nuovo.")], &[]).await;
        assert_eq!(r.status, 303);
        assert_eq!(testo(app, &format!("SELECT stato FROM assistenza_richieste WHERE pubblico = '{p}'")).await, "in_lavorazione");
        // Support moves it by hand; every step is in the thread and the audit log.
        let csrf = s.get(&format!("/assistenza/{p}")).await.hidden("csrf");
        assert_eq!(s.post(&format!("/assistenza/{p}/stato"), &[("csrf", &csrf), ("azione", "imposta"), ("stato", "chiusa")]).await.status, 303);
        let thread = s.get(&format!("/assistenza/{p}")).await;
        assert!(thread.body.contains("Stato: Chiusa.") && thread.body.contains("riga 3.png"), "{}", thread.body);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM assistenza_messaggi").await, 6);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action LIKE 'assistenza.%'").await, 6);
        assert_eq!(conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE user_id = {uid} AND tipo = 'assistenza_stato'")).await, 1);

        // Revoked, support sees only what is theirs again.
        let admin_csrf = {
            let mut a = login(app, "AASS0001").await;
            let t = a.get(&format!("/gestione/utenti/{sid}")).await.hidden("csrf");
            assert_eq!(a.post(&format!("/gestione/utenti/{sid}/non-supporto"), &[("csrf", &t)]).await.status, 303);
            t
        };
        assert!(!admin_csrf.is_empty());
        assert_eq!(s.get(&format!("/assistenza/{p}")).await.status, 404);
        // Their requests went back to all of support: the user's next message reaches the administrator, who is
        // support now that nobody else is, and never the revoked one.
        assert_eq!(testo(app, &format!("SELECT COALESCE(CAST(assegnata_a AS TEXT), 'nessuno') FROM assistenza_richieste WHERE pubblico = '{p}'")).await, "nessuno");
        let prima = conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE user_id = {sid}")).await;
        let csrf = u.get(&format!("/assistenza/{p}")).await.hidden("csrf");
        assert_eq!(invia(&mut u, &format!("/assistenza/{p}/messaggi"), &[("csrf", &csrf), ("testo", "Ancora una domanda.")], &[]).await.status, 303);
        assert_eq!(testo(app, &format!("SELECT stato FROM assistenza_richieste WHERE pubblico = '{p}'")).await, "aperta");
        assert_eq!(conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE user_id = {sid}")).await, prima);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM notifiche n JOIN users u ON u.id = n.user_id WHERE u.codice = 'AASS0001' AND n.tipo = 'assistenza_messaggio'").await, 1);
    }
}

con_demo! {
    async fn an_attachment_whose_content_lies_about_its_type_is_refused_and_nothing_is_stored(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "UASS0101", "Lia Allegati", Some((milano, Modalita::Compilazione))).await;
        let mut u = login(app, "UASS0101").await;
        let html = b"<!DOCTYPE html><html><script>alert('x')</script></html>";
        let r = apri(&mut u, "", "Ricevuta che non si apre", &[("ricevuta.pdf", html)]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("«ricevuta.pdf» non è davvero un file PDF"), "{}", r.body);
        assert!(r.body.contains(TESTO) && r.body.contains("value=\"Ricevuta che non si apre\""), "what was typed stays");
        let r = apri(&mut u, "", "Ricevuta che non si apre", &[("ricevuta.pdf", PNG)]).await;
        assert!(r.body.contains("il suo contenuto è PNG"), "{}", r.body);
        let grande = [b"%PDF-".as_slice(), &vec![b' '; 10 * 1024 * 1024]].concat();
        let r = apri(&mut u, "", "Ricevuta che non si apre", &[("grande.pdf", &grande)]).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("supera 10 MB"), "{}", r.body);
        let sei: Vec<(&str, &[u8])> = (0..6).map(|_| ("a.pdf", PDF)).collect();
        let r = apri(&mut u, "", "Ricevuta che non si apre", &sei).await;
        assert!(r.body.contains("al massimo 5 file"), "{}", r.body);
        let r = apri(&mut u, "", "Ricevuta che non si apre", &[("pagina.html", PDF)]).await;
        assert!(r.body.contains("si possono allegare solo PDF"), "{}", r.body);
        // An ente the user does not work with, and missing fields: each said beside its field.
        let roma = ente_id(app, "c_h501").await;
        let csrf = u.get("/assistenza/nuova").await.hidden("csrf");
        let r = invia(&mut u, "/assistenza/nuova", &[("csrf", &csrf), ("oggetto", "x"), ("categoria", "boh"), ("ente", &roma.to_string()), ("testo", "")], &[]).await;
        assert_eq!(r.status, 422);
        for m in ["Scrivi un oggetto da 5 a 150 caratteri.", "Scegli la categoria", "Scegli uno degli enti", "Descrivi il problema in 10"] {
            assert!(r.body.contains(m), "{m}: {}", r.body);
        }
        // Without the form's token nothing is read.
        let r = invia(&mut u, "/assistenza/nuova", &[("oggetto", "Senza token valido"), ("categoria", "altro"), ("testo", TESTO)], &[]).await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM assistenza_richieste").await, 0);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM assistenza_allegati").await, 0);
        // A spreadsheet (XLSX and an Excel CSV in Windows-1252) goes through.
        let mut libro = rust_xlsxwriter::Workbook::new();
        libro.add_worksheet().write_string(0, 0, "Spesa").unwrap();
        let xlsx = libro.save_to_buffer().unwrap();
        let r = apri(&mut u, "", "Foglio dei costi", &[("costi.xlsx", &xlsx), ("costi.csv", b"Citt\xe0;Spesa\r\nMilano;1.234,56\r\n")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let tipi = testo(app, "SELECT MIN(tipo) || ' ' || MAX(tipo) FROM assistenza_allegati").await;
        assert_eq!(tipi, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet text/csv");
    }
}

con_demo! {
    async fn every_assistenza_route_answers_only_who_may_see_the_request(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "UAMX0001", "Cora Consulta", Some((milano, Modalita::Consultazione))).await;
        utente(app, "UAMX0002", "Pia Compila", Some((milano, Modalita::Compilazione))).await;
        let resp = utente(app, "UAMX0003", "Rita Responsabile", None).await;
        raccolta::db::associazioni::nomina(&app.state.db, milano, resp, resp, 0).await.unwrap();
        utente(app, "UAMX0004", "Ugo Altrove", Some((ente_id(app, "c_h501").await, Modalita::Compilazione))).await;
        nomina_supporto(app, "SAMX0001").await;
        common::utente_attivo(app, "AAMX0002", "Ada Matrice", true, PASSWORD).await;

        let mut pia = login(app, "UAMX0002").await;
        let p = pubblico_di(&apri(&mut pia, &milano.to_string(), "Richiesta della matrice", &[("a.pdf", PDF)]).await);
        // A request about no ente: only its author and support.
        let privata = pubblico_di(&apri(&mut pia, "", "Richiesta personale di Pia", &[]).await);
        let n = testo(app, "SELECT CAST(MIN(id) AS TEXT) FROM assistenza_allegati").await;
        let get = [format!("/assistenza/{p}"), format!("/assistenza/{p}/allegati/{n}")];

        // Who sees it: the ente's users (any mode, responsabile too), support, administrators.
        for (codice, vede, privata_visibile) in [
            ("UAMX0001", true, false),
            ("UAMX0002", true, true),
            ("UAMX0003", true, false),
            ("UAMX0004", false, false),
            ("SAMX0001", true, true),
            ("AAMX0002", true, true),
        ] {
            let mut b = login(app, codice).await;
            let elenco = b.get("/assistenza").await;
            assert_eq!(elenco.status, 200, "{codice}");
            assert_eq!(elenco.body.contains("Richiesta della matrice"), vede, "{codice} list");
            assert_eq!(elenco.body.contains("Richiesta personale di Pia"), privata_visibile, "{codice} list");
            assert_eq!(b.get("/assistenza/nuova").await.status, 200, "{codice}");
            let atteso = if vede { 200 } else { 404 };
            for path in &get {
                assert_eq!(b.get(path).await.status, atteso, "{codice} GET {path}");
            }
            assert_eq!(b.get(&format!("/assistenza/{privata}")).await.status, if privata_visibile { 200 } else { 404 }, "{codice}");
            let csrf = b.get("/profilo").await.hidden("csrf");
            if !vede {
                let r = invia(&mut b, &format!("/assistenza/{p}/messaggi"), &[("csrf", &csrf), ("testo", "Intruso")], &[]).await;
                assert_eq!(r.status, 404, "{codice} POST messaggi");
                let r = b.post(&format!("/assistenza/{p}/stato"), &[("csrf", &csrf), ("azione", "chiudi")]).await;
                assert_eq!(r.status, 404, "{codice} POST stato");
            }
        }
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM assistenza_messaggi").await, 2, "nothing written by who may not");
        // A number or a made-up id is not a request.
        assert_eq!(pia.get("/assistenza/1").await.status, 404);
        assert_eq!(pia.get(&format!("/assistenza/{p}/allegati/999999")).await.status, 404);
        // Anonymous: to the login, for every page.
        let mut anonimo = Browser::new(app);
        for path in ["/assistenza".to_owned(), "/assistenza/nuova".to_owned(), get[0].clone(), get[1].clone()] {
            assert_eq!(anonimo.get(&path).await.status, 303, "anonymous GET {path}");
        }
        // Granting support is for administrators only.
        let sid = testo(app, "SELECT CAST(id AS TEXT) FROM users WHERE codice = 'UAMX0001'").await;
        let mut s = login(app, "SAMX0001").await;
        let csrf = s.get("/profilo").await.hidden("csrf");
        assert_eq!(s.post(&format!("/gestione/utenti/{sid}/supporto"), &[("csrf", &csrf)]).await.status, 404);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE supporto = TRUE").await, 1);
        // The only member of support opens a request: the administrators hear of it.
        let prima = conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE tipo = 'assistenza_nuova'").await;
        assert_eq!(apri(&mut s, "", "Richiesta del supporto stesso", &[]).await.status, 303);
        let admin = testo(app, "SELECT CAST(id AS TEXT) FROM users WHERE codice = 'AAMX0002'").await;
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE tipo = 'assistenza_nuova'").await, prima + 2);
        assert_eq!(conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE tipo = 'assistenza_nuova' AND user_id = {admin}")).await, 1);
        // An administrator may view any ente, but not one that does not exist: said beside the field, not a 500.
        let mut a = login(app, "AAMX0002").await;
        let r = apri(&mut a, "999999", "Ente che non esiste", &[]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Scegli uno degli enti"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_of_a_form_without_attachments_is_refused() {
    let app = start(Backend::Sqlite).await.expect("sqlite");
    let mut b = Browser::new(&app);
    let csrf = b.get("/accesso").await.hidden("csrf");
    let lungo = "x".repeat(3 * 1024 * 1024);
    let r = b.post("/accesso", &[("csrf", &csrf), ("nome_utente", &lungo)]).await;
    assert_eq!(r.status, 413, "the larger limit is only for the forms with attachments");
    app.stop().await;
}
