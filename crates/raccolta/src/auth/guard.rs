//! The one authorization check of the platform: may this user do this, to this ente or object? Every handler
//! and every service that changes something asks it (services do not trust their caller to have asked), and the
//! API will too. Rights are read from the database at each call, so a revocation takes effect at once on every
//! node. A refusal is [`Denied::NotAllowed`], which the web layer answers with 404: nobody learns which enti or
//! objects exist or who works on them.

use crate::db::users::User;
use crate::db::{Db, DbError, associazioni};
use crate::domain::Modalita;

/// What a user asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Gestione: the platform's administration.
    Administer,
    /// Assistenza as support: see every request, answer it, change its state (support staff and
    /// administrators).
    Support,
    /// See an ente's data (at least Consultazione).
    View {
        /// The ente.
        ente_id: i64,
    },
    /// Change an ente's data (Compilazione).
    Compile {
        /// The ente.
        ente_id: i64,
    },
    /// See and decide on an ente's associations: its responsabili and the administrators.
    DecideAssociations {
        /// The ente.
        ente_id: i64,
    },
    /// Decide on one association: as above, and never on one's own request, unless an administrator.
    DecideAssociation {
        /// The ente.
        ente_id: i64,
        /// Who asked for it.
        requester_id: i64,
    },
}

/// Why a permission was not granted.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    /// The user may not (or the object does not exist for them).
    #[error("operazione non consentita")]
    NotAllowed,
    /// The rights could not be read.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// What `user` may do on `ente_id` now: an active association's mode, Compilazione for a responsabile, at least
/// Consultazione for an administrator (who oversees every ente); `None` when nothing.
pub async fn mode_on(db: &Db, user: &User, ente_id: i64) -> Result<Option<Modalita>, DbError> {
    if !user.is_active() {
        return Ok(None);
    }
    let own = associazioni::accesso(db, user.id, ente_id).await?;
    if user.is_admin() {
        return Ok(Some(own.unwrap_or(Modalita::Consultazione).max(Modalita::Consultazione)));
    }
    Ok(own)
}

/// Grants `permission` to `user`, with the mode they have on the ente when it concerns one.
pub async fn check(db: &Db, user: &User, permission: Permission) -> Result<Option<Modalita>, Denied> {
    if !user.is_active() {
        return Err(Denied::NotAllowed);
    }
    let at_least = |m: Option<Modalita>, serve: Modalita| match m {
        Some(m) if m >= serve => Ok(Some(m)),
        _ => Err(Denied::NotAllowed),
    };
    match permission {
        Permission::Administer if user.is_admin() => Ok(None),
        Permission::Administer => Err(Denied::NotAllowed),
        Permission::Support if user.is_support() => Ok(None),
        Permission::Support => Err(Denied::NotAllowed),
        Permission::View { ente_id } => at_least(mode_on(db, user, ente_id).await?, Modalita::Consultazione),
        Permission::Compile { ente_id } => at_least(mode_on(db, user, ente_id).await?, Modalita::Compilazione),
        Permission::DecideAssociations { ente_id } => {
            if user.is_admin() || associazioni::is_responsabile(db, user.id, ente_id).await? {
                Ok(None)
            } else {
                Err(Denied::NotAllowed)
            }
        }
        Permission::DecideAssociation { ente_id, requester_id } => {
            if requester_id == user.id && !user.is_admin() {
                return Err(Denied::NotAllowed);
            }
            Box::pin(check(db, user, Permission::DecideAssociations { ente_id })).await
        }
    }
}

/// What the guard granted one user on one ente, at one moment of one request: the mode they had then. A service
/// that receives it (inside a questionnaire's `compilazione::Accesso`) asks it instead of the database a second
/// time in the same request. Only [`grant`] makes one, so holding it proves the guard was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    user_id: i64,
    ente_id: i64,
    mode: Modalita,
}

impl Grant {
    /// The mode the user had on the ente.
    pub fn mode(&self) -> Modalita {
        self.mode
    }

    /// The ente it was granted on.
    pub fn ente_id(&self) -> i64 {
        self.ente_id
    }

    /// Grants `permission` from this answer, without the database: the same user and ente, and a mode high enough
    /// for [`Permission::View`] or [`Permission::Compile`]. Any other permission asks [`check`].
    pub fn check(&self, user: &User, permission: Permission) -> Result<Modalita, Denied> {
        let serve = match permission {
            Permission::View { ente_id } if ente_id == self.ente_id => Modalita::Consultazione,
            Permission::Compile { ente_id } if ente_id == self.ente_id => Modalita::Compilazione,
            _ => return Err(Denied::NotAllowed),
        };
        if user.id != self.user_id || !user.is_active() || self.mode < serve {
            return Err(Denied::NotAllowed);
        }
        Ok(self.mode)
    }
}

/// Asks [`check`] for [`Permission::View`] on `ente_id` and keeps its answer, for the services the same request
/// calls next.
pub async fn grant(db: &Db, user: &User, ente_id: i64) -> Result<Grant, Denied> {
    let mode = check(db, user, Permission::View { ente_id }).await?.ok_or(Denied::NotAllowed)?;
    Ok(Grant { user_id: user.id, ente_id, mode })
}

/// True when `permission` is granted (for showing or hiding a control; the action itself asks [`check`]).
pub async fn allows(db: &Db, user: &User, permission: Permission) -> Result<bool, DbError> {
    match check(db, user, permission).await {
        Ok(_) => Ok(true),
        Err(Denied::NotAllowed) => Ok(false),
        Err(Denied::Db(e)) => Err(e),
    }
}
