//! Typed configuration: defaults → optional `raccolta.toml` → `RACCOLTA_*` environment.
//!
//! A bad value is refused with a message naming the variable, or the file and line, and the process exits with
//! code 2. Production refuses settings that are only safe on a developer's machine.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

/// Prefix of every environment variable the platform reads.
pub const ENV_PREFIX: &str = "RACCOLTA_";

/// Environment variables with our prefix that belong to the test harness, not to the platform.
const ENV_NOT_CONFIG: &[&str] = &["TEST_POSTGRES_URL", "BIN", "BENCH_"];

/// Where the platform runs: decides how strict the checks on the configuration are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// A developer's machine or a demo: anything goes.
    Development,
    /// A real deployment: https only, no test switches.
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The whole configuration of a node.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`; may carry a password, so it is never logged as is.
    #[serde(serialize_with = "serialize_secret")]
    pub database_url: SecretString,
    /// Address to bind.
    pub listen: SocketAddr,
    /// Public URL of the platform, used in links sent by e-mail.
    pub base_url: Url,
    /// Development or production.
    pub env: Environment,
    /// Text or JSON logs.
    pub log_format: LogFormat,
    /// `tracing` filter, e.g. `info` or `raccolta=debug,sqlx=warn`.
    pub log: String,
    /// Maximum connections in the database pool of this node.
    pub database_max_connections: u32,
    /// Seconds a request may take before it is answered with an error page.
    pub request_timeout_secs: u64,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_grace_secs: u64,
    /// Support contact shown in the footer of every page.
    pub support_email: String,
    /// The administration that publishes the open data of closed campaigns (DCAT-AP_IT's publisher).
    pub open_data_editore: String,
    /// Its IPA code, the publisher's identifier in DCAT-AP_IT ("" for none: the platform's address stands in).
    pub open_data_editore_ipa: String,
    /// Test-only: enables `/__test/*` routes (e.g. a slow request for the graceful shutdown test).
    pub test_routes: bool,
    /// Folder for local files: the SQLite default lives here, and `.eml` files when no SMTP server is set.
    pub data_dir: PathBuf,
    /// `smtp://host:port` (plain, for a local relay), `smtp://user:pass@host:587` (STARTTLS required) or
    /// `smtps://user:pass@host:465` (TLS from the first byte);
    /// unset: e-mails are written as `.eml` files under `data_dir/mail` (development).
    #[serde(serialize_with = "serialize_opt_secret")]
    pub smtp_url: Option<SecretString>,
    /// Sender of every e-mail.
    pub mail_from: String,
    /// Test-only: every captcha accepts exactly this answer (still rendered normally); refused in production.
    pub captcha_test_answer: Option<String>,
    /// Load balancers or proxies whose `X-Forwarded-For` is believed (comma-separated addresses in the
    /// environment, a list in the file); empty: the TCP peer is the client.
    #[serde(deserialize_with = "ip_list")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Threads computing Argon2 (default: CPUs − 1, at least 1); more logins wait, so a login storm cannot
    /// starve the other pages.
    pub password_hash_concurrency: usize,
    /// Start with the demo set of real enti (`scripts/run.sh` turns it on), so a newcomer can try everything;
    /// a real deployment imports the IPA file instead (`raccolta enti import`).
    pub demo: bool,
    /// Days the audit log's rows stay in the live table (the administrators' page); older ones move to the
    /// archive table, chain and all, never deleted. At least 183 (six months, the minimum for administrators'
    /// accesses).
    pub audit_conservazione_giorni: i64,
    /// Reminders' e-mails (Gestione → Monitoraggio → Promemoria) sent per minute at most: a reminder to 8,000
    /// enti is queued at once and leaves at this pace, so the mail server is not flooded.
    pub promemoria_al_minuto: i64,
}

/// The shortest retention of the audit log's live rows.
pub const AUDIT_CONSERVAZIONE_MINIMA: i64 = 183;

/// Accepts `"10.0.0.1, 10.0.0.2"` (environment) or `["10.0.0.1", "10.0.0.2"]` (file).
fn ip_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<std::net::IpAddr>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        List(Vec<String>),
    }
    let items = match Raw::deserialize(d)? {
        Raw::Text(t) => t.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        Raw::List(l) => l,
    };
    items
        .iter()
        .map(|s| s.parse().map_err(|_| serde::de::Error::custom(format!("`{s}` non è un indirizzo IP"))))
        .collect()
}

fn serialize_opt_secret<S: serde::Serializer>(secret: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(v) => s.serialize_some(v.expose_secret()),
        None => s.serialize_none(),
    }
}

fn serialize_secret<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: SecretString::from("sqlite://data/raccolta.db"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            base_url: Url::parse("http://127.0.0.1:8080").expect("a valid literal URL"),
            env: Environment::Development,
            log_format: LogFormat::Text,
            log: "info".to_owned(),
            database_max_connections: 16,
            request_timeout_secs: 30,
            body_limit_bytes: 2 * 1024 * 1024,
            shutdown_grace_secs: 30,
            support_email: "assistenza@raccolta.example".to_owned(),
            open_data_editore: "Raccolta dati — fabbisogni standard".to_owned(),
            open_data_editore_ipa: String::new(),
            test_routes: false,
            data_dir: PathBuf::from("data"),
            smtp_url: None,
            mail_from: "Raccolta <noreply@raccolta.example>".to_owned(),
            captcha_test_answer: None,
            password_hash_concurrency: crate::auth::hasher::default_concurrency(),
            trusted_proxies: Vec::new(),
            demo: false,
            audit_conservazione_giorni: 365,
            promemoria_al_minuto: 600,
        }
    }
}

/// The support address shipped as default: a production deployment must set its own.
const PLACEHOLDER_SUPPORT_EMAIL: &str = "assistenza@raccolta.example";

/// Why a configuration was refused. The message names the variable or the file and line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl Config {
    /// Reads defaults, then `file` (or `raccolta.toml` in the working directory when present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// Like [`Config::load`] with an explicit environment, so tests need not touch the process environment.
    pub fn load_from(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let file = match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "file di configurazione {} non trovato / configuration file not found",
                    path.display()
                )));
            }
            Some(path) => Some(path.to_path_buf()),
            None => Some(PathBuf::from("raccolta.toml")).filter(|p| p.exists()),
        };
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = &file {
            figment = figment.merge(Toml::file_exact(path));
        }
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .filter_map(|(k, v)| {
                let key = k.strip_prefix(ENV_PREFIX)?;
                (!ENV_NOT_CONFIG.iter().any(|skip| key.starts_with(skip))).then(|| (key.to_ascii_lowercase(), v))
            })
            .collect();
        figment = figment.merge(EnvVars(vars));
        let config: Config = figment.extract().map_err(|e| ConfigError(describe_figment_error(&e, file.as_deref())))?;
        config.check()?;
        Ok(config)
    }

    /// Refuses values that are well-formed but unsafe or inconsistent.
    fn check(&self) -> Result<(), ConfigError> {
        let url = self.database_url.expose_secret();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConfigError(
                "RACCOLTA_DATABASE_URL: usare sqlite://PERCORSO oppure postgres://… / use sqlite://PATH or postgres://…"
                    .to_owned(),
            ));
        }
        if !matches!(self.base_url.scheme(), "http" | "https") {
            return Err(ConfigError("RACCOLTA_BASE_URL: deve iniziare con http:// o https://".to_owned()));
        }
        if let Some(url) = &self.smtp_url {
            let url = url.expose_secret();
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) || Url::parse(url).is_err() {
                return Err(ConfigError(
                    "RACCOLTA_SMTP_URL: usare smtp://HOST:PORTA o smtps://UTENTE:PASSWORD@HOST:465".to_owned(),
                ));
            }
        }
        if self.password_hash_concurrency == 0 {
            return Err(ConfigError("RACCOLTA_PASSWORD_HASH_CONCURRENCY: deve essere almeno 1".to_owned()));
        }
        if self.audit_conservazione_giorni < AUDIT_CONSERVAZIONE_MINIMA {
            return Err(ConfigError(format!(
                "RACCOLTA_AUDIT_CONSERVAZIONE_GIORNI: almeno {AUDIT_CONSERVAZIONE_MINIMA} giorni (sei mesi), come \
                 richiesto per gli accessi degli amministratori"
            )));
        }
        if self.promemoria_al_minuto < 1 {
            return Err(ConfigError("RACCOLTA_PROMEMORIA_AL_MINUTO: deve essere almeno 1".to_owned()));
        }
        if self.database_max_connections == 0 {
            return Err(ConfigError("RACCOLTA_DATABASE_MAX_CONNECTIONS: deve essere almeno 1".to_owned()));
        }
        if self.request_timeout_secs == 0 || self.shutdown_grace_secs == 0 {
            return Err(ConfigError(
                "RACCOLTA_REQUEST_TIMEOUT_SECS e RACCOLTA_SHUTDOWN_GRACE_SECS devono essere maggiori di zero"
                    .to_owned(),
            ));
        }
        if self.env == Environment::Production {
            if self.base_url.scheme() != "https" {
                return Err(ConfigError(
                    "RACCOLTA_BASE_URL: in produzione (RACCOLTA_ENV=production) l'indirizzo pubblico deve usare https://"
                        .to_owned(),
                ));
            }
            if self.test_routes {
                return Err(ConfigError(
                    "RACCOLTA_TEST_ROUTES: è un interruttore solo per i test e non è ammesso in produzione".to_owned(),
                ));
            }
            if self.captcha_test_answer.is_some() {
                return Err(ConfigError(
                    "RACCOLTA_CAPTCHA_TEST_ANSWER: è un interruttore solo per i test e non è ammesso in produzione"
                        .to_owned(),
                ));
            }
            if self.demo {
                return Err(ConfigError(
                    "RACCOLTA_DEMO: la modalità dimostrativa crea un amministratore con una password nota e non è \
                     ammessa in produzione"
                        .to_owned(),
                ));
            }
            if self.smtp_url.is_none() {
                return Err(ConfigError(
                    "RACCOLTA_SMTP_URL: in produzione serve un server SMTP per inviare le e-mail".to_owned(),
                ));
            }
            if self.support_email == PLACEHOLDER_SUPPORT_EMAIL {
                return Err(ConfigError(
                    "RACCOLTA_SUPPORT_EMAIL: in produzione indicare l'indirizzo di assistenza dell'amministrazione"
                        .to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// True when the public URL is https: cookies get `Secure` and responses HSTS.
    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// The request timeout as a [`Duration`].
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// The shutdown grace period as a [`Duration`].
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    /// The database URL with any password replaced, for logs.
    pub fn database_url_redacted(&self) -> String {
        redact_url(self.database_url.expose_secret())
    }
}

/// Replaces the password of a URL with `***`; SQLite paths pass unchanged.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url_redacted())
            .field("listen", &self.listen)
            .field("base_url", &self.base_url.as_str())
            .field("env", &self.env)
            .field("log_format", &self.log_format)
            .field("log", &self.log)
            .field("database_max_connections", &self.database_max_connections)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("shutdown_grace_secs", &self.shutdown_grace_secs)
            .field("support_email", &self.support_email)
            .field("open_data_editore", &self.open_data_editore)
            .field("open_data_editore_ipa", &self.open_data_editore_ipa)
            .field("test_routes", &self.test_routes)
            .field("data_dir", &self.data_dir)
            .field("smtp_url", &self.smtp_url.as_ref().map(|u| redact_url(u.expose_secret())))
            .field("mail_from", &self.mail_from)
            .field("captcha_test_answer", &self.captcha_test_answer.as_ref().map(|_| "***"))
            .field("password_hash_concurrency", &self.password_hash_concurrency)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("demo", &self.demo)
            .finish()
    }
}

/// The `RACCOLTA_*` variables as a figment provider; values are parsed as figment's own `Env` does
/// (`true` is a boolean, `42` a number), but from an explicit list so tests do not touch the process environment.
struct EnvVars(Vec<(String, String)>);

impl Provider for EnvVars {
    fn metadata(&self) -> Metadata {
        Metadata::named(ENV_SOURCE)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let dict = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), v.parse::<Value>().unwrap_or_else(|_| Value::from(v.clone()))))
            .collect();
        Ok(Profile::Default.collect(dict))
    }
}

const ENV_SOURCE: &str = "environment variable";

/// Turns figment's error into a sentence naming the variable, or the file and line, of the bad value.
fn describe_figment_error(error: &figment::Error, file: Option<&Path>) -> String {
    let mut out = Vec::new();
    for e in error.clone() {
        let key = e.path.join(".");
        let what = describe_kind(&e.kind);
        let source = e.metadata.as_ref().map(|m| m.name.to_string()).unwrap_or_default();
        let line = if source.contains("TOML") {
            let path = file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("raccolta.toml"));
            let line = find_key_line(&path, &key);
            match line {
                Some(n) => format!("{}:{n}: chiave `{key}`: {what}", path.display()),
                None => format!("{}: chiave `{key}`: {what}", path.display()),
            }
        } else if source == ENV_SOURCE || source.is_empty() && !key.is_empty() {
            format!("{ENV_PREFIX}{}: {what}", key.to_ascii_uppercase())
        } else if key.is_empty() {
            what
        } else {
            format!("{key}: {what}")
        };
        out.push(line);
    }
    if out.is_empty() { error.to_string() } else { out.join("\n") }
}

fn describe_kind(kind: &figment::error::Kind) -> String {
    use figment::error::Kind;
    match kind {
        Kind::UnknownField(field, _) => {
            format!("impostazione sconosciuta `{field}` / unknown setting")
        }
        Kind::InvalidValue(actual, expected) | Kind::InvalidType(actual, expected) => {
            format!("valore non valido ({actual}); atteso {expected} / invalid value, expected {expected}")
        }
        Kind::UnknownVariant(v, expected) => {
            format!("valore `{v}` non ammesso; valori ammessi: {} / allowed values", expected.join(", "))
        }
        other => other.to_string(),
    }
}

/// Finds the 1-based line that sets `key` (`a.b` means key `b` in table `[a]`) in a TOML file.
fn find_key_line(path: &Path, key: &str) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let (table, leaf) = match key.rsplit_once('.') {
        Some((t, l)) => (t, l),
        None => ("", key),
    };
    let mut current = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_owned();
            continue;
        }
        if current == table
            && let Some((k, _)) = line.split_once('=')
            && k.trim().trim_matches('"') == leaf
        {
            return Some(i + 1);
        }
    }
    // A syntax error has no key: figment's message already carries the position.
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_match_the_readme() {
        let c = Config::load_from(None, env(&[])).expect("defaults are valid");
        assert_eq!(c.database_url.expose_secret(), "sqlite://data/raccolta.db");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(c.env, Environment::Development);
        assert_eq!(c.log_format, LogFormat::Text);
    }

    #[test]
    fn environment_overrides_defaults_and_ignores_test_harness_variables() {
        let c = Config::load_from(
            None,
            env(&[
                ("RACCOLTA_LISTEN", "0.0.0.0:9000"),
                ("RACCOLTA_LOG_FORMAT", "json"),
                ("RACCOLTA_TEST_POSTGRES_URL", "postgres://x"),
                ("OTHER", "1"),
            ]),
        )
        .expect("valid");
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let err = Config::load_from(None, env(&[("RACCOLTA_LISTEN", "not-an-address")])).expect_err("refused");
        assert!(err.to_string().contains("RACCOLTA_LISTEN"), "{err}");
        let err = Config::load_from(None, env(&[("RACCOLTA_LOG_FORMAT", "xml")])).expect_err("refused");
        assert!(err.to_string().contains("RACCOLTA_LOG_FORMAT"), "{err}");
        assert!(err.to_string().contains("json"), "{err}");
    }

    #[test]
    fn an_unknown_environment_variable_is_refused() {
        let err = Config::load_from(None, env(&[("RACCOLTA_LISTN", "1.2.3.4:5")])).expect_err("refused");
        assert!(err.to_string().contains("listn"), "{err}");
    }

    #[test]
    fn a_bad_file_value_names_the_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("raccolta.toml");
        std::fs::write(&path, "# commento\nenv = \"development\"\n\nlisten = 42\n").expect("write");
        let err = Config::load_from(Some(&path), env(&[])).expect_err("refused");
        let msg = err.to_string();
        assert!(msg.contains(&format!("{}:4", path.display())), "{msg}");
        assert!(msg.contains("listen"), "{msg}");
    }

    #[test]
    fn production_refuses_http_and_test_switches() {
        let err = Config::load_from(None, env(&[("RACCOLTA_ENV", "production")])).expect_err("refused");
        assert!(err.to_string().contains("RACCOLTA_BASE_URL"), "{err}");
        let err = Config::load_from(
            None,
            env(&[
                ("RACCOLTA_ENV", "production"),
                ("RACCOLTA_BASE_URL", "https://raccolta.comune.example"),
                ("RACCOLTA_SUPPORT_EMAIL", "help@comune.example"),
                ("RACCOLTA_SMTP_URL", "smtps://u:p@mail.comune.example:465"),
                ("RACCOLTA_TEST_ROUTES", "true"),
            ]),
        )
        .expect_err("refused");
        assert!(err.to_string().contains("RACCOLTA_TEST_ROUTES"), "{err}");
        Config::load_from(
            None,
            env(&[
                ("RACCOLTA_ENV", "production"),
                ("RACCOLTA_BASE_URL", "https://raccolta.comune.example"),
                ("RACCOLTA_SUPPORT_EMAIL", "help@comune.example"),
                ("RACCOLTA_SMTP_URL", "smtps://u:p@mail.comune.example:465"),
            ]),
        )
        .expect("a complete production configuration is accepted");
        let err = Config::load_from(
            None,
            env(&[
                ("RACCOLTA_ENV", "production"),
                ("RACCOLTA_BASE_URL", "https://raccolta.comune.example"),
                ("RACCOLTA_SUPPORT_EMAIL", "help@comune.example"),
                ("RACCOLTA_SMTP_URL", "smtps://u:p@mail.comune.example:465"),
                ("RACCOLTA_CAPTCHA_TEST_ANSWER", "ABCDE"),
            ]),
        )
        .expect_err("refused");
        assert!(err.to_string().contains("RACCOLTA_CAPTCHA_TEST_ANSWER"), "{err}");
        let err = Config::load_from(
            None,
            env(&[
                ("RACCOLTA_ENV", "production"),
                ("RACCOLTA_BASE_URL", "https://raccolta.comune.example"),
                ("RACCOLTA_SUPPORT_EMAIL", "help@comune.example"),
                ("RACCOLTA_SMTP_URL", "smtps://u:p@mail.comune.example:465"),
                ("RACCOLTA_DEMO", "true"),
            ]),
        )
        .expect_err("refused");
        assert!(err.to_string().contains("RACCOLTA_DEMO"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_a_list_of_addresses() {
        let c = Config::load_from(None, env(&[("RACCOLTA_TRUSTED_PROXIES", "10.0.0.2, ::1")])).expect("valid");
        assert_eq!(c.trusted_proxies.len(), 2);
        let err = Config::load_from(None, env(&[("RACCOLTA_TRUSTED_PROXIES", "10.0.0.2, bilanciatore")]))
            .expect_err("refused");
        assert!(err.to_string().contains("RACCOLTA_TRUSTED_PROXIES"), "{err}");
    }

    #[test]
    fn debug_output_redacts_the_database_password() {
        let c = Config::load_from(None, env(&[("RACCOLTA_DATABASE_URL", "postgres://u:s3cret@db/raccolta")]))
            .expect("valid");
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }
}
