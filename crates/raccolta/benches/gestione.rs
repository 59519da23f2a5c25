//! `bench/gestione.sh` (see `bench/README.md`) runs this with `cargo bench -p raccolta --bench gestione`: Gestione
//! at national scale, on SQLite and (with `RACCOLTA_BENCH_POSTGRES_URL`) PostgreSQL, each on a fresh database.
//!
//! 1. the load data of `carico` (8,000 enti from an IPA-style file, 30,000 users, FC80U 2022 in every state, a
//!    fully filled modulo B for a third of the enti): counts and time;
//! 2. a node started in this process on 127.0.0.1, port 0; an administrator signs in;
//! 3. `GET /gestione/monitoraggio` with four filters (everything; a type, a state and a sort; free text and a
//!    region; a far page), `RACCOLTA_BENCH_RUNS` times each (default 30) after a warm-up: the server's time
//!    from `Server-Timing`, median, p95 and max (goal ≤ 100 ms), and the page's size;
//! 4. the export of the whole monitoring as CSV and XLSX: time and size;
//! 5. full exports of modulo B (CSV wide of the sent versions, CSV long of the drafts, XLSX wide): cells per
//!    second (goal ≥ 1 M) and the peak RSS during each (the process's peak reset before it);
//! 6. reminders to every ente of the campaign that has not sent: the time to queue them;
//! 7. the process's peak resident memory (`VmHWM`).

mod carico;

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use raccolta::app::{self, AppState};
use raccolta::config::Config;

const CAPTCHA: &str = "PROVA7";

fn numero(nome: &str, predefinito: usize) -> usize {
    std::env::var(nome).ok().and_then(|v| v.parse().ok()).unwrap_or(predefinito)
}

/// A `/proc/self/status` figure in MB (`VmHWM`: the peak resident memory; `VmRSS`: now).
fn stato_mb(chiave: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(chiave)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn picco_rss_mb() -> f64 {
    stato_mb("VmHWM")
}

fn rss_mb() -> f64 {
    stato_mb("VmRSS")
}

fn server_ms(r: &reqwest::Response) -> Option<f64> {
    let v = r.headers().get("server-timing")?.to_str().ok()?;
    v.split("dur=").nth(1)?.split([',', ';']).next()?.trim().parse().ok()
}

/// Median, p95, max.
fn riassunto(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    (q(0.5), q(0.95), q(1.0))
}

struct Sessione {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Sessione {
    async fn get(&self, path: &str) -> Result<reqwest::Response> {
        Ok(self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("accept", "text/html")
            .send()
            .await?)
    }

    /// A form as the page's browser posts it (same-origin, with the session).
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await?)
    }
}

fn nascosto(html: &str, nome: &str) -> Option<String> {
    let i = html.find(&format!("name=\"{nome}\" value=\""))?;
    let resto = &html[i + nome.len() + 15..];
    Some(resto[..resto.find('"')?].to_owned())
}

async fn accedi(base: &str) -> Result<Sessione> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build()?;
    let r = http.get(format!("{base}/accesso")).send().await?;
    let mut cookie: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let html = r.text().await?;
    let csrf = nascosto(&html, "csrf").context("csrf di /accesso")?;
    let r = http
        .post(format!("{base}/accesso"))
        .header("cookie", cookie.join("; "))
        .header("origin", base)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("csrf", csrf.as_str()),
            ("nome_utente", raccolta::admin::DEMO_EMAIL),
            ("password", raccolta::admin::DEMO_PASSWORD),
            ("captcha", CAPTCHA),
        ])
        .send()
        .await?;
    ensure!(r.status().as_u16() == 303, "accesso dell'amministratore: {}", r.status());
    for v in r.headers().get_all("set-cookie") {
        if let Some(c) = v.to_str().ok().and_then(|v| v.split(';').next()) {
            let nome = c.split('=').next().unwrap_or_default().to_owned();
            cookie.retain(|x| !x.starts_with(&format!("{nome}=")));
            cookie.push(c.to_owned());
        }
    }
    Ok(Sessione { http, base: base.to_owned(), cookie: cookie.join("; ") })
}

async fn una_base(nome: &str, url: &str, dati: &std::path::Path) -> Result<()> {
    let vars = vec![
        ("RACCOLTA_DATABASE_URL".to_owned(), url.to_owned()),
        ("RACCOLTA_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
        ("RACCOLTA_DATA_DIR".to_owned(), dati.display().to_string()),
        ("RACCOLTA_CAPTCHA_TEST_ANSWER".to_owned(), CAPTCHA.to_owned()),
    ];
    let config = Config::load_from(None, vars)?;
    let state = AppState::build(config).await?;
    let o =
        carico::Opzioni { enti: numero("RACCOLTA_BENCH_ENTI", 8000), utenti: numero("RACCOLTA_BENCH_UTENTI", 30_000) };
    let r = carico::genera(&state, &o).await?;
    println!(
        "{nome}: load data: {} enti, {} users, {} questionnaires, {} answers, {} invii in {:.1} s",
        r.enti, r.utenti, r.questionari, r.risposte, r.invii, r.secondi
    );
    raccolta::admin::crea_demo(&state.db, &state.hasher, &state.clock).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, fermo) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app::serve(listener, state.clone(), async move {
        let _ = fermo.await;
    }));
    let s = accedi(&base).await?;
    let volte = numero("RACCOLTA_BENCH_RUNS", 30);
    let campagna = carico::CAMPAGNA;
    for (titolo, query) in [
        ("everything", format!("campagna={campagna}")),
        (
            "comuni in compilazione by completion",
            format!("campagna={campagna}&tipo=comune&stato=in_compilazione&ordina=completamento&verso=desc"),
        ),
        ("text and region", format!("campagna={campagna}&q=monte&regione=Lazio")),
        ("page 100, late, modulo B", format!("campagna={campagna}&modulo=B&ritardo=1&pagina=100")),
    ] {
        let path = format!("/gestione/monitoraggio?{query}");
        let mut byte = 0;
        for _ in 0..3 {
            let r = s.get(&path).await?;
            ensure!(r.status().as_u16() == 200, "{path}: {}", r.status());
            byte = r.bytes().await?.len();
        }
        let mut tempi = Vec::with_capacity(volte);
        for _ in 0..volte {
            let r = s.get(&path).await?;
            ensure!(r.status().as_u16() == 200, "{path}: {}", r.status());
            tempi.push(server_ms(&r).context("Server-Timing")?);
            r.bytes().await?;
        }
        let (mediana, p95, max) = riassunto(tempi);
        let esito = if p95 <= 100.0 { "PASS" } else { "MISS" };
        println!(
            "{nome}: monitoring, {titolo:<38} median {mediana:>6.1} ms · p95 {p95:>6.1} ms · max {max:>6.1} ms · \
             {byte:>7} bytes · goal p95 ≤ 100 ms: {esito}"
        );
    }
    for formato in ["csv", "xlsx"] {
        let t = Instant::now();
        let r = s.get(&format!("/gestione/monitoraggio.{formato}?campagna={campagna}")).await?;
        ensure!(r.status().as_u16() == 200, "export {formato}: {}", r.status());
        let byte = r.bytes().await?.len();
        println!(
            "{nome}: monitoring export {formato:<4} of every row: {:>7.1} ms · {byte} bytes",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    // Full exports of modulo B, each with the process's peak RSS reset first (`clear_refs` 5).
    let c = state.catalogo.campagna(campagna).context("campagna")?;
    let b = state.questionari.modulo(&questionario::ChiaveModulo::new(campagna, &c.codice, "B")).context("modulo B")?;
    for (titolo, forma, fonte) in [
        ("wide, sent", raccolta::esporta::Forma::Larga, raccolta::esporta::Fonte::Inviati),
        ("long, drafts", raccolta::esporta::Forma::Lunga, raccolta::esporta::Fonte::Bozze),
    ] {
        let base_rss = rss_mb();
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let t = Instant::now();
        let e = raccolta::esporta::Esportazione::nuova(&state.db, c, b, fonte).await?;
        let r = raccolta::esporta::csv(e, forma, &mut tokio::io::sink(), |_, _| {}).await?;
        let s_ = t.elapsed().as_secs_f64();
        let esito = if r.celle as f64 / s_ >= 1e6 { "PASS" } else { "MISS" };
        println!(
            "{nome}: export modulo B CSV {titolo:<13} {} questionnaires, {} cells in {s_:.2} s: {:.2} M cells/s \
             (goal ≥ 1: {esito}) · peak RSS {:.0} MB (before {base_rss:.0} MB)",
            r.questionari,
            r.celle,
            r.celle as f64 / s_ / 1e6,
            picco_rss_mb()
        );
    }
    let file = tempfile::NamedTempFile::new()?;
    let base_rss = rss_mb();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let t = Instant::now();
    let e = raccolta::esporta::Esportazione::nuova(&state.db, c, b, raccolta::esporta::Fonte::Inviati).await?;
    let r = raccolta::esporta::xlsx(e, raccolta::esporta::Forma::Larga, file.path(), |_, _| {}).await?;
    let s_ = t.elapsed().as_secs_f64();
    println!(
        "{nome}: export modulo B XLSX wide, sent: {} cells in {s_:.2} s: {:.2} M cells/s · {} bytes · peak RSS {:.0} MB \
         (before {base_rss:.0} MB)",
        r.celle,
        r.celle as f64 / s_ / 1e6,
        std::fs::metadata(file.path())?.len(),
        picco_rss_mb()
    );

    // Reminders to every ente of the campaign that has not sent, queued in one transaction.
    let anteprima = s.get(&format!("/gestione/monitoraggio/promemoria?campagna={campagna}")).await?;
    ensure!(anteprima.status().as_u16() == 200, "promemoria: {}", anteprima.status());
    let csrf = nascosto(&anteprima.text().await?, "csrf").context("csrf del promemoria")?;
    let t = Instant::now();
    let r = s.post("/gestione/monitoraggio/promemoria", &[("csrf", csrf.as_str()), ("campagna", campagna)]).await?;
    ensure!(r.status().as_u16() == 200, "invio dei promemoria: {}", r.status());
    let ms = t.elapsed().as_secs_f64() * 1e3;
    r.bytes().await?;
    let enti = raccolta_conta(&state, "SELECT COUNT(*) FROM promemoria").await?;
    let mail = raccolta_conta(&state, "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Promemoria:%'").await?;
    println!("{nome}: reminders queued for {enti} enti ({mail} e-mails, bells and one audit row) in {ms:.0} ms");

    // The same XLSX prepared as a job (Prepara il file): from the form to the file stored in parts, ready.
    let pagina = s.get("/gestione/esportazioni").await?;
    let csrf = nascosto(&pagina.text().await?, "csrf").context("csrf delle esportazioni")?;
    let modulo = format!("{campagna}/B");
    let t = Instant::now();
    let r = s
        .post(
            "/gestione/esportazioni",
            &[
                ("csrf", csrf.as_str()),
                ("modulo", modulo.as_str()),
                ("fonte", "inviati"),
                ("forma", "larga"),
                ("formato", "xlsx"),
                ("azione", "prepara"),
            ],
        )
        .await?;
    ensure!(r.status().as_u16() == 303, "prepara: {}", r.status());
    let pagina = r.headers().get("location").and_then(|v| v.to_str().ok()).context("location")?.to_owned();
    let stato = loop {
        let j: serde_json::Value =
            serde_json::from_slice(&s.get(&format!("{pagina}/stato.json")).await?.bytes().await?)?;
        if j["stato"] == "pronta" || j["stato"] == "fallita" {
            break j;
        }
        ensure!(t.elapsed() < Duration::from_secs(1800), "esportazione preparata: troppo lunga");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let s_ = t.elapsed().as_secs_f64();
    ensure!(stato["stato"] == "pronta", "esportazione preparata: {stato}");
    let celle = raccolta_conta(&state, "SELECT MAX(celle) FROM esportazioni").await?;
    let byte = raccolta_conta(&state, "SELECT MAX(dimensione) FROM esportazioni").await?;
    println!(
        "{nome}: export modulo B XLSX wide, sent, prepared as a job (queue to file stored): {celle} cells in {s_:.2} s: \
         {:.2} M cells/s · {byte} bytes in parts of 1 MB",
        celle as f64 / s_ / 1e6
    );

    // The campaign closed, its open data as the public downloads them.
    let pagina = s.get("/gestione/campagne").await?;
    let csrf = nascosto(&pagina.text().await?, "csrf").context("csrf delle campagne")?;
    let (apertura, scadenza) = (c.apertura().to_string(), c.scadenza().to_string());
    let r = s
        .post(
            &format!("/gestione/campagne/{campagna}"),
            &[
                ("csrf", csrf.as_str()),
                ("stato", "chiusa"),
                ("apertura", apertura.as_str()),
                ("scadenza", scadenza.as_str()),
            ],
        )
        .await?;
    ensure!(r.status().as_u16() == 303, "chiusura della campagna: {}", r.status());
    for file in ["b.csv", "b.json"] {
        let t = Instant::now();
        let r = s.http.get(format!("{base}/open-data/{campagna}/{file}")).send().await?;
        ensure!(r.status().as_u16() == 200, "open data {file}: {}", r.status());
        let byte = r.bytes().await?.len();
        let s_ = t.elapsed().as_secs_f64();
        println!(
            "{nome}: open data modulo B {file:<6}: {byte} bytes in {s_:.2} s ({:.1} MB/s)",
            byte as f64 / s_ / 1e6
        );
    }
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(30), server).await.context("arresto")???;
    println!("{nome}: peak RSS of the process (generator, server and client): {:.1} MB", picco_rss_mb());
    Ok(())
}

async fn raccolta_conta(state: &AppState, sql: &str) -> Result<i64> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    Ok(match &state.db {
        raccolta::db::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
        raccolta::db::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
    })
}

fn main() -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("gestione.db");
        una_base("sqlite", &format!("sqlite://{}", file.display()), dir.path()).await?;
        if let Ok(pg) = std::env::var("RACCOLTA_BENCH_POSTGRES_URL") {
            let nome = format!("raccolta_bench_gestione_{}", std::process::id());
            let admin = sqlx::PgPool::connect(&format!("{}/postgres", pg.trim_end_matches('/'))).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {nome}"))).execute(&admin).await?;
            let esito = una_base("postgres", &format!("{}/{nome}", pg.trim_end_matches('/')), dir.path()).await;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {nome} WITH (FORCE)")))
                .execute(&admin)
                .await?;
            esito?;
        }
        Ok(())
    })
}
