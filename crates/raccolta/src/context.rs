//! Who acts, from where and when: the context of one request (or of the platform itself), built once by the web
//! layer, handed to every service, and copied into every audit event, so that no event can miss the user, the
//! client address, the browser or the request id.

use crate::db::audit::AuditEvent;
use crate::ora::Clock;

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The platform itself: start-up, shutdown, jobs, the command line.
    System,
    /// A visitor who has not signed in (or has not yet, during a login).
    Visitor,
    /// A signed-in user.
    User {
        /// Internal id.
        id: i64,
        /// Codice identificativo utente.
        codice: String,
    },
}

/// The context of one request.
#[derive(Debug, Clone)]
pub struct Context {
    /// Who acts.
    pub actor: Actor,
    /// The client's address (see `web::client_ip`), or the node for the platform's own events.
    pub ip: Option<String>,
    /// The browser, at most 300 characters.
    pub user_agent: Option<String>,
    /// The request id, to join the audit log with the request log.
    pub request_id: Option<String>,
    /// The time of the request (UTC seconds, from the platform's [`Clock`]): one instant for all it changes.
    pub now: i64,
}

impl Context {
    /// The platform acting by itself; `node` names where (an address, `cli`).
    pub fn system(clock: &Clock, node: Option<&str>) -> Context {
        Context {
            actor: Actor::System,
            ip: node.map(str::to_owned),
            user_agent: None,
            request_id: None,
            now: clock.now(),
        }
    }

    /// The same request, now acting as the user `id` (after a login, a registration or a confirmation).
    pub fn acting_as(mut self, id: i64, codice: &str) -> Context {
        self.actor = Actor::User { id, codice: codice.to_owned() };
        self
    }

    /// The signed-in user's id, if any.
    pub fn user_id(&self) -> Option<i64> {
        match &self.actor {
            Actor::User { id, .. } => Some(*id),
            Actor::System | Actor::Visitor => None,
        }
    }

    /// An audit event of this request; `action` is a dotted name (`accesso.riuscito`).
    pub fn audit(&self, action: &str) -> AuditEvent {
        let actor = match &self.actor {
            Actor::System => "sistema".to_owned(),
            Actor::Visitor => "anonimo".to_owned(),
            Actor::User { codice, .. } => codice.clone(),
        };
        AuditEvent::new(
            actor,
            action,
            self.user_id(),
            self.ip.clone(),
            self.user_agent.clone(),
            self.request_id.clone(),
            self.now,
        )
    }
}
