//! Richieste Apertura end to end over HTTP, on SQLite and PostgreSQL: a compiler asks with a reason (one waiting
//! request at a time), an administrator rejects (with a note) or approves; approved, compiling resumes from the
//! sent values and the next invio is version n + 1 with its own protocol number, receipt and hash, every earlier
//! version still there; who may ask and who may decide.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::compilazione::{apri, con_demo, ente_id, login, start, utente, valore};
use crate::invio::compila_inviabile;

use common::browser::Browser;
use common::{Backend, TestApp};
use raccolta::compilazione::invio;
use raccolta::db::{invii, questionari};
use raccolta::domain::Modalita;

const PASSWORD: &str = "girasole obliquo mangia tre lanterne";

async fn stato(app: &TestApp, p: &str) -> String {
    questionari::by_pubblico(&app.state.db, p).await.unwrap().unwrap().stato
}

async fn csrf(b: &mut Browser<'_>) -> String {
    b.get("/area-riservata").await.hidden("csrf")
}

/// Sends the questionnaire through its summary page; the receipt's path.
async fn invia(b: &mut Browser<'_>, p: &str) -> String {
    let pagina = b.get(&format!("/questionari/{p}/invio")).await;
    assert!(pagina.body.contains("name=\"chiave\""), "not sendable: {}", pagina.body);
    let r = b
        .post(
            &format!("/questionari/{p}/invio"),
            &[("csrf", &pagina.hidden("csrf")), ("chiave", &pagina.hidden("chiave"))],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location.unwrap().split('?').next().unwrap().to_owned()
}

async fn chiedi(b: &mut Browser<'_>, p: &str, motivazione: &str) -> common::browser::Page {
    let t = csrf(b).await;
    b.post(&format!("/questionari/{p}/riapertura"), &[("csrf", &t), ("motivazione", motivazione)]).await
}

/// The id of the request waiting for `p`, from the administrators' page.
async fn in_attesa(admin: &mut Browser<'_>, p: &str) -> String {
    let pagina = admin.get("/gestione/riaperture").await;
    assert_eq!(pagina.status, 200);
    let q = questionari::by_pubblico(&admin.app.state.db, p).await.unwrap().unwrap();
    let r = raccolta::db::riaperture::del_questionario(&admin.app.state.db, q.id).await.unwrap();
    let id = r.iter().find(|r| r.stato == "in_attesa").expect("a waiting request").id.to_string();
    assert!(pagina.body.contains(&format!("/gestione/riaperture/{id}")), "{}", pagina.body);
    id
}

async fn decidi(admin: &mut Browser<'_>, id: &str, decisione: &str, nota: &str) -> common::browser::Page {
    let t = csrf(admin).await;
    admin.post(&format!("/gestione/riaperture/{id}"), &[("csrf", &t), ("decisione", decisione), ("nota", nota)]).await
}

async fn metti(b: &mut Browser<'_>, app: &TestApp, p: &str, campo: &str, testo: &str) {
    let q = questionari::by_pubblico(&app.state.db, p).await.unwrap().unwrap();
    let v = questionari::risposta(&app.state.db, q.id, campo).await.unwrap().map_or(0, |r| r.revisione);
    let (status, corpo) = valore(b, p, campo, testo, v).await;
    assert_eq!(status, 200, "{campo} = {testo}: {corpo}");
}

async fn campanella(b: &mut Browser<'_>) -> String {
    b.get("/notifiche").await.body
}

con_demo! {
    async fn a_questionnaire_is_reopened_twice_and_every_version_keeps_its_own_receipt_and_hash(app) {
        let milano = ente_id(app, "c_f205").await;
        let uid = utente(app, "URIA0001", "Rita Riapre", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "URIA0001").await;
        let p = apri(&mut b, milano, "monitoraggio-2023", "TRASPORTO").await;
        compila_inviabile(&mut b, app, uid, &p).await;
        let v1 = invia(&mut b, &p).await;
        assert_eq!(v1, format!("/questionari/{p}/invii/1"));
        common::utente_attivo(app, "ADMR0001", "Ada", true, PASSWORD).await;
        let mut admin = login(app, "ADMR0001").await;

        // The list offers the request; the receipt links it.
        let lista = b.get("/richieste-apertura").await;
        assert!(lista.body.contains(&format!("/questionari/{p}/riapertura")), "{}", lista.body);
        assert!(b.get(&v1).await.body.contains(&format!("/questionari/{p}/riapertura")));

        // A reason too short is refused, with the form shown back.
        let r = chiedi(&mut b, &p, "errore").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("da 10 a 2000 caratteri") && r.body.contains(">errore</textarea>"), "{}", r.body);
        assert_eq!(stato(app, &p).await, "inviato");

        let r = chiedi(&mut b, &p, "Gli studenti trasportati del rigo 1 erano sbagliati.").await;
        assert_eq!(r.location.as_deref(), Some("/richieste-apertura?esito=riapertura-richiesta"), "{}", r.body);
        assert_eq!(stato(app, &p).await, "riapertura_richiesta");
        let r = chiedi(&mut b, &p, "Una seconda richiesta per lo stesso questionario.").await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("già una richiesta di riapertura in attesa"), "{}", r.body);
        assert!(campanella(&mut admin).await.contains("chiede di riaprire"), "the administrators are told");
        let lista = b.get("/richieste-apertura").await;
        assert!(lista.body.contains("Gli studenti trasportati del rigo 1 erano sbagliati.") && lista.body.contains("In attesa"), "{}", lista.body);

        // Rejected: a note is needed; then it stays sent, and the compiler is told why.
        let id = in_attesa(&mut admin, &p).await;
        let r = decidi(&mut admin, &id, "respingi", "").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("scrivi il motivo nella nota"), "{}", r.body);
        let r = decidi(&mut admin, &id, "respingi", "Correggete nel prossimo anno.").await;
        assert_eq!(r.location.as_deref(), Some("/gestione/riaperture?esito=riapertura-respinta"));
        assert_eq!(stato(app, &p).await, "inviato");
        let c = campanella(&mut b).await;
        assert!(c.contains("è stata respinta") && c.contains("Correggete nel prossimo anno."), "{c}");
        let r = decidi(&mut admin, &id, "approva", "").await;
        assert_eq!(r.location.as_deref(), Some("/gestione/riaperture?esito=riapertura-gia-decisa"), "a decided request stays decided");
        assert_eq!(stato(app, &p).await, "inviato");

        // Approved twice: version 2, then version 3, each with its own number, receipt and hash.
        for (versione, studenti) in [(2, "4"), (3, "5")] {
            let r = chiedi(&mut b, &p, "Gli studenti del rigo 1 vanno aggiornati.").await;
            assert_eq!(r.status, 303, "{}", r.body);
            let id = in_attesa(&mut admin, &p).await;
            let r = decidi(&mut admin, &id, "approva", "").await;
            assert_eq!(r.location.as_deref(), Some("/gestione/riaperture?esito=riapertura-approvata"));
            assert_eq!(stato(app, &p).await, "riaperto");
            assert!(campanella(&mut b).await.contains("è stata approvata"));
            // Compiling resumes from the sent values.
            let pagina = b.get(&format!("/questionari/{p}/compila/Q1")).await;
            assert!(pagina.body.contains("name=\"Q1_01.D\""), "editable again");
            metti(&mut b, app, &p, "Q1_01.D", studenti).await;
            metti(&mut b, app, &p, "Q1_01.E", studenti).await;
            assert_eq!(stato(app, &p).await, "riaperto", "saving keeps it reopened");
            // What the next invio will change, before it.
            let bozza = b.get(&format!("/questionari/{p}/differenze")).await;
            assert_eq!(bozza.status, 200);
            assert!(bozza.body.contains("Q1_01.D") && bozza.body.contains("Rita Riapre"), "{}", bozza.body);
            assert!(!bozza.body.contains("Q1_02.D"), "an unchanged field is not listed");
            let ricevuta = invia(&mut b, &p).await;
            assert_eq!(ricevuta, format!("/questionari/{p}/invii/{versione}"));
        }
        let q = questionari::by_pubblico(&app.state.db, &p).await.unwrap().unwrap();
        let inviati = invii::del_questionario(&app.state.db, q.id).await.unwrap();
        assert_eq!(inviati.iter().map(|i| i.versione).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(inviati.iter().map(|i| i.numero).collect::<Vec<_>>(), vec![1, 2, 3], "one protocol number each");
        let hash: std::collections::HashSet<&str> = inviati.iter().map(|i| i.sha256.as_str()).collect();
        assert_eq!(hash.len(), 3, "each version has its own hash");
        for i in &inviati {
            assert!(invio::verifica_hash(i), "version {}", i.versione);
            let foto: serde_json::Value = serde_json::from_str(&i.snapshot).unwrap();
            assert_eq!(foto["versione"], i.versione);
            let atteso = match i.versione { 1 => "3", 2 => "4", _ => "5" };
            assert_eq!(foto["valori"]["Q1_01.D"], atteso, "version {} keeps its own values", i.versione);
            let pagina = b.get(&format!("/questionari/{p}/invii/{}", i.versione)).await;
            assert_eq!(pagina.status, 200);
            assert!(pagina.body.contains(&i.sha256) && pagina.body.contains(&i.protocollo));
            // Every version's PDF stays downloadable, with its own protocol and hash on its pages.
            let pdf = crate::pdf::pronto(&mut b, &format!("/questionari/{p}/invii/{}/questionario.pdf", i.versione)).await;
            let (testo, _) = crate::pdf::leggi(&pdf);
            assert!(testo.contains(&i.sha256) && testo.contains(&i.protocollo), "version {}", i.versione);
            if i.versione > 1 {
                assert!(testo.contains(&format!("Allegato: differenze dalla versione {}", i.versione - 1)), "the annex");
                assert!(testo.contains("Q1_01.D"), "the annex lists the field changed");
            }
        }
        // Version 2 against version 1: the two fields typed, the totals that follow from them, who changed what.
        let d = b.get(&format!("/questionari/{p}/invii/2/differenze")).await;
        assert_eq!(d.status, 200, "{}", d.body);
        let riga = |campo: &str| {
            let i = d.body.find(&format!(">{campo}</span>")).unwrap_or_else(|| panic!("{campo} missing: {}", d.body));
            let fine = d.body[i..].find("</tr>").unwrap();
            d.body[i..i + fine].to_owned()
        };
        let r = riga("Q1_01.D");
        assert!(r.contains("<td class=\"text-break\">3</td>") && r.contains("<td class=\"text-break\">4</td>") && r.contains("Rita Riapre"), "{r}");
        let totale = riga("Q1_04.D");
        assert!(totale.contains("(calcolato)"), "a total follows from other fields");
        // Its values before and after, read back from the snapshots (3 + 3 + 3, then 4 + 3 + 3).
        assert!(totale.contains("<td class=\"text-break\">9</td>") && totale.contains("<td class=\"text-break\">10</td>"), "{totale}");
        assert!(d.body.contains("4 campi cambiati"), "D and E of row 1 and their totals: {}", d.body);
        assert!(!d.body.contains(">Q1_02.D</span>"));
        assert_eq!(b.get(&format!("/questionari/{p}/invii/1/differenze")).await.status, 404, "version 1 has no predecessor");
        assert_eq!(b.get(&format!("/questionari/{p}/invii/9/differenze")).await.status, 404);
        assert!(b.get(&format!("/questionari/{p}/invii/2")).await.body.contains(&format!("/questionari/{p}/invii/2/differenze")));
        let mut estraneo_b = {
            let roma = ente_id(app, "c_h501").await;
            utente(app, "URIA0009", "Ugo Altrove", Some((roma, Modalita::Compilazione))).await;
            login(app, "URIA0009").await
        };
        assert_eq!(estraneo_b.get(&format!("/questionari/{p}/invii/2/differenze")).await.status, 404);
        assert_eq!(estraneo_b.get(&format!("/questionari/{p}/differenze")).await.status, 404);
        let ultima = b.get(&format!("/questionari/{p}/invii/3")).await;
        assert!(ultima.body.contains("Tutte le versioni inviate") && ultima.body.contains(&format!("/questionari/{p}/invii/1")), "{}", ultima.body);
    }

    async fn only_a_compiler_of_the_ente_asks_and_only_an_administrator_decides(app) {
        let milano = ente_id(app, "c_f205").await;
        let roma = ente_id(app, "c_h501").await;
        let uid = utente(app, "URIA0002", "Rino Riapre", Some((milano, Modalita::Compilazione))).await;
        utente(app, "URIA0003", "Carla Consulta", Some((milano, Modalita::Consultazione))).await;
        utente(app, "URIA0004", "Ugo Altrove", Some((roma, Modalita::Compilazione))).await;
        let mut b = login(app, "URIA0002").await;
        let p = apri(&mut b, milano, "monitoraggio-2023", "TRASPORTO").await;

        // Not sent yet: nothing to ask.
        let r = b.get(&format!("/questionari/{p}/riapertura")).await;
        assert_eq!(r.location.as_deref(), Some("/richieste-apertura"));
        let r = chiedi(&mut b, &p, "Non è ancora stato inviato, però.").await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("solo un questionario inviato"), "{}", r.body);

        compila_inviabile(&mut b, app, uid, &p).await;
        invia(&mut b, &p).await;
        let mut consulta = login(app, "URIA0003").await;
        let mut estraneo = login(app, "URIA0004").await;
        let mut anonimo = Browser::new(app);
        for chi in [&mut consulta, &mut estraneo] {
            let r = chiedi(chi, &p, "Vorrei riaprirlo io, per favore.").await;
            assert_eq!(r.status, 404, "{}", r.body);
        }
        let r = anonimo.get(&format!("/questionari/{p}/riapertura")).await;
        assert!(r.location.unwrap().starts_with("/accesso"));
        assert_eq!(stato(app, &p).await, "inviato");
        // A viewer sees the ente's requests but is offered no request form.
        let t = csrf(&mut consulta).await;
        consulta.post(&format!("/enti/{milano}/seleziona"), &[("csrf", &t)]).await;
        let lista = consulta.get("/richieste-apertura").await;
        assert_eq!(lista.status, 200);
        assert!(!lista.body.contains(&format!("/questionari/{p}/riapertura")), "{}", lista.body);

        let r = chiedi(&mut b, &p, "Gli studenti trasportati erano sbagliati.").await;
        assert_eq!(r.status, 303);
        let q = questionari::by_pubblico(&app.state.db, &p).await.unwrap().unwrap();
        let id = raccolta::db::riaperture::del_questionario(&app.state.db, q.id).await.unwrap()[0].id.to_string();
        // Nobody but an administrator sees or decides it, the requester included.
        for chi in [&mut b, &mut consulta, &mut estraneo] {
            assert_eq!(chi.get("/gestione/riaperture").await.status, 404);
            let r = decidi(chi, &id, "approva", "").await;
            assert_eq!(r.status, 404, "{}", r.body);
        }
        assert!(anonimo.get("/gestione/riaperture").await.location.unwrap().starts_with("/accesso"));
        assert_eq!(stato(app, &p).await, "riapertura_richiesta");
        common::utente_attivo(app, "ADMR0002", "Aldo", true, PASSWORD).await;
        let mut admin = login(app, "ADMR0002").await;
        let r = decidi(&mut admin, "999999", "approva", "").await;
        assert_eq!(r.status, 404);
        let r = decidi(&mut admin, "uno", "approva", "").await;
        assert_eq!(r.status, 404);
        let r = decidi(&mut admin, &id, "forse", "").await;
        assert_eq!(r.status, 400);
        let r = decidi(&mut admin, &id, "approva", "").await;
        assert_eq!(r.status, 303);
        assert_eq!(stato(app, &p).await, "riaperto");
        // The ente's other compilers and responsabili are told too, and the audit log has every step.
        let n: String = common::scalar_text(&app.state.db, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action LIKE $1", &["questionario.riapertura%"]).await.unwrap();
        assert_eq!(n, "2");
    }
}
