//! The audit log's hash chain, on SQLite and PostgreSQL: rows sealed in order by the sealer (the server's job and
//! direct calls together), the whole chain verified, then an altered row and a deleted row each named as the
//! first break; `raccolta audit verifica` from the command line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use raccolta::context::Context;
use raccolta::db::audit::{self, EsitoCatena};

use crate::common;
use crate::common::TestApp;
use crate::compilazione::{con_demo, login, start, utente};
use common::Backend;

const PASSWORD: &str = "girasole obliquo mangia tre lanterne";

/// Seals everything written so far (the server's own sealer may be doing the same: one waits for the other).
async fn sigilla_tutto(db: &raccolta::db::Db) {
    while audit::sigilla(db, 3).await.unwrap() > 0 {}
}

async fn id_di(db: &raccolta::db::Db, n: i64) -> i64 {
    let sql = format!(
        "SELECT CAST(id AS TEXT) FROM audit_events WHERE action = 'prova.catena' AND details LIKE '%\"n\":{n}%'"
    );
    common::scalar_text(db, &sql, &[]).await.unwrap().parse().unwrap()
}

crate::both_backends! {
    async fn old_rows_move_to_the_archive_and_the_chain_still_verifies(app) {
        let db = &app.state.db;
        for n in 0..5 {
            let evento = Context::system(&app.state.clock, None).audit("prova.catena").details(serde_json::json!({ "n": n }));
            audit::record(db, &evento).await.unwrap();
        }
        sigilla_tutto(db).await;
        let EsitoCatena::Integra { sigillati: prima, .. } = audit::verifica(db, 3).await.unwrap() else { panic!("intact") };
        // A year and a month later, with a year's retention: every sealed row is old enough.
        let dopo = app.state.clock.now() + 400 * 24 * 3600;
        let spostati = raccolta::jobs::archivia_audit(db, dopo, 365).await.unwrap();
        assert!(spostati as i64 >= prima, "{spostati} of {prima}");
        let vivi = common::scalar_text(db, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE catena_seq IS NOT NULL", &[]).await;
        assert_eq!(vivi.as_deref(), Some("0"), "nothing sealed and old is left in the live table");
        let archiviati: i64 = common::scalar_text(db, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_archivio", &[]).await.unwrap().parse().unwrap();
        assert_eq!(archiviati, spostati as i64, "moved, not dropped");
        // Rows written later continue the chain after the archive.
        for n in 10..12 {
            let evento = Context::system(&app.state.clock, None).audit("prova.catena").details(serde_json::json!({ "n": n }));
            audit::record(db, &evento).await.unwrap();
        }
        sigilla_tutto(db).await;
        let EsitoCatena::Integra { sigillati, .. } = audit::verifica(db, 3).await.unwrap() else { panic!("intact after archiving") };
        assert!(sigillati >= prima + 2, "{sigillati}");
        // An archived row altered is found like a live one.
        let id: i64 = common::scalar_text(db, "SELECT CAST(id AS TEXT) FROM audit_archivio WHERE details LIKE '%\"n\":1}%'", &[]).await.unwrap().parse().unwrap();
        common::execute(db, &format!("UPDATE audit_archivio SET actor = 'qualcun altro' WHERE id = {id}")).await;
        match audit::verifica(db, 3).await.unwrap() {
            EsitoCatena::Interrotta { id: trovato, .. } => assert_eq!(trovato, Some(id)),
            e => panic!("an altered archived row went unnoticed: {e:?}"),
        }
    }

    async fn the_audit_chain_verifies_and_names_the_first_altered_or_deleted_row(app) {
        let db = &app.state.db;
        for n in 0..7 {
            let evento = Context::system(&app.state.clock, None).audit("prova.catena").details(serde_json::json!({ "n": n }));
            audit::record(db, &evento).await.unwrap();
        }
        sigilla_tutto(db).await;
        // Pages of two rows: the walk crosses page boundaries.
        let EsitoCatena::Integra { sigillati, da_sigillare, testa } = audit::verifica(db, 2).await.unwrap() else {
            panic!("the chain as written is intact")
        };
        assert!(sigillati >= 8, "the start of the server and the seven events: {sigillati}");
        assert_eq!(da_sigillare, 0);
        assert_eq!(testa.len(), 64);
        assert_ne!(testa, audit::CATENA_ORIGINE);

        // One field of one row changed: that row is named.
        let alterato = id_di(db, 3).await;
        common::execute(db, &format!("UPDATE audit_events SET actor = 'qualcun altro' WHERE id = {alterato}")).await;
        match audit::verifica(db, 2).await.unwrap() {
            EsitoCatena::Interrotta { id, motivo, .. } => {
                assert_eq!(id, Some(alterato), "{motivo}");
                assert!(motivo.contains("modificato"), "{motivo}");
            }
            e => panic!("an altered row went unnoticed: {e:?}"),
        }
        common::execute(db, &format!("UPDATE audit_events SET actor = 'sistema' WHERE id = {alterato}")).await;
        assert!(matches!(audit::verifica(db, 2).await.unwrap(), EsitoCatena::Integra { .. }), "restored, intact again");

        // A row deleted: the gap is found where it was.
        let cancellato = id_di(db, 5).await;
        let seq: i64 = common::scalar_text(db, &format!("SELECT CAST(catena_seq AS TEXT) FROM audit_events WHERE id = {cancellato}"), &[])
            .await
            .unwrap()
            .parse()
            .unwrap();
        common::execute(db, &format!("DELETE FROM audit_events WHERE id = {cancellato}")).await;
        match audit::verifica(db, 2).await.unwrap() {
            EsitoCatena::Interrotta { seq: dove, id, motivo } => {
                assert_eq!((dove, id), (seq, None), "{motivo}");
                assert!(motivo.contains("cancellato"), "{motivo}");
            }
            e => panic!("a deleted row went unnoticed: {e:?}"),
        }
    }

    async fn a_removed_tail_no_longer_reaches_the_recorded_head(app) {
        let db = &app.state.db;
        for n in 0..3 {
            let evento = Context::system(&app.state.clock, None).audit("prova.catena").details(serde_json::json!({ "n": n }));
            audit::record(db, &evento).await.unwrap();
        }
        sigilla_tutto(db).await;
        let ultimo = id_di(db, 2).await;
        common::execute(db, &format!("DELETE FROM audit_events WHERE id = {ultimo}")).await;
        match audit::verifica(db, 100).await.unwrap() {
            EsitoCatena::Interrotta { id: None, motivo, .. } => assert!(motivo.contains("gli ultimi"), "{motivo}"),
            e => panic!("a removed tail went unnoticed: {e:?}"),
        }
    }
}

con_demo! {
    async fn administrators_filter_page_and_export_the_audit_log_and_nobody_else_sees_it(app) {
        let db = &app.state.db;
        for n in 0..60 {
            let evento = Context::system(&app.state.clock, None)
                .audit(if n % 2 == 0 { "prova.pari" } else { "prova.dispari" })
                .target(format!("oggetto-{n}"))
                .details(serde_json::json!({ "n": n }));
            audit::record(db, &evento).await.unwrap();
        }
        common::utente_attivo(app, "AUDT0001", "Ada Audit", true, PASSWORD).await;
        let mut admin = login(app, "AUDT0001").await;

        let pagina = admin.get("/gestione/audit?cosa=prova.").await;
        assert_eq!(pagina.status, 200, "{}", pagina.body);
        assert!(pagina.body.contains("60 eventi trovati."), "{}", pagina.body);
        assert!(pagina.body.contains("1 / 2"), "50 per page: {}", pagina.body);
        assert!(pagina.body.contains("oggetto-59") && !pagina.body.contains("oggetto-9<"), "newest first");
        let seconda = admin.get("/gestione/audit?cosa=prova.&pagina=2").await;
        assert!(seconda.body.contains("oggetto-0<") && seconda.body.contains("2 / 2"), "{}", seconda.body);
        let pari = admin.get("/gestione/audit?cosa=PROVA.PARI&oggetto=oggetto-1").await;
        // oggetto-10, -12, … -18: five of the even ones start with "oggetto-1".
        assert!(pari.body.contains("5 eventi trovati."), "{}", pari.body);
        // A LIKE wildcard typed by the user is a plain character.
        assert!(admin.get("/gestione/audit?cosa=prova%25").await.body.contains("Nessun evento corrisponde"));
        // A bad date: said, and left out of the filter.
        let data = admin.get("/gestione/audit?cosa=prova.&dal=ieri").await;
        assert_eq!(data.status, 200);
        assert!(data.body.contains("data non valida") && data.body.contains("60 eventi trovati."), "{}", data.body);
        let futuro = admin.get("/gestione/audit?cosa=prova.&dal=2199-01-01").await;
        assert!(futuro.body.contains("Nessun evento corrisponde"), "{}", futuro.body);

        // The CSV: every matching row, newest first, read back with a CSV reader; and the export is audited.
        let res = app.client.get(format!("{}/gestione/audit.csv?cosa=prova.dispari", app.base))
            .header("cookie", admin.cookie.clone().unwrap()).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        let byte = res.bytes().await.unwrap();
        assert!(byte.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
        let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(&byte[3..]);
        let righe: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(righe.len(), 30);
        assert_eq!(&righe[0][3], "prova.dispari");
        assert_eq!(&righe[0][4], "oggetto-59");
        assert_eq!(&righe[29][4], "oggetto-1");
        assert_eq!(&righe[0][7], "{\"n\":59}");
        let esportazioni = common::scalar_text(db, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'audit.esportazione'", &[]).await;
        assert_eq!(esportazioni.as_deref(), Some("1"));
        assert_eq!(admin.get("/gestione/audit.csv?dal=31/02/2026").await.status, 400);

        // Nobody else: a compiler gets 404, a visitor the sign-in page.
        utente(app, "AUDT0002", "Carlo Compila", None).await;
        let mut altro = login(app, "AUDT0002").await;
        assert_eq!(altro.get("/gestione/audit").await.status, 404);
        assert_eq!(altro.get("/gestione/audit.csv").await.status, 404);
        let mut anonimo = common::browser::Browser::new(app);
        assert_eq!(anonimo.get("/gestione/audit").await.status, 303);
    }
}
