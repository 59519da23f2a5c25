//! The load driver of `bench/compilazione.sh` (see `bench/README.md`), which builds it with
//! `cargo build --release -p raccolta --bench compilazione` and runs it next to a server it started itself; it is
//! not meant for `cargo bench`. One run on one backend, against `--base` (the server) and `--database-url` (the
//! same database, opened with the server's pool settings, `Db::connect` with the default configuration):
//!
//! 1. setup: `--clients` + `--readers` users, each with Compilazione on a comune of its own (rows written with the
//!    platform's own db functions, one Argon2id hash shared by all), each logged in through `POST /accesso`, its
//!    ente selezionato, its FC80U modulo B opened; then every non-calculated field of the first user's
//!    questionnaire is filled through the autosave;
//! 2. render: `--render-connections` connections GET the quadro with the most fields of that questionnaire;
//! 3. autosave: one client per questionnaire saving successive values as fast as it can, carrying the version;
//! 4. the same, with `--readers` clients reading `GET /questionari` every `--reader-interval-ms` beside it;
//! 5. bare: `--clients` tasks writing with `db::questionari::scrivi` in their own transaction (BEGIN; the upsert
//!    of `risposte` and the row of `storia_risposte`; COMMIT), and the transaction an autosave runs (the row
//!    locked, the revision moved, the same write);
//! 6. one client alone: the time of one autosave, one list page, one compile page, one bare transaction, and on
//!    PostgreSQL the transactions each request commits (`pg_stat_database.xact_commit`).
//!
//! Server times are read from each response's `Server-Timing: app;dur=…`. Everything is written as JSON to `--out`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail, ensure};
use questionario::{ChiaveModulo, Lingua, Modulo, Tipo, Valore};
use raccolta::config::Config;
use raccolta::db::questionari::{self, Cambio, Come};
use raccolta::db::{Db, associazioni, enti, users};
use raccolta::domain::{CodiceUtente, Modalita, StatoAssociazione};
use reqwest::Method;
use reqwest::header::{self, HeaderMap};
use serde_json::{Value, json};

const PASSWORD: &str = "girasole obliquo mangia tre lanterne";
const CAPTCHA: &str = "PROVA7";
const CAMPAGNA: &str = "fc80u-2022";
const CODICE: &str = "FC80U";
const MODULO: &str = "B";
const USER_AGENT: &str = "raccolta-bench-compilazione/1";

fn log(msg: impl AsRef<str>) {
    eprintln!("[compilazione] {}", msg.as_ref());
}

/// Command line: `--name value` pairs.
struct Opzioni {
    base: String,
    database_url: String,
    backend: String,
    clients: usize,
    readers: usize,
    reader_interval: Duration,
    render_connections: usize,
    duration: Duration,
    warmup: Duration,
    sequential: usize,
    invii: usize,
    paced_percent: u64,
    server_pid: Option<u32>,
    out: PathBuf,
}

fn opzioni() -> Result<Opzioni> {
    let mut m: HashMap<String, String> = HashMap::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        // `cargo bench` would pass `--bench`; nothing else without a value is expected.
        if a == "--bench" {
            continue;
        }
        let k = a.strip_prefix("--").ok_or_else(|| anyhow!("argomento inatteso: {a}"))?.to_owned();
        let v = args.next().ok_or_else(|| anyhow!("--{k} senza valore"))?;
        m.insert(k, v);
    }
    let s = |k: &str| m.get(k).cloned().ok_or_else(|| anyhow!("manca --{k}"));
    let n = |k: &str, d: u64| -> Result<u64> {
        m.get(k).map_or(Ok(d), |v| v.parse().with_context(|| format!("--{k} {v}: non è un numero intero")))
    };
    Ok(Opzioni {
        base: s("base")?.trim_end_matches('/').to_owned(),
        database_url: s("database-url")?,
        backend: s("backend")?,
        clients: n("clients", 256)? as usize,
        readers: n("readers", 8)? as usize,
        reader_interval: Duration::from_millis(n("reader-interval-ms", 50)?),
        render_connections: n("render-connections", 64)? as usize,
        duration: Duration::from_secs(n("duration", 10)?),
        warmup: Duration::from_secs(n("warmup", 2)?),
        sequential: n("sequential", 200)? as usize,
        invii: n("invii", 64)? as usize,
        paced_percent: n("paced-percent", 50)?,
        server_pid: m.get("server-pid").map(|v| v.parse()).transpose().context("--server-pid")?,
        out: PathBuf::from(s("out")?),
    })
}

fn main() -> Result<()> {
    // `cargo bench` runs every bench with no options (or only `--bench`): this one needs a server, so it only
    // says where it is run from.
    if std::env::args().skip(1).all(|a| a == "--bench") {
        println!("compilazione: the load driver of bench/compilazione.sh, which starts the server it needs");
        return Ok(());
    }
    let o = opzioni()?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(esegui(o))
}

// ------------------------------------------------------------------------------------------------ HTTP client

/// One browser: its own keep-alive connection, a cookie jar, the address a trusted proxy reports for it, and the
/// session's CSRF token once a page showed it.
struct Browser {
    http: reqwest::Client,
    base: String,
    jar: Vec<(String, String)>,
    xff: String,
    csrf: String,
}

enum Corpo {
    Nessuno,
    Form(Vec<(&'static str, String)>),
    Json(Value),
}

struct Risposta {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    len: usize,
    server_ms: Option<f64>,
    client_ms: f64,
}

impl Risposta {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }
}

fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// `app;dur=1.234` → 1.234.
fn server_timing(h: &HeaderMap) -> Option<f64> {
    let v = h.get("server-timing")?.to_str().ok()?;
    let dur = v.split("dur=").nth(1)?;
    dur.split([',', ';']).next()?.trim().parse().ok()
}

impl Browser {
    fn new(base: &str, xff: String) -> Result<Browser> {
        Ok(Browser { http: client()?, base: base.to_owned(), jar: Vec::new(), xff, csrf: String::new() })
    }

    /// The same session on a connection of its own.
    fn gemello(&self) -> Result<Browser> {
        Ok(Browser {
            http: client()?,
            base: self.base.clone(),
            jar: self.jar.clone(),
            xff: self.xff.clone(),
            csrf: self.csrf.clone(),
        })
    }

    async fn invia(&mut self, method: Method, path: &str, corpo: Corpo, gzip: bool, keep: bool) -> Result<Risposta> {
        let mut rb = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(header::USER_AGENT, USER_AGENT)
            .header("x-forwarded-for", &self.xff);
        if !self.jar.is_empty() {
            let c: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            rb = rb.header(header::COOKIE, c.join("; "));
        }
        rb = match corpo {
            Corpo::Nessuno => rb.header(header::ACCEPT, "text/html"),
            // What a browser sends with a same-origin form or fetch.
            Corpo::Form(f) => rb
                .header(header::ACCEPT, "text/html")
                .header(header::ORIGIN, &self.base)
                .header("sec-fetch-site", "same-origin")
                .form(&f),
            Corpo::Json(v) => rb
                .header(header::ACCEPT, "application/json")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, &self.base)
                .header("sec-fetch-site", "same-origin")
                .header("x-csrf-token", &self.csrf)
                .body(serde_json::to_vec(&v)?),
        };
        if gzip {
            rb = rb.header(header::ACCEPT_ENCODING, "gzip");
        }
        let t = Instant::now();
        let r = rb.send().await?;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.bytes().await?;
        let client_ms = t.elapsed().as_secs_f64() * 1e3;
        for v in headers.get_all(header::SET_COOKIE) {
            self.cookie(v.to_str().unwrap_or_default());
        }
        let len = body.len();
        let body = if keep { body.to_vec() } else { Vec::new() };
        Ok(Risposta { status, server_ms: server_timing(&headers), headers, body, len, client_ms })
    }

    fn cookie(&mut self, set_cookie: &str) {
        let mut parti = set_cookie.split(';');
        let Some((nome, valore)) = parti.next().and_then(|p| p.trim().split_once('=')) else { return };
        let scaduto = parti.any(|a| {
            let a = a.trim().to_ascii_lowercase();
            a.strip_prefix("max-age=").is_some_and(|n| n.trim().parse::<i64>().is_ok_and(|n| n <= 0))
        });
        self.jar.retain(|(k, _)| k != nome);
        if !scaduto {
            self.jar.push((nome.to_owned(), valore.to_owned()));
        }
    }

    async fn get(&mut self, path: &str) -> Result<Risposta> {
        self.invia(Method::GET, path, Corpo::Nessuno, false, true).await
    }

    /// `GET /accesso`, then `POST /accesso` with the right password: a success is a 303 to `/area-riservata`.
    async fn accedi(&mut self, codice: &str) -> Result<()> {
        let r = self.get("/accesso").await?;
        ensure!(r.status == 200, "GET /accesso: {}", r.status);
        let csrf = nascosto(&r.text(), "csrf")?;
        let form = vec![
            ("csrf", csrf),
            ("nome_utente", codice.to_owned()),
            ("password", PASSWORD.to_owned()),
            ("captcha", CAPTCHA.to_owned()),
        ];
        let r = self.invia(Method::POST, "/accesso", Corpo::Form(form), false, true).await?;
        ensure!(
            r.status == 303 && r.location().starts_with("/area-riservata"),
            "POST /accesso per {codice}: {} {}",
            r.status,
            r.location()
        );
        Ok(())
    }

    /// Opens the ente's FC80U modulo B (stored the first time), keeps the session's CSRF token from the compile
    /// page, and makes the ente the selezionato one (the Questionari page lists its questionnaires). Returns the
    /// questionnaire's URL id.
    async fn apri(&mut self, ente_id: i64) -> Result<String> {
        self.apri_modulo(ente_id, CAMPAGNA, MODULO).await
    }

    /// [`Browser::apri`] for any campaign and modulo.
    async fn apri_modulo(&mut self, ente_id: i64, campagna: &str, modulo: &str) -> Result<String> {
        let r = self.get(&format!("/enti/{ente_id}/questionari/{campagna}/{modulo}")).await?;
        let loc = r.location();
        ensure!(r.status == 303 && loc.starts_with("/questionari/"), "apertura del questionario: {} {loc}", r.status);
        let pubblico = loc.split('/').nth(2).unwrap_or_default().to_owned();
        let r = self.get(&loc).await?;
        ensure!(r.status == 200, "GET {loc}: {}", r.status);
        self.csrf = nascosto(&r.text(), "csrf")?;
        let form = vec![("csrf", self.csrf.clone())];
        let r =
            self.invia(Method::POST, &format!("/enti/{ente_id}/seleziona"), Corpo::Form(form), false, false).await?;
        ensure!(r.status == 303, "POST /enti/{ente_id}/seleziona: {}", r.status);
        Ok(pubblico)
    }

    async fn salva(&mut self, pubblico: &str, campo: &str, valore: &str, versione: i64) -> Result<Risposta> {
        let corpo = json!({ "campo": campo, "valore": valore, "versione": versione });
        self.invia(Method::POST, &format!("/questionari/{pubblico}/campi"), Corpo::Json(corpo), false, true).await
    }
}

/// Fills the scheda trasporto `pubblico` so that the engine allows invio, as a compiler would: the ente was not
/// assigned resources (Q1_00 NO), 3 students and 3 transported in every row of both years, and a plausible answer
/// in every other field the engine still asks for (evaluated here, with the same definitions as the server).
async fn rendi_inviabile(b: &mut Browser, m: &Modulo, pubblico: &str) -> Result<()> {
    let mut r = questionario::Risposte::default();
    let id = |a: &str| m.id(a).ok_or_else(|| anyhow!("{a} non è un campo della scheda"));
    r.valori.insert(id("Q1_00")?, Valore::Booleano(false));
    for riga in 1..=3 {
        for colonna in ["A", "B", "D", "E"] {
            r.valori.insert(id(&format!("Q1_0{riga}.{colonna}"))?, Valore::Numero(3.into()));
        }
    }
    for _ in 0..5 {
        let v = questionario::Valutazione::nuova(m, &r);
        let mancanti: Vec<u32> = (0..m.campi.len() as u32).filter(|&i| v.errore(i).is_some()).collect();
        if mancanti.is_empty() {
            break;
        }
        for i in mancanti {
            let valore = match &m.campi[i as usize].tipo {
                Tipo::SiNo => Valore::Booleano(false),
                Tipo::Scelta(o) => Valore::Testo(o[0].codice.as_str().into()),
                Tipo::Testo(_) => Valore::Testo("Nessuna variazione.".into()),
                Tipo::Data => Valore::Data(questionario::Data::new(2023, 12, 31).expect("a valid date")),
                _ => Valore::Numero(3.into()),
            };
            r.valori.insert(i, valore);
        }
    }
    ensure!(questionario::Valutazione::nuova(m, &r).riepilogo().invio_consentito, "scheda trasporto non inviabile");
    let mut campi: Vec<_> = r.valori.iter().collect();
    campi.sort_by_key(|(i, _)| **i);
    for (&i, valore) in campi {
        let testo = raccolta::compilazione::valori::testo_input(m, Some(valore), i, Lingua::It);
        let campo = &m.campi[i as usize].indirizzo;
        let risposta = b.salva(pubblico, campo, &testo, 0).await?;
        ensure!(risposta.status == 200, "{campo} = {testo}: {} {}", risposta.status, risposta.text());
    }
    Ok(())
}

/// The summary page (for its idempotency key), then the confirmation: the answer of the confirmation.
async fn invia_scheda(b: &mut Browser, pubblico: &str) -> Result<Risposta> {
    let r = b.get(&format!("/questionari/{pubblico}/invio")).await?;
    ensure!(r.status == 200, "GET invio: {}", r.status);
    let pagina = r.text();
    let form = vec![("csrf", nascosto(&pagina, "csrf")?), ("chiave", nascosto(&pagina, "chiave")?)];
    let r = b.invia(Method::POST, &format!("/questionari/{pubblico}/invio"), Corpo::Form(form), false, false).await?;
    ensure!(
        r.status == 303 && r.location().ends_with("/invii/1?esito=inviato"),
        "invio di {pubblico}: {} {}",
        r.status,
        r.location()
    );
    Ok(r)
}

/// The value of the hidden input `name` in a page.
fn nascosto(page: &str, name: &str) -> Result<String> {
    let cercato = format!("name=\"{name}\"");
    for tag in page.split("<input").skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if tag.contains(&cercato)
            && let Some(v) = tag.split("value=\"").nth(1).and_then(|v| v.split('"').next())
        {
            return Ok(v.replace("&amp;", "&"));
        }
    }
    bail!("campo nascosto {name} assente dalla pagina")
}

/// `attuale.versione` of an autosave answer (200 or 409).
fn versione(r: &Risposta) -> Option<i64> {
    serde_json::from_slice::<Value>(&r.body).ok()?.get("attuale")?.get("versione")?.as_i64()
}

// ------------------------------------------------------------------------------------------------ figures

/// One answered request of a load.
#[derive(Clone, Copy)]
struct Campione {
    /// Seconds from the load's start to the answer.
    fine: f64,
    server_ms: f64,
    client_ms: f64,
    ok: bool,
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[k.clamp(1, sorted.len()) - 1]
}

fn ordinati(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Throughput and percentiles of the samples answered in the measured window `[da, a)` (seconds).
fn riassumi(campioni: &[Campione], da: f64, a: f64) -> Value {
    let dentro: Vec<&Campione> = campioni.iter().filter(|c| c.fine >= da && c.fine < a).collect();
    let ok: Vec<&&Campione> = dentro.iter().filter(|c| c.ok).collect();
    let server = ordinati(ok.iter().map(|c| c.server_ms).filter(|x| x.is_finite()).collect());
    let client = ordinati(ok.iter().map(|c| c.client_ms).collect());
    json!({
        "requests": ok.len(),
        "errors": dentro.len() - ok.len(),
        "seconds": a - da,
        "per_s": ok.len() as f64 / (a - da),
        "server_p50": pct(&server, 50.0),
        "server_p90": pct(&server, 90.0),
        "server_p99": pct(&server, 99.0),
        "server_max": server.last().copied().unwrap_or(f64::NAN),
        "client_p50": pct(&client, 50.0),
        "client_p99": pct(&client, 99.0),
    })
}

/// CPU time used so far: the server, this driver, every `postgres` process (other users of the same server
/// included), and the whole machine (busy and total, in clock ticks).
#[derive(Clone, Copy, Default)]
struct Cpu {
    server: f64,
    driver: f64,
    postgres: f64,
    macchina_occupata: f64,
    macchina_totale: f64,
}

fn ticks_of(stat: &str) -> Option<f64> {
    // Fields after the `(comm)`: state is the 3rd field, utime and stime the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
}

fn cpu(server_pid: Option<u32>) -> Cpu {
    let hz = 100.0; // USER_HZ on Linux
    let leggi = |p: &str| std::fs::read_to_string(p).ok();
    let server = server_pid.and_then(|p| leggi(&format!("/proc/{p}/stat"))).and_then(|s| ticks_of(&s)).unwrap_or(0.0);
    let driver = leggi("/proc/self/stat").and_then(|s| ticks_of(&s)).unwrap_or(0.0);
    let mut postgres = 0.0;
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            if let Some(s) = leggi(&format!("{}/stat", e.path().display()))
                && s.contains("(postgres)")
            {
                postgres += ticks_of(&s).unwrap_or(0.0);
            }
        }
    }
    let (mut occupata, mut totale) = (0.0, 0.0);
    if let Some(s) = leggi("/proc/stat")
        && let Some(riga) = s.lines().next()
    {
        let v: Vec<f64> = riga.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
        totale = v.iter().take(8).sum();
        occupata = totale - v.get(3).copied().unwrap_or(0.0) - v.get(4).copied().unwrap_or(0.0);
    }
    Cpu {
        server: server / hz,
        driver: driver / hz,
        postgres: postgres / hz,
        macchina_occupata: occupata,
        macchina_totale: totale,
    }
}

/// CPU seconds between two readings, and per request when `n` requests were answered meanwhile.
fn cpu_tra(a: Cpu, b: Cpu, secondi: f64, n: usize, backend: &str) -> Value {
    let per = |x: f64| if n > 0 { x * 1e3 / n as f64 } else { f64::NAN };
    let busy = if b.macchina_totale > a.macchina_totale {
        (b.macchina_occupata - a.macchina_occupata) / (b.macchina_totale - a.macchina_totale)
    } else {
        f64::NAN
    };
    json!({
        "server_cores": (b.server - a.server) / secondi,
        "driver_cores": (b.driver - a.driver) / secondi,
        "postgres_cores": if backend == "postgres" { (b.postgres - a.postgres) / secondi } else { 0.0 },
        "server_ms_per_request": per(b.server - a.server),
        "postgres_ms_per_request": if backend == "postgres" { per(b.postgres - a.postgres) } else { 0.0 },
        "machine_busy": busy,
    })
}

// ------------------------------------------------------------------------------------------------ the modulo

/// A plausible value for every field a person fills in (as `cargo bench -p questionario` fills FC80U modulo B),
/// as typed in an Italian page.
fn valore_tipico(m: &Modulo, id: usize) -> String {
    let campo = &m.campi[id];
    let v = match &campo.tipo {
        Tipo::Intero => Valore::Numero(3.into()),
        Tipo::Decimale(_) => Valore::Numero(rust_decimal_from("1.25")),
        Tipo::Euro => Valore::Numero(rust_decimal_from("12345.67")),
        Tipo::Percentuale => Valore::Numero(40.into()),
        Tipo::SiNo => Valore::Booleano(true),
        Tipo::Scelta(o) => Valore::Testo(o[0].codice.as_str().into()),
        Tipo::Testo(n) => Valore::Testo("Nessuna annotazione".chars().take(*n as usize).collect::<String>().into()),
        Tipo::Data => Valore::Data(questionario::Data::new(2023, 12, 31).expect("a valid date")),
    };
    raccolta::compilazione::valori::testo_input(m, Some(&v), id as u32, Lingua::It)
}

/// A decimal literal as the engine's number type, without naming the crate that defines it.
fn rust_decimal_from<D: std::str::FromStr>(s: &str) -> D
where
    D::Err: std::fmt::Debug,
{
    s.parse().expect("a decimal literal")
}

/// A numeric field an autosave client cycles through, with the range its values must stay in.
#[derive(Clone)]
struct CampoNumerico {
    indirizzo: String,
    min: f64,
    max: f64,
}

fn campi_numerici(m: &Modulo) -> Vec<CampoNumerico> {
    let num = |d: Option<String>| d.and_then(|s| s.parse::<f64>().ok());
    m.campi
        .iter()
        .filter(|c| c.calcolo.is_none())
        .filter(|c| matches!(c.tipo, Tipo::Intero | Tipo::Decimale(_) | Tipo::Euro | Tipo::Percentuale))
        .map(|c| CampoNumerico {
            indirizzo: c.indirizzo.clone(),
            min: num(c.min.map(|d| d.to_string())).unwrap_or(f64::MIN),
            max: num(c.max.map(|d| d.to_string())).unwrap_or(f64::MAX),
        })
        .collect()
}

/// The `k`-th value of a field: a whole number from 1 to 50 (each differs from the one before) within its range.
fn valore_n(c: &CampoNumerico, k: u64) -> String {
    let n = 1 + (k % 50) as i64;
    let mut v = n as f64;
    if v < c.min || v > c.max {
        v = if c.min > f64::MIN { c.min + (k % 2) as f64 } else { c.max - (k % 2) as f64 };
    }
    format!("{}", v as i64)
}

// ------------------------------------------------------------------------------------------------ the run

/// A user of the benchmark: its browser, ente, questionnaire, and ids in the database.
struct Utente {
    browser: Browser,
    user_id: i64,
    ente_id: i64,
    pubblico: String,
}

async fn esegui(o: Opzioni) -> Result<()> {
    let t_totale = Instant::now();
    let config = Config::load_from(None, [("RACCOLTA_DATABASE_URL".to_owned(), o.database_url.clone())])
        .map_err(|e| anyhow!("{e}"))?;
    // The server's pool settings: Db::connect with the default configuration, as the server runs here.
    let db = Db::connect(&config).await?;
    let catalogo = raccolta::catalogo::definizioni_incorporate().map_err(|e| anyhow!("{e}"))?;
    let m: &Modulo =
        catalogo.modulo(&ChiaveModulo::new(CAMPAGNA, CODICE, MODULO)).ok_or_else(|| anyhow!("FC80U B assente"))?;
    let mut out = json!({ "backend": o.backend, "clients": o.clients, "readers": o.readers });

    // ---------------------------------------------------------------- setup: enti, users, logins
    let n_utenti = o.clients.max(1) + o.readers;
    let comuni: Vec<enti::Ente> = enti::tutti(&db)
        .await?
        .into_iter()
        .filter(|e| e.attivo && e.tipo == "comune" && e.codice_ipa.starts_with("e_"))
        .take(n_utenti)
        .collect();
    ensure!(comuni.len() == n_utenti, "servono {n_utenti} comuni importati, ce ne sono {}", comuni.len());
    let t = Instant::now();
    let hasher = raccolta::auth::PasswordHasher::new(1)?;
    let hash = hasher.hash(PASSWORD).await?;
    let now = raccolta::ora::Clock::default().now();
    let mut codici = Vec::new();
    let mut ids = Vec::new();
    for (i, ente) in comuni.iter().enumerate() {
        let mut tx = db.begin().await?;
        let mut codice = CodiceUtente::genera();
        while users::codice_exists(&mut tx, codice.as_str()).await? {
            codice = CodiceUtente::genera();
        }
        let email = format!("bench{i}.{now}@example.org");
        let nuovo = users::NewUser {
            codice: codice.as_str(),
            tipo: "persona_fisica",
            nome: "Compilatore",
            cognome: &format!("Bench {i}"),
            denominazione: None,
            codice_fiscale: "RSSMRA85T10A562S",
            email: &email,
            password_hash: &hash,
            lang: "it",
        };
        let id = users::insert(&mut tx, &nuovo, now).await?;
        users::activate(&mut tx, id, now).await?;
        let a = associazioni::richiedi(&mut tx, id, ente.id, Modalita::Compilazione, now)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        associazioni::decidi(&mut tx, a, StatoAssociazione::InAttesa, StatoAssociazione::Attiva, None, id, now).await?;
        tx.commit().await?;
        codici.push(codice.as_str().to_owned());
        ids.push(id);
    }
    let s_utenti = t.elapsed().as_secs_f64();
    log(format!("{n_utenti} utenti con Compilazione su {n_utenti} comuni in {s_utenti:.1} s; accesso di ciascuno"));
    let t = Instant::now();
    let mut utenti: Vec<Utente> = Vec::new();
    // A few at a time: every login verifies a password hash, one at a time on this machine.
    let mut pendenti = tokio::task::JoinSet::new();
    let mut prossimo = 0usize;
    let mut fatti: Vec<Option<Utente>> = (0..n_utenti).map(|_| None).collect();
    while prossimo < n_utenti || !pendenti.is_empty() {
        while prossimo < n_utenti && pendenti.len() < 4 {
            let i = prossimo;
            prossimo += 1;
            let (codice, user_id, ente_id, base) = (codici[i].clone(), ids[i], comuni[i].id, o.base.clone());
            pendenti.spawn(async move {
                let xff = format!("10.{}.{}.{}", 200 + (i >> 16) % 50, (i >> 8) & 255, i & 255);
                let mut b = Browser::new(&base, xff)?;
                b.accedi(&codice).await?;
                let pubblico = b.apri(ente_id).await?;
                Ok::<_, anyhow::Error>((i, Utente { browser: b, user_id, ente_id, pubblico }))
            });
        }
        if let Some(r) = pendenti.join_next().await {
            let (i, u) = r??;
            fatti[i] = Some(u);
        }
    }
    for u in fatti {
        utenti.push(u.ok_or_else(|| anyhow!("utente mancante"))?);
    }
    let s_accessi = t.elapsed().as_secs_f64();
    log(format!("{n_utenti} accessi e questionari aperti in {s_accessi:.1} s"));
    let lettori: Vec<Utente> = utenti.split_off(o.clients.max(1));

    // ---------------------------------------------------------------- every field of the first questionnaire
    let t = Instant::now();
    let da_compilare: Vec<usize> = (0..m.campi.len()).filter(|&i| m.campi[i].calcolo.is_none()).collect();
    let mut rifiutati: Vec<String> = Vec::new();
    let mut versioni0: HashMap<String, i64> = HashMap::new();
    {
        let u = &mut utenti[0];
        for &id in &da_compilare {
            let campo = &m.campi[id].indirizzo;
            let testo = valore_tipico(m, id);
            let r = u.browser.salva(&u.pubblico, campo, &testo, 0).await?;
            match r.status {
                200 => {
                    versioni0.insert(campo.clone(), versione(&r).unwrap_or(0));
                }
                _ => rifiutati.push(format!(
                    "{campo} = {testo:?}: {} {}",
                    r.status,
                    r.text().chars().take(200).collect::<String>()
                )),
            }
        }
    }
    let s_compila = t.elapsed().as_secs_f64();
    log(format!(
        "questionario {} compilato: {} campi non calcolati su {} in {s_compila:.1} s, {} rifiutati",
        utenti[0].pubblico,
        da_compilare.len(),
        m.campi.len(),
        rifiutati.len()
    ));
    for r in rifiutati.iter().take(5) {
        log(format!("  rifiutato: {r}"));
    }
    ensure!(rifiutati.is_empty(), "{} campi rifiutati: il questionario non è compilato per intero", rifiutati.len());
    out["setup"] = json!({
        "users": n_utenti,
        "users_seconds": s_utenti,
        "logins_seconds": s_accessi,
        "fields": m.campi.len(),
        "fields_filled": da_compilare.len(),
        "fill_seconds": s_compila,
        "fill_per_s": da_compilare.len() as f64 / s_compila,
    });

    // ---------------------------------------------------------------- 1. render of the largest quadro
    let mut per_quadro = Vec::new();
    for (q, quadro) in m.quadri.iter().enumerate() {
        let campi = m.campi.iter().filter(|c| c.quadro == q).count();
        let path = format!("/questionari/{}/compila/{}", utenti[0].pubblico, quadro.codice);
        let mut server = Vec::new();
        let mut byte = 0;
        for _ in 0..5 {
            let r = utenti[0].browser.invia(Method::GET, &path, Corpo::Nessuno, false, false).await?;
            ensure!(r.status == 200, "GET {path}: {}", r.status);
            byte = r.len;
            server.push(r.server_ms.unwrap_or(f64::NAN));
        }
        let server = ordinati(server);
        per_quadro
            .push(json!({ "quadro": quadro.codice, "fields": campi, "bytes": byte, "server_ms": pct(&server, 50.0) }));
    }
    let (q_max, campi_max) = m
        .quadri
        .iter()
        .enumerate()
        .map(|(q, _)| (q, m.campi.iter().filter(|c| c.quadro == q).count()))
        .max_by_key(|&(_, n)| n)
        .ok_or_else(|| anyhow!("nessun quadro"))?;
    let codice_max = m.quadri[q_max].codice.clone();
    let pagina = format!("/questionari/{}/compila/{codice_max}", utenti[0].pubblico);
    let raw = utenti[0].browser.invia(Method::GET, &pagina, Corpo::Nessuno, false, true).await?;
    let gz = utenti[0].browser.invia(Method::GET, &pagina, Corpo::Nessuno, true, false).await?;
    let codifica = gz.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    ensure!(raw.headers.get(header::CONTENT_ENCODING).is_none(), "risposta compressa senza Accept-Encoding");
    log(format!(
        "quadro {codice_max}: {campi_max} campi, {} B ({} B gzip, Content-Encoding {codifica:?}); {} connessioni per {} s",
        raw.len,
        gz.len,
        o.render_connections,
        o.duration.as_secs()
    ));
    let browsers: Vec<Browser> =
        (0..o.render_connections).map(|_| utenti[0].browser.gemello()).collect::<Result<_>>()?;
    let w = o.warmup.as_secs_f64();
    let d = o.duration.as_secs_f64();
    let start = Instant::now();
    let fine = start + o.warmup + o.duration;
    let mut set = tokio::task::JoinSet::new();
    for mut b in browsers {
        let pagina = pagina.clone();
        set.spawn(async move {
            let mut v = Vec::new();
            while Instant::now() < fine {
                let r = b.invia(Method::GET, &pagina, Corpo::Nessuno, false, false).await;
                v.push(campione(start, r));
            }
            v
        });
    }
    let pool = tokio::spawn(pool_durante(o.base.clone(), start, o.warmup, o.duration));
    let (c0, c1) = cpu_durante(o.server_pid, start, o.warmup, o.duration).await;
    let mut campioni = Vec::new();
    while let Some(v) = set.join_next().await {
        campioni.extend(v?);
    }
    let mut render = riassumi(&campioni, w, w + d);
    render["quadro"] = json!(codice_max);
    render["fields"] = json!(campi_max);
    render["connections"] = json!(o.render_connections);
    render["html_bytes"] = json!(raw.len);
    render["gzip_bytes"] = json!(gz.len);
    render["gzip_encoding"] = json!(codifica);
    render["per_quadro"] = json!(per_quadro);
    render["pool"] = pool.await?;
    render["cpu"] = cpu_tra(c0, c1, d, render["requests"].as_u64().unwrap_or(0) as usize, &o.backend);
    log(format!(
        "render: {:.0} req/s, server p50 {:.2} ms, p99 {:.2} ms",
        render["per_s"].as_f64().unwrap_or(0.0),
        render["server_p50"].as_f64().unwrap_or(0.0),
        render["server_p99"].as_f64().unwrap_or(0.0)
    ));
    out["render"] = render;

    // ---------------------------------------------------------------- 2, 3. autosave, alone and with readers
    let numerici = campi_numerici(m);
    ensure!(!numerici.is_empty(), "nessun campo numerico");
    let mut scrittori: Vec<Scrittore> = utenti
        .into_iter()
        .enumerate()
        .map(|(i, u)| Scrittore {
            versioni: if i == 0 { versioni0.clone() } else { HashMap::new() },
            utente: u,
            campi: numerici.clone(),
            passo: (i as u64) * 7,
            conflitti: 0,
        })
        .collect();
    let mut lettori = lettori;
    // A closed loop (every client saves again as soon as it is answered) measures throughput; its latency is only
    // the queue's length divided by it (Little's law). The paced phase measures latency under load: the same
    // clients, each on a fixed clock, together at `paced_percent` % of the closed loop's throughput.
    // Invio beside the paced autosave: the first `invii` clients' schede trasporto, made sendable beforehand.
    let n_invii = o.invii.min(scrittori.len());
    let trasporto: &Modulo = catalogo
        .modulo(&ChiaveModulo::new("monitoraggio-2023", "MONITORAGGIO", "TRASPORTO"))
        .ok_or_else(|| anyhow!("scheda TRASPORTO assente"))?;
    let t = Instant::now();
    let mut da_inviare: Vec<(usize, String)> = Vec::new();
    for (i, s) in scrittori.iter_mut().take(n_invii).enumerate() {
        let u = &mut s.utente;
        let p = u.browser.apri_modulo(u.ente_id, "monitoraggio-2023", "TRASPORTO").await?;
        rendi_inviabile(&mut u.browser, trasporto, &p).await?;
        // Back to the FC80U B of the autosave (its CSRF token is the session's, the same).
        u.browser.apri(u.ente_id).await?;
        da_inviare.push((i, p));
    }
    if n_invii > 0 {
        log(format!("{n_invii} schede trasporto pronte per l'invio in {:.1} s", t.elapsed().as_secs_f64()));
    }
    for fase in ["autosave", "autosave_with_readers", "autosave_paced", "invio"] {
        // The readers of GET /questionari beside the closed loop, and beside the paced load.
        let con_lettori = matches!(fase, "autosave_with_readers" | "autosave_paced") && !lettori.is_empty();
        if fase == "invio" && da_inviare.is_empty() {
            continue;
        }
        let ritmo = (fase == "autosave_paced" || fase == "invio").then(|| {
            let massimo = out["autosave"]["per_s"].as_f64().unwrap_or(0.0).max(1.0);
            massimo * o.paced_percent as f64 / 100.0
        });
        let periodo = ritmo.map(|r| Duration::from_secs_f64(scrittori.len().max(1) as f64 / r));
        log(format!(
            "{fase}: {} client su {} questionari{} per {} s (+{} s di riscaldamento)",
            scrittori.len(),
            scrittori.len(),
            if con_lettori {
                format!(", {} lettori di /questionari ogni {} ms", lettori.len(), o.reader_interval.as_millis())
            } else if let (Some(r), Some(p)) = (ritmo, periodo) {
                format!(", {r:.0} salvataggi/s in tutto (uno ogni {:.0} ms per client)", p.as_secs_f64() * 1e3)
            } else {
                String::new()
            },
            o.duration.as_secs(),
            o.warmup.as_secs()
        ));
        let start = Instant::now();
        let fine = start + o.warmup + o.duration;
        let mut set = tokio::task::JoinSet::new();
        let n_scrittori = scrittori.len().max(1);
        // The invii: each sender's own browser (a twin of its autosave client's session), at a moment spread
        // over the measured window.
        let mut set_invii = tokio::task::JoinSet::new();
        if fase == "invio" {
            let n = da_inviare.len();
            for (k, (i, p)) in da_inviare.iter().enumerate() {
                let mut b = scrittori[*i].utente.browser.gemello()?;
                let quando = o.warmup + o.duration.mul_f64(k as f64 / n as f64);
                let p = p.clone();
                set_invii.spawn(async move {
                    tokio::time::sleep_until((start + quando).into()).await;
                    let r = invia_scheda(&mut b, &p).await;
                    let fine = start.elapsed().as_secs_f64();
                    let c = match r {
                        Ok(r) => Campione {
                            fine,
                            server_ms: r.server_ms.unwrap_or(f64::NAN),
                            client_ms: r.client_ms,
                            ok: true,
                        },
                        Err(_) => Campione { fine, server_ms: f64::NAN, client_ms: f64::NAN, ok: false },
                    };
                    (p, c)
                });
            }
        }
        for (i, mut s) in std::mem::take(&mut scrittori).into_iter().enumerate() {
            set.spawn(async move {
                // Spread over the period, so the clients do not arrive together.
                let ritmo = periodo.map(|p| (p, p.mul_f64(i as f64 / n_scrittori as f64)));
                let v = s.carica(start, fine, ritmo).await;
                (s, v)
            });
        }
        let mut set_lettori = tokio::task::JoinSet::new();
        if con_lettori {
            let n_lettori = lettori.len();
            for (i, mut l) in std::mem::take(&mut lettori).into_iter().enumerate() {
                let intervallo = o.reader_interval;
                set_lettori.spawn(async move {
                    let mut v = Vec::new();
                    // Spread over the interval, so the readers do not arrive together.
                    tokio::time::sleep(intervallo.mul_f64(i as f64 / n_lettori as f64)).await;
                    let mut tick = tokio::time::interval(intervallo);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    while Instant::now() < fine {
                        tick.tick().await;
                        let r = l.browser.invia(Method::GET, "/questionari", Corpo::Nessuno, false, false).await;
                        v.push(campione(start, r));
                    }
                    (l, v)
                });
            }
        }
        let pool = tokio::spawn(pool_durante(o.base.clone(), start, o.warmup, o.duration));
        let (a, b) = cpu_durante(o.server_pid, start, o.warmup, o.duration).await;
        let mut campioni = Vec::new();
        let mut conflitti = 0;
        let mut errori: Vec<String> = Vec::new();
        while let Some(r) = set.join_next().await {
            let (s, (v, e)) = r?;
            campioni.extend(v);
            conflitti += s.conflitti;
            errori.extend(e);
            scrittori.push(s);
        }
        scrittori.sort_by_key(|s| s.utente.user_id);
        let mut letture = Vec::new();
        while let Some(r) = set_lettori.join_next().await {
            let (l, v) = r?;
            letture.extend(v);
            lettori.push(l);
        }
        lettori.sort_by_key(|l| l.user_id);
        let mut r = riassumi(&campioni, w, w + d);
        r["conflicts"] = json!(conflitti);
        r["pool"] = pool.await?;
        r["error_samples"] = json!(errori.iter().take(5).collect::<Vec<_>>());
        r["cpu"] = cpu_tra(a, b, d, r["requests"].as_u64().unwrap_or(0) as usize, &o.backend);
        if let Some(ritmo) = ritmo {
            r["target_per_s"] = json!(ritmo);
            r["percent_of_closed_loop"] = json!(o.paced_percent);
        }
        if fase == "invio" {
            let mut inviati = Vec::new();
            let mut errori_invio = Vec::new();
            while let Some(x) = set_invii.join_next().await {
                let (p, c) = x?;
                if !c.ok {
                    errori_invio.push(p);
                }
                inviati.push(c);
            }
            // Every invio counts, also one answered after the window.
            let mut inv = riassumi(&inviati, 0.0, w + d + 60.0);
            inv["failed"] = json!(errori_invio);
            log(format!(
                "  invio: {} inviati, server p50 {:.2} ms, p99 {:.2} ms, {} errori",
                inv["requests"],
                inv["server_p50"].as_f64().unwrap_or(0.0),
                inv["server_p99"].as_f64().unwrap_or(0.0),
                inv["errors"]
            ));
            r["invii"] = inv;
        }
        if con_lettori {
            let mut l = riassumi(&letture, w, w + d);
            l["clients"] = json!(lettori.len());
            l["interval_ms"] = json!(o.reader_interval.as_millis() as u64);
            log(format!(
                "  /questionari: {:.0} req/s, server p50 {:.2} ms, p99 {:.2} ms",
                l["per_s"].as_f64().unwrap_or(0.0),
                l["server_p50"].as_f64().unwrap_or(0.0),
                l["server_p99"].as_f64().unwrap_or(0.0)
            ));
            r["readers"] = l;
        }
        log(format!(
            "  autosave: {:.0} salvataggi/s, server p50 {:.2} ms, p99 {:.2} ms, client p99 {:.2} ms, {} errori",
            r["per_s"].as_f64().unwrap_or(0.0),
            r["server_p50"].as_f64().unwrap_or(0.0),
            r["server_p99"].as_f64().unwrap_or(0.0),
            r["client_p99"].as_f64().unwrap_or(0.0),
            r["errors"]
        ));
        for e in errori.iter().take(3) {
            log(format!("  errore: {e}"));
        }
        out[fase] = r;
    }

    // ---------------------------------------------------------------- 5. bare transactions
    let mut righe = Vec::new();
    for s in &scrittori {
        let q = questionari::by_pubblico(&db, &s.utente.pubblico).await?.ok_or_else(|| anyhow!("questionario"))?;
        righe.push((q.id, s.utente.user_id));
    }
    for (nome, completa) in [("bare", false), ("bare_tx", true)] {
        log(format!(
            "{nome}: {} transazioni concorrenti ({}) per {} s (+{} s)",
            righe.len(),
            if completa { "riga bloccata, revisione, scrivi" } else { "BEGIN, scrivi, COMMIT" },
            o.duration.as_secs(),
            o.warmup.as_secs()
        ));
        let start = Instant::now();
        let fine = start + o.warmup + o.duration;
        let mut set = tokio::task::JoinSet::new();
        for (i, &(qid, uid)) in righe.iter().enumerate() {
            let db = db.clone();
            let campi = numerici.clone();
            set.spawn(async move {
                let mut v = Vec::new();
                let mut k = (i as u64) * 7;
                let mut revisione = 1_000_000;
                while Instant::now() < fine {
                    let t = Instant::now();
                    let r = transazione(&db, qid, uid, &campi, k, revisione, completa).await;
                    k += 1;
                    revisione += 1;
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    v.push(Campione {
                        fine: start.elapsed().as_secs_f64(),
                        server_ms: ms,
                        client_ms: ms,
                        ok: r.is_ok(),
                    });
                }
                v
            });
        }
        let (a, b) = cpu_durante(o.server_pid, start, o.warmup, o.duration).await;
        let mut campioni = Vec::new();
        while let Some(v) = set.join_next().await {
            campioni.extend(v?);
        }
        let mut r = riassumi(&campioni, w, w + d);
        let mut c = cpu_tra(a, b, d, r["requests"].as_u64().unwrap_or(0) as usize, &o.backend);
        c["driver_ms_per_request"] =
            json!((b.driver - a.driver) * 1e3 / r["requests"].as_u64().unwrap_or(1).max(1) as f64);
        r["cpu"] = c;
        log(format!(
            "  {:.0} commit/s, p50 {:.2} ms, p99 {:.2} ms, {} errori",
            r["per_s"].as_f64().unwrap_or(0.0),
            r["server_p50"].as_f64().unwrap_or(0.0),
            r["server_p99"].as_f64().unwrap_or(0.0),
            r["errors"]
        ));
        out[nome] = r;
    }

    // ---------------------------------------------------------------- 6. one client alone
    let n = o.sequential.max(1);
    log(format!("un client alla volta: {n} richieste per tipo"));
    let mut seq = json!({ "n": n });
    let pg = match &db {
        Db::Postgres(pool) => Some(pool.clone()),
        Db::Sqlite(_) => None,
    };
    async fn xact(pg: &Option<sqlx::PgPool>) -> Option<i64> {
        let pool = pg.as_ref()?;
        // An idle backend reports its counters 10 s after its last transaction (PGSTAT_IDLE_INTERVAL).
        tokio::time::sleep(Duration::from_secs(11)).await;
        sqlx::query("SELECT pg_stat_clear_snapshot()").execute(pool).await.ok()?;
        sqlx::query_scalar("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            .fetch_one(pool)
            .await
            .ok()
    }
    // Transactions committed in the database per request between two readings, less the two of a reading.
    let per = |a: Option<i64>, b: Option<i64>| a.zip(b).map(|(a, b)| (b - a - 2) as f64 / n as f64);
    // The first user: its questionnaire is the filled one, whose largest quadro the render load read.
    let s = &mut scrittori[0];
    let mut x0 = xact(&pg).await;
    let (mut server, mut client) = (Vec::new(), Vec::new());
    // The bare loops wrote into this questionnaire under versions of their own: a 409 brings the current
    // version, and the next save of the field carries it.
    let mut tentativi = 0;
    while server.len() < n {
        tentativi += 1;
        ensure!(tentativi <= 3 * n, "troppi conflitti nei salvataggi in sequenza");
        let (errore, e) = s.uno().await;
        match e {
            Ok((sm, cm)) => {
                server.push(sm);
                client.push(cm);
            }
            Err(e) if errore.is_some() => return Err(e),
            Err(_) => {}
        }
    }
    let x1 = xact(&pg).await;
    seq["autosave"] = json!({
        "server_p50": pct(&ordinati(server), 50.0),
        "client_p50": pct(&ordinati(client), 50.0),
        "xact_per_request": per(x0, x1),
    });
    x0 = x1;
    for (nome, path) in [("elenco", "/questionari".to_owned()), ("pagina", pagina.clone())] {
        let b = &mut s.utente.browser;
        let mut server = Vec::new();
        for _ in 0..n {
            let r = b.invia(Method::GET, &path, Corpo::Nessuno, false, false).await?;
            ensure!(r.status == 200, "GET {path}: {}", r.status);
            server.push(r.server_ms.unwrap_or(f64::NAN));
        }
        let x1 = xact(&pg).await;
        seq[nome] =
            json!({ "path": path, "server_p50": pct(&ordinati(server), 50.0), "xact_per_request": per(x0, x1) });
        x0 = x1;
    }
    for (nome, completa) in [("bare", false), ("bare_tx", true)] {
        let (qid, uid) = righe[0];
        let mut ms = Vec::new();
        for k in 0..n as u64 {
            let t = Instant::now();
            transazione(&db, qid, uid, &numerici, k, 2_000_000 + k as i64, completa).await?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        seq[nome] = json!({ "p50": pct(&ordinati(ms), 50.0) });
    }
    log(format!(
        "  autosave {:.2} ms (server), /questionari {:.2} ms, pagina {:.2} ms, bare {:.2} ms, bare_tx {:.2} ms",
        seq["autosave"]["server_p50"].as_f64().unwrap_or(f64::NAN),
        seq["elenco"]["server_p50"].as_f64().unwrap_or(f64::NAN),
        seq["pagina"]["server_p50"].as_f64().unwrap_or(f64::NAN),
        seq["bare"]["p50"].as_f64().unwrap_or(f64::NAN),
        seq["bare_tx"]["p50"].as_f64().unwrap_or(f64::NAN)
    ));
    out["sequential"] = seq;
    out["seconds"] = json!(t_totale.elapsed().as_secs_f64());
    db.close().await;
    std::fs::write(&o.out, serde_json::to_vec_pretty(&out)?).with_context(|| format!("{}", o.out.display()))?;
    Ok(())
}

/// The server's pool during a load's measured window, from `/metrics` every 200 ms: samples, samples with no
/// idle connection, mean connections open and in use.
async fn pool_durante(base: String, start: Instant, warmup: Duration, duration: Duration) -> Value {
    let Ok(mut b) = Browser::new(&base, "127.0.0.1".to_owned()) else { return Value::Null };
    tokio::time::sleep_until((start + warmup).into()).await;
    let (mut n, mut nessuna, mut aperte, mut in_uso) = (0u32, 0u32, 0.0, 0.0);
    while Instant::now() < start + warmup + duration {
        if let Ok(r) = b.get("/metrics").await {
            let testo = r.text();
            let leggi = |nome: &str| {
                testo
                    .lines()
                    .find(|l| l.starts_with(nome) && l[nome.len()..].starts_with('{'))
                    .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            };
            // sqlx's idle count can read past the pool's size for a moment (a wrapped subtraction): skipped.
            if let (Some(size), Some(idle)) = (leggi("db_pool_connections"), leggi("db_pool_idle_connections"))
                && idle <= size
            {
                n += 1;
                aperte += size;
                in_uso += size - idle;
                if idle == 0.0 {
                    nessuna += 1;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let media = |x: f64| if n > 0 { x / f64::from(n) } else { f64::NAN };
    json!({ "samples": n, "samples_none_idle": nessuna, "open": media(aperte), "in_use": media(in_uso) })
}

/// The sample of one GET answered (or failed) now.
fn campione(start: Instant, r: Result<Risposta>) -> Campione {
    let fine = start.elapsed().as_secs_f64();
    match r {
        Ok(r) => {
            Campione { fine, server_ms: r.server_ms.unwrap_or(f64::NAN), client_ms: r.client_ms, ok: r.status == 200 }
        }
        Err(_) => Campione { fine, server_ms: f64::NAN, client_ms: f64::NAN, ok: false },
    }
}

/// CPU readings at the start and the end of the measured window of a load that started at `start`.
async fn cpu_durante(pid: Option<u32>, start: Instant, warmup: Duration, duration: Duration) -> (Cpu, Cpu) {
    tokio::time::sleep_until((start + warmup).into()).await;
    let a = cpu(pid);
    tokio::time::sleep_until((start + warmup + duration).into()).await;
    (a, cpu(pid))
}

/// One bare write on questionnaire `qid`: `BEGIN; scrivi; COMMIT`, or with `completa` the transaction of an
/// autosave (the row read and locked, the revision moved, then the same write).
async fn transazione(
    db: &Db,
    qid: i64,
    uid: i64,
    campi: &[CampoNumerico],
    k: u64,
    revisione: i64,
    completa: bool,
) -> Result<()> {
    let campo = &campi[(k as usize) % campi.len()];
    let dopo = valore_n(campo, k);
    let now = raccolta::ora::Clock::default().now();
    let mut tx = db.begin().await?;
    let revisione = if completa {
        let q = questionari::per_modifica(&mut tx, qid).await?.ok_or_else(|| anyhow!("questionario {qid}"))?;
        let stato = q.stato().salva().map_err(|e| anyhow!("{e}"))?;
        questionari::avanza(&mut tx, qid, stato, uid, now).await?
    } else {
        revisione
    };
    let cambio =
        Cambio { campo: &campo.indirizzo, prima: None, dopo: Some(&dopo), risposto: true, come: Come::Autosave };
    questionari::scrivi(&mut tx, qid, &cambio, revisione, uid, Some("127.0.0.1"), now).await?;
    tx.commit().await?;
    Ok(())
}

/// An autosave client: its questionnaire, the numeric fields it cycles through, and each field's version.
struct Scrittore {
    utente: Utente,
    campi: Vec<CampoNumerico>,
    versioni: HashMap<String, i64>,
    passo: u64,
    conflitti: usize,
}

impl Scrittore {
    /// Saves the next value; (is it an error worth showing, (server ms, client ms)).
    async fn uno(&mut self) -> (Option<String>, Result<(f64, f64)>) {
        let campo = self.campi[(self.passo as usize) % self.campi.len()].clone();
        // The field's pass number plus its index: each visit of a field sends a value other than the last one.
        let testo = valore_n(&campo, self.passo / self.campi.len() as u64 + self.passo % self.campi.len() as u64);
        self.passo += 1;
        let v = self.versioni.get(&campo.indirizzo).copied().unwrap_or(0);
        let r = match self.utente.browser.salva(&self.utente.pubblico, &campo.indirizzo, &testo, v).await {
            Ok(r) => r,
            Err(e) => return (Some(format!("{e:#}")), Err(e)),
        };
        let tempi = (r.server_ms.unwrap_or(f64::NAN), r.client_ms);
        match r.status {
            200 => {
                if let Some(v) = versione(&r) {
                    self.versioni.insert(campo.indirizzo.clone(), v);
                }
                (None, Ok(tempi))
            }
            409 => {
                self.conflitti += 1;
                if let Some(v) = versione(&r) {
                    self.versioni.insert(campo.indirizzo.clone(), v);
                }
                (None, Err(anyhow!("409")))
            }
            s => {
                let e = format!("{s} {}: {}", campo.indirizzo, r.text().chars().take(200).collect::<String>());
                (Some(e.clone()), Err(anyhow!(e)))
            }
        }
    }

    /// Saves once every `periodo` from `start + scarto` until `fine`, whatever the answers' times (a late answer
    /// delays only its own client's next save); without `periodo`, again as soon as answered.
    async fn carica(
        &mut self,
        start: Instant,
        fine: Instant,
        ritmo: Option<(Duration, Duration)>,
    ) -> (Vec<Campione>, Vec<String>) {
        let mut v = Vec::new();
        let mut errori = Vec::new();
        let mut tick = ritmo.map(|(periodo, scarto)| {
            let mut t = tokio::time::interval_at((start + scarto).into(), periodo);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        loop {
            if let Some(t) = tick.as_mut() {
                t.tick().await;
            }
            if Instant::now() >= fine {
                break;
            }
            let (e, r) = self.uno().await;
            let t = start.elapsed().as_secs_f64();
            errori.extend(e);
            v.push(match r {
                Ok((server_ms, client_ms)) => Campione { fine: t, server_ms, client_ms, ok: true },
                Err(_) => Campione { fine: t, server_ms: f64::NAN, client_ms: f64::NAN, ok: false },
            });
        }
        (v, errori)
    }
}
