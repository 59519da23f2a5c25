//! Compiling end to end over HTTP, on SQLite and PostgreSQL: the Questionari list and its exports, opening a
//! questionnaire, autosave of each field type with the changes it brings, refused values, the no-JavaScript form,
//! conflicts and both ways out, incremental results equal to a full evaluation, the history, justifications, and
//! the authorization matrix of every compiling route.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::browser::Browser;
use common::{Backend, TestApp};
use raccolta::db::{associazioni, enti};
use raccolta::domain::{Modalita, StatoAssociazione};
use raccolta::enti::import::{self, Opzioni};

pub(crate) const CAPTCHA: &str = "PROVA7";
const PASSWORD: &str = "girasole obliquo mangia tre lanterne";

pub(crate) async fn start(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn_with(backend, &[("RACCOLTA_CAPTCHA_TEST_ANSWER", CAPTCHA)]).await?;
    import::importa(&app.state.db, raccolta::enti::demo::CSV, Opzioni::default(), &mut |_, _, _| {}).await.unwrap();
    Some(app)
}

/// Like `both_backends!`, on an application that accepts the test captcha answer and has the demo enti.
macro_rules! con_demo {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: &TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = start(Backend::Sqlite).await.expect("sqlite");
                    run(&app).await;
                    app.stop().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(app) = start(Backend::Postgres).await else { return };
                    run(&app).await;
                    app.stop().await;
                }
            }
        )*
    };
}

pub(crate) use con_demo;

pub(crate) async fn ente_id(app: &TestApp, codice_ipa: &str) -> i64 {
    let r = enti::Ricerca { testo: "", anche_inattivi: true, limit: 1000, ..Default::default() };
    enti::cerca(&app.state.db, &r).await.unwrap().into_iter().find(|v| v.codice_ipa == codice_ipa).unwrap().id
}

/// A user with an active association in `modalita` with `ente` (none when `None`).
pub(crate) async fn utente(app: &TestApp, codice: &str, nome: &str, ente: Option<(i64, Modalita)>) -> i64 {
    let id = common::utente_attivo(app, codice, nome, false, PASSWORD).await;
    if let Some((ente, m)) = ente {
        let a = associazioni::richiedi(&app.state.db, id, ente, m, 0).await.unwrap();
        associazioni::decidi(&app.state.db, a, StatoAssociazione::InAttesa, StatoAssociazione::Attiva, None, id, 0)
            .await
            .unwrap();
    }
    id
}

pub(crate) async fn login<'a>(app: &'a TestApp, codice: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    let form = b.get("/accesso").await;
    let csrf = form.hidden("csrf");
    let page = b
        .post("/accesso", &[("csrf", &csrf), ("nome_utente", codice), ("password", PASSWORD), ("captcha", CAPTCHA)])
        .await;
    assert_eq!(page.status, 303, "login of {codice}: {}", page.body);
    b
}

async fn csrf(b: &mut Browser<'_>) -> String {
    b.get("/area-riservata").await.hidden("csrf")
}

/// Selects `ente` and opens its questionnaire for `campagna`/`modulo`: the URL id.
pub(crate) async fn apri(b: &mut Browser<'_>, ente: i64, campagna: &str, modulo: &str) -> String {
    let t = csrf(b).await;
    let p = b.post(&format!("/enti/{ente}/seleziona"), &[("csrf", &t)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = b.get(&format!("/enti/{ente}/questionari/{campagna}/{modulo}")).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let dove = p.location.unwrap();
    dove.split('/').nth(2).unwrap().to_owned()
}

/// POST /questionari/{id}/campi as JSON: status and body.
async fn salva(b: &mut Browser<'_>, id: &str, corpo: serde_json::Value) -> (u16, serde_json::Value) {
    let t = csrf(b).await;
    let req = b
        .app
        .client
        .post(format!("{}/questionari/{id}/campi", b.app.base))
        .header("accept", "application/json")
        .header("x-csrf-token", t)
        .header("content-type", "application/json")
        .body(corpo.to_string());
    let p = b.send(req).await;
    let json = serde_json::from_str(&p.body).unwrap_or(serde_json::Value::Null);
    (p.status, json)
}

pub(crate) async fn valore(
    b: &mut Browser<'_>,
    id: &str,
    campo: &str,
    testo: &str,
    versione: i64,
) -> (u16, serde_json::Value) {
    salva(b, id, serde_json::json!({ "campo": campo, "valore": testo, "versione": versione })).await
}

fn modulo(app: &TestApp, campagna: &str, codice: &str, m: &str) -> &'static questionario::Modulo {
    let chiave = questionario::ChiaveModulo::new(campagna, codice, m);
    assert!(app.state.questionari.modulo(&chiave).is_some());
    raccolta::catalogo::definizioni_incorporate().unwrap().modulo(&chiave).unwrap()
}

/// The first field of `m` of the kind `tipo` that is filled in (not calculated) and always relevant.
fn campo_di(m: &questionario::Modulo, tipo: &str) -> String {
    m.campi
        .iter()
        .find(|c| c.tipo.nome() == tipo && c.calcolo.is_none() && c.rilevante.is_none())
        .unwrap_or_else(|| panic!("no {tipo} field in {}", m.chiave()))
        .indirizzo
        .clone()
}

con_demo! {
    async fn the_list_shows_the_moduli_of_the_ente_type_and_exports_exactly_what_the_filter_shows(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let p = b.get("/questionari").await;
        assert!(p.body.contains("scegli prima"), "no ente selezionato yet: {}", p.body);
        let t = csrf(&mut b).await;
        b.post(&format!("/enti/{milano}/seleziona"), &[("csrf", &t)]).await;
        let p = b.get("/questionari").await;
        assert_eq!(p.status, 200);
        // FC80U A and B and the three schede: a comune compiles all five; nothing is stored yet.
        for m in ["QUESTIONARIO UNICO FC80U - DATI STRUTTURALI", "QUESTIONARIO UNICO FC80U - DATI CONTABILI", "SOCIALE", "ASILI NIDO"] {
            assert!(p.body.contains(m), "{m} missing");
        }
        assert!(p.body.contains("1 - 5 di 5"), "{}", p.body);
        assert!(p.body.contains(">Compila<"));
        assert_eq!(common::scalar_text(&app.state.db, "SELECT CAST(COUNT(*) AS TEXT) FROM questionari", &[]).await.as_deref(), Some("0"));
        let p = b.get("/questionari?codice=FC80U&modulo=B").await;
        assert!(p.body.contains("1 - 1 di 1"), "{}", p.body);
        let csv = b.get("/questionari/esporta.csv?codice=FC80U").await;
        assert_eq!(csv.status, 200);
        assert!(csv.body.starts_with('\u{feff}'), "BOM for Excel");
        let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(r.headers().unwrap().get(0), Some("Codice Questionario"));
        let righe: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(righe.len(), 2, "only FC80U, as filtered");
        assert_eq!(&righe[1][1], "B");
        assert_eq!(&r.headers().unwrap()[5], "Scadenza");
        assert_eq!(righe[1][5].len(), 10, "the deadline as a date: {}", &righe[1][5]);
        assert_eq!(&righe[1][6], "Aperto");
        let req = b.app.client.get(format!("{}/questionari/esporta.xlsx?testo=asili", b.app.base));
        let req = req.header("cookie", b.cookie.clone().unwrap());
        let bytes = req.send().await.unwrap().bytes().await.unwrap();
        use calamine::Reader;
        let mut x: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let foglio = x.worksheet_range("Questionari").unwrap();
        assert_eq!(foglio.height(), 2, "header and the one row the filter shows");
        assert_eq!(foglio.get((1, 0)).unwrap().to_string(), "MONITORAGGIO");
        assert_eq!(foglio.get((1, 2)).unwrap().to_string(), "2023");
        assert_eq!(foglio.get((0, 5)).unwrap().to_string(), "Scadenza");
        assert_eq!(foglio.get((1, 6)).unwrap().to_string(), "Aperto");
        // A provincia compiles none of them.
        let roma = ente_id(app, "cmrc").await;
        utente(app, "COMP0002", "Luca", Some((roma, Modalita::Compilazione))).await;
        let mut b2 = login(app, "COMP0002").await;
        let t = csrf(&mut b2).await;
        b2.post(&format!("/enti/{roma}/seleziona"), &[("csrf", &t)]).await;
        let p = b2.get("/questionari").await;
        assert!(p.body.contains("0 - 0 di 0"), "{}", p.body);
        assert_eq!(b2.get(&format!("/enti/{roma}/questionari/fc80u-2022/B")).await.status, 404);
    }
}

con_demo! {
    async fn autosave_stores_every_field_type_and_answers_with_what_changed(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let id = apri(&mut b, milano, "fc80u-2022", "A").await;
        let a = modulo(app, "fc80u-2022", "FC80U", "A");
        for (tipo, testo, canonico) in [("intero", "1234", "1234"), ("decimale", "12,5", "12.5"), ("euro", "1.234,5", "1234.5"), ("si_no", "SI", "SI")] {
            let campo = campo_di(a, tipo);
            let (status, r) = valore(&mut b, &id, &campo, testo, 0).await;
            assert_eq!(status, 200, "{tipo} {campo}: {r}");
            assert_eq!(r["attuale"]["valore"], canonico, "{tipo}: {r}");
            assert!(r["attuale"]["versione"].as_i64().unwrap() > 0);
        }
        let scelta = campo_di(a, "scelta");
        let codice = match &a.campi[a.id(&scelta).unwrap() as usize].tipo {
            questionario::Tipo::Scelta(o) => o[0].codice.clone(),
            _ => unreachable!(),
        };
        let (status, r) = valore(&mut b, &id, &scelta, &codice, 0).await;
        assert_eq!(status, 200, "{r}");
        // The quadro's page shows them back; the questionnaire is now In compilazione.
        let p = b.get(&format!("/questionari/{id}/compila/A")).await;
        assert_eq!(p.status, 200);
        assert!(p.body.contains("In compilazione"));

        // The staff table of modulo B: a cell's row and column totals come back with the save.
        let id_b = apri(&mut b, milano, "fc80u-2022", "B").await;
        let m = modulo(app, "fc80u-2022", "FC80U", "B");
        let tabella = m.quadri[0].sezioni.iter().flat_map(|s| &s.tabelle).find(|t| t.colonne.len() > 3).unwrap();
        let cella = &m.campi[tabella.celle[0][0] as usize];
        let totale = &m.campi[*tabella.celle[0].last().unwrap() as usize];
        assert!(totale.calcolo.is_some(), "the last column is the row total");
        let (status, r) = valore(&mut b, &id_b, &cella.indirizzo, "1,5", 0).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["mostra"][&totale.indirizzo], "1,5", "{r}");
        assert_eq!(r["aggiornamenti"]["valori"][&totale.indirizzo], "1.5");
        let quadri: Vec<&str> = r["conteggi"].as_array().unwrap().iter().map(|c| c["quadro"].as_str().unwrap()).collect();
        assert_eq!(quadri, m.quadri.iter().map(|q| q.codice.as_str()).collect::<Vec<_>>(), "every quadro's counts, for the navigation");
        // Nothing changes when the same value is sent again.
        let versione = r["attuale"]["versione"].as_i64().unwrap();
        let (_, r) = valore(&mut b, &id_b, &cella.indirizzo, "1.5", versione).await;
        assert_eq!(r["attuale"]["versione"].as_i64().unwrap(), versione, "unchanged: same version");
        let storia = common::scalar_text(&app.state.db, "SELECT CAST(COUNT(*) AS TEXT) FROM storia_risposte WHERE campo = $1", &[&cella.indirizzo]).await;
        assert_eq!(storia.as_deref(), Some("1"));
    }
}

con_demo! {
    async fn refused_values_say_why_and_store_nothing(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let id = apri(&mut b, milano, "fc80u-2022", "A").await;
        let a = modulo(app, "fc80u-2022", "FC80U", "A");
        let intero = campo_di(a, "intero");
        let euro = campo_di(a, "euro");
        let calcolato = a.campi.iter().find(|c| c.calcolo.is_some()).unwrap().indirizzo.clone();
        for (campo, testo, atteso) in [
            (&intero, "abc", "Non è un numero"),
            (&intero, "1,5", "intero"),
            (&euro, "1.234", "ambiguo"),
            (&euro, "1,234.56", "1.234,56"),
            (&calcolato, "5", "calcolato"),
            (&"ZZ99".to_owned(), "5", "inesistente"),
        ] {
            let (status, r) = valore(&mut b, &id, campo, testo, 0).await;
            assert_eq!(status, 422, "{campo} {testo}: {r}");
            assert!(r["messaggio"].as_str().unwrap().contains(atteso), "{campo} {testo}: {r}");
        }
        let (_, r) = valore(&mut b, &id, &euro, "1.234", 0).await;
        let m = r["messaggio"].as_str().unwrap();
        assert!(m.contains("1234") && m.contains("1,234"), "both readings: {m}");
        assert_eq!(common::scalar_text(&app.state.db, "SELECT CAST(COUNT(*) AS TEXT) FROM risposte", &[]).await.as_deref(), Some("0"));
        // Not JSON, or not the expected shape: a clear 4xx, never a 500.
        let t = csrf(&mut b).await;
        let req = b.app.client.post(format!("{}/questionari/{id}/campi", b.app.base)).header("x-csrf-token", t)
            .header("content-type", "application/json").header("accept", "application/json").body("{\"campo\": 3}");
        let p = b.send(req).await;
        assert!(p.status >= 400 && p.status < 500, "{} {}", p.status, p.body);
    }
}

con_demo! {
    async fn the_form_without_javascript_keeps_valid_values_and_shows_refused_ones_back(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let id = apri(&mut b, milano, "fc80u-2022", "A").await;
        let a = modulo(app, "fc80u-2022", "FC80U", "A");
        let trova = |q: usize, tipo: &str| {
            a.campi.iter().find(|c| c.quadro == q && c.tipo.nome() == tipo && c.calcolo.is_none() && c.rilevante.is_none()).map(|c| c.indirizzo.clone())
        };
        let q = (0..a.quadri.len()).find(|&q| trova(q, "intero").is_some() && trova(q, "si_no").is_some()).unwrap();
        let quadro = a.quadri[q].codice.clone();
        let intero = trova(q, "intero").unwrap();
        let si_no = trova(q, "si_no").unwrap();
        let pagina = b.get(&format!("/questionari/{id}/compila/{quadro}")).await;
        let csrf = pagina.hidden("csrf");
        let revisione = pagina.hidden("_revisione");
        let p = b.post(&format!("/questionari/{id}/compila/{quadro}"), &[("csrf", &csrf), ("_revisione", &revisione), (&intero, "dodici"), (&si_no, "SI")]).await;
        assert_eq!(p.status, 422, "refused values come back: {}", p.body);
        assert!(p.body.contains("id=\"riepilogo-errori\""), "error summary");
        let html_id = format!("c-{}", intero.replace('.', "-"));
        assert!(p.body.contains(&format!("href=\"#{html_id}\"")), "the summary links to the field");
        assert!(p.body.contains("value=\"dodici\""), "what was typed is kept");
        assert!(p.body.contains("Non è un numero"));
        let stored = common::scalar_text(&app.state.db, "SELECT valore FROM risposte WHERE campo = $1", &[&si_no]).await;
        assert_eq!(stored.as_deref(), Some("SI"), "the valid value was stored");
        // Fixed and sent again: saved, back to the quadro.
        let revisione = p.hidden("_revisione");
        let p = b.post(&format!("/questionari/{id}/compila/{quadro}"), &[("csrf", &csrf), ("_revisione", &revisione), (&intero, "12"), (&si_no, "SI")]).await;
        assert_eq!(p.status, 303, "{}", p.body);
        let audit = common::scalar_text(&app.state.db, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action = 'questionario.salvataggio'", &[]).await;
        assert_eq!(audit.as_deref(), Some("2"), "each save by form has its audit row");
    }
}

con_demo! {
    async fn a_save_over_a_newer_value_is_a_conflict_with_both_ways_out(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        utente(app, "COMP0002", "Giulia", Some((milano, Modalita::Compilazione))).await;
        let mut maria = login(app, "COMP0001").await;
        let mut giulia = login(app, "COMP0002").await;
        let id = apri(&mut maria, milano, "fc80u-2022", "A").await;
        assert_eq!(apri(&mut giulia, milano, "fc80u-2022", "A").await, id, "one questionnaire per ente and modulo");
        let campo = campo_di(modulo(app, "fc80u-2022", "FC80U", "A"), "intero");
        let (_, r) = valore(&mut maria, &id, &campo, "10", 0).await;
        let v_maria = r["attuale"]["versione"].as_i64().unwrap();
        // Giulia's page still had version 0.
        let (status, r) = valore(&mut giulia, &id, &campo, "20", 0).await;
        assert_eq!(status, 409, "{r}");
        assert_eq!(r["attuale"]["valore"], "10");
        assert_eq!(r["attuale"]["versione"], v_maria);
        assert!(r["attuale"]["autore"].as_str().unwrap().contains("Maria"), "{r}");
        // "Usa il valore attuale": nothing to send, and a later save from that version works.
        // "Sovrascrivi con il mio": the same value with the version the conflict showed.
        let (status, r) = valore(&mut giulia, &id, &campo, "20", v_maria).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["attuale"]["valore"], "20");
        // The history has both, newest first, with who and how.
        let req = giulia.app.client.get(format!("{}/questionari/{id}/storia/{campo}", giulia.app.base)).header("accept", "application/json");
        let p = giulia.send(req).await;
        let storia: serde_json::Value = serde_json::from_str(&p.body).unwrap();
        let voci = storia["storia"].as_array().unwrap();
        assert_eq!(voci.len(), 2, "{storia}");
        assert_eq!(voci[0]["prima"], "10");
        assert_eq!(voci[0]["dopo"], "20");
        assert!(voci[0]["autore"].as_str().unwrap().contains("Giulia"));
        assert_eq!(voci[1]["come"], "salvataggio automatico");
        let page = giulia.get(&format!("/questionari/{id}/storia/{campo}")).await;
        assert!(page.body.contains("<caption>"), "the history page: {}", page.status);
    }
}

con_demo! {
    async fn after_a_sequence_of_saves_the_incremental_state_equals_a_full_evaluation(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let id = apri(&mut b, milano, "fc80u-2022", "B").await;
        let m = modulo(app, "fc80u-2022", "FC80U", "B");
        let campi: Vec<&questionario::Campo> = m.campi.iter().filter(|c| c.calcolo.is_none() && c.tipo.decimali().is_some()).step_by(37).take(20).collect();
        let mut versioni = std::collections::HashMap::new();
        for (i, c) in campi.iter().enumerate() {
            let testo = if i % 5 == 4 { String::new() } else { format!("{}", (i * 7) % 10) };
            let v = versioni.get(&c.indirizzo).copied().unwrap_or(0);
            let (status, r) = valore(&mut b, &id, &c.indirizzo, &testo, v).await;
            assert!(status == 200 || status == 422, "{}: {r}", c.indirizzo);
            if status == 200 {
                versioni.insert(c.indirizzo.clone(), r["attuale"]["versione"].as_i64().unwrap());
            }
        }
        let q = raccolta::db::questionari::by_pubblico(&app.state.db, &id).await.unwrap().unwrap();
        let fresco = raccolta::compilazione::cache::Stato::carica(&app.state.db, m, &q).await.unwrap();
        let voce = app.state.valutazioni.voce(q.id);
        let guardia = voce.read().await;
        let nodo = guardia.as_ref().unwrap();
        assert_eq!(nodo.revisione, fresco.revisione);
        assert_eq!(nodo.valutazione.compatto(questionario::Lingua::It), fresco.valutazione.compatto(questionario::Lingua::It));
    }
}

con_demo! {
    async fn a_justification_is_stored_audited_and_goes_stale_when_its_fields_change(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        let mut b = login(app, "COMP0001").await;
        let id = apri(&mut b, milano, "fc80u-2022", "B").await;
        let m = modulo(app, "fc80u-2022", "FC80U", "B");
        let regola = m.regole.iter().find(|r| r.gravita == questionario::Gravita::Squadratura
            && r.campi.iter().any(|&c| m.campi[c as usize].calcolo.is_none() && m.campi[c as usize].tipo.decimali().is_some())).unwrap();
        let campo = regola.campi.iter().map(|&c| &m.campi[c as usize]).find(|c| c.calcolo.is_none() && c.tipo.decimali().is_some()).unwrap();
        let quadro = m.quadri[campo.quadro].codice.clone();
        let t = csrf(&mut b).await;
        let p = b.post(&format!("/questionari/{id}/giustificazioni"), &[("csrf", &t), ("regola", &regola.id), ("testo", "Spese elettorali straordinarie"), ("quadro", &quadro)]).await;
        assert_eq!(p.status, 303, "{}", p.body);
        let pagina = b.get(&format!("/questionari/{id}/compila/{quadro}")).await;
        assert!(pagina.body.contains("Spese elettorali straordinarie"));
        let controlli = b.get(&format!("/questionari/{id}/controlli")).await;
        assert_eq!(controlli.status, 200);
        assert!(controlli.body.contains("Controlli del modulo") && controlli.body.contains("campi obbligatori ancora vuoti"), "{}", controlli.body);
        let audit = common::scalar_text(&app.state.db, "SELECT details FROM audit_events WHERE action = 'questionario.giustificazione'", &[]).await.unwrap();
        assert!(audit.contains("Spese elettorali"), "{audit}");
        let (status, r) = valore(&mut b, &id, &campo.indirizzo, "7", 0).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["giustificazioni"][&regola.id], true, "stale now: {r}");
        // Confirmed again: fresh.
        let p = b.post(&format!("/questionari/{id}/giustificazioni"), &[("csrf", &t), ("regola", &regola.id), ("testo", "Spese elettorali straordinarie"), ("quadro", &quadro)]).await;
        assert_eq!(p.status, 303);
        let q = raccolta::db::questionari::by_pubblico(&app.state.db, &id).await.unwrap().unwrap();
        let voce = app.state.valutazioni.voce(q.id);
        assert!(voce.read().await.as_ref().unwrap().superate.is_empty());
        // A rule that is not a squadratura, or a text too long: refused with a message.
        let bloccante = m.regole.iter().find(|r| r.gravita == questionario::Gravita::Bloccante).unwrap();
        let p = b.post(&format!("/questionari/{id}/giustificazioni"), &[("csrf", &t), ("regola", &bloccante.id), ("testo", "x")]).await;
        assert_eq!(p.status, 422, "{}", p.body);
    }
}

async fn stato(b: &mut Browser<'_>, path: &str) -> u16 {
    b.get(path).await.status
}

con_demo! {
    async fn every_compiling_route_answers_each_kind_of_user_as_the_guard_says(app) {
        let milano = ente_id(app, "c_f205").await;
        let napoli = ente_id(app, "c_f839").await;
        utente(app, "COMP0001", "Compilatore", Some((milano, Modalita::Compilazione))).await;
        utente(app, "CONS0001", "Consultatore", Some((milano, Modalita::Consultazione))).await;
        utente(app, "ALTR0001", "Altro", Some((napoli, Modalita::Compilazione))).await;
        let resp = utente(app, "RESP0001", "Responsabile", None).await;
        common::execute(&app.state.db, &format!("INSERT INTO responsabili (ente_id, user_id, created_at) VALUES ({milano}, {resp}, 0)")).await;
        common::utente_attivo(app, "ADMN0001", "Admin", true, PASSWORD).await;
        let mut comp = login(app, "COMP0001").await;
        let id = apri(&mut comp, milano, "fc80u-2022", "A").await;
        let a = modulo(app, "fc80u-2022", "FC80U", "A");
        let campo = campo_di(a, "intero");
        let quadro = a.quadri[0].codice.clone();
        let letture = [
            format!("/questionari/{id}"),
            format!("/questionari/{id}/compila/{quadro}"),
            format!("/questionari/{id}/visualizza/{quadro}"),
            format!("/questionari/{id}/storia/{campo}"),
            format!("/questionari/{id}/controlli"),
        ];
        // Anonymous: sent to log in; JSON: 401.
        let mut anonimo = Browser::new(app);
        for p in &letture {
            let r = anonimo.get(p).await;
            assert_eq!(r.status, 303, "{p}");
            assert!(r.location.unwrap().starts_with("/accesso"));
        }
        let r = anonimo.send(app.client.post(format!("{}/questionari/{id}/campi", app.base)).header("accept", "application/json").header("content-type", "application/json").body(serde_json::json!({"campo": campo, "valore": "1", "versione": 0}).to_string())).await;
        assert!(r.status == 401 || r.status == 403, "{}", r.status);
        // An unknown or malformed id is the same 404 as one of another ente.
        for falso in ["0123456789abcdef0123456789abcdef", "nonesiste", "../../etc"] {
            assert_eq!(stato(&mut comp, &format!("/questionari/{falso}/compila/{quadro}")).await, 404, "{falso}");
        }
        for (codice, legge, scrive) in [("COMP0001", 200, 200), ("CONS0001", 200, 404), ("ALTR0001", 404, 404), ("RESP0001", 200, 200), ("ADMN0001", 200, 404)] {
            let mut b = login(app, codice).await;
            for p in &letture {
                let s = stato(&mut b, p).await;
                let atteso = if p.ends_with(&id) && legge == 200 { 303 } else { legge };
                assert_eq!(s, atteso, "{codice} GET {p}");
            }
            let (s, r) = valore(&mut b, &id, &campo, "3", 0).await;
            let s = if s == 409 { 200 } else { s };
            assert_eq!(s, scrive, "{codice} autosave: {r}");
            let t = csrf(&mut b).await;
            let r = b.post(&format!("/questionari/{id}/compila/{quadro}"), &[("csrf", &t), ("_revisione", "0"), (&campo, "4")]).await;
            let atteso = if scrive == 200 { [303, 422] } else { [404, 404] };
            assert!(atteso.contains(&r.status), "{codice} form save: {}", r.status);
            let r = b.get(&format!("/enti/{milano}/questionari/fc80u-2022/A")).await;
            assert_eq!(r.status, if legge == 200 { 303 } else { 404 }, "{codice} apri");
            // Read-only users get the read-only page: no inputs.
            if legge == 200 && scrive == 404 {
                let p = b.get(&format!("/questionari/{id}/compila/{quadro}")).await;
                assert!(!p.body.contains("<input type=\"text\""), "{codice}: read only");
            }
        }
    }
}

/// The events of an open compile page: reads the stream until `nome` arrives (or `secs` pass).
pub(crate) struct Flusso {
    res: reqwest::Response,
    buf: String,
}

impl Flusso {
    pub(crate) async fn apri(b: &Browser<'_>, id: &str, quadro: &str) -> Flusso {
        let res = b
            .app
            .client
            .get(format!("{}/questionari/{id}/eventi?quadro={quadro}", b.app.base))
            .header("cookie", b.cookie.clone().unwrap())
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        Flusso { res, buf: String::new() }
    }

    pub(crate) async fn attendi(&mut self, nome: &str, secs: u64) -> serde_json::Value {
        self.attendi_che(nome, secs, |_| true).await
    }

    async fn attendi_che(
        &mut self,
        nome: &str,
        secs: u64,
        ok: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let fine = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            while let Some(i) = self.buf.find("\n\n") {
                let blocco: String = self.buf.drain(..i + 2).collect();
                let evento = blocco.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or_default().to_owned();
                let dati = blocco.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or_default().to_owned();
                if evento == nome {
                    let v: serde_json::Value = serde_json::from_str(&dati).unwrap();
                    if ok(&v) {
                        return v;
                    }
                }
            }
            let resto = fine.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(resto, self.res.chunk()).await {
                Ok(Ok(Some(c))) => self.buf.push_str(&String::from_utf8_lossy(&c)),
                _ => panic!("no `{nome}` event within {secs} s; got: {}", self.buf),
            }
        }
    }
}

con_demo! {
    async fn two_compilers_see_each_other_and_each_others_saves_within_two_seconds_across_nodes(app) {
        let milano = ente_id(app, "c_f205").await;
        utente(app, "COMP0001", "Maria", Some((milano, Modalita::Compilazione))).await;
        utente(app, "COMP0002", "Giulia", Some((milano, Modalita::Compilazione))).await;
        // Giulia works on another node of the same database: on PostgreSQL the events cross nodes by NOTIFY.
        let altro = TestApp::spawn_on(app.db.clone(), app.backend, &[("RACCOLTA_CAPTCHA_TEST_ANSWER", CAPTCHA)]).await;
        let nodo_giulia = if app.backend == Backend::Postgres { &altro } else { app };
        let mut maria = login(app, "COMP0001").await;
        let mut giulia = login(nodo_giulia, "COMP0002").await;
        let id = apri(&mut maria, milano, "fc80u-2022", "B").await;
        apri(&mut giulia, milano, "fc80u-2022", "B").await;
        let mut eventi_maria = Flusso::apri(&maria, &id, "D").await;
        eventi_maria.attendi("connessione", 5).await;
        let mut eventi_giulia = Flusso::apri(&giulia, &id, "D").await;
        let conn_giulia = eventi_giulia.attendi("connessione", 5).await["conn"].as_str().unwrap().to_owned();
        let pieno = |v: &serde_json::Value| !v["nomi"].as_array().unwrap().is_empty();
        let presenti = eventi_maria.attendi_che("presenti", 5, pieno).await;
        assert_eq!(presenti["testo"], "Anche Giulia Prova sta compilando questo quadro.", "{presenti}");
        let presenti = eventi_giulia.attendi_che("presenti", 5, pieno).await;
        assert!(presenti["testo"].as_str().unwrap().contains("Maria"), "{presenti}");

        let m = modulo(app, "fc80u-2022", "FC80U", "B");
        let tabella = m.quadri[0].sezioni.iter().flat_map(|s| &s.tabelle).find(|t| t.colonne.len() > 3).unwrap();
        let cella = m.campi[tabella.celle[0][0] as usize].indirizzo.clone();
        let totale = m.campi[*tabella.celle[0].last().unwrap() as usize].indirizzo.clone();
        let inizio = std::time::Instant::now();
        let t = csrf(&mut giulia).await;
        let req = giulia.app.client.post(format!("{}/questionari/{id}/campi", giulia.app.base))
            .header("accept", "application/json").header("x-csrf-token", t).header("content-type", "application/json")
            .header("x-raccolta-conn", &conn_giulia)
            .body(serde_json::json!({ "campo": cella, "valore": "0,75", "versione": 0 }).to_string());
        assert_eq!(giulia.send(req).await.status, 200);
        let visto = eventi_maria.attendi("salvataggio", 2).await;
        assert!(inizio.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(visto["campi"][&cella]["valore"], "0.75", "{visto}");
        assert_eq!(visto["campi"][&cella]["testo"], "0,75");
        assert!(visto["campi"][&cella]["autore"].as_str().unwrap().contains("Giulia"));
        assert_eq!(visto["mostra"][&totale], "0,75", "the row total, in Maria's language");
        // Giulia's own page is not told about her own save; Maria's stale version now conflicts.
        let (status, _) = valore(&mut maria, &id, &cella, "2", 0).await;
        assert_eq!(status, 409);
        drop(eventi_giulia);
        let presenti = eventi_maria.attendi("presenti", 5).await;
        assert_eq!(presenti["nomi"], serde_json::json!([]), "Giulia closed the page");
        // A reader (Consultazione) is named as reading, not compiling.
        utente(app, "CONS0001", "Carlo", Some((milano, Modalita::Consultazione))).await;
        let carlo = login(nodo_giulia, "CONS0001").await;
        let mut eventi_carlo = Flusso::apri(&carlo, &id, "D").await;
        let presenti = eventi_maria.attendi_che("presenti", 5, pieno).await;
        assert_eq!(presenti["testo"], "Carlo Prova sta consultando questo quadro.", "{presenti}");
        let presenti = eventi_carlo.attendi_che("presenti", 5, pieno).await;
        assert_eq!(presenti["testo"], "Anche Maria Prova sta compilando questo quadro.", "{presenti}");
        drop(eventi_carlo);
        drop(eventi_maria);
        altro.stop().await;
    }
}
