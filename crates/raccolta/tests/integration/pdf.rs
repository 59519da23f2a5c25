//! The PDFs, read back with poppler's `pdfinfo` and `pdftotext` (installed by scripts/test.sh): the questionnaire
//! and receipt of an invio, made by the job after the commit and served as stored, only after invio and only to
//! who may view the questionnaire; a failed attempt retried; the Documenti page; the blank models made from the
//! definitions; a fully filled modulo B with every quadro.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use crate::compilazione::{con_demo, ente_id, login, start, utente, valore};
use crate::invio::{compila_inviabile, compilatore, invia};
use common::browser::Browser;
use common::{Backend, TestApp};
use raccolta::compilazione::pdf;
use raccolta::db::{documenti as archivio, invii, questionari};

use crate::common;

/// `pdftotext -layout` and `pdfinfo` of a PDF.
pub(crate) fn leggi(pdf: &[u8]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let esegui = |programma: &str, args: &[&str]| {
        let out = Command::new(programma)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{programma} ({e}): installa poppler-utils (scripts/test.sh)"));
        assert!(out.status.success(), "{programma}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let percorso = file.to_str().unwrap();
    (esegui("pdftotext", &["-layout", percorso, "-"]), esegui("pdfinfo", &[percorso]))
}

fn pagine(info: &str) -> usize {
    info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

/// The PDF at `path` once the job has made it (503 until then).
pub(crate) async fn pronto(b: &mut Browser<'_>, path: &str) -> Vec<u8> {
    for _ in 0..600 {
        let (status, tipo, corpo) = b.scarica(path).await;
        match status {
            200 => {
                assert_eq!(tipo, "application/pdf");
                assert!(corpo.starts_with(b"%PDF-"), "{path}");
                return corpo;
            }
            503 => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
            s => {
                let pagina = b.get(path).await;
                panic!("{path}: {s} → {:?} {}", pagina.location, String::from_utf8_lossy(&corpo))
            }
        }
    }
    panic!("{path}: not made in two minutes");
}

/// The attempts and the last failure of invio `id`'s PDFs, once a failure is recorded.
async fn attendi_errore(app: &TestApp, id: i64) -> (i64, String) {
    for _ in 0..300 {
        if let Some((t, Some(e))) = archivio::tentativi(&app.state.db, id).await.unwrap() {
            return (t, e);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no failure recorded for invio {id}");
}

con_demo! {
    async fn invio_makes_a_tagged_questionnaire_pdf_and_a_one_page_receipt_served_as_stored(app) {
        let (mut b, uid, p) = compilatore(app, "UPDF0001").await;
        // Before invio there is no PDF, and Documenti says so.
        assert_eq!(b.scarica(&format!("/questionari/{p}/invii/1/questionario.pdf")).await.0, 404);
        let documenti_pagina = b.get("/documenti").await;
        assert_eq!(documenti_pagina.status, 200);
        assert!(documenti_pagina.body.contains("Nessun questionario dell&#39;ente è stato ancora inviato"), "{}", documenti_pagina.body);
        assert!(documenti_pagina.body.contains("href=\"/campagne/monitoraggio-2023/modelli/TRASPORTO.pdf\""), "{}", documenti_pagina.body);

        compila_inviabile(&mut b, app, uid, &p).await;
        let q = questionari::by_pubblico(&app.state.db, &p).await.unwrap().unwrap();
        let m = raccolta::compilazione::definizione(&app.state, &q).unwrap();
        let annotazioni = &m.campi[m.quadri[0].annotazioni as usize].indirizzo;
        let (status, corpo) = valore(&mut b, &p, annotazioni, "Numeri verificati con l'ufficio scuola, #set [x].", 0).await;
        assert_eq!(status, 200, "{corpo}");
        let r = invia(&mut b, &p, "k-pdf").await;
        assert_eq!(r.status, 303, "{}", r.body);
        let i = invii::del_questionario(&app.state.db, q.id).await.unwrap().remove(0);

        let pdf_q = pronto(&mut b, &format!("/questionari/{p}/invii/1/questionario.pdf")).await;
        let (testo, info) = leggi(&pdf_q);
        assert!(info.contains("Tagged:          yes"), "{info}");
        assert!(info.contains("TRASPORTO"), "the title names the modulo: {info}");
        for atteso in ["Comune di Milano", i.protocollo.as_str(), "Numeri verificati con l'ufficio scuola, #set [x].", "Versione 1"] {
            assert!(testo.contains(atteso), "{atteso} missing:\n{testo}");
        }
        // Every page carries the hash.
        assert_eq!(testo.matches(i.sha256.as_str()).count(), pagine(&info), "{testo}");
        for quadro in &m.quadri {
            let titolo = format!("Quadro {}: {}", quadro.codice, quadro.titolo.it);
            assert!(testo.contains(&titolo), "{titolo} missing:\n{testo}");
        }

        let pdf_r = pronto(&mut b, &format!("/questionari/{p}/invii/1/ricevuta.pdf")).await;
        let (testo, info) = leggi(&pdf_r);
        assert_eq!(pagine(&info), 1, "{info}");
        assert!(info.contains("Tagged:          yes"), "{info}");
        for atteso in ["Ricevuta di invio", i.protocollo.as_str(), i.sha256.as_str(), "/verifica\n"] {
            assert!(testo.contains(atteso), "{atteso} missing:\n{testo}");
        }

        // Served as stored, every time.
        assert_eq!(b.scarica(&format!("/questionari/{p}/invii/1/questionario.pdf")).await.2, pdf_q);
        assert_eq!(archivio::pdf(&app.state.db, i.id, archivio::Tipo::Questionario).await.unwrap().unwrap(), pdf_q);
        assert_eq!(b.scarica(&format!("/questionari/{p}/invii/1/altro.pdf")).await.0, 404);
        assert_eq!(b.scarica(&format!("/questionari/{p}/invii/2/questionario.pdf")).await.0, 404);

        // The receipt page and Documenti link both.
        let ricevuta = b.get(&format!("/questionari/{p}/invii/1")).await;
        assert!(ricevuta.body.contains(&format!("/questionari/{p}/invii/1/questionario.pdf")), "{}", ricevuta.body);
        let documenti_pagina = b.get("/documenti").await;
        for link in [format!("/questionari/{p}/invii/1/questionario.pdf"), format!("/questionari/{p}/invii/1/ricevuta.pdf")] {
            assert!(documenti_pagina.body.contains(&link), "{link}: {}", documenti_pagina.body);
        }
        assert!(documenti_pagina.body.contains(&i.protocollo), "{}", documenti_pagina.body);

        // Only who may view the questionnaire: another ente's compiler gets 404, a stranger the sign-in page.
        let altro_ente = ente_id(app, "c_h501").await;
        utente(app, "UPDF0002", "Altro Ente", Some((altro_ente, raccolta::domain::Modalita::Compilazione))).await;
        let mut estraneo = login(app, "UPDF0002").await;
        assert_eq!(estraneo.scarica(&format!("/questionari/{p}/invii/1/questionario.pdf")).await.0, 404);
        assert_eq!(estraneo.scarica(&format!("/questionari/{p}/invii/1/ricevuta.pdf")).await.0, 404);
        let mut anonimo = Browser::new(app);
        assert_eq!(anonimo.scarica(&format!("/questionari/{p}/invii/1/questionario.pdf")).await.0, 303);
        // A Consultazione user of the ente may download them.
        let milano = ente_id(app, "c_f205").await;
        utente(app, "UPDF0003", "Lettore Milano", Some((milano, raccolta::domain::Modalita::Consultazione))).await;
        let mut lettore = login(app, "UPDF0003").await;
        assert_eq!(lettore.scarica(&format!("/questionari/{p}/invii/1/questionario.pdf")).await.2, pdf_q);
    }

    async fn a_failed_pdf_is_retried_later_and_comes_out_the_same(app) {
        let (mut b, uid, p) = compilatore(app, "UPDF0011").await;
        compila_inviabile(&mut b, app, uid, &p).await;
        assert_eq!(invia(&mut b, &p, "k-pdf-2").await.status, 303);
        let primo = pronto(&mut b, &format!("/questionari/{p}/invii/1/questionario.pdf")).await;
        let q = questionari::by_pubblico(&app.state.db, &p).await.unwrap().unwrap();
        let i = invii::del_questionario(&app.state.db, q.id).await.unwrap().remove(0);

        // As if the PDFs were never made and the binary had another definition of the modulo.
        let vera = i.impronta.clone();
        common::execute(&app.state.db, &format!("UPDATE invii SET impronta = '{}' WHERE id = {}", "0".repeat(64), i.id)).await;
        common::execute(&app.state.db, &format!("UPDATE documenti_invio SET pronto = FALSE, questionario_pdf = NULL, ricevuta_pdf = NULL, prossimo_at = 0 WHERE invio_id = {}", i.id)).await;
        pdf::giro(&app.state).await.unwrap();
        // The server's own job may have claimed the row first: either way, one attempt fails and says why.
        let (tentativi, errore) = attendi_errore(app, i.id).await;
        assert_eq!(tentativi, 2, "the first making, then this failed attempt");
        assert!(errore.contains("è cambiata dopo l'invio"), "{errore}");
        let (status, _, corpo) = b.scarica(&format!("/questionari/{p}/invii/1/questionario.pdf")).await;
        assert_eq!(status, 503, "{}", String::from_utf8_lossy(&corpo));
        assert!(String::from_utf8_lossy(&corpo).contains("in preparazione"));
        // Not before its time: four minutes after the failure.
        let prossimo = archivio::prossimo(&app.state.db, i.id).await.unwrap().unwrap();
        assert!((app.state.clock.now() + 230..=app.state.clock.now() + 250).contains(&prossimo), "{prossimo}");
        pdf::giro(&app.state).await.unwrap();
        assert_eq!(archivio::tentativi(&app.state.db, i.id).await.unwrap().unwrap().0, 2, "not claimed before its time");

        // The right definition again, and the wait over: the same bytes as the first time.
        common::execute(&app.state.db, &format!("UPDATE invii SET impronta = '{vera}' WHERE id = {}", i.id)).await;
        // (Well within the session's idle time.)
        app.state.clock.advance(300);
        pdf::giro(&app.state).await.unwrap();
        assert_eq!(pronto(&mut b, &format!("/questionari/{p}/invii/1/questionario.pdf")).await, primo);
    }

    async fn the_blank_models_are_pdfs_made_from_the_definitions_in_both_languages(app) {
        let mut b = Browser::new(app);
        let (status, tipo, it) = b.scarica("/campagne/fc80u-2022/modelli/A.pdf").await;
        assert_eq!((status, tipo.as_str()), (200, "application/pdf"));
        let (testo, info) = leggi(&it);
        assert!(info.contains("Tagged:          yes"), "{info}");
        assert!(testo.contains("Modello vuoto, solo per consultazione"), "{testo}");
        let m = raccolta::catalogo::definizioni_incorporate()
            .unwrap()
            .modulo(&questionario::ChiaveModulo::new("fc80u-2022", "FC80U", "A"))
            .unwrap();
        for quadro in &m.quadri {
            let titolo = format!("Quadro {}: {}", quadro.codice, quadro.titolo.it);
            assert!(testo.contains(&titolo), "{titolo} missing");
        }
        let res = app.get_with("/campagne/fc80u-2022/modelli/A.pdf", "cookie", "lang=en").await;
        assert_eq!(res.status().as_u16(), 200);
        let (testo, _) = leggi(&res.bytes().await.unwrap());
        assert!(testo.contains("Blank model, for reference only"), "{testo}");
        for assente in ["/campagne/fc80u-2022/modelli/Z.pdf", "/campagne/fc80u-2022/modelli/A", "/campagne/nessuna/modelli/A.pdf"] {
            assert_eq!(b.scarica(assente).await.0, 404, "{assente}");
        }
        // The public campaign page links them.
        let home = b.get("/").await;
        assert!(home.body.contains("href=\"/campagne/fc80u-2022/modelli/B.pdf\""), "{}", home.body);
    }
}

#[test]
fn the_pdf_of_a_fully_filled_modulo_b_has_every_quadro_and_italian_numbers() {
    let m = raccolta::catalogo::definizioni_incorporate()
        .unwrap()
        .modulo(&questionario::ChiaveModulo::new("fc80u-2022", "FC80U", "B"))
        .unwrap();
    let invio = pdf::invio_completo(m, "Comune di Prova", 0);
    let dati = pdf::dati_questionario(m, &invio, "FC80U 2022", None).unwrap();
    let doc = documenti::Motore::new().questionario(&dati, None).unwrap();
    let (testo, info) = leggi(&doc.pdf);
    assert_eq!(doc.pagine, pagine(&info));
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(pagine(&info) > 10, "{info}");
    for quadro in &m.quadri {
        let titolo = format!("Quadro {}: {}", quadro.codice, quadro.titolo.it);
        assert!(testo.contains(&titolo), "{titolo} missing");
    }
    assert!(testo.contains("1.234,56"), "euro in Italian format");
    assert!(testo.contains("FC80U-2022-000001"));
}
