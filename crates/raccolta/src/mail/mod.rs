//! E-mail: the texts ([`Email`]), the transports ([`Mailer`]: SMTP, or `.eml` files for development) and the
//! outbox [`worker`].
//!
//! A request never talks to SMTP. It renders an [`Email`], writes it with [`crate::db::outbox::enqueue`] in the
//! transaction of the change that causes it, commits, and calls [`Wake::wake`]; the worker of any node delivers it,
//! retrying transient failures with backoff and giving up on permanent ones.
//!
//! Errors: [`SendError`] for one delivery (permanent or transient), [`MailConfigError`] for a bad transport setting.

mod texts;
mod transport;
pub mod worker;

pub use texts::{Email, Rendered};
pub use transport::{MailConfigError, Mailer, SendError};
pub use worker::{Wake, WorkerOptions};

use url::Url;

/// The right-hand side of our `Message-ID`s: the host of the public URL.
pub fn message_id_domain(base_url: &Url) -> String {
    match base_url.host_str() {
        Some(host) if !host.is_empty() => host.to_owned(),
        _ => "raccolta.invalid".to_owned(),
    }
}
