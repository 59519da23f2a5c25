//! Reminders (Gestione → Monitoraggio → Promemoria): to the compilers of the enti of the monitoring's filter that
//! have not sent yet, an e-mail and the bell, each ente at most once per day (Rome) per campaign, whoever sends
//! and on whichever node (the `promemoria` table's key decides). Each block of 200 enti is one transaction with its
//! rows, bells, e-mails and audit row; the e-mails leave at [`Config::promemoria_al_minuto`](crate::config::Config) through the outbox.

use std::collections::BTreeMap;

use crate::app::AppState;
use crate::auth::guard::{self, Permission};
use crate::catalogo::Campagna;
use crate::context::Context;
use crate::db::users::User;
use crate::db::{DbError, audit, notifiche, outbox, promemoria};
use crate::i18n::Lang;
use crate::mail::Email;
use crate::monitoraggio::Riga;

/// The notification kind.
pub const TIPO: &str = "promemoria";

/// Enti per transaction.
const BLOCCO: usize = 200;

/// An ente to remind, with the moduli it has still to send.
#[derive(Debug, Clone)]
pub struct Bersaglio {
    /// The ente.
    pub ente_id: i64,
    /// Its name.
    pub ente: String,
    /// Moduli not sent yet.
    pub moduli: Vec<String>,
}

/// The enti of `righe` with a modulo not sent (not started, compiling, reopened), by name.
pub fn bersagli<'r>(righe: impl Iterator<Item = &'r Riga>) -> Vec<Bersaglio> {
    let mut per: BTreeMap<(String, i64), Bersaglio> = BTreeMap::new();
    for r in righe.filter(|r| !r.situazione.inviato() && r.situazione != crate::monitoraggio::Situazione::Chiuso) {
        per.entry((r.ente.search_key.clone(), r.ente.id))
            .or_insert_with(|| Bersaglio { ente_id: r.ente.id, ente: r.ente.denominazione.clone(), moduli: Vec::new() })
            .moduli
            .push(r.modulo.to_string());
    }
    per.into_values().collect()
}

/// What sending would do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conteggio {
    /// Enti that would get a reminder now.
    pub enti: usize,
    /// Enti left out: already reminded today.
    pub gia_avvisati: usize,
    /// Enti left out: nobody compiles for them.
    pub senza_compilatori: usize,
    /// E-mails (and bells).
    pub destinatari: usize,
}

/// Today's day in Rome, as the table stores it.
fn giorno(now: i64) -> String {
    crate::ora::oggi(now).to_string()
}

/// The sentence of the e-mail and the bell, in `lang`.
pub fn testo(lang: Lang, campagna: &str, ente: &str, moduli: &str, scadenza: &str) -> String {
    lang.t_args(
        "promemoria-testo",
        &[
            ("campagna", campagna.to_owned()),
            ("ente", ente.to_owned()),
            ("moduli", moduli.to_owned()),
            ("scadenza", scadenza.to_owned()),
        ],
    )
}

/// The subject, in `lang`.
pub fn oggetto(lang: Lang, campagna: &str, scadenza: &str) -> String {
    lang.t_args("promemoria-oggetto", &[("campagna", campagna.to_owned()), ("scadenza", scadenza.to_owned())])
}

/// A bell's sentence and link for a reminder; `None` for other kinds.
pub fn notifica(lang: Lang, tipo: &str, ente: &str, dettaglio: &str) -> Option<(String, String)> {
    if tipo != TIPO {
        return None;
    }
    let [campagna, moduli, scadenza] = dettaglio.splitn(3, '|').collect::<Vec<_>>()[..] else { return None };
    Some((testo(lang, campagna, ente, moduli, scadenza), "/questionari".to_owned()))
}

/// How many enti of `bersagli` a reminder would reach now, and how many e-mails it would send.
pub async fn conta(state: &AppState, campagna: &Campagna, bersagli: &[Bersaglio]) -> Result<Conteggio, DbError> {
    let oggi = promemoria::del_giorno(&state.db, &campagna.id, &giorno(state.clock.now())).await?;
    let compilatori = promemoria::compilatori(&state.db).await?;
    let mut c = Conteggio { enti: 0, gia_avvisati: 0, senza_compilatori: 0, destinatari: 0 };
    for b in bersagli {
        match compilatori.get(&b.ente_id) {
            _ if oggi.contains(&b.ente_id) => c.gia_avvisati += 1,
            Some(chi) if !chi.is_empty() => {
                c.enti += 1;
                c.destinatari += chi.len();
            }
            _ => c.senza_compilatori += 1,
        }
    }
    Ok(c)
}

/// Sends the reminders of `bersagli`, as an administrator: what it did.
pub async fn invia(
    state: &AppState,
    ctx: &Context,
    user: &User,
    campagna: &Campagna,
    bersagli: &[Bersaglio],
    filtro: &str,
) -> Result<Conteggio, crate::web::AppError> {
    guard::check(&state.db, user, Permission::Administer).await?;
    if !campagna.aperta() {
        return Err(crate::web::AppError::Conflict("campagna non aperta".to_owned()));
    }
    let compilatori = promemoria::compilatori(&state.db).await?;
    let oggi = giorno(ctx.now);
    let base = state.config.base_url.as_str().trim_end_matches('/').to_owned();
    // Thousandths of a second between two e-mails: the pace the configuration allows.
    let passo_ms = 60_000 / state.config.promemoria_al_minuto.max(1);
    let mut c = Conteggio { enti: 0, gia_avvisati: 0, senza_compilatori: 0, destinatari: 0 };
    let parti = bersagli.len().div_ceil(BLOCCO).max(1);
    // One transaction per [`BLOCCO`] enti, each with its rows, bells, e-mails and audit row: a reminder to
    // 8,000 enti never holds SQLite's write lock for long, and what committed stays committed.
    for (parte, blocco) in bersagli.chunks(BLOCCO).enumerate() {
        let mut tx = state.db.begin().await?;
        let mut mail = Vec::new();
        let mut campanelle: Vec<(i64, i64, String)> = Vec::new();
        let prima = c.clone();
        for b in blocco {
            let Some(chi) = compilatori.get(&b.ente_id).filter(|c| !c.is_empty()) else {
                c.senza_compilatori += 1;
                continue;
            };
            if !promemoria::registra(&mut tx, &campagna.id, b.ente_id, &oggi, chi.len() as i64, user.id, ctx.now)
                .await?
            {
                c.gia_avvisati += 1;
                continue;
            }
            c.enti += 1;
            let moduli = b.moduli.iter().map(|m| format!("{} {m}", campagna.codice)).collect::<Vec<_>>().join(", ");
            for r in chi {
                let lang = Lang::from_code(&r.lang).unwrap_or(Lang::It);
                let titolo = campagna.titolo.get(lang).to_owned();
                let scadenza = crate::web::pubblico::format_date(campagna.scadenza(), lang);
                // The three parts are split on `|` when the bell is shown: a title cannot hold one.
                campanelle.push((r.user_id, b.ente_id, format!("{}|{moduli}|{scadenza}", titolo.replace('|', "/"))));
                let email = Email::Notifica {
                    nome: r.nome.clone(),
                    oggetto: oggetto(lang, &titolo, &scadenza),
                    testo: testo(lang, &titolo, &b.ente, &moduli, &scadenza),
                    link: format!("{base}/questionari"),
                };
                let dopo = (c.destinatari as i64 * passo_ms) / 1000;
                mail.push((email.message(&r.email, lang, &state.config), dopo));
                c.destinatari += 1;
            }
        }
        let nuove: Vec<notifiche::Nuova<'_>> = campanelle
            .iter()
            .map(|(user_id, ente_id, dettaglio)| notifiche::Nuova {
                user_id: *user_id,
                tipo: TIPO,
                ente_id: Some(*ente_id),
                associazione_id: None,
                dettaglio,
            })
            .collect();
        notifiche::crea_molte(&mut tx, &nuove, ctx.now).await?;
        outbox::enqueue_molti(&mut tx, &mail).await?;
        let evento = ctx.audit("campagna.promemoria").target(&campagna.id).details(serde_json::json!({
            "parte": parte + 1, "parti": parti,
            "enti": c.enti - prima.enti, "destinatari": c.destinatari - prima.destinatari,
            "gia_avvisati": c.gia_avvisati - prima.gia_avvisati,
            "senza_compilatori": c.senza_compilatori - prima.senza_compilatori, "filtro": filtro,
        }));
        audit::record(&mut tx, &evento).await?;
        tx.commit().await?;
        state.mail_wake.wake();
    }
    tracing::info!(campagna = campagna.id, enti = c.enti, destinatari = c.destinatari, "promemoria accodati");
    Ok(c)
}
