//! What users, responsabili and administrators do with associations: ask, approve, reject, change the mode,
//! revoke, appoint responsabili. Each action is one transaction that also writes its notifications and e-mails
//! (outbox); the audit record follows the commit.

use crate::app::AppState;
use crate::auth::guard::{self, Denied, Permission};
use crate::context::Context;
use crate::db::associazioni::{self as db_assoc, Associazione, Responsabile, RichiestaError};
use crate::db::audit;
use crate::db::enti::Ente;
use crate::db::notifiche::{self, Nuova};
use crate::db::users::User;
use crate::db::{DbError, Tx, outbox};
use crate::domain::{Modalita, StatoAssociazione};
use crate::i18n::Lang;
use crate::mail::Email as Mail;

/// Kinds of notification.
pub const TIPI: [&str; 5] = ["richiesta", "approvata", "rifiutata", "modalita", "revocata"];

/// The sentence of a notification in `lang`. `dettaglio` is what the event stored: the mode (and, for a request,
/// `modalita|name of the user`), or the reason of a refusal or revocation.
pub fn testo(lang: Lang, tipo: &str, ente: &str, dettaglio: &str) -> String {
    let modalita = |code: &str| Modalita::from_code(code).map(|m| m.etichetta(lang)).unwrap_or_default();
    let motivo = |m: &str| {
        if m.is_empty() { String::new() } else { lang.t_args("notifica-motivo", &[("motivo", m.to_owned())]) }
    };
    let ente = ente.to_owned();
    match tipo {
        "richiesta" => {
            let (m, utente) = dettaglio.split_once('|').unwrap_or((dettaglio, ""));
            lang.t_args(
                "notifica-richiesta",
                &[("utente", utente.to_owned()), ("ente", ente), ("modalita", modalita(m))],
            )
        }
        "approvata" => lang.t_args("notifica-approvata", &[("ente", ente), ("modalita", modalita(dettaglio))]),
        "modalita" => lang.t_args("notifica-modalita", &[("ente", ente), ("modalita", modalita(dettaglio))]),
        "rifiutata" => lang.t_args("notifica-rifiutata", &[("ente", ente), ("motivo", motivo(dettaglio))]),
        "revocata" => lang.t_args("notifica-revocata", &[("ente", ente), ("motivo", motivo(dettaglio))]),
        _ => lang.t_args("notifica-generica", &[("ente", ente)]),
    }
}

/// One recipient of a notification.
struct Destinatario<'a> {
    user_id: i64,
    nome: &'a str,
    email: &'a str,
    lang: &'a str,
}

/// What a notification is about.
#[derive(Clone, Copy)]
struct Evento<'a> {
    tipo: &'a str,
    ente_id: i64,
    ente_nome: &'a str,
    associazione_id: i64,
    dettaglio: &'a str,
    /// Path where the recipient acts or reads more.
    link: &'a str,
}

/// Writes a notification and its e-mail for each recipient, inside `tx`.
async fn notifica(
    state: &AppState,
    tx: &mut Tx,
    a_chi: &[Destinatario<'_>],
    ev: &Evento<'_>,
    now: i64,
) -> Result<(), DbError> {
    let Evento { tipo, ente_id, ente_nome, associazione_id, dettaglio, link } = *ev;
    let base = state.config.base_url.as_str().trim_end_matches('/');
    for d in a_chi {
        notifiche::crea(
            &mut *tx,
            &Nuova {
                user_id: d.user_id,
                tipo,
                ente_id: Some(ente_id),
                associazione_id: Some(associazione_id),
                dettaglio,
            },
            now,
        )
        .await?;
        let lang = Lang::from_code(d.lang).unwrap_or(Lang::It);
        let mail = Mail::Notifica {
            nome: d.nome.to_owned(),
            oggetto: lang.t_args(&format!("notifica-oggetto-{tipo}"), &[("ente", ente_nome.to_owned())]),
            testo: testo(lang, tipo, ente_nome, dettaglio),
            link: format!("{base}{link}"),
        };
        outbox::enqueue(&mut *tx, &mail.message(d.email, lang, &state.config)).await?;
    }
    Ok(())
}

fn destinatari(r: &[Responsabile]) -> Vec<Destinatario<'_>> {
    r.iter().map(|r| Destinatario { user_id: r.user_id, nome: &r.nome, email: &r.email, lang: &r.lang }).collect()
}

/// Who decides a request, as the requester is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChiDecide {
    /// The ente's responsabili.
    Responsabili,
    /// The platform's administrators (the ente has no responsabile).
    Amministratori,
    /// Nobody yet: the ente has no responsabile and the platform no administrator; the first administrator
    /// created will find the request under the bell.
    Nessuno,
}

/// A request just recorded.
#[derive(Debug, Clone, Copy)]
pub struct Inviata {
    /// The association's id.
    pub id: i64,
    /// Who was told and will decide.
    pub decide: ChiDecide,
}

/// The `dettaglio` of a `richiesta` notification: the mode and who asks.
fn dettaglio_richiesta(m: &str, nome: &str, codice: &str) -> String {
    format!("{m}|{nome} ({codice})")
}

/// A user asks to work on an ente. The ente's responsabili are notified, or the administrators while it has none.
pub async fn richiedi(
    state: &AppState,
    ctx: &Context,
    utente: &User,
    ente: &Ente,
    m: Modalita,
) -> Result<Inviata, RichiestaError> {
    let mut a_chi = db_assoc::responsabili(&state.db, ente.id).await?;
    let mut decide = ChiDecide::Responsabili;
    if a_chi.is_empty() {
        a_chi = db_assoc::amministratori(&state.db).await?;
        decide = ChiDecide::Amministratori;
    }
    if a_chi.is_empty() {
        decide = ChiDecide::Nessuno;
        tracing::warn!(
            ente = ente.codice_ipa.as_str(),
            "richiesta di associazione senza destinatari: nessun responsabile e nessun amministratore; \
             creane uno con `raccolta admin create` e la troverà tra le notifiche"
        );
    }
    let mut tx = state.db.begin().await?;
    let id = db_assoc::richiedi(&mut tx, utente.id, ente.id, m, ctx.now).await?;
    let dettaglio = dettaglio_richiesta(m.code(), &utente.nome_visualizzato(), &utente.codice);
    let link = format!("/enti/{}/associazioni", ente.id);
    let ev = Evento {
        tipo: "richiesta",
        ente_id: ente.id,
        ente_nome: &ente.denominazione,
        associazione_id: id,
        dettaglio: &dettaglio,
        link: &link,
    };
    notifica(state, &mut tx, &destinatari(&a_chi), &ev, ctx.now).await?;
    let event = ctx
        .audit("associazione.richiesta")
        .target(ente.codice_ipa.as_str())
        .details(serde_json::json!({ "associazione": id, "modalita": m.code() }));
    audit::record(&mut tx, &event).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Inviata { id, decide })
}

/// Gives a new administrator, inside the transaction that creates them, a notification for each request still
/// waiting on an ente without responsabili: those were sent to the administrators of the time (maybe none).
/// Returns how many.
pub async fn notifica_in_attesa(tx: &mut Tx, admin_id: i64, now: i64) -> Result<usize, DbError> {
    let in_attesa = db_assoc::in_attesa_senza_responsabili(&mut *tx).await?;
    for a in &in_attesa {
        let dettaglio = dettaglio_richiesta(&a.modalita, &a.user_nome, &a.user_codice);
        let n = Nuova {
            user_id: admin_id,
            tipo: "richiesta",
            ente_id: Some(a.ente_id),
            associazione_id: Some(a.id),
            dettaglio: &dettaglio,
        };
        notifiche::crea(&mut *tx, &n, now).await?;
    }
    Ok(in_attesa.len())
}

/// What a responsabile or an administrator decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decisione {
    /// A pending request becomes active.
    Approva,
    /// A pending request is refused, with an optional reason.
    Rifiuta(Option<String>),
    /// An active association ends, with an optional reason.
    Revoca(Option<String>),
    /// An active association changes mode.
    CambiaModalita(Modalita),
}

impl Decisione {
    fn tipo(&self) -> &'static str {
        match self {
            Decisione::Approva => "approvata",
            Decisione::Rifiuta(_) => "rifiutata",
            Decisione::Revoca(_) => "revocata",
            Decisione::CambiaModalita(_) => "modalita",
        }
    }
}

/// Applies a decision of `attore`, after asking the guard; `false` when the association was no longer in a state
/// that allows it (decided twice, already revoked, same mode), and then nothing changed.
pub async fn decidi(
    state: &AppState,
    ctx: &Context,
    attore: &User,
    a: &Associazione,
    d: &Decisione,
) -> Result<bool, Denied> {
    let permission = Permission::DecideAssociation { ente_id: a.ente_id, requester_id: a.user_id };
    guard::check(&state.db, attore, permission).await?;
    // The state machine says whether the decision applies to the state the association is in; the conditional
    // UPDATE below says it again atomically, for a concurrent decision.
    let ammessa = a.stato().map(|s| match d {
        Decisione::Approva => s.approva(),
        Decisione::Rifiuta(_) => s.rifiuta(),
        Decisione::Revoca(_) => s.revoca(),
        Decisione::CambiaModalita(_) => s.cambia_modalita(),
    });
    if !matches!(ammessa, Some(Ok(_))) {
        return Ok(false);
    }
    let now = ctx.now;
    let mut tx = state.db.begin().await?;
    let fatto = match d {
        Decisione::Approva => {
            db_assoc::decidi(
                &mut tx,
                a.id,
                StatoAssociazione::InAttesa,
                StatoAssociazione::Attiva,
                None,
                attore.id,
                now,
            )
            .await?
        }
        Decisione::Rifiuta(motivo) => {
            let (da, verso) = (StatoAssociazione::InAttesa, StatoAssociazione::Rifiutata);
            db_assoc::decidi(&mut tx, a.id, da, verso, motivo.as_deref(), attore.id, now).await?
        }
        Decisione::Revoca(motivo) => {
            let (da, verso) = (StatoAssociazione::Attiva, StatoAssociazione::Revocata);
            db_assoc::decidi(&mut tx, a.id, da, verso, motivo.as_deref(), attore.id, now).await?
        }
        Decisione::CambiaModalita(m) => db_assoc::cambia_modalita(&mut tx, a.id, *m, attore.id, now).await?,
    };
    if !fatto {
        return Ok(false);
    }
    let dettaglio = match d {
        Decisione::Approva => a.modalita.clone(),
        Decisione::CambiaModalita(m) => m.code().to_owned(),
        Decisione::Rifiuta(motivo) | Decisione::Revoca(motivo) => motivo.clone().unwrap_or_default(),
    };
    let utente = Destinatario { user_id: a.user_id, nome: &a.user_nome, email: &a.user_email, lang: &a.user_lang };
    let ev = Evento {
        tipo: d.tipo(),
        ente_id: a.ente_id,
        ente_nome: &a.denominazione,
        associazione_id: a.id,
        dettaglio: &dettaglio,
        link: "/area-riservata",
    };
    notifica(state, &mut tx, &[utente], &ev, now).await?;
    let event = ctx
        .audit(&format!("associazione.{}", d.tipo()))
        .target(a.codice_ipa.as_str())
        .details(serde_json::json!({ "associazione": a.id, "utente": a.user_codice, "dettaglio": dettaglio }));
    audit::record(&mut tx, &event).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(true)
}

/// Appoints (`nomina = true`) or removes a responsabile, as an administrator; `false` when nothing changed.
pub async fn responsabile(
    state: &AppState,
    ctx: &Context,
    admin: &User,
    ente: &Ente,
    utente: &User,
    nomina: bool,
) -> Result<bool, Denied> {
    guard::check(&state.db, admin, Permission::Administer).await?;
    let mut tx = state.db.begin().await?;
    let fatto = if nomina {
        db_assoc::nomina(&mut tx, ente.id, utente.id, admin.id, ctx.now).await?
    } else {
        db_assoc::rimuovi(&mut tx, ente.id, utente.id).await?
    };
    if fatto {
        let event = ctx
            .audit(if nomina { "responsabile.nominato" } else { "responsabile.rimosso" })
            .target(ente.codice_ipa.as_str())
            .details(serde_json::json!({ "utente": utente.codice }));
        audit::record(&mut tx, &event).await?;
    }
    tx.commit().await?;
    Ok(fatto)
}
