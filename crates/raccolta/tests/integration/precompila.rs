//! Prefilled values: `raccolta questionari precompila FILE.csv` run as an operator runs it, against the database of
//! a running node (SQLite and PostgreSQL), what the compile page then shows, and the demo's BDAP values.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::compilazione::{CAPTCHA, apri, ente_id, login, utente, valore};

use common::TestApp;
use raccolta::domain::Modalita;
use raccolta::enti::import::{self, Opzioni};

const IMPOSTAZIONI: &[(&str, &str)] = &[("RACCOLTA_CAPTCHA_TEST_ANSWER", CAPTCHA)];

/// Three lines of a BDAP file: `;`, a BOM, a decimal comma, a source given and one left to the definition.
const BUONO: &str = "\u{FEFF}ente;campagna;modulo;campo;valore;fonte\n\
                     c_f205;fc80u-2022;B;Z02.A;1234567,89;\n\
                     c_f205;fc80u-2022;B;Z02.F;250000.5;BDAP\n\
                     c_h501;fc80u-2022;B;Z02.L;98765432.10;\n";

async fn con_enti_demo(app: &TestApp) {
    import::importa(&app.state.db, raccolta::enti::demo::CSV, Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
}

/// Runs `raccolta questionari precompila` on `contenuto` (written as `bdap.csv`) against the node's database.
async fn precompila(app: &TestApp, contenuto: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bdap.csv"), contenuto).unwrap();
    let mut cmd = crate::binario::raccolta();
    cmd.current_dir(dir.path())
        .env("RACCOLTA_DATABASE_URL", &app.db.url)
        .env("RACCOLTA_DATA_DIR", app.db.data_dir())
        .args(["questionari", "precompila", "bdap.csv"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    drop(dir);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn conta(app: &TestApp, sql: &str) -> String {
    common::scalar_text(&app.state.db, sql, &[]).await.unwrap_or_default()
}

/// What a database holds that an import may change: the prefilled values with their times, the questionnaires'
/// revisions, the audit rows of imports.
async fn istantanea(app: &TestApp) -> (String, String, String, String) {
    (
        conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM precompilati").await,
        conta(app, "SELECT CAST(COALESCE(SUM(updated_at), 0) AS TEXT) FROM precompilati").await,
        conta(app, "SELECT CAST(COALESCE(SUM(revisione), 0) AS TEXT) FROM questionari").await,
        conta(app, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'questionari.precompilazione'")
            .await,
    )
}

both_backends! {
    settings IMPOSTAZIONI;

    async fn a_good_file_lands_in_precompilati_shows_as_prefilled_and_a_second_run_changes_nothing(app) {
        con_enti_demo(app).await;
        let (code, stdout, stderr) = precompila(app, BUONO).await;
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        assert!(stdout.contains("Precompilazione da bdap.csv: 3 righe lette, 3 valori."), "{stdout}");
        assert!(stdout.contains("scritti:   3 (nuovi o modificati)"), "{stdout}");
        assert!(stdout.contains("invariati: 0"), "{stdout}");
        let milano = ente_id(app, "c_f205").await;
        let pre = raccolta::db::questionari::precompilati(&app.state.db, milano, "fc80u-2022", "B").await.unwrap();
        let mut pre: Vec<(String, String, String)> = pre.into_iter().map(|p| (p.campo, p.valore, p.fonte)).collect();
        pre.sort();
        let atteso = |c: &str, v: &str| (c.to_owned(), v.to_owned(), "BDAP".to_owned());
        assert_eq!(pre, [atteso("Z02.A", "1234567.89"), atteso("Z02.F", "250000.5")], "canonical values, BDAP by definition");
        let dettagli = conta(app, "SELECT details FROM audit_events WHERE action = 'questionari.precompilazione'").await;
        let dettagli: serde_json::Value = serde_json::from_str(&dettagli).unwrap();
        assert_eq!((dettagli["file"].as_str(), dettagli["righe"].as_i64(), dettagli["cambiati"].as_i64()), (Some("bdap.csv"), Some(3), Some(3)));

        // A compiler of Milano sees the value in the input and marked as prefilled.
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let id = apri(&mut b, milano, "fc80u-2022", "B").await;
        let pagina = b.get(&format!("/questionari/{id}/compila/Z")).await;
        assert_eq!(pagina.status, 200);
        assert!(pagina.body.contains("Precompilato da BDAP: 1.234.567,89"), "{}", pagina.body);
        assert!(pagina.body.contains(r#"name="Z02.A" value="1234567,89""#), "{}", pagina.body);
        assert!(pagina.body.contains(r#"name="Z02.F" value="250000,50""#));

        let prima = istantanea(app).await;
        let (code, stdout, stderr) = precompila(app, BUONO).await;
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stdout.contains("scritti:   0 (nuovi o modificati)"), "{stdout}");
        assert!(stdout.contains("invariati: 3"), "{stdout}");
        assert!(stdout.contains("Nessuna modifica: tutti i valori del file erano già salvati."), "{stdout}");
        let dopo = istantanea(app).await;
        assert_eq!((&prima.0, &prima.1, &prima.2), (&dopo.0, &dopo.1, &dopo.2), "values, their times and the revisions unchanged");
        assert_eq!(dopo.3, "2", "the second run is audited too, with nothing changed");
    }
}

both_backends! {
    settings IMPOSTAZIONI;

    async fn a_file_with_errors_prints_every_one_with_its_line_exits_1_and_writes_nothing(app) {
        con_enti_demo(app).await;
        assert_eq!(precompila(app, BUONO).await.0, Some(0));
        let prima = istantanea(app).await;
        let cattivo = "ente,campagna,modulo,campo,valore\n\
                       c_f205,fc80u-2022,B,Z02.A,1\n\
                       c_x999,fc80u-2022,B,Z02.B,10\n\
                       c_f205,fc80u-2022,B,Z99.A,10\n\
                       c_f205,fc80u-2022,B,Z02.C,dieci\n\
                       c_f205,fc80u-2022,B,Z02.D,\"1.234,56\"\n\
                       c_f205,fc80u-2022,B,Z02.P,10\n\
                       c_f205,fc80u-2022,B,Z02.E,7\n\
                       c_f205,fc80u-2022,B,Z02.E,8\n\
                       c_f205,fc80u-2022,B,Z02.G,7\n\
                       c_f205,fc80u-2022,B,Z02.G,7\n\
                       c_f205,fc99u-2022,B,Z02.H,7\n\
                       c_f205,fc80u-2022,Q,Z02.H,7\n\
                       cmrc,fc80u-2022,B,Z02.I,7\n";
        let (code, stdout, stderr) = precompila(app, cattivo).await;
        assert_eq!(code, Some(1), "{stdout}\n{stderr}");
        for riga in [
            "riga 3, colonna ente: nessun ente con codice IPA «c_x999» nell'anagrafe",
            "riga 4, colonna campo: «Z99.A»: Campo inesistente in questo modulo.",
            "riga 5, colonna valore: «dieci»: Non è un numero: scrivere solo cifre, con la virgola per i decimali.",
            "riga 6, colonna valore: «1.234,56»: Scrivere il numero senza separatori delle migliaia (1234,56 e non 1.234,56).",
            "riga 7, colonna campo: «Z02.P»: Campo calcolato dal sistema: non si compila.",
            "riga 9, colonna valore: il campo Z02.E del modulo B di fc80u-2022 per l'ente c_f205 è già alla riga 8 con un altro valore (7, fonte BDAP)",
            "riga 12, colonna campagna: nessuna campagna «fc99u-2022»",
            "riga 13, colonna modulo: la campagna fc80u-2022 non ha il modulo «Q» (ha: A, B)",
            "riga 14, colonna ente: l'ente «cmrc» non compila il modulo B di fc80u-2022",
            "bdap.csv: 9 errori, nessuna modifica salvata",
        ] {
            assert!(stderr.contains(riga), "missing {riga:?} in:\n{stderr}");
        }
        assert!(!stderr.contains("riga 11"), "a row repeated with the same value is no error: {stderr}");
        assert!(!stdout.contains("Precompilazione da"), "{stdout}");
        assert_eq!(istantanea(app).await, prima, "nothing written, not even the valid row 2 nor an audit row");
        let milano = ente_id(app, "c_f205").await;
        let a = raccolta::db::questionari::precompilati(&app.state.db, milano, "fc80u-2022", "B").await.unwrap();
        assert!(a.iter().any(|p| p.campo == "Z02.A" && p.valore == "1234567.89"), "{a:?}");

        // A header without a required column is refused as a whole.
        let (code, _, stderr) = precompila(app, "ente;campagna;modulo;campo\nc_f205;fc80u-2022;B;Z02.A\n").await;
        assert_eq!(code, Some(1));
        assert!(stderr.contains("riga 1, colonna valore: colonna mancante nell'intestazione"), "{stderr}");
        assert_eq!(istantanea(app).await, prima);
    }
}

/// The revision of the questionnaire with URL id `id`.
async fn revisione(app: &TestApp, id: &str) -> i64 {
    let sql = "SELECT CAST(revisione AS TEXT) FROM questionari WHERE pubblico = $1";
    common::scalar_text(&app.state.db, sql, &[id]).await.unwrap().parse().unwrap()
}

both_backends! {
    settings IMPOSTAZIONI;

    async fn a_value_imported_while_a_questionnaire_is_open_shows_at_its_next_load(app) {
        con_enti_demo(app).await;
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let id = apri(&mut b, milano, "fc80u-2022", "B").await;
        // Compiling has begun: an answer saved, the evaluation loaded in this node's cache.
        let (status, r) = valore(&mut b, &id, "Z01.A", "SI", 0).await;
        assert_eq!(status, 200, "{r}");
        let pagina = b.get(&format!("/questionari/{id}/compila/Z")).await;
        assert!(!pagina.body.contains("Precompilato da"), "nothing prefilled yet");
        let prima = revisione(app, &id).await;

        let (code, stdout, stderr) = precompila(app, BUONO).await;
        assert_eq!(code, Some(0), "{stderr}");
        let pagina = b.get(&format!("/questionari/{id}/compila/Z")).await;
        assert!(pagina.body.contains("Precompilato da BDAP: 1.234.567,89"), "the node reloaded: {}", pagina.body);
        assert!(pagina.body.contains(r#"name="Z02.A" value="1234567,89""#));
        assert_eq!(revisione(app, &id).await, prima + 1, "the import moved the questionnaire's revision");
        assert!(stdout.contains("questionari già aperti aggiornati: 1"), "{stdout}");
        // The new revision is no conflict for the compiler: a field saved before, saved again from its version.
        let versione = r["attuale"]["versione"].as_i64().unwrap();
        let (status, r) = valore(&mut b, &id, "Z01.A", "NO", versione).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["attuale"]["valore"], "NO");
    }
}

both_backends! {
    settings &[("RACCOLTA_CAPTCHA_TEST_ANSWER", CAPTCHA), ("RACCOLTA_DEMO", "true")];

    async fn demo_mode_prefills_modulo_b_of_every_demo_comune_with_the_same_values_at_every_start(app) {
        let catalogo = raccolta::catalogo::Catalogo::load().unwrap();
        let voci = raccolta::enti::demo::valori_bdap(&catalogo, app.state.questionari);
        assert_eq!(voci.len(), 17 * 15, "sixteen comuni and the unione, Z02.A..O");
        let m = app.state.questionari.moduli.iter().find(|m| m.campagna == "fc80u-2022" && m.modulo == "B").unwrap();
        let mut enti = std::collections::BTreeSet::new();
        for v in &voci {
            enti.insert(v.ente.clone());
        }
        let prima = istantanea(app).await;
        assert_eq!(prima.0, voci.len().to_string());
        for codice in &enti {
            let ente = ente_id(app, codice).await;
            let mut stored: Vec<(String, String, String)> = raccolta::db::questionari::precompilati(&app.state.db, ente, "fc80u-2022", "B")
                .await
                .unwrap()
                .into_iter()
                .map(|p| (p.campo, p.valore, p.fonte))
                .collect();
            stored.sort();
            let mut attesi: Vec<(String, String, String)> = voci
                .iter()
                .filter(|v| v.ente == *codice)
                .map(|v| {
                    let canonico = m.interpreta_testo(m.id(&v.campo).unwrap(), &v.valore).unwrap().canonico().unwrap();
                    (v.campo.clone(), canonico, "BDAP".to_owned())
                })
                .collect();
            attesi.sort();
            assert_eq!(stored, attesi, "{codice}");
        }
        // The provincia and the città metropolitane do not compile FC80U: nothing for them.
        assert!(!enti.contains("p_cn") && !enti.contains("cmrc"));

        // A second start finds everything in place and changes nothing.
        let again = TestApp::spawn_on(app.db.clone(), app.backend, &[("RACCOLTA_DEMO", "true")]).await;
        again.stop().await;
        let dopo = istantanea(app).await;
        assert_eq!((&prima.0, &prima.1, &prima.2), (&dopo.0, &dopo.1, &dopo.2));

        // Milano's compiler sees them.
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let id = apri(&mut b, milano, "fc80u-2022", "B").await;
        let pagina = b.get(&format!("/questionari/{id}/compila/Z")).await;
        assert_eq!(pagina.body.matches("Precompilato da BDAP: ").count(), 15, "{}", pagina.body);
    }
}
