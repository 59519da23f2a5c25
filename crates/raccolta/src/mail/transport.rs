//! How a message leaves the node: over SMTP, or as an `.eml` file for a developer to open.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::response::Severity;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use url::Url;

use crate::config::{Config, redact_url};
use crate::db::outbox::OutboxRow;

/// Timeout of each SMTP command (connect, greeting, each reply).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

/// Bound on one whole SMTP delivery. It must stay below the worker's claim lease, so that no other node can claim
/// the message while this one may still be sending it.
pub(crate) const SEND_TIMEOUT: Duration = Duration::from_secs(45);

/// Why a transport setting was refused.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    /// `smtp_url` is not an `smtp://` or `smtps://` URL with a host.
    #[error("RACCOLTA_SMTP_URL non valido: {0}")]
    SmtpUrl(String),
    /// `mail_from` is not an address (`Nome <indirizzo@dominio>` or `indirizzo@dominio`).
    #[error("RACCOLTA_MAIL_FROM non valido ({0}): usare «Nome <indirizzo@dominio>»")]
    From(String),
}

/// Why one delivery failed: a permanent failure is never retried, a transient one is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The message can never be delivered as it is: a 5xx reply, an invalid address.
    #[error("errore permanente: {0}")]
    Permanent(String),
    /// It may work later: connection refused, timeout, a 4xx reply, a full disk.
    #[error("errore temporaneo: {0}")]
    Transient(String),
}

impl SendError {
    /// True when retrying cannot help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }
}

/// Delivers messages over SMTP or writes them as `.eml` files.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Smtp { inner: AsyncSmtpTransport<Tokio1Executor>, url: String },
    File { dir: PathBuf },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("transport", &self.describe()).field("from", &self.from.to_string()).finish()
    }
}

impl Mailer {
    /// SMTP when `smtp_url` is set, else `.eml` files under `data_dir/mail`.
    pub fn from_config(config: &Config) -> Result<Mailer, MailConfigError> {
        match &config.smtp_url {
            Some(url) => Mailer::smtp(url.expose_secret(), &config.mail_from),
            None => Mailer::file(config.data_dir.join("mail"), &config.mail_from),
        }
    }

    /// An SMTP transport: `smtps://` is TLS from the first byte, `smtp://` with credentials requires STARTTLS,
    /// `smtp://` without credentials is plain (a relay on the same host or network, or tests).
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, MailConfigError> {
        let from = parse_from(from)?;
        let redacted = redact_url(url);
        let bad = |why: &str| MailConfigError::SmtpUrl(format!("{redacted}: {why}"));
        let parsed = Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("manca l'host"))?;
        // `Url` keeps IPv6 hosts in brackets; TLS and the socket want the bare address.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let credentials = if parsed.username().is_empty() {
            None
        } else {
            let user = percent_decode(parsed.username()).ok_or_else(|| bad("utente non decodificabile"))?;
            let password = percent_decode(parsed.password().unwrap_or_default())
                .ok_or_else(|| bad("password non decodificabile"))?;
            Some(Credentials::new(user, password))
        };
        let builder = match (parsed.scheme(), &credentials) {
            ("smtps", _) => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| bad(&e.to_string()))?,
            // Credentials never travel in clear: without STARTTLS the connection is refused.
            ("smtp", Some(_)) => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| bad(&e.to_string()))?
            }
            ("smtp", None) => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(25),
            _ => return Err(bad("usare smtp:// o smtps://")),
        };
        let mut builder = builder.timeout(Some(COMMAND_TIMEOUT));
        if let Some(port) = parsed.port() {
            builder = builder.port(port);
        }
        if let Some(credentials) = credentials {
            builder = builder.credentials(credentials);
        }
        Ok(Mailer { from, transport: Transport::Smtp { inner: builder.build(), url: redacted } })
    }

    /// Writes each message as `<dir>/<timestamp>-<id>.eml` and logs its links (development).
    pub fn file(dir: impl Into<PathBuf>, from: &str) -> Result<Mailer, MailConfigError> {
        Ok(Mailer { from: parse_from(from)?, transport: Transport::File { dir: dir.into() } })
    }

    /// Where messages go, for logs: the SMTP URL without password, or the folder.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp { url, .. } => url.clone(),
            Transport::File { dir } => format!("file://{}", dir.display()),
        }
    }

    /// Delivers one message; the error says whether trying again may help.
    pub async fn send(&self, row: &OutboxRow) -> Result<(), SendError> {
        let message = build_message(&self.from, row)?;
        match &self.transport {
            Transport::Smtp { inner, .. } => match tokio::time::timeout(SEND_TIMEOUT, inner.send(message)).await {
                Ok(Ok(_response)) => Ok(()),
                Ok(Err(error)) => Err(classify(&error)),
                Err(_) => Err(SendError::Transient(format!(
                    "invio SMTP non concluso entro {} secondi",
                    SEND_TIMEOUT.as_secs()
                ))),
            },
            Transport::File { dir } => write_eml(dir, row, &message.formatted()).await,
        }
    }
}

fn parse_from(from: &str) -> Result<Mailbox, MailConfigError> {
    from.parse::<Mailbox>().map_err(|e| MailConfigError::From(format!("{from}: {e}")))
}

/// Decodes `%XX` escapes of a URL's user or password.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `Auto-Submitted: auto-generated` (RFC 3834): auto-responders must not answer our messages.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// The RFC 5322 message: multipart/alternative text + HTML, UTF-8, with the stored `Message-ID`.
fn build_message(from: &Mailbox, row: &OutboxRow) -> Result<Message, SendError> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| SendError::Permanent(format!("indirizzo del destinatario non valido: {e}")))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .header(AutoSubmitted)
        .date_now()
        .multipart(MultiPart::alternative_plain_html(row.body_text.clone(), row.body_html.clone()))
        .map_err(|e| SendError::Permanent(format!("messaggio non valido: {e}")))
}

/// 5xx replies are permanent, except those that say our own set-up is wrong (authentication, encryption): those
/// are fixed by an operator, and the messages should still go out afterwards.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let text = error.to_string();
    match error.status() {
        Some(code) if code.severity == Severity::PermanentNegativeCompletion => {
            if matches!(u16::from(code), 530 | 534 | 535 | 538) {
                SendError::Transient(text)
            } else {
                SendError::Permanent(text)
            }
        }
        _ => SendError::Transient(text),
    }
}

async fn write_eml(dir: &Path, row: &OutboxRow, formatted: &[u8]) -> Result<(), SendError> {
    let io = |e: std::io::Error| SendError::Transient(format!("scrittura del file .eml in {}: {e}", dir.display()));
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let stamp = time::OffsetDateTime::now_utc().format(&format).unwrap_or_else(|_| "0".to_owned());
    let path = dir.join(format!("{stamp}-{}.eml", row.id));
    // Written aside and renamed, so a reader never sees half a message.
    let partial = path.with_extension("eml.part");
    tokio::fs::write(&partial, formatted).await.map_err(io)?;
    tokio::fs::rename(&partial, &path).await.map_err(io)?;
    let links = links(&row.body_text);
    tracing::info!(
        path = %path.display(),
        outbox_id = row.id,
        ?links,
        "e-mail scritta su file (nessun server SMTP configurato)"
    );
    Ok(())
}

/// The http(s) URLs of a plain text.
pub(crate) fn links(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '>', '"', '\'']))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_in_credentials_are_decoded() {
        assert_eq!(percent_decode("p%40ss%3Aw%C3%B2rd").as_deref(), Some("p@ss:wòrd"));
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
        assert_eq!(percent_decode("bad%4"), None);
    }

    #[test]
    fn every_smtp_url_form_is_accepted_and_others_refused() {
        let from = "Raccolta <noreply@raccolta.example>";
        for url in ["smtp://127.0.0.1:2525", "smtp://u:p@mail.example:587", "smtps://u:p%40@mail.example:465"] {
            let mailer = Mailer::smtp(url, from).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(!mailer.describe().contains(":p@"), "{}", mailer.describe());
        }
        assert!(Mailer::smtp("http://mail.example", from).is_err());
        assert!(Mailer::smtp("smtp://127.0.0.1", "not an address").is_err());
    }

    #[test]
    fn only_links_are_extracted() {
        let text = "Apri:\nhttps://r.example/c?t=1\ne non http://x.example/a.\nmailto:a@b";
        assert_eq!(links(text), vec!["https://r.example/c?t=1", "http://x.example/a"]);
    }
}
