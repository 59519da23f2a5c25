//! Gestione → Campagne: an administrator opens, closes or reopens a campaign and moves its dates. What they set is
//! stored over the manifest's values (`db::campagne`), audited in the same transaction, and applied at once on
//! the node that made the change and, through the event bus (`NOTIFY` on PostgreSQL), on every other node; each
//! node also reloads it every [`RICARICA`] in case an event was lost.
//!
//! A closed campaign is read only for everyone: its questionnaires can no longer be saved, sent or reopened (each
//! of those transactions reads the stored state again, so no node's stale copy can let one through). A campaign in
//! preparation is visible only in Gestione.

use std::time::Duration;

use time::Date;

use crate::app::AppState;
use crate::auth::guard::{self, Permission};
use crate::catalogo::{Calendario, StatoCampagna};
use crate::context::Context;
use crate::db::users::User;
use crate::db::{DbError, audit};
use crate::i18n::Lang;

/// How often every node reloads the stored states, besides the bus's events.
pub const RICARICA: Duration = Duration::from_secs(30);

/// Why a change was refused; nothing was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rifiuto {
    /// A date that does not read as a day.
    Data,
    /// The deadline comes before the opening.
    Ordine,
    /// Nothing differs from what is stored.
    Invariato,
}

impl Rifiuto {
    /// The message for the page.
    pub fn messaggio(self, lang: Lang) -> String {
        lang.t(match self {
            Rifiuto::Data => "campagne-data-non-valida",
            Rifiuto::Ordine => "campagne-ordine-date",
            Rifiuto::Invariato => "campagne-invariata",
        })
    }
}

/// Loads the stored states into this node's catalogue.
pub async fn ricarica(state: &AppState) -> Result<(), DbError> {
    let impostati = crate::db::campagne::tutte(&state.db).await?;
    state.catalogo.applica(&impostati);
    Ok(())
}

/// Sets the state and dates of campaign `id`, as an administrator.
pub async fn modifica(
    state: &AppState,
    ctx: &Context,
    user: &User,
    id: &str,
    nuovo: Calendario,
) -> Result<Result<(), Rifiuto>, crate::web::AppError> {
    guard::check(&state.db, user, Permission::Administer).await?;
    let c = state.catalogo.campagna(id).ok_or(crate::web::AppError::NotFound)?;
    if nuovo.scadenza < nuovo.apertura {
        return Ok(Err(Rifiuto::Ordine));
    }
    let prima = c.calendario();
    if prima == nuovo {
        return Ok(Err(Rifiuto::Invariato));
    }
    let mut tx = state.db.begin().await?;
    crate::db::campagne::imposta(&mut tx, id, &nuovo, user.id, ctx.now).await?;
    let giorno = |d: Date| d.to_string();
    let evento = ctx.audit("campagna.modifica").target(id).details(serde_json::json!({
        "prima": { "stato": prima.stato.code(), "apertura": giorno(prima.apertura), "scadenza": giorno(prima.scadenza) },
        "dopo": { "stato": nuovo.stato.code(), "apertura": giorno(nuovo.apertura), "scadenza": giorno(nuovo.scadenza) },
    }));
    audit::record(&mut tx, &evento).await?;
    tx.commit().await?;
    // This node at once; the others when they hear it (or at their next reload).
    ricarica(state).await?;
    let st = state.clone();
    let evento = crate::compilazione::eventi::Evento::Campagne { campagna: id.to_owned() };
    tokio::spawn(async move { st.eventi.pubblica(&st.db, evento).await });
    tracing::info!(campagna = id, stato = nuovo.stato.code(), "campagna modificata");
    Ok(Ok(()))
}

/// The node's job: reloads the stored states when any node announces a change, and every [`RICARICA`].
pub async fn segui(state: AppState, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut rx = state.eventi.iscrivi();
    let mut ogni = tokio::time::interval(RICARICA);
    ogni.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = ogni.tick() => {}
            e = rx.recv() => match e {
                Ok(crate::compilazione::eventi::Evento::Campagne { .. }) => {}
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
        }
        if let Err(error) = ricarica(&state).await {
            tracing::warn!(%error, "stato delle campagne non ricaricato");
        }
    }
}

/// Whether `campagna` is open as stored, read inside the caller's transaction (a save, an invio, a reopening
/// request): an administrator's close on any node is seen even before this node's copy follows.
/// `predefinita_aperta` is the manifest's answer, for a campaign no administrator changed.
pub async fn aperta_in(
    c: impl Into<crate::db::Conn<'_>>,
    campagna: &str,
    predefinita_aperta: bool,
) -> Result<bool, DbError> {
    Ok(match crate::db::campagne::stato(c, campagna).await? {
        Some(s) => s == StatoCampagna::Aperta,
        None => predefinita_aperta,
    })
}

/// The manifest's answer for `campagna` (in demo mode, with the demo's dates).
pub fn predefinita_aperta(state: &AppState, campagna: &str) -> bool {
    state.catalogo.campagna(campagna).is_some_and(|c| c.predefinito.stato == StatoCampagna::Aperta)
}
