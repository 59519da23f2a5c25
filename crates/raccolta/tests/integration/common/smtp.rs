//! A minimal SMTP server inside the test process, to receive what the platform sends.
//!
//! It speaks just enough SMTP for lettre (no STARTTLS, no AUTH), records every message with its envelope, and can
//! be told to refuse the next messages with a 4xx or 5xx reply. Waiting for a message never sleeps: the server
//! signals each arrival.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Where an injected failure answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `RCPT TO`, as a server refusing a mailbox does.
    Rcpt,
    /// The end of `DATA`, after the whole message was received (it is kept in [`SmtpServer::rejected`]).
    Data,
}

#[derive(Debug)]
struct Fault {
    stage: Stage,
    code: u16,
    remaining: usize,
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<ReceivedMail>>,
    /// Indexes of `received` already returned by `wait_for`.
    taken: Mutex<Vec<usize>>,
    rejected: Mutex<Vec<ReceivedMail>>,
    faults: Mutex<Vec<Fault>>,
    arrived: Notify,
}

impl State {
    /// The reply code of an injected failure at `stage`, consuming it.
    fn fault(&self, stage: Stage) -> Option<u16> {
        let mut faults = self.faults.lock().unwrap();
        let fault = faults.iter_mut().find(|f| f.stage == stage && f.remaining > 0)?;
        fault.remaining -= 1;
        Some(fault.code)
    }
}

/// A running test SMTP server on 127.0.0.1; stops when dropped.
pub struct SmtpServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpServer {
    /// Listens on a free port.
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the test SMTP server");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State::default());
        let accept_state = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, accept_state.clone()));
            }
        });
        SmtpServer { addr, state, task }
    }

    /// `smtp://127.0.0.1:PORT`, for `RACCOLTA_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Answers the next `times` messages at `stage` with `code` (e.g. 451 to test retries, 550 permanent failures).
    pub fn fail_next(&self, stage: Stage, code: u16, times: usize) {
        self.state.faults.lock().unwrap().push(Fault { stage, code, remaining: times });
    }

    /// Every message accepted so far, in order of arrival.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.state.received.lock().unwrap().clone()
    }

    /// Every message refused at the end of `DATA` by an injected failure.
    pub fn rejected(&self) -> Vec<ReceivedMail> {
        self.state.rejected.lock().unwrap().clone()
    }

    /// The oldest accepted message for `recipient` not returned before, waiting for it up to `timeout`.
    pub async fn wait_for(&self, recipient: &str, timeout: Duration) -> ReceivedMail {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so an arrival between the look and the wait is not missed.
            let arrived = self.state.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(mail) = self.take(recipient) {
                return mail;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let seen: Vec<Vec<String>> = self.received().into_iter().map(|m| m.recipients).collect();
                panic!("nessuna e-mail per {recipient} entro {timeout:?}; ricevute: {seen:?}");
            }
        }
    }

    fn take(&self, recipient: &str) -> Option<ReceivedMail> {
        let received = self.state.received.lock().unwrap();
        let mut taken = self.state.taken.lock().unwrap();
        let (index, mail) = received
            .iter()
            .enumerate()
            .find(|(i, m)| !taken.contains(i) && m.recipients.iter().any(|r| r.eq_ignore_ascii_case(recipient)))?;
        taken.push(index);
        Some(mail.clone())
    }
}

async fn reply(write: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
    write.write_all(text.as_bytes()).await.is_ok()
}

async fn session(stream: TcpStream, state: Arc<State>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !reply(&mut write, "220 127.0.0.1 ESMTP raccolta-test\r\n").await {
        return;
    }
    let mut recipients: Vec<String> = Vec::new();
    let mut has_sender = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_owned();
        let verb = command.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-127.0.0.1 ciao\r\n250 8BITMIME\r\n".to_owned(),
            "HELO" => "250 127.0.0.1 ciao\r\n".to_owned(),
            "MAIL" => {
                recipients.clear();
                has_sender = true;
                "250 2.1.0 OK\r\n".to_owned()
            }
            "RCPT" if !has_sender => "503 5.5.1 MAIL first\r\n".to_owned(),
            "RCPT" => match state.fault(Stage::Rcpt) {
                Some(code) => format!("{code} {} recipient refused by the test server\r\n", enhanced(code)),
                None => {
                    recipients.push(address_of(&command));
                    "250 2.1.5 OK\r\n".to_owned()
                }
            },
            "DATA" if recipients.is_empty() => "503 5.5.1 RCPT first\r\n".to_owned(),
            "DATA" => {
                if !reply(&mut write, "354 End data with <CR><LF>.<CR><LF>\r\n").await {
                    return;
                }
                let Some(raw) = read_data(&mut lines).await else { return };
                let mail = ReceivedMail::parse(std::mem::take(&mut recipients), raw);
                has_sender = false;
                match state.fault(Stage::Data) {
                    Some(code) => {
                        state.rejected.lock().unwrap().push(mail);
                        format!("{code} {} message refused by the test server\r\n", enhanced(code))
                    }
                    None => {
                        state.received.lock().unwrap().push(mail);
                        state.arrived.notify_waiters();
                        "250 2.0.0 OK queued\r\n".to_owned()
                    }
                }
            }
            "RSET" => {
                recipients.clear();
                has_sender = false;
                "250 2.0.0 OK\r\n".to_owned()
            }
            "NOOP" => "250 2.0.0 OK\r\n".to_owned(),
            "QUIT" => {
                let _ = reply(&mut write, "221 2.0.0 Bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 Command not implemented\r\n".to_owned(),
        };
        if !reply(&mut write, &answer).await {
            return;
        }
    }
}

fn enhanced(code: u16) -> &'static str {
    if code >= 500 { "5.0.0" } else { "4.0.0" }
}

/// The address in `MAIL FROM:<a@b> …` or `RCPT TO:<a@b>`.
fn address_of(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..].find('>').map_or(command.len(), |i| start + i);
    command[start..end].trim().to_owned()
}

/// Reads the message after `DATA` up to the lone `.` line, undoing dot-stuffing.
async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
    let mut raw = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(String::from_utf8_lossy(&raw).into_owned());
        }
        let content = if line.starts_with(b".") { &line[1..] } else { &line[..] };
        raw.extend_from_slice(content);
    }
}

/// A message as the server received it, with its parts decoded.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// Envelope recipients (`RCPT TO`).
    pub recipients: Vec<String>,
    /// The message as transmitted, after un-dot-stuffing.
    pub raw: String,
    /// Top-level headers, unfolded, names as sent.
    pub headers: Vec<(String, String)>,
    /// The decoded `Subject`.
    pub subject: String,
    /// The decoded `text/plain` part, line ends as `\n`.
    pub text: String,
    /// The decoded `text/html` part, line ends as `\n`.
    pub html: String,
    /// The `Message-ID` header, angle brackets included.
    pub message_id: String,
}

impl ReceivedMail {
    /// Parses a raw RFC 5322 message (as received, or read from an `.eml` file).
    pub fn parse(recipients: Vec<String>, raw: String) -> ReceivedMail {
        let (headers, body) = split_entity(&raw);
        let mut mail = ReceivedMail {
            recipients,
            subject: decode_words(header(&headers, "subject").unwrap_or_default()),
            message_id: header(&headers, "message-id").unwrap_or_default().trim().to_owned(),
            text: String::new(),
            html: String::new(),
            headers: headers.clone(),
            raw: raw.clone(),
        };
        collect_parts(&headers, body, &mut mail);
        mail
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The http(s) URLs of the text part, in order.
    pub fn links(&self) -> Vec<String> {
        self.text
            .split_whitespace()
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
            .map(|w| w.trim_end_matches(['.', ',', ';', ':', ')', '>']).to_owned())
            .collect()
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Splits a MIME entity into unfolded headers and body.
fn split_entity(raw: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match raw.find("\r\n\r\n") {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => match raw.find("\n\n") {
            Some(i) => (&raw[..i], &raw[i + 2..]),
            None => (raw, ""),
        },
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

/// The value of parameter `name` in a header like `multipart/alternative; boundary="x"`.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn collect_parts(headers: &[(String, String)], body: &str, mail: &mut ReceivedMail) {
    let content_type = header(headers, "content-type").unwrap_or("text/plain");
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if mime.starts_with("multipart/") {
        let Some(boundary) = parameter(content_type, "boundary") else { return };
        let delimiter = format!("--{boundary}");
        for part in body.split(&delimiter).skip(1) {
            if part.starts_with("--") {
                break;
            }
            let part = part.strip_prefix("\r\n").unwrap_or(part);
            let (part_headers, part_body) = split_entity(part);
            collect_parts(&part_headers, part_body, mail);
        }
        return;
    }
    let encoding = header(headers, "content-transfer-encoding").unwrap_or("7bit").trim().to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(compact).expect("valid base64 body")
        }
        _ => body.as_bytes().to_vec(),
    };
    let text = String::from_utf8(bytes).expect("UTF-8 body").replace("\r\n", "\n");
    // The part ends with the CRLF that precedes the next boundary.
    let text = text.strip_suffix('\n').unwrap_or(&text).to_owned();
    match mime.as_str() {
        "text/plain" if mail.text.is_empty() => mail.text = text,
        "text/html" if mail.html.is_empty() => mail.html = text,
        _ => {}
    }
}

fn hex_byte(hex: &[u8]) -> Option<u8> {
    u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

fn decode_quoted_printable(body: &str) -> Vec<u8> {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if bytes[i + 1..].starts_with(b"\n") => i += 2,
            b'=' => match bytes.get(i + 1..i + 3).and_then(hex_byte) {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); blanks between two encoded words vanish.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut gap = String::new();
    let mut rest = value;
    while !rest.is_empty() {
        if let Some((decoded, after)) = encoded_word(rest) {
            // Whitespace between encoded words is dropped; before the first one it is kept.
            if pending.is_empty() {
                out.push_str(&gap);
            }
            gap.clear();
            pending.extend(decoded);
            rest = after;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        rest = &rest[c.len_utf8()..];
        if c.is_whitespace() {
            gap.push(c);
            continue;
        }
        out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut pending)));
        out.push_str(&std::mem::take(&mut gap));
        out.push(c);
    }
    out.push_str(&String::from_utf8_lossy(&pending));
    out.push_str(&gap);
    out
}

/// One encoded word at the start of `s`: its bytes and what follows it.
fn encoded_word(s: &str) -> Option<(Vec<u8>, &str)> {
    let inner = s.strip_prefix("=?")?;
    let (_charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let end = inner.find("?=")?;
    let (data, after) = (&inner[..end], &inner[end + 2..]);
    let bytes = match encoding {
        "b" | "B" => base64::engine::general_purpose::STANDARD.decode(data).ok()?,
        "q" | "Q" => {
            let mut out = Vec::new();
            let raw = data.as_bytes();
            let mut i = 0;
            while i < raw.len() {
                match raw[i] {
                    b'_' => {
                        out.push(b' ');
                        i += 1;
                    }
                    b'=' => {
                        out.push(raw.get(i + 1..i + 3).and_then(hex_byte)?);
                        i += 3;
                    }
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            out
        }
        _ => return None,
    };
    Some((bytes, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_are_decoded_and_joined() {
        assert_eq!(decode_words("=?utf-8?b?w4ggc3RhdGE=?= =?utf-8?b?IGVmZmV0dHVhdGE=?="), "È stata effettuata");
        assert_eq!(decode_words("Ciao =?utf-8?q?=C3=A8_qui?= fine"), "Ciao è qui fine");
        assert_eq!(decode_words("plain subject"), "plain subject");
    }

    #[test]
    fn quoted_printable_soft_breaks_and_escapes_are_undone() {
        assert_eq!(
            decode_quoted_printable("https://a.example/x?t=3D1=\r\n2 =C3=A8"),
            "https://a.example/x?t=12 è".as_bytes()
        );
    }
}
