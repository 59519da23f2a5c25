//! Gestione → Campagne and Gestione → Monitoraggio, on SQLite and PostgreSQL, through the real router: closing a
//! campaign makes its questionnaires read only (saves, invii) and the public pages follow; reopening restores
//! them; a close stored by another node is enforced by the invio's own transaction; the monitoring lists every
//! ente × modulo with its state, counts, filters, sorts and exports what the filter shows; only administrators
//! reach any of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use calamine::Reader;

use crate::common;
use crate::common::TestApp;
use crate::compilazione::{con_demo, login, start};
use crate::invio::{compila_inviabile, compilatore, invia, metti, versione};
use common::Backend;
use raccolta::domain::Modalita;

const PASSWORD: &str = "girasole obliquo mangia tre lanterne";
const CAMPAGNA: &str = "monitoraggio-2023";

async fn conta(app: &TestApp, sql: &str) -> i64 {
    common::scalar_text(&app.state.db, sql, &[]).await.unwrap().parse().unwrap()
}

/// Posts the campaign form as the page fills it.
async fn imposta(
    b: &mut common::browser::Browser<'_>,
    campagna: &str,
    stato: &str,
    apertura: &str,
    scadenza: &str,
) -> common::browser::Page {
    let pagina = b.get("/gestione/campagne").await;
    assert_eq!(pagina.status, 200, "{}", pagina.body);
    let csrf = pagina.hidden("csrf");
    b.post(
        &format!("/gestione/campagne/{campagna}"),
        &[("csrf", &csrf), ("stato", stato), ("apertura", apertura), ("scadenza", scadenza)],
    )
    .await
}

con_demo! {
    async fn closing_a_campaign_refuses_saves_and_invii_until_it_is_reopened(app) {
        let (mut b, uid, p) = compilatore(app, "UCAM0001").await;
        assert_eq!(metti(&mut b, app, &p, "Q1_00", "NO").await, 200);
        common::utente_attivo(app, "ACAM0001", "Ada Campagne", true, PASSWORD).await;
        let mut admin = login(app, "ACAM0001").await;

        let elenco = admin.get("/gestione/campagne").await;
        assert!(elenco.body.contains("Scheda di monitoraggio") && elenco.body.contains("Aperta"), "{}", elenco.body);
        // Refused forms change nothing and say why, keeping what was typed.
        let r = imposta(&mut admin, CAMPAGNA, "chiusa", "2024-06-01", "2024-05-31").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("La scadenza non può precedere l&#x27;apertura") || r.body.contains("La scadenza non può precedere"), "{}", r.body);
        assert!(r.body.contains("value=\"2024-06-01\""), "what was typed stays");
        let r = imposta(&mut admin, CAMPAGNA, "chiusa", "31/02/2024", "2024-05-31").await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("gg/mm/aaaa"), "{}", r.body);
        assert_eq!(imposta(&mut admin, CAMPAGNA, "finita", "2024-04-02", "2024-05-31").await.status, 400);
        assert_eq!(imposta(&mut admin, "nessuna-2099", "chiusa", "2024-04-02", "2024-05-31").await.status, 404);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM campagne").await, 0);

        // Closed: stored, audited, the home page and the archive follow, the questionnaire is read only.
        let r = imposta(&mut admin, CAMPAGNA, "chiusa", "02/04/2024", "31/05/2024").await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'campagna.modifica'").await, 1);
        let dopo = admin.get("/gestione/campagne?esito=campagna").await;
        assert!(dopo.body.contains("Campagna aggiornata.") && dopo.body.contains("Ultima modifica di Ada Campagne"), "{}", dopo.body);
        let home = b.get("/").await;
        assert!(!home.body.contains("Scheda di monitoraggio / Relazione consuntiva, annualità 2023"), "no longer on the home page");
        assert!(b.get("/archivio").await.body.contains("Scheda di monitoraggio / Relazione consuntiva, annualità 2023"));
        let v = versione(app, &p, "Q1_01.A").await;
        let (status, corpo) = crate::compilazione::valore(&mut b, &p, "Q1_01.A", "3", v).await;
        assert_eq!(status, 409, "a save in a closed campaign is refused: {corpo}");
        let pagina = b.get(&format!("/questionari/{p}/compila/Q1")).await;
        assert!(!pagina.body.contains("<input type=\"text\""), "read only: no inputs");

        // Reopened: compiling and sending work again.
        let r = imposta(&mut admin, CAMPAGNA, "aperta", "2024-04-02", "2024-05-31").await;
        assert_eq!(r.status, 303);
        assert_eq!(imposta(&mut admin, CAMPAGNA, "aperta", "2024-04-02", "2024-05-31").await.status, 200, "nothing to change");
        compila_inviabile(&mut b, app, uid, &p).await;

        // Closed by another node, whose event this node has not heard: the invio's transaction still refuses.
        common::execute(&app.state.db, &format!(
            "INSERT INTO campagne (campagna, stato, apertura, scadenza, updated_at) VALUES ('{CAMPAGNA}', 'chiusa', '2024-04-02', '2024-05-31', 0) \
             ON CONFLICT (campagna) DO UPDATE SET stato = 'chiusa'"
        )).await;
        assert!(app.state.catalogo.campagna(CAMPAGNA).unwrap().aperta(), "this node's copy is stale on purpose");
        let r = invia(&mut b, &p, "chiave-chiusa").await;
        assert_ne!(r.status, 303, "not sent: {}", r.body);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM invii").await, 0);
        let v = versione(app, &p, "Q1_01.A").await;
        let (status, _) = crate::compilazione::valore(&mut b, &p, "Q1_01.A", "4", v).await;
        assert_eq!(status, 409, "a save's transaction reads the stored state too");
        raccolta::campagne::ricarica(&app.state).await.unwrap();
        // The monitoring counts the questionnaires of a closed campaign not sent as closed.
        let mut admin = login(app, "ACAM0001").await;
        let m = admin.get(&format!("/gestione/monitoraggio?campagna={CAMPAGNA}&stato=chiuso&q=milano")).await;
        assert!(m.body.contains("3 questionari trovati"), "{}", m.body);
        assert!(!app.state.catalogo.campagna(CAMPAGNA).unwrap().aperta(), "the reload applies it");

        // Nobody else reaches the page or the form.
        let mut altro = login(app, "UCAM0001").await;
        assert_eq!(altro.get("/gestione/campagne").await.status, 404);
        let t = altro.get("/profilo").await.hidden("csrf");
        let r = altro.post(&format!("/gestione/campagne/{CAMPAGNA}"), &[("csrf", &t), ("stato", "aperta"), ("apertura", "2024-04-02"), ("scadenza", "2024-05-31")]).await;
        assert_eq!(r.status, 404);
        let mut anonimo = common::browser::Browser::new(app);
        assert_eq!(anonimo.get("/gestione/campagne").await.status, 303);
    }

    async fn monitoring_counts_filters_sorts_and_exports_every_ente_and_modulo(app) {
        let (mut b, uid, p) = compilatore(app, "UMON0001").await;
        let comuni = conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM enti WHERE tipo = 'comune' AND attivo").await;
        // Three schede, each for every comune.
        let righe = comuni * 3;
        common::utente_attivo(app, "AMON0001", "Ada Monitora", true, PASSWORD).await;
        let mut admin = login(app, "AMON0001").await;
        let url = format!("/gestione/monitoraggio?campagna={CAMPAGNA}");

        let pagina = admin.get(&url).await;
        assert_eq!(pagina.status, 200, "{}", pagina.body);
        assert!(pagina.body.contains(&format!("{righe} questionari trovati")), "{righe}: {}", pagina.body);
        assert!(pagina.body.contains("Non iniziato</a>: <strong>"), "{}", pagina.body);

        // Compiling: once the summary job ran, the row shows it with its completion.
        compila_inviabile(&mut b, app, uid, &p).await;
        while raccolta::compilazione::riepilogo::giro(&app.state).await.unwrap() > 0 {}
        let filtro = admin.get(&format!("{url}&stato=in_compilazione")).await;
        assert!(filtro.body.contains("Un questionario trovato"), "{}", filtro.body);
        assert!(filtro.body.contains("Comune di Milano") && filtro.body.contains("TRASPORTO"), "{}", filtro.body);
        assert!(filtro.body.contains("100%"), "every required field filled: {}", filtro.body);
        assert!(filtro.body.contains("Milano (MI)"), "the province from the ISTAT code: {}", filtro.body);

        // Sent: counted as sent late (the manifest's deadline is past), charted, filtered.
        assert_eq!(invia(&mut b, &p, "chiave-monitoraggio").await.status, 303);
        let inviati = admin.get(&format!("{url}&stato=inviato_in_ritardo")).await;
        assert!(inviati.body.contains("Un questionario trovato") && inviati.body.contains("Comune di Milano"), "{}", inviati.body);
        assert!(inviati.body.contains("Un invio dal"), "the chart's description: {}", inviati.body);
        assert!(inviati.body.contains("role=\"img\"") && inviati.body.contains("<title id=\"g1-titolo\">"));
        let lombardia = admin.get(&format!("{url}&regione=Lombardia&modulo=TRASPORTO")).await;
        let in_lombardia = conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM enti WHERE tipo = 'comune' AND attivo AND regione = 'Lombardia'").await;
        assert!(lombardia.body.contains(&if in_lombardia == 1 { "Un questionario trovato".to_owned() } else { format!("{in_lombardia} questionari trovati") }), "{}", lombardia.body);
        let per_nome = admin.get(&format!("{url}&q=milano")).await;
        assert!(per_nome.body.contains("3 questionari trovati"), "{}", per_nome.body);
        let per_codice = admin.get(&format!("{url}&q=C_F205&modulo=ASILI")).await;
        assert!(per_codice.body.contains("Un questionario trovato"), "{}", per_codice.body);
        let provincia = admin.get(&format!("{url}&provincia=015&modulo=SOCIALE")).await;
        assert!(provincia.body.contains("Un questionario trovato"), "{}", provincia.body);
        let ritardo = admin.get(&format!("{url}&ritardo=1")).await;
        assert!(ritardo.body.contains(&format!("{righe} questionari trovati")), "past the deadline, sent late or not sent: {}", ritardo.body);
        let bloccanti = admin.get(&format!("{url}&bloccanti=1")).await;
        assert!(bloccanti.body.contains("Nessun questionario corrisponde"), "{}", bloccanti.body);
        // Sorted by last invio, newest first: Milano's row comes first.
        let ordinata = admin.get(&format!("{url}&ordina=invio&verso=desc")).await;
        let primo = ordinata.body.find("<tbody>").unwrap();
        assert!(ordinata.body[primo..primo + 400].contains("Comune di Milano"), "{}", &ordinata.body[primo..primo + 400]);
        assert!(ordinata.body.contains("aria-sort=\"descending\""));
        // Bad input never fails: unknown states and types are ignored, a page past the end shows the last one.
        assert_eq!(admin.get(&format!("{url}&stato=boh&tipo=boh&pagina=999&ordina=x")).await.status, 200);
        assert_eq!(admin.get("/gestione/monitoraggio?campagna=nessuna").await.status, 404);

        // Exports of what the filter shows, read back.
        let cookie = admin.cookie.clone().unwrap();
        let res = app.client.get(format!("{}{url}&modulo=TRASPORTO&regione=Lombardia", app.base).replace("/gestione/monitoraggio?", "/gestione/monitoraggio.csv?"))
            .header("cookie", cookie.clone()).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        let byte = res.bytes().await.unwrap();
        assert!(byte.starts_with(b"\xEF\xBB\xBF"));
        let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(&byte[3..]);
        assert_eq!(&r.headers().unwrap()[0], "Codice IPA");
        let righe_csv: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(righe_csv.len() as i64, in_lombardia);
        let milano = righe_csv.iter().find(|r| &r[0] == "c_f205").expect("Milano in the export");
        assert_eq!(&milano[6], "Inviato in ritardo");
        assert_eq!(&milano[7], "100");
        assert_eq!(&milano[12], "sì");
        let res = app.client.get(format!("{}/gestione/monitoraggio.xlsx?campagna={CAMPAGNA}", app.base))
            .header("cookie", cookie).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let bytes = res.bytes().await.unwrap();
        let mut x: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let foglio = x.worksheet_range("Monitoraggio").unwrap();
        assert_eq!(foglio.height() as i64, righe + 1, "the header and every row");
        assert_eq!(foglio.get((0, 1)).unwrap().to_string(), "Ente");

        // Nobody else: a compiler gets 404, a visitor the sign-in page.
        for path in ["/gestione/monitoraggio", "/gestione/monitoraggio.csv", "/gestione/monitoraggio.xlsx"] {
            assert_eq!(b.get(path).await.status, 404, "{path}");
            let mut anonimo = common::browser::Browser::new(app);
            assert_eq!(anonimo.get(path).await.status, 303, "{path}");
        }
    }
}

con_demo! {
    async fn reminders_reach_the_compilers_of_the_enti_not_sent_at_most_once_a_day(app) {
        let milano = crate::compilazione::ente_id(app, "c_f205").await;
        crate::compilazione::utente(app, "UPRO0001", "Maria Promemoria", Some((milano, Modalita::Compilazione))).await;
        crate::compilazione::utente(app, "UPRO0002", "Luca Promemoria", Some((milano, Modalita::Compilazione))).await;
        crate::compilazione::utente(app, "UPRO0003", "Carla Consulta", Some((milano, Modalita::Consultazione))).await;
        common::utente_attivo(app, "APRO0001", "Ada Promemoria", true, PASSWORD).await;
        let mut admin = login(app, "APRO0001").await;
        let filtro = format!("campagna={CAMPAGNA}&q=milano");
        let mail = "SELECT CAST(COUNT(*) AS TEXT) FROM outbox WHERE subject LIKE 'Promemoria:%'";

        // The preview: who and how many, nothing written.
        let anteprima = admin.get(&format!("/gestione/monitoraggio/promemoria?{filtro}")).await;
        assert_eq!(anteprima.status, 200, "{}", anteprima.body);
        assert!(anteprima.body.contains("un ente del filtro riceverà il promemoria"), "{}", anteprima.body);
        assert!(anteprima.body.contains("2 destinatari"), "two compilers, not the Consultazione user: {}", anteprima.body);
        assert!(anteprima.body.contains("Promemoria: Scheda di monitoraggio"), "the subject: {}", anteprima.body);
        assert!(anteprima.body.contains("MONITORAGGIO ASILI, MONITORAGGIO SOCIALE, MONITORAGGIO TRASPORTO"), "{}", anteprima.body);
        assert_eq!(conta(app, mail).await, 0);

        // Sent: two e-mails, two bells, one audit row, in one go.
        let csrf = anteprima.hidden("csrf");
        let invio = admin.post("/gestione/monitoraggio/promemoria", &[("csrf", &csrf), ("campagna", CAMPAGNA), ("q", "milano")]).await;
        assert_eq!(invio.status, 200, "{}", invio.body);
        assert!(invio.body.contains("Promemoria accodato per un ente (2 e-mail)."), "{}", invio.body);
        assert_eq!(conta(app, mail).await, 2);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM notifiche WHERE tipo = 'promemoria'").await, 2);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'campagna.promemoria'").await, 1);
        let mut maria = login(app, "UPRO0001").await;
        let campanella = maria.get("/notifiche").await;
        assert!(campanella.body.contains("Promemoria per Comune di Milano"), "{}", campanella.body);

        // Again today: nobody is reminded twice; the page says why.
        let di_nuovo = admin.post("/gestione/monitoraggio/promemoria", &[("csrf", &csrf), ("campagna", CAMPAGNA), ("q", "milano")]).await;
        assert!(di_nuovo.body.contains("Promemoria accodati per 0 enti") && di_nuovo.body.contains("un ente già avvisato oggi"), "{}", di_nuovo.body);
        assert_eq!(conta(app, mail).await, 2);
        // Tomorrow (a new session: yesterday's has expired): once more.
        app.state.clock.advance(24 * 3600);
        let mut admin = login(app, "APRO0001").await;
        let csrf = admin.get("/gestione").await.hidden("csrf");
        let domani = admin.post("/gestione/monitoraggio/promemoria", &[("csrf", &csrf), ("campagna", CAMPAGNA), ("q", "milano")]).await;
        assert!(domani.body.contains("Promemoria accodato per un ente (2 e-mail)."), "{}", domani.body);
        assert_eq!(conta(app, mail).await, 4);

        // Sent enti are left out; a closed campaign sends nothing.
        let tutti = admin.get(&format!("/gestione/monitoraggio/promemoria?campagna={CAMPAGNA}&stato=inviato")).await;
        assert!(tutti.body.contains("0 enti del filtro riceveranno"), "{}", tutti.body);
        common::execute(&app.state.db, &format!("INSERT INTO campagne (campagna, stato, apertura, scadenza, updated_at) VALUES ('{CAMPAGNA}', 'chiusa', '2024-04-02', '2024-05-31', 0)")).await;
        raccolta::campagne::ricarica(&app.state).await.unwrap();
        let chiusa = admin.get(&format!("/gestione/monitoraggio/promemoria?{filtro}")).await;
        assert!(chiusa.body.contains("La campagna non è aperta"), "{}", chiusa.body);
        app.state.clock.advance(24 * 3600);
        let mut admin = login(app, "APRO0001").await;
        let csrf = admin.get("/gestione").await.hidden("csrf");
        let rifiutato = admin.post("/gestione/monitoraggio/promemoria", &[("csrf", &csrf), ("campagna", CAMPAGNA), ("q", "milano")]).await;
        assert_eq!(rifiutato.status, 409);
        assert_eq!(conta(app, mail).await, 4);

        // Only administrators.
        let mut maria = login(app, "UPRO0001").await;
        assert_eq!(maria.get(&format!("/gestione/monitoraggio/promemoria?{filtro}")).await.status, 404);
        let t = maria.get("/profilo").await.hidden("csrf");
        assert_eq!(maria.post("/gestione/monitoraggio/promemoria", &[("csrf", &t), ("campagna", CAMPAGNA)]).await.status, 404);
        let mut anonimo = common::browser::Browser::new(app);
        assert_eq!(anonimo.get("/gestione/monitoraggio/promemoria").await.status, 303);
    }
}

con_demo! {
    async fn administrators_find_disable_enable_and_reset_users_and_a_disabled_session_ends_at_once(app) {
        let milano = crate::compilazione::ente_id(app, "c_f205").await;
        let uid = crate::compilazione::utente(app, "UUTE0001", "Maria Utente", Some((milano, Modalita::Compilazione))).await;
        crate::compilazione::utente(app, "UUTE0002", "Luca Altro", None).await;
        let aid = common::utente_attivo(app, "AUTE0001", "Ada Utenti", true, PASSWORD).await;
        let mut maria = login(app, "UUTE0001").await;
        assert_eq!(maria.get("/area-riservata").await.status, 200);
        let mut admin = login(app, "AUTE0001").await;

        // Search by code, e-mail, name, codice fiscale and ente.
        for (q, atteso) in [("uute0001", "Un utente trovato."), ("uute0001@comune", "Un utente trovato."), ("Maria Utente", "Un utente trovato."), ("c_f205", "Un utente trovato."), ("comune di milano", "Un utente trovato."), ("RSSMRA85T10A562S", "2 utenti trovati."), ("100%_", "Nessun utente")] {
            let p = admin.get(&format!("/gestione/utenti?q={}", url_escape(q))).await;
            assert_eq!(p.status, 200);
            assert!(p.body.contains(atteso), "{q}: {}", p.body);
        }
        let scheda = admin.get(&format!("/gestione/utenti/{uid}")).await;
        assert_eq!(scheda.status, 200, "{}", scheda.body);
        assert!(scheda.body.contains("Comune di Milano") && scheda.body.contains("Compilazione"), "{}", scheda.body);
        assert!(!scheda.body.contains("Nessuna sessione aperta."), "Maria's session is listed: {}", scheda.body);
        let csrf = scheda.hidden("csrf");

        // Disabled: Maria's very next request has no session, and she cannot sign in.
        let r = admin.post(&format!("/gestione/utenti/{uid}/disattiva"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 303);
        assert!(admin.get(&format!("/gestione/utenti/{uid}?esito=utente-disattivato")).await.body.contains("Account disattivato"));
        assert_eq!(maria.get("/area-riservata").await.status, 303, "signed out at once");
        let mut di_nuovo = common::browser::Browser::new(app);
        let form = di_nuovo.get("/accesso").await;
        let t = form.hidden("csrf");
        let tentativo = di_nuovo.post("/accesso", &[("csrf", &t), ("nome_utente", "UUTE0001"), ("password", PASSWORD), ("captcha", crate::compilazione::CAPTCHA)]).await;
        assert_ne!(tentativo.status, 303, "a disabled account cannot sign in");
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'utente.disattivato' AND target = 'UUTE0001'").await, 1);
        // Twice: nothing changes.
        let r = admin.post(&format!("/gestione/utenti/{uid}/disattiva"), &[("csrf", &csrf)]).await;
        assert!(r.location.as_deref().unwrap_or_default().ends_with("esito=utente-invariato"), "{:?}", r.location);

        // Enabled again: she signs in.
        let r = admin.post(&format!("/gestione/utenti/{uid}/riattiva"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 303);
        let mut maria = login(app, "UUTE0001").await;
        assert_eq!(maria.get("/area-riservata").await.status, 200);

        // Her sessions ended by the administrator.
        admin.post(&format!("/gestione/utenti/{uid}/sessioni"), &[("csrf", &csrf)]).await;
        assert_eq!(maria.get("/area-riservata").await.status, 303);

        // A reset link, by e-mail, audited.
        let prima = conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM outbox WHERE recipient = 'uute0001@comune.example'").await;
        let r = admin.post(&format!("/gestione/utenti/{uid}/reset"), &[("csrf", &csrf)]).await;
        assert!(r.location.as_deref().unwrap_or_default().ends_with("esito=utente-reset"), "{:?}", r.location);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM outbox WHERE recipient = 'uute0001@comune.example'").await, prima + 1);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'utente.reset_inviato'").await, 1);

        // Not on oneself; unknown actions and users are not found.
        let r = admin.post(&format!("/gestione/utenti/{aid}/disattiva"), &[("csrf", &csrf)]).await;
        assert!(r.location.as_deref().unwrap_or_default().ends_with("esito=utente-se-stesso"), "{:?}", r.location);
        assert_eq!(admin.get("/area-riservata").await.status, 200, "still signed in");
        assert_eq!(admin.post(&format!("/gestione/utenti/{uid}/cancella"), &[("csrf", &csrf)]).await.status, 404);
        assert_eq!(admin.get("/gestione/utenti/999999").await.status, 404);

        // Only administrators.
        let mut maria = login(app, "UUTE0001").await;
        assert_eq!(maria.get("/gestione/utenti").await.status, 404);
        assert_eq!(maria.get(&format!("/gestione/utenti/{uid}")).await.status, 404);
        let t = maria.get("/profilo").await.hidden("csrf");
        assert_eq!(maria.post(&format!("/gestione/utenti/{aid}/disattiva"), &[("csrf", &t)]).await.status, 404);
        let mut anonimo = common::browser::Browser::new(app);
        assert_eq!(anonimo.get("/gestione/utenti").await.status, 303);
    }
}

fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

con_demo! {
    async fn every_new_gestione_route_is_for_administrators_only(app) {
        let milano = crate::compilazione::ente_id(app, "c_f205").await;
        crate::compilazione::utente(app, "UMAT0001", "Cora Consulta", Some((milano, Modalita::Consultazione))).await;
        crate::compilazione::utente(app, "UMAT0002", "Pia Compila", Some((milano, Modalita::Compilazione))).await;
        let resp = crate::compilazione::utente(app, "UMAT0003", "Rita Responsabile", None).await;
        raccolta::db::associazioni::nomina(&app.state.db, milano, resp, resp, 0).await.unwrap();
        crate::compilazione::utente(app, "UMAT0004", "Ugo Utente", None).await;
        // Support staff (Assistenza) are not administrators.
        let sid = crate::compilazione::utente(app, "UMAT0005", "Sara Supporto", None).await;
        raccolta::db::users::imposta_supporto(&app.state.db, sid, true).await.unwrap();
        let aid = common::utente_attivo(app, "AMAT0001", "Ada Matrice", true, PASSWORD).await;
        let get = [
            "/gestione/campagne".to_owned(),
            format!("/gestione/monitoraggio?campagna={CAMPAGNA}"),
            format!("/gestione/monitoraggio.csv?campagna={CAMPAGNA}"),
            format!("/gestione/monitoraggio.xlsx?campagna={CAMPAGNA}"),
            format!("/gestione/monitoraggio/promemoria?campagna={CAMPAGNA}"),
            "/gestione/utenti".to_owned(),
            format!("/gestione/utenti/{aid}"),
            "/gestione/esportazioni".to_owned(),
            "/gestione/esportazioni/file?modulo=fc80u-2022/B&formato=codebook".to_owned(),
        ];
        let post = [
            format!("/gestione/campagne/{CAMPAGNA}"),
            "/gestione/monitoraggio/promemoria".to_owned(),
            format!("/gestione/utenti/{aid}/disattiva"),
            format!("/gestione/utenti/{aid}/supporto"),
            "/gestione/esportazioni".to_owned(),
        ];
        // Consultazione, Compilazione, responsabile, a user of no ente, support: 404 everywhere, nothing changes.
        for codice in ["UMAT0001", "UMAT0002", "UMAT0003", "UMAT0004", "UMAT0005"] {
            let mut b = login(app, codice).await;
            for path in &get {
                assert_eq!(b.get(path).await.status, 404, "{codice} GET {path}");
            }
            let t = b.get("/profilo").await.hidden("csrf");
            for path in &post {
                let r = b.post(path, &[("csrf", &t), ("campagna", CAMPAGNA), ("stato", "chiusa"), ("apertura", "2024-04-02"), ("scadenza", "2024-05-31"), ("modulo", "fc80u-2022/B"), ("formato", "xlsx"), ("azione", "prepara")]).await;
                assert_eq!(r.status, 404, "{codice} POST {path}");
            }
        }
        let mut anonimo = common::browser::Browser::new(app);
        for path in &get {
            assert_eq!(anonimo.get(path).await.status, 303, "anonymous GET {path}");
        }
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM campagne").await, 0);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM promemoria").await, 0);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM esportazioni").await, 0);
        assert_eq!(conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE id = {aid} AND stato = 'attivo'")).await, 1);
        // The administrator reaches every page.
        let mut admin = login(app, "AMAT0001").await;
        for path in &get {
            assert_eq!(admin.get(path).await.status, 200, "administrator GET {path}");
        }
    }
}

#[path = "../../benches/carico/mod.rs"]
mod carico;

con_demo! {
    async fn the_load_generator_gives_every_state_and_the_monitoring_counts_them(app) {
        let r = carico::genera(&app.state, &carico::Opzioni { enti: 150, utenti: 400 }).await.unwrap();
        assert_eq!((r.enti, r.utenti), (150, 400), "{r:?}");
        assert!(r.questionari > 100 && r.invii > 20 && r.risposte > r.invii * 900 && r.secondi > 0.0, "{r:?}");
        common::utente_attivo(app, "AGEN0001", "Ada Carico", true, PASSWORD).await;
        let mut admin = login(app, "AGEN0001").await;
        let pagina = admin.get("/gestione/monitoraggio?campagna=fc80u-2022&modulo=B").await;
        assert_eq!(pagina.status, 200);
        for stato in ["non_iniziato", "in_compilazione", "inviato", "inviato_in_ritardo", "riapertura_richiesta", "riaperto"] {
            let i = pagina.body.find(&format!("data-stato=\"{stato}\"")).unwrap_or_else(|| panic!("{stato}: {}", pagina.body));
            let tratto = &pagina.body[i..i + 300];
            let n: i64 = tratto.split("<strong>").nth(1).unwrap().split('<').next().unwrap().parse().unwrap();
            assert!(n > 0, "no questionnaire {stato}: {tratto}");
        }
        // The sent ones of the generator hold a fully filled modulo B.
        let pieni = conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM (SELECT questionario_id FROM risposte GROUP BY questionario_id HAVING COUNT(*) > 900) x").await;
        assert_eq!(pieni as usize, r.invii, "one full modulo B per invio");
    }
}

con_demo! {
    async fn every_answer_exports_long_and_wide_as_csv_and_xlsx_equal_to_the_stored_answers(app) {
        let r = carico::genera(&app.state, &carico::Opzioni { enti: 60, utenti: 20 }).await.unwrap();
        common::utente_attivo(app, "AESP0001", "Ada Esporta", true, PASSWORD).await;
        let admin = login(app, "AESP0001").await;
        let scarica = |q: String| {
            let req = app.client.get(format!("{}/gestione/esportazioni/file?{q}", app.base)).header("cookie", admin.cookie.clone().unwrap());
            async move { req.send().await.unwrap() }
        };
        // What the database holds: answered values of modulo B, by IPA code and field.
        let m = app.state.questionari.modulo(&questionario::ChiaveModulo::new("fc80u-2022", "FC80U", "B")).unwrap();
        let stored: std::collections::HashMap<(String, String), String> = {
            let righe: Vec<(String, String, String)> = match &app.state.db {
                raccolta::db::Db::Sqlite(p) => sqlx::query_as("SELECT e.codice_ipa, r.campo, r.valore FROM risposte r JOIN questionari q ON q.id = r.questionario_id JOIN enti e ON e.id = q.ente_id WHERE q.campagna = 'fc80u-2022' AND q.modulo = 'B' AND r.risposto").fetch_all(p).await.unwrap(),
                raccolta::db::Db::Postgres(p) => sqlx::query_as("SELECT e.codice_ipa, r.campo, r.valore FROM risposte r JOIN questionari q ON q.id = r.questionario_id JOIN enti e ON e.id = q.ente_id WHERE q.campagna = 'fc80u-2022' AND q.modulo = 'B' AND r.risposto").fetch_all(p).await.unwrap(),
            };
            let precompilati: Vec<(String, String, String)> = match &app.state.db {
                raccolta::db::Db::Sqlite(p) => sqlx::query_as("SELECT e.codice_ipa, p.campo, p.valore FROM precompilati p JOIN questionari q ON q.ente_id = p.ente_id AND q.campagna = p.campagna AND q.modulo = p.modulo JOIN enti e ON e.id = q.ente_id WHERE q.campagna = 'fc80u-2022' AND q.modulo = 'B'").fetch_all(p).await.unwrap(),
                raccolta::db::Db::Postgres(p) => sqlx::query_as("SELECT e.codice_ipa, p.campo, p.valore FROM precompilati p JOIN questionari q ON q.ente_id = p.ente_id AND q.campagna = p.campagna AND q.modulo = p.modulo JOIN enti e ON e.id = q.ente_id WHERE q.campagna = 'fc80u-2022' AND q.modulo = 'B'").fetch_all(p).await.unwrap(),
            };
            // The prefilled values, and the answers saved over them.
            precompilati.into_iter().chain(righe).map(|(e, c, v)| ((e, c), v)).collect()
        };
        assert!(stored.len() > 1000, "{}", stored.len());

        // Wide, sent: one row per sent questionnaire, every entered value equal to the stored one.
        let res = scarica("modulo=fc80u-2022/B&forma=larga&fonte=inviati&formato=csv".into()).await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("fc80u-2022-b-inviati-larga.csv"));
        let byte = res.bytes().await.unwrap();
        let mut lettore = csv::ReaderBuilder::new().delimiter(b';').from_reader(&byte[3..]);
        let testa = lettore.headers().unwrap().clone();
        assert_eq!(testa.len(), 5 + m.campi.len());
        let righe: Vec<csv::StringRecord> = lettore.records().map(Result::unwrap).collect();
        assert_eq!(righe.len(), r.invii, "one row per sent questionnaire");
        let mut confrontati = 0;
        for riga in &righe {
            assert_eq!(&riga[3], "1", "version 1");
            for (i, campo) in testa.iter().enumerate().skip(5) {
                let id = m.id(campo).unwrap();
                if m.campi[id as usize].calcolo.is_some() {
                    continue;
                }
                assert_eq!(stored.get(&(riga[0].to_owned(), campo.to_owned())).map(String::as_str).unwrap_or(""), &riga[i], "{} {campo}", &riga[0]);
                confrontati += 1;
            }
        }
        assert!(confrontati > 900 * r.invii, "{confrontati}");

        // Long, drafts: one row per value the compile pages show (prefilled, or saved over it).
        let res = scarica("modulo=fc80u-2022/B&forma=lunga&fonte=bozze&formato=csv".into()).await;
        let byte = res.bytes().await.unwrap();
        let mut lettore = csv::ReaderBuilder::new().delimiter(b';').from_reader(&byte[3..]);
        let mut n = 0;
        for riga in lettore.records() {
            let riga = riga.unwrap();
            assert_eq!(stored.get(&(riga[0].to_owned(), riga[5].to_owned())).map(String::as_str), Some(&riga[6]), "{riga:?}");
            n += 1;
        }
        assert_eq!(n, stored.len(), "every value, once");

        // XLSX: the answers and the codebook, read back.
        let res = scarica("modulo=fc80u-2022/B&forma=larga&fonte=inviati&formato=xlsx".into()).await;
        assert_eq!(res.status().as_u16(), 200);
        let bytes = res.bytes().await.unwrap();
        let mut x: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let foglio = x.worksheet_range("Risposte").unwrap();
        assert_eq!(foglio.height(), r.invii + 1);
        let codebook = x.worksheet_range("Codebook").unwrap();
        assert_eq!(codebook.height(), m.campi.len() + 1);
        assert_eq!(codebook.get((0, 0)).unwrap().to_string(), "campo");
        let res = scarica("modulo=fc80u-2022/B&formato=codebook".into()).await;
        let byte = res.bytes().await.unwrap();
        assert_eq!(csv::ReaderBuilder::new().delimiter(b';').from_reader(&byte[3..]).records().count(), m.campi.len());
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'esportazione.risposte'").await, 4);

        // Bad requests are named; nobody else gets anything.
        assert_eq!(scarica("modulo=fc80u-2022/B&forma=obliqua".into()).await.status().as_u16(), 400);
        assert_eq!(scarica("modulo=fc80u-2022/Z".into()).await.status().as_u16(), 404);
        assert_eq!(scarica("modulo=niente".into()).await.status().as_u16(), 404);
        let mut altro = login(app, "C0000001").await;
        assert_eq!(altro.get("/gestione/esportazioni").await.status, 404);
        assert_eq!(altro.get("/gestione/esportazioni/file?modulo=fc80u-2022/B").await.status, 404);
        let mut anonimo = common::browser::Browser::new(app);
        assert_eq!(anonimo.get("/gestione/esportazioni/file?modulo=fc80u-2022/B").await.status, 303);

        // Compressed, as a browser asks for it, each stream ends cleanly.
        for q in ["formato=csv&forma=larga", "formato=xlsx&forma=lunga"] {
            let res = app.client.get(format!("{}/gestione/esportazioni/file?modulo=fc80u-2022/B&{q}", app.base))
                .header("cookie", admin.cookie.clone().unwrap()).header("accept-encoding", "gzip").send().await.unwrap();
            assert_eq!(res.status(), 200, "{q}");
            assert!(res.bytes().await.is_ok(), "{q}: the whole body");
        }

        // The command line writes the same rows, with a summary.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b.csv");
        let esito = crate::binario::raccolta()
            .env("RACCOLTA_DATABASE_URL", &app.db.url)
            .env("RACCOLTA_DATA_DIR", dir.path())
            .args(["export", "fc80u-2022", "B", "--formato", "csv", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(esito.status.success(), "{}", String::from_utf8_lossy(&esito.stderr));
        let stdout = String::from_utf8_lossy(&esito.stdout);
        assert!(stdout.contains(&format!("{} questionari", r.invii)), "{stdout}");
        let file = std::fs::read(&out).unwrap();
        assert_eq!(csv::ReaderBuilder::new().delimiter(b';').from_reader(&file[3..]).records().count(), r.invii);
        let esito = crate::binario::raccolta()
            .env("RACCOLTA_DATABASE_URL", &app.db.url)
            .env("RACCOLTA_DATA_DIR", dir.path())
            .args(["export", "fc80u-2022", "Q", "--out"])
            .arg(dir.path().join("q.csv"))
            .output()
            .unwrap();
        assert!(!esito.status.success());
        assert!(String::from_utf8_lossy(&esito.stderr).contains("modulo «Q» sconosciuto"), "{}", String::from_utf8_lossy(&esito.stderr));
    }
}

con_demo! {
    async fn a_closed_campaign_publishes_its_sent_answers_as_open_data_with_dcat_metadata(app) {
        let (mut b, uid, p) = compilatore(app, "UOPD0001").await;
        compila_inviabile(&mut b, app, uid, &p).await;
        assert_eq!(invia(&mut b, &p, "chiave-open-data").await.status, 303);
        let mut anonimo = common::browser::Browser::new(app);
        // Open: nothing is public yet.
        assert_eq!(anonimo.get(&format!("/open-data/{CAMPAGNA}")).await.status, 404);
        assert_eq!(anonimo.get(&format!("/open-data/{CAMPAGNA}/trasporto.csv")).await.status, 404);
        let elenco = anonimo.get("/open-data").await;
        assert!(!elenco.body.contains(&format!("/open-data/{CAMPAGNA}\"")) && elenco.body.contains("/open-data/fc60u-2019"), "{}", elenco.body);

        common::utente_attivo(app, "AOPD0001", "Ada Dati", true, PASSWORD).await;
        let mut admin = login(app, "AOPD0001").await;
        assert_eq!(imposta(&mut admin, CAMPAGNA, "chiusa", "02/04/2024", "31/05/2024").await.status, 303);

        // Closed: the page, without logging in, in both languages, with its JSON-LD.
        let elenco = anonimo.get("/open-data").await;
        assert!(elenco.body.contains(&format!("href=\"/open-data/{CAMPAGNA}\"")), "{}", elenco.body);
        assert!(anonimo.get("/archivio").await.body.contains(&format!("/open-data/{CAMPAGNA}")));
        let pagina = anonimo.get(&format!("/open-data/{CAMPAGNA}")).await;
        assert_eq!(pagina.status, 200);
        assert!(pagina.body.contains("CC BY 4.0") && pagina.body.contains("<script type=\"application/ld+json\">"), "{}", pagina.body);
        assert!(pagina.body.contains("trasporto.csv") && pagina.body.contains("trasporto.json"));

        let (status, tipo, byte) = anonimo.scarica(&format!("/open-data/{CAMPAGNA}/dcat.jsonld")).await;
        assert_eq!((status, tipo.as_str()), (200, "application/ld+json"));
        let dcat: serde_json::Value = serde_json::from_slice(&byte).unwrap();
        assert!(dcat["@type"].as_array().unwrap().iter().any(|t| t == "dcatapit:Catalog"));
        let c = app.state.catalogo.campagna(CAMPAGNA).unwrap();
        let datasets = dcat["dcat:dataset"].as_array().unwrap();
        assert_eq!(datasets.len(), c.moduli.len());
        let trasporto = datasets.iter().find(|d| d["@id"].as_str().unwrap().ends_with("#trasporto")).unwrap();
        let csv_dist = &trasporto["dcat:distribution"][0];
        assert_eq!(csv_dist["dct:license"]["@id"], "https://creativecommons.org/licenses/by/4.0/");
        assert!(csv_dist["dcat:downloadURL"]["@id"].as_str().unwrap().ends_with(&format!("/open-data/{CAMPAGNA}/trasporto.csv")));
        let m = app.state.questionari.modulo(&questionario::ChiaveModulo::new(CAMPAGNA, &c.codice, "TRASPORTO")).unwrap();
        let colonne = csv_dist["csvw:tableSchema"]["csvw:column"].as_array().unwrap();
        // Free text (descriptions, annotazioni) is left out: a compiler may name people there.
        let pubblici = m.campi.iter().filter(|c| raccolta::open_data::pubblicabile(c)).count();
        assert!(pubblici < m.campi.len(), "the modulo has free-text fields to leave out");
        assert_eq!(colonne.len(), 4 + pubblici);
        assert_eq!(colonne[0]["csvw:name"], "codice_ipa");

        // The CSV: one row for the ente that sent, its values as sent, no state and no person.
        let (status, tipo, byte) = anonimo.scarica(&format!("/open-data/{CAMPAGNA}/trasporto.csv")).await;
        assert_eq!((status, tipo.as_str()), (200, "text/csv; charset=utf-8"));
        let testo = String::from_utf8(byte[3..].to_vec()).unwrap();
        assert!(!testo.contains("Maria Invio") && !testo.contains("UOPD0001"), "no person in the open data");
        assert!(!testo.contains("Nessuna variazione") && !testo.contains("ANNOTAZIONI"), "no free text in the open data");
        let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(testo.as_bytes());
        let testa: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(&testa[..4], ["codice_ipa", "ente", "versione", "protocollo"]);
        assert_eq!(testa.len(), 4 + pubblici);
        let righe: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(righe.len(), 1);
        assert_eq!((&righe[0][0], &righe[0][2]), ("c_f205", "1"));
        let colonna = testa.iter().position(|h| h == "Q1_01.A").unwrap();
        assert_eq!(&righe[0][colonna], "3");

        // As a browser asks for it (compressed), the stream ends cleanly.
        for file in ["trasporto.csv", "trasporto.json"] {
            let res = app.client.get(format!("{}/open-data/{CAMPAGNA}/{file}", app.base)).header("accept-encoding", "gzip").send().await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-encoding"], "gzip");
            let gz = res.bytes().await.expect("a whole compressed body");
            assert_eq!(&gz[..2], b"\x1f\x8b");
        }

        // The JSON: the same row, numbers as numbers, the fields described at the top.
        let (status, _, byte) = anonimo.scarica(&format!("/open-data/{CAMPAGNA}/trasporto.json")).await;
        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_slice(&byte).unwrap();
        assert_eq!(json["licenza"], "https://creativecommons.org/licenses/by/4.0/");
        assert_eq!(json["campi"].as_array().unwrap().len(), pubblici);
        assert!(!String::from_utf8_lossy(&byte).contains("Nessuna variazione"));
        assert_eq!(json["enti"].as_array().unwrap().len(), 1);
        assert_eq!(json["enti"][0]["codice_ipa"], "c_f205");
        assert_eq!(json["enti"][0]["valori"]["Q1_01.A"], serde_json::json!(3));
        assert_eq!(json["enti"][0]["valori"]["Q1_00"], "NO");
        let (status, _, byte) = anonimo.scarica(&format!("/open-data/{CAMPAGNA}/trasporto-codebook.csv")).await;
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&byte).contains("campo;etichetta_it;etichetta_en;"));
        assert_eq!(anonimo.get(&format!("/open-data/{CAMPAGNA}/nessuno.csv")).await.status, 404);

        // The command line writes the same open data, and the DCAT description.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.json");
        let jsonld = dir.path().join("dcat.jsonld");
        let esito = crate::binario::raccolta()
            .env("RACCOLTA_DATABASE_URL", &app.db.url)
            .env("RACCOLTA_DATA_DIR", dir.path())
            .args(["export", CAMPAGNA, "trasporto", "--open-data", "--formato", "json", "--out"])
            .arg(&out)
            .arg("--dcat")
            .arg(&jsonld)
            .output()
            .unwrap();
        assert!(esito.status.success(), "{}", String::from_utf8_lossy(&esito.stderr));
        let da_cli: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(da_cli["enti"], json["enti"]);
        let d: serde_json::Value = serde_json::from_slice(&std::fs::read(&jsonld).unwrap()).unwrap();
        assert_eq!(d["dcat:dataset"].as_array().unwrap().len(), c.moduli.len());
        let esito = crate::binario::raccolta()
            .env("RACCOLTA_DATABASE_URL", &app.db.url)
            .env("RACCOLTA_DATA_DIR", dir.path())
            .args(["export", CAMPAGNA, "trasporto", "--open-data", "--bozze", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(!esito.status.success());
        assert!(String::from_utf8_lossy(&esito.stderr).contains("--bozze non si applica"));

        // Reopened, it is private again.
        assert_eq!(imposta(&mut admin, CAMPAGNA, "aperta", "02/04/2024", "31/05/2024").await.status, 303);
        assert_eq!(anonimo.get(&format!("/open-data/{CAMPAGNA}/trasporto.csv")).await.status, 404);
    }
}

con_demo! {
    async fn a_long_export_runs_as_a_job_with_its_progress_and_its_file_kept_for_download(app) {
        let r = carico::genera(&app.state, &carico::Opzioni { enti: 40, utenti: 20 }).await.unwrap();
        common::utente_attivo(app, "AJOB0001", "Ada Lavoro", true, PASSWORD).await;
        let mut admin = login(app, "AJOB0001").await;
        let csrf = admin.get("/gestione/esportazioni").await.hidden("csrf");
        // Queued from the page: the job's page answers at once, whatever its state.
        let form = [("csrf", csrf.as_str()), ("modulo", "fc80u-2022/B"), ("fonte", "inviati"), ("forma", "larga"), ("formato", "xlsx"), ("azione", "prepara")];
        let risposta = admin.post("/gestione/esportazioni", &form).await;
        assert_eq!(risposta.status, 303, "{}", risposta.body);
        let pagina_url = risposta.location.unwrap();
        let p = pagina_url.trim_start_matches("/gestione/esportazioni/").to_owned();
        let pagina = admin.get(&pagina_url).await;
        assert_eq!(pagina.status, 200);
        assert!(pagina.body.contains("<progress") && pagina.body.contains("fc80u-2022 B"), "{}", pagina.body);
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'esportazione.risposte'").await, 1);
        // The node's job takes it; the state goes to ready, with every questionnaire read.
        let mut stato = serde_json::Value::Null;
        for _ in 0..300 {
            let res = app.client.get(format!("{}/gestione/esportazioni/{p}/stato.json", app.base)).header("cookie", admin.cookie.clone().unwrap()).send().await.unwrap();
            stato = common::json(res).await;
            if stato["stato"] == "pronta" || stato["stato"] == "fallita" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(stato["stato"], "pronta", "{stato}");
        assert_eq!(stato["letti"].as_i64().unwrap() as usize, r.invii);
        assert!(admin.get("/gestione/esportazioni").await.body.contains(&format!("/gestione/esportazioni/{p}/file")));
        // The file, from its stored parts: the same rows as the direct download.
        let (status, tipo, byte) = admin.scarica(&format!("/gestione/esportazioni/{p}/file")).await;
        assert_eq!((status, tipo.as_str()), (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        let mut libro: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(byte)).unwrap();
        let risposte = libro.worksheet_range("Risposte").unwrap();
        assert_eq!(risposte.height(), r.invii + 1);
        assert!(libro.worksheet_range("Codebook").is_ok());
        // A CSV prepared the same way, and a node that died in the middle of one: another takes it over.
        let form = [("csrf", csrf.as_str()), ("modulo", "fc80u-2022/B"), ("fonte", "bozze"), ("forma", "lunga"), ("formato", "csv"), ("azione", "prepara")];
        let p2 = admin.post("/gestione/esportazioni", &form).await.location.unwrap().trim_start_matches("/gestione/esportazioni/").to_owned();
        for _ in 0..300 {
            if conta(app, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM esportazioni WHERE pubblico = '{p2}' AND stato = 'pronta'")).await == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        common::execute(&app.state.db, &format!("UPDATE esportazioni SET stato = 'in_corso', lease_until = 1 WHERE pubblico = '{p2}'")).await;
        assert!(raccolta::esportazioni::giro(&app.state).await.unwrap(), "the lapsed job is taken again");
        let (status, _, byte) = admin.scarica(&format!("/gestione/esportazioni/{p2}/file")).await;
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&byte[3..]).starts_with("codice_ipa;ente;stato;versione;protocollo;campo;valore"));
        // Others never reach any of it.
        crate::compilazione::utente(app, "UJOB0001", "Ugo Lavoro", None).await;
        let mut altro = login(app, "UJOB0001").await;
        for path in [format!("/gestione/esportazioni/{p}"), format!("/gestione/esportazioni/{p}/stato.json"), format!("/gestione/esportazioni/{p}/file")] {
            assert_eq!(altro.get(&path).await.status, 404, "{path}");
        }
        let t = altro.get("/profilo").await.hidden("csrf");
        let mut form = form.to_vec();
        form[0] = ("csrf", t.as_str());
        assert_eq!(altro.post("/gestione/esportazioni", &form).await.status, 404);
        // Seven days later the files are gone.
        raccolta::db::esportazioni::elimina_scadute(&app.state.db, app.state.clock.now() + 8 * 24 * 3600).await.unwrap();
        assert_eq!(conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM esportazioni_parti").await, 0);
        assert_eq!(admin.get(&format!("/gestione/esportazioni/{p}")).await.status, 404);
    }
}

con_demo! {
    async fn searches_find_accented_names_whatever_their_case_on_both_databases(app) {
        common::utente_attivo(app, "UACC0001", "ÈRICA NICOLÒ", false, PASSWORD).await;
        common::utente_attivo(app, "UACC0002", "Èrica Nicolò", false, PASSWORD).await;
        common::utente_attivo(app, "UACC0003", "èrica nicolò", false, PASSWORD).await;
        common::utente_attivo(app, "AACC0001", "Ada Accenti", true, PASSWORD).await;
        let mut admin = login(app, "AACC0001").await;
        for q in ["èrica", "ÈRICA", "Èrica", "nicolò", "NICOLÒ"] {
            let pagina = admin.get(&format!("/gestione/utenti?q={}", url_escape(q))).await;
            for codice in ["UACC0001", "UACC0002", "UACC0003"] {
                assert!(pagina.body.contains(codice), "«{q}» finds {codice}");
            }
        }
        // And a support request's subject in capitals, found by support in lower case.
        let mut u = login(app, "UACC0002").await;
        let r = crate::assistenza::apri(&mut u, "", "CITTÀ METROPOLITANA: accesso negato", &[]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        for q in ["città", "CITTÀ", "Città"] {
            let elenco = admin.get(&format!("/assistenza?q={}", url_escape(q))).await;
            assert!(elenco.body.contains("CITTÀ METROPOLITANA"), "«{q}» finds the request");
        }
    }
}
