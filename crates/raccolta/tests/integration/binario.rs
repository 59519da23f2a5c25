//! The `raccolta` binary as an operator runs it: configuration errors, migrations, graceful shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_raccolta");

/// A command for the binary with a clean `RACCOLTA_*` environment.
pub(crate) fn raccolta() -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("RACCOLTA_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

#[test]
fn a_bad_environment_value_exits_with_code_2_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = raccolta().current_dir(dir.path()).env("RACCOLTA_LISTEN", "dappertutto").arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("RACCOLTA_LISTEN"), "{stderr}");
}

#[test]
fn a_bad_file_value_exits_with_code_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("raccolta.toml"), "listen = \"127.0.0.1:8080\"\nlog_format = \"xml\"\n").unwrap();
    let out = raccolta().current_dir(dir.path()).arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("raccolta.toml:2"), "{stderr}");
    let out = raccolta().current_dir(dir.path()).args(["--config", "manca.toml", "migrate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("manca.toml"));
}

#[test]
fn production_refuses_an_http_base_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = raccolta().current_dir(dir.path()).env("RACCOLTA_ENV", "production").arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("https"));
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["questionari", "precompila", "--help"],
        &["audit", "verifica", "--help"],
    ] {
        let out = raccolta().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("--config"), "{args:?}");
    }
}

#[test]
fn migrate_creates_the_sqlite_file_and_folder_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = raccolta().current_dir(dir.path()).arg("migrate").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(dir.path().join("data/raccolta.db").exists(), "default sqlite://data/raccolta.db");
}

/// A `raccolta serve` process on port 0 whose JSON log lines arrive on a channel.
struct Server {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut child = raccolta()
            .current_dir(dir.path())
            .env("RACCOLTA_LISTEN", "127.0.0.1:0")
            .env("RACCOLTA_LOG_FORMAT", "json")
            .env("RACCOLTA_TEST_ROUTES", "true")
            .arg("serve")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, addr: String::new(), lines, _dir: dir };
        let line = server.wait_for("Raccolta in ascolto");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        server.addr = v["fields"]["addr"].as_str().unwrap().to_owned();
        server
    }

    /// Waits (up to 30 s) for a log line containing `needle`, and returns it.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(e) => panic!("log line {needle:?} not seen: {e}"),
            }
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_every_accepted_request_finish_and_exits_0() {
    let mut server = Server::start();
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{base}/readyz")).send().await.unwrap().status().as_u16(), 200);
    const SLOW: usize = 12;
    let mut burst = Vec::new();
    for i in 0..SLOW {
        let client = client.clone();
        let url = format!("{base}/__test/lento?ms={}", 800 + 50 * i);
        burst.push(tokio::spawn(async move { client.get(url).send().await.map(|r| r.status().as_u16()) }));
    }
    for _ in 0..SLOW {
        server.wait_for("richiesta lenta ricevuta");
    }
    let sent = Instant::now();
    server.signal("TERM");
    for request in burst {
        let status = request.await.unwrap().expect("an accepted request is answered, not cut off");
        assert_eq!(status, 200);
    }
    let status = tokio::task::spawn_blocking(move || {
        let status = server.child.wait().unwrap();
        (status, server)
    })
    .await
    .unwrap()
    .0;
    assert_eq!(status.code(), Some(0));
    assert!(sent.elapsed() < Duration::from_secs(30));
    assert!(client.get(format!("{base}/healthz")).send().await.is_err(), "no new connections after shutdown");
}

#[tokio::test]
async fn sigint_stops_an_idle_server_with_code_0() {
    let mut server = Server::start();
    server.signal("INT");
    let status = tokio::task::spawn_blocking(move || server.child.wait().unwrap()).await.unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn admin_create_prints_a_one_time_link_and_refuses_a_taken_address() {
    let dir = tempfile::tempdir().unwrap();
    let run = |email: &str| {
        raccolta()
            .current_dir(dir.path())
            .args(["admin", "create", "--email", email, "--name", "Anna Amministratrice"])
            .output()
            .unwrap()
    };
    let out = run("admin@comune.example");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("http://127.0.0.1:8080/password/nuova?token="), "{stdout}");
    assert!(stdout.contains("Codice identificativo utente:"), "{stdout}");
    let again = run("admin@comune.example");
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("esiste già"));
    let bad = run("non-una-email");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--email"));
}

#[test]
fn questionari_check_summarises_the_compiled_definitions_and_reports_errors_with_position() {
    let out = raccolta().args(["questionari", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FC80U 2022 (fc80u-2022) modulo B: Questionario unico FC80U - Dati contabili"), "{stdout}");
    assert!(stdout.contains("quadri   5 (D, T, S, X, Z)"), "{stdout}");
    assert!(stdout.contains("MONITORAGGIO 2023 (monitoraggio-2023) modulo TRASPORTO"), "{stdout}");
    assert!(stdout.contains("Nessun errore."), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let campagna = dir.path().join("prova");
    std::fs::create_dir(&campagna).unwrap();
    std::fs::write(
        campagna.join("campagna.toml"),
        "codice = \"P\"\nanno_riferimento = 2023\nanno_compilazione = 2024\n[[moduli]]\ncodice = \"A\"\n\
         titolo = { it = \"P\", en = \"P\" }\ndefinizione = \"a.toml\"\n",
    )
    .unwrap();
    std::fs::write(
        campagna.join("a.toml"),
        "modulo = \"A\"\n[[quadri]]\ncodice = \"A\"\ntitolo = { it = \"A\", en = \"A\" }\n[[quadri.sezioni]]\n\
         titolo = { it = \"S\", en = \"S\" }\n[[quadri.sezioni.campi]]\nid = \"A01\"\n\
         etichetta = { it = \"x\", en = \"x\" }\ntipo = \"euro\"\ncalcolo = \"${A01} + ${A02}\"\n",
    )
    .unwrap();
    let out = raccolta().args(["questionari", "check"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("prova/a.toml:11:21: il campo A02 non esiste in questo modulo"), "{stderr}");
}

#[test]
fn questionari_validate_prints_the_report_and_says_whether_invio_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let risposte = dir.path().join("risposte.json");
    std::fs::write(
        &risposte,
        r#"{"valori": {"Q1_00": true, "Q1_01.A": 10, "Q1_01.B": 12, "Q1_02.A": "2,5"}, "giustificazioni": {}}"#,
    )
    .unwrap();
    let out =
        raccolta().args(["questionari", "validate", "monitoraggio", "trasporto"]).arg(&risposte).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("MONITORAGGIO modulo TRASPORTO: invio NON CONSENTITO"), "{stdout}");
    assert!(stdout.contains("Completamento: Q1 "), "{stdout}");
    assert!(stdout.contains("Q1_02.A: Scrivere un numero intero, senza decimali."), "{stdout}");
    assert!(stdout.contains("[bloccante]"), "{stdout}");

    let out = raccolta()
        .args(["questionari", "validate", "MONITORAGGIO", "TRASPORTO", "--json"])
        .arg(&risposte)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["invio_consentito"], false);
    assert!(report["regole"].as_array().unwrap().len() > 10);

    std::fs::write(&risposte, "{ non è json").unwrap();
    let out = raccolta().args(["questionari", "validate", "FC80U", "B"]).arg(&risposte).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("non è JSON valido (riga 1"));
    let out = raccolta().args(["questionari", "validate", "FC99U", "B"]).arg(&risposte).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nessun questionario FC99U"));
}

#[test]
fn questionari_validate_refuses_to_guess_when_a_questionnaire_code_is_in_two_campaigns() {
    let dir = tempfile::tempdir().unwrap();
    for (campagna, definizione) in [("prova-2023", "a.toml"), ("prova-2024", "../prova-2023/a.toml")] {
        let cartella = dir.path().join(campagna);
        std::fs::create_dir(&cartella).unwrap();
        std::fs::write(
            cartella.join("campagna.toml"),
            format!(
                "codice = \"P\"\nanno_riferimento = 2023\nanno_compilazione = 2024\n[[moduli]]\ncodice = \"A\"\n\
                 titolo = {{ it = \"P\", en = \"P\" }}\ndefinizione = \"{definizione}\"\n"
            ),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("prova-2023/a.toml"),
        "modulo = \"A\"\n[[quadri]]\ncodice = \"A\"\ntitolo = { it = \"A\", en = \"A\" }\n[[quadri.sezioni]]\n\
         titolo = { it = \"S\", en = \"S\" }\n[[quadri.sezioni.campi]]\nid = \"A01\"\n\
         etichetta = { it = \"x\", en = \"x\" }\ntipo = \"euro\"\n",
    )
    .unwrap();
    let risposte = dir.path().join("risposte.json");
    std::fs::write(&risposte, r#"{"A01": "10"}"#).unwrap();
    let out = raccolta().args(["questionari", "check"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = raccolta()
        .args(["questionari", "validate", "P", "A"])
        .arg(&risposte)
        .arg("--dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("P modulo A è in più campagne: prova-2023, prova-2024"), "{stderr}");
}

#[test]
fn audit_verifica_seals_the_log_and_reports_an_intact_chain() {
    let dir = tempfile::tempdir().unwrap();
    let out = raccolta()
        .current_dir(dir.path())
        .args(["admin", "create", "--email", "audit@comune.example", "--name", "Anna Audit"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = raccolta().current_dir(dir.path()).args(["audit", "verifica"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Catena del registro di audit integra"), "{stdout}");
    assert!(stdout.contains(", 0 da sigillare"), "{stdout}");
    assert!(!stdout.contains(": 0 eventi sigillati"), "admin create wrote at least one event: {stdout}");
}
