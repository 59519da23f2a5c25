//! Invio end to end over HTTP, on SQLite and PostgreSQL: refused while a bloccante is open or a squadratura is
//! unjustified, allowed otherwise; one invio, one protocol number and one receipt for twenty concurrent requests;
//! writes refused afterwards; the hash recomputed from the stored snapshot; protocol numbers without gaps; the
//! receipt and its public verification; the authorization of every new route.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::compilazione::{apri, con_demo, ente_id, login, start, utente, valore};

use common::browser::Browser;
use common::{Backend, TestApp};
use raccolta::compilazione::{self, invio};
use raccolta::db::{invii, questionari, users};
use raccolta::domain::Modalita;

const CAMPAGNA: &str = "monitoraggio-2023";
const MODULO: &str = "TRASPORTO";

/// The state of a questionnaire as the server evaluates it: (field, its error) for every field in error, and
/// the ids of the violated rules with their severity.
async fn stato(app: &TestApp, user_id: i64, pubblico: &str) -> (Vec<(String, String)>, Vec<(String, String)>) {
    let user = users::by_id(&app.state.db, user_id).await.unwrap().unwrap();
    let a = compilazione::accedi(&app.state, &user, pubblico).await.unwrap();
    let g = compilazione::valutazione(&app.state, &a).await.unwrap();
    let s = g.as_ref().unwrap();
    let m = a.modulo;
    let errori = (0..m.campi.len() as u32)
        .filter_map(|id| {
            s.valutazione
                .errore(id)
                .map(|e| (m.campi[id as usize].indirizzo.clone(), e.messaggio(questionario::Lingua::It)))
        })
        .collect();
    let regole = m
        .regole
        .iter()
        .enumerate()
        .filter(|(i, _)| s.valutazione.esito_regola(*i) == Some(questionario::Esito::Violata))
        .map(|(_, r)| (r.id.clone(), format!("{:?}", r.gravita)))
        .collect();
    (errori, regole)
}

/// The version of a field now (0 never saved).
pub(crate) async fn versione(app: &TestApp, pubblico: &str, campo: &str) -> i64 {
    let q = questionari::by_pubblico(&app.state.db, pubblico).await.unwrap().unwrap();
    questionari::risposta(&app.state.db, q.id, campo).await.unwrap().map_or(0, |r| r.revisione)
}

/// Saves `testo` into `campo` by autosave, at its current version; the status.
pub(crate) async fn metti(b: &mut Browser<'_>, app: &TestApp, pubblico: &str, campo: &str, testo: &str) -> u16 {
    let v = versione(app, pubblico, campo).await;
    let (status, corpo) = valore(b, pubblico, campo, testo, v).await;
    assert!(status == 200 || status == 409, "{campo} = {testo}: {status} {corpo}");
    status
}

/// Fills the scheda trasporto so that it can be sent: the ente was not assigned resources (Q1_00 NO: Quadri 1
/// and 4 only), 3 students and 3 transported in every row of both years, and a plausible answer in every other
/// required field.
pub(crate) async fn compila_inviabile(b: &mut Browser<'_>, app: &TestApp, user_id: i64, pubblico: &str) {
    let user = users::by_id(&app.state.db, user_id).await.unwrap().unwrap();
    let a = compilazione::accedi(&app.state, &user, pubblico).await.unwrap();
    let m = a.modulo;
    metti(b, app, pubblico, "Q1_00", "NO").await;
    // The baseline year (prefilled in real life): 3 students, 3 transported, in each school level.
    for riga in 1..=3 {
        for colonna in ["A", "B"] {
            metti(b, app, pubblico, &format!("Q1_0{riga}.{colonna}"), "3").await;
        }
    }
    for giro in 0..5 {
        let (errori, _) = stato(app, user_id, pubblico).await;
        if errori.is_empty() {
            break;
        }
        assert!(giro < 4, "still in error after filling: {errori:?}");
        for (campo, _) in errori {
            let id = m.id(&campo).unwrap();
            let testo = match &m.campi[id as usize].tipo {
                questionario::Tipo::SiNo => "NO".to_owned(),
                questionario::Tipo::Scelta(o) => o[0].codice.clone(),
                questionario::Tipo::Testo(_) => "Nessuna variazione rispetto all'anno precedente.".to_owned(),
                questionario::Tipo::Data => "31/12/2023".to_owned(),
                _ => "3".to_owned(),
            };
            metti(b, app, pubblico, &campo, &testo).await;
        }
    }
    let (errori, regole) = stato(app, user_id, pubblico).await;
    let aperte: Vec<_> = regole.iter().filter(|(_, g)| g != "Avviso").collect();
    assert!(errori.is_empty() && aperte.is_empty(), "not sendable: {errori:?} {aperte:?}");
}

/// A compiler of the demo comune with the scheda trasporto opened: (browser, user id, URL id).
pub(crate) async fn compilatore<'a>(app: &'a TestApp, codice: &str) -> (Browser<'a>, i64, String) {
    let ente = ente_id(app, "c_f205").await;
    let uid = utente(app, codice, "Maria Invio", Some((ente, Modalita::Compilazione))).await;
    let mut b = login(app, codice).await;
    let pubblico = apri(&mut b, ente, CAMPAGNA, MODULO).await;
    (b, uid, pubblico)
}

pub(crate) async fn invia(b: &mut Browser<'_>, pubblico: &str, chiave: &str) -> common::browser::Page {
    let pagina = b.get(&format!("/questionari/{pubblico}/invio")).await;
    let csrf = pagina.hidden("csrf");
    b.post(&format!("/questionari/{pubblico}/invio"), &[("csrf", &csrf), ("chiave", chiave)]).await
}

async fn n_invii(app: &TestApp, pubblico: &str) -> usize {
    let q = questionari::by_pubblico(&app.state.db, pubblico).await.unwrap().unwrap();
    invii::del_questionario(&app.state.db, q.id).await.unwrap().len()
}

async fn ricevute_in_outbox(app: &TestApp) -> i64 {
    common::scalar_text(
        &app.state.db,
        "SELECT CAST(COUNT(*) AS TEXT) FROM outbox WHERE subject LIKE $1",
        &["Ricevuta di invio%"],
    )
    .await
    .unwrap()
    .parse()
    .unwrap()
}

con_demo! {
    async fn invio_waits_for_every_bloccante_and_squadratura_then_freezes_the_questionnaire_with_a_receipt(app) {
        let (mut b, uid, p) = compilatore(app, "UINV0001").await;
        compila_inviabile(&mut b, app, uid, &p).await;

        // A bloccante: more students transported than students.
        metti(&mut b, app, &p, "Q1_01.E", "5").await;
        let pagina = b.get(&format!("/questionari/{p}/invio")).await;
        assert_eq!(pagina.status, 200);
        assert!(pagina.body.contains("T_TRASPORTATI_ENTRO_STUDENTI_1") || pagina.body.contains("non possono essere più"), "{}", pagina.body);
        assert!(!pagina.body.contains("name=\"chiave\""), "no confirmation while a bloccante is open");
        let r = b.post(&format!("/questionari/{p}/invio"), &[("csrf", &pagina.hidden("csrf")), ("chiave", "k-bloccante")]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("non può essere inviato"), "{}", r.body);
        assert_eq!(n_invii(app, &p).await, 0);

        // A squadratura: the 2023 coverage below the baseline's, not justified yet.
        metti(&mut b, app, &p, "Q1_01.E", "2").await;
        let (_, regole) = stato(app, uid, &p).await;
        assert!(regole.iter().any(|(r, _)| r == "T_COPERTURA_IN_CALO"), "{regole:?}");
        let r = invia(&mut b, &p, "k-squadratura").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("da giustificare"), "{}", r.body);
        assert_eq!(n_invii(app, &p).await, 0);

        // Justified: the summary lists it with its text and offers the confirmation.
        let csrf = b.get("/area-riservata").await.hidden("csrf");
        let g = b.post(&format!("/questionari/{p}/giustificazioni"), &[("csrf", &csrf), ("regola", "T_COPERTURA_IN_CALO"), ("testo", "Due studenti si sono trasferiti."), ("quadro", "Q1")]).await;
        assert_eq!(g.status, 303, "{}", g.body);
        let pagina = b.get(&format!("/questionari/{p}/invio")).await;
        assert!(pagina.body.contains("Due studenti si sono trasferiti."), "{}", pagina.body);
        assert!(pagina.body.contains("non potrai più modificare il questionario"), "{}", pagina.body);
        let chiave = pagina.hidden("chiave");
        assert!(chiave.len() >= 32, "a random key per page: {chiave}");
        // A second page of the same questionnaire is open: it learns of the invio and becomes read only.
        let altra = login(app, "UINV0001").await;
        let mut flusso = crate::compilazione::Flusso::apri(&altra, &p, "Q1").await;
        let r = b.post(&format!("/questionari/{p}/invio"), &[("csrf", &pagina.hidden("csrf")), ("chiave", &chiave)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location.as_deref(), Some(format!("/questionari/{p}/invii/1?esito=inviato").as_str()));

        let e = flusso.attendi("inviato", 5).await;
        assert!(e["messaggio"].as_str().unwrap().contains("sola lettura"), "{e}");
        assert_eq!(e["href"], format!("/questionari/{p}/invii/1"));

        // The row: state, protocol, snapshot and its hash.
        let q = questionari::by_pubblico(&app.state.db, &p).await.unwrap().unwrap();
        assert_eq!(q.stato, "inviato");
        let inviati = invii::del_questionario(&app.state.db, q.id).await.unwrap();
        assert_eq!(inviati.len(), 1);
        let i = &inviati[0];
        assert_eq!(i.versione, 1);
        assert!(i.protocollo.ends_with("-2023-000001"), "{}", i.protocollo);
        assert!(invio::verifica_hash(i), "the hash recomputed from the stored snapshot is the receipt's");
        let foto: serde_json::Value = serde_json::from_str(&i.snapshot).unwrap();
        assert_eq!(foto["valori"]["Q1_01.E"], "2");
        assert_eq!(foto["ente"]["codice_ipa"], "c_f205");
        assert_eq!(foto["giustificazioni"]["T_COPERTURA_IN_CALO"]["testo"], "Due studenti si sono trasferiti.");
        assert_eq!(foto["impronta"].as_str().unwrap().len(), 64);
        assert_eq!(ricevute_in_outbox(app).await, 1);

        // The receipt page.
        let ricevuta = b.get(&format!("/questionari/{p}/invii/1?esito=inviato")).await;
        assert_eq!(ricevuta.status, 200);
        for atteso in [i.protocollo.as_str(), i.sha256.as_str(), "Questionario inviato", "Comune di Milano"] {
            assert!(ricevuta.body.to_lowercase().contains(&atteso.to_lowercase()), "{atteso}: {}", ricevuta.body);
        }

        // Every write is refused now: autosave, the form, a justification.
        let (status, corpo) = valore(&mut b, &p, "Q1_01.E", "1", versione(app, &p, "Q1_01.E").await).await;
        assert_eq!(status, 409, "{corpo}");
        let csrf = b.get("/area-riservata").await.hidden("csrf");
        let r = b.post(&format!("/questionari/{p}/compila/Q1"), &[("csrf", &csrf), ("_revisione", "0"), ("Q1_01.E", "1")]).await;
        assert_eq!(r.status, 409, "{}", r.body);
        let r = b.post(&format!("/questionari/{p}/giustificazioni"), &[("csrf", &csrf), ("regola", "T_COPERTURA_IN_CALO"), ("testo", "altro"), ("quadro", "Q1")]).await;
        assert_eq!(r.status, 409, "{}", r.body);
        let q2 = questionari::by_pubblico(&app.state.db, &p).await.unwrap().unwrap();
        assert_eq!(q2.revisione, q.revisione, "nothing changed");

        // The compile page is read only and links the receipt; the summary sends to the receipt.
        let pagina = b.get(&format!("/questionari/{p}/compila/Q1")).await;
        assert!(!pagina.body.contains("name=\"Q1_01.E\""), "no inputs after invio");
        assert!(pagina.body.contains(&format!("/questionari/{p}/invii/1")), "{}", pagina.body);
        let r = b.get(&format!("/questionari/{p}/invio")).await;
        assert_eq!(r.location.as_deref(), Some(format!("/questionari/{p}/invii/1").as_str()));

        // Sending again with a new key: nothing new, the receipt of the invio.
        let r = b.post(&format!("/questionari/{p}/invio"), &[("csrf", &csrf), ("chiave", "un-altra-chiave")]).await;
        assert_eq!(r.location.as_deref(), Some(format!("/questionari/{p}/invii/1?esito=gia-inviato").as_str()), "{}", r.body);
        assert_eq!(n_invii(app, &p).await, 1);
        assert_eq!(ricevute_in_outbox(app).await, 1);

        // The public verification: right, wrong, and malformed.
        let mut anonimo = Browser::new(app);
        let ok = anonimo.get(&format!("/verifica?protocollo={}&sha256={}", i.protocollo, i.sha256)).await;
        assert_eq!(ok.status, 200);
        assert!(ok.body.contains("La ricevuta corrisponde a un invio") && ok.body.contains("Comune di Milano"), "{}", ok.body);
        assert!(!ok.body.contains("Maria Invio"), "no personal data on the public page");
        let mut sbagliato = i.sha256.clone();
        sbagliato.replace_range(0..1, if sbagliato.starts_with('0') { "1" } else { "0" });
        let no = anonimo.get(&format!("/verifica?protocollo={}&sha256={sbagliato}", i.protocollo)).await;
        assert!(no.body.contains("Nessuna ricevuta corrisponde"), "{}", no.body);
        assert!(!no.body.contains("Comune di Milano"));
        let no = anonimo.get("/verifica?protocollo=%3Cscript%3E&sha256=zz").await;
        assert_eq!(no.status, 200);
        assert!(no.body.contains("Nessuna ricevuta corrisponde") && !no.body.contains("<script>"), "{}", no.body);
        // 30 checks per address in 10 minutes, then a wait, even for a right pair; the page itself still opens.
        for _ in 0..27 {
            assert_eq!(anonimo.get(&format!("/verifica?protocollo={}&sha256={sbagliato}", i.protocollo)).await.status, 200);
        }
        let troppe = anonimo.get(&format!("/verifica?protocollo={}&sha256={}", i.protocollo, i.sha256)).await;
        assert_eq!(troppe.status, 429, "{}", troppe.body);
        assert!(troppe.body.contains("Troppe verifiche") && !troppe.body.contains("Comune di Milano"), "{}", troppe.body);
        assert_eq!(anonimo.get("/verifica").await.status, 200);
        app.state.clock.advance(11 * 60);
        let di_nuovo = anonimo.get(&format!("/verifica?protocollo={}&sha256={}", i.protocollo, i.sha256)).await;
        assert!(di_nuovo.body.contains("La ricevuta corrisponde"), "after the window: {}", di_nuovo.body);
    }

    async fn twenty_concurrent_invii_of_one_questionnaire_give_one_protocol_number_one_receipt_one_email(app) {
        let (mut b, uid, p) = compilatore(app, "UINV0002").await;
        compila_inviabile(&mut b, app, uid, &p).await;
        let pagina = b.get(&format!("/questionari/{p}/invio")).await;
        let csrf = pagina.hidden("csrf");
        let chiave = pagina.hidden("chiave");
        // A double click, retries, and a second tab with its own key: twenty requests at once.
        let mut richieste = Vec::new();
        for n in 0..20 {
            let chiave = if n % 4 == 3 { format!("altra-scheda-{n}") } else { chiave.clone() };
            let req = b
                .app
                .client
                .post(format!("{}/questionari/{p}/invio", app.base))
                .form(&[("csrf", csrf.as_str()), ("chiave", chiave.as_str())]);
            let mut bb = Browser { app: b.app, cookie: b.cookie.clone() };
            richieste.push(async move { bb.send(req).await });
        }
        let risposte = futures_util::future::join_all(richieste).await;
        for r in &risposte {
            assert_eq!(r.status, 303, "{}", r.body);
            let dove = r.location.clone().unwrap();
            assert!(dove.starts_with(&format!("/questionari/{p}/invii/1?esito=")), "{dove}");
        }
        assert_eq!(n_invii(app, &p).await, 1, "one invio");
        assert_eq!(ricevute_in_outbox(app).await, 1, "one receipt e-mail");
        let n: String = common::scalar_text(&app.state.db, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = $1", &["questionario.invio"]).await.unwrap();
        assert_eq!(n, "1", "one audit row");
    }

    async fn protocol_numbers_have_no_gaps_when_invii_roll_back_or_run_at_once(app) {
        // Sixteen transactions take a number at once; every other one rolls back: the committed numbers are 1..=8.
        let mut compiti = Vec::new();
        for n in 0..16 {
            let db = app.state.db.clone();
            compiti.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let numero = invii::prossimo_numero(&mut tx, "campagna-di-prova").await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                if n % 2 == 0 {
                    tx.commit().await.unwrap();
                    Some(numero)
                } else {
                    drop(tx);
                    None
                }
            }));
        }
        let mut presi: Vec<i64> = Vec::new();
        for c in compiti {
            presi.extend(c.await.unwrap());
        }
        presi.sort_unstable();
        assert_eq!(presi, (1..=8).collect::<Vec<i64>>());
        assert_eq!(invio::protocollo("FC80U", 2022, 123), "FC80U-2022-000123");
        assert_eq!(invio::protocollo("FC80U", 2022, 1_234_567), "FC80U-2022-1234567");
    }

    async fn the_routes_of_invio_answer_only_who_may(app) {
        let (mut b, uid, p) = compilatore(app, "UINV0003").await;
        compila_inviabile(&mut b, app, uid, &p).await;
        let ente = ente_id(app, "c_f205").await;
        let altro = ente_id(app, "c_h501").await;
        utente(app, "UINV0004", "Carla Consulta", Some((ente, Modalita::Consultazione))).await;
        utente(app, "UINV0005", "Ugo Altrove", Some((altro, Modalita::Compilazione))).await;
        let mut consulta = login(app, "UINV0004").await;
        let mut estraneo = login(app, "UINV0005").await;
        let mut anonimo = Browser::new(app);

        // Before invio: the summary is the compiler's; a viewer is sent to the checks; others get nothing.
        assert_eq!(b.get(&format!("/questionari/{p}/invio")).await.status, 200);
        let r = consulta.get(&format!("/questionari/{p}/invio")).await;
        assert_eq!(r.location.as_deref(), Some(format!("/questionari/{p}/controlli").as_str()));
        assert_eq!(estraneo.get(&format!("/questionari/{p}/invio")).await.status, 404);
        let r = anonimo.get(&format!("/questionari/{p}/invio")).await;
        assert!(r.location.unwrap().starts_with("/accesso"));
        for (chi, atteso) in [(&mut consulta, 404), (&mut estraneo, 404)] {
            let csrf = chi.get("/area-riservata").await.hidden("csrf");
            let r = chi.post(&format!("/questionari/{p}/invio"), &[("csrf", &csrf), ("chiave", "k")]).await;
            assert_eq!(r.status, atteso, "{}", r.body);
        }
        assert_eq!(n_invii(app, &p).await, 0);

        let pagina = b.get(&format!("/questionari/{p}/invio")).await;
        let r = b.post(&format!("/questionari/{p}/invio"), &[("csrf", &pagina.hidden("csrf")), ("chiave", &pagina.hidden("chiave"))]).await;
        assert_eq!(r.status, 303, "{}", r.body);

        // The receipt: anyone who may view the questionnaire.
        let ricevuta = format!("/questionari/{p}/invii/1");
        assert_eq!(b.get(&ricevuta).await.status, 200);
        assert_eq!(consulta.get(&ricevuta).await.status, 200);
        assert_eq!(estraneo.get(&ricevuta).await.status, 404);
        assert!(anonimo.get(&ricevuta).await.location.unwrap().starts_with("/accesso"));
        assert_eq!(b.get(&format!("/questionari/{p}/invii/2")).await.status, 404);
        assert_eq!(b.get(&format!("/questionari/{p}/invii/uno")).await.status, 404);
        assert_eq!(b.get("/questionari/00000000000000000000000000000000/invii/1").await.status, 404);
        // The bell of the viewer does not list it (a viewer is not a compiler); the compiler's does, with a link.
        let campanella = b.get("/notifiche").await;
        assert!(campanella.body.contains(&ricevuta), "{}", campanella.body);
    }
}
