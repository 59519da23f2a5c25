//! Richieste Apertura: a Compilazione user asks to reopen a sent questionnaire, with a reason; an administrator
//! approves (compiling resumes from the sent values, and the next invio is version n + 1) or rejects it (it stays
//! sent), with a note. One request waits per questionnaire at a time. Each step is one transaction with the
//! questionnaire's state (through the state enum's methods), the request, the audit row, the bell and the e-mails:
//! the administrators hear of a request; the requester, the ente's compilers and its responsabili of the decision.

use super::{Accesso, Errore};
use crate::app::AppState;
use crate::auth::guard::{self, Permission};
use crate::context::Context;
use crate::db::associazioni::{self, Responsabile};
use crate::db::notifiche::{self, Nuova};
use crate::db::riaperture::{self, Richiesta};
use crate::db::users::User;
use crate::db::{DbError, Tx, audit, invii, outbox, questionari};
use crate::domain::StatoQuestionario;
use crate::i18n::Lang;
use crate::mail::Email;

/// Shortest reason accepted, in characters: a reason says what is wrong.
pub const MOTIVAZIONE_MIN: usize = 10;
/// Longest reason or note, in characters.
pub const TESTO_MAX: usize = 2000;

/// Notification kinds.
pub const TIPO_RICHIESTA: &str = "riapertura_richiesta";
/// The request was approved.
pub const TIPO_APPROVATA: &str = "riapertura_approvata";
/// The request was rejected.
pub const TIPO_RESPINTA: &str = "riapertura_respinta";

/// Why a request or a decision was refused; each has a message for the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rifiuto {
    /// The reason is too short or too long.
    Motivazione,
    /// Only a sent questionnaire can be reopened.
    NonInviato,
    /// A request for this questionnaire is already waiting.
    GiaRichiesta,
    /// A rejection needs a note; a note has at most [`TESTO_MAX`] characters.
    Nota,
    /// The request was decided meanwhile.
    GiaDecisa,
}

impl Rifiuto {
    /// The message shown beside the form.
    pub fn messaggio(self, lang: Lang) -> String {
        match self {
            Rifiuto::Motivazione => lang.t_args(
                "riapertura-motivazione-lunghezza",
                &[("min", MOTIVAZIONE_MIN.to_string()), ("max", TESTO_MAX.to_string())],
            ),
            Rifiuto::NonInviato => lang.t("riapertura-non-inviato"),
            Rifiuto::GiaRichiesta => lang.t("riapertura-gia-richiesta"),
            Rifiuto::Nota => lang.t_args("riapertura-nota-richiesta", &[("max", TESTO_MAX.to_string())]),
            Rifiuto::GiaDecisa => lang.t("riapertura-gia-decisa"),
        }
    }
}

/// The bell and an e-mail for each of `a_chi`, inside `tx`.
#[expect(clippy::too_many_arguments, reason = "who, about what, with which words and link")]
async fn avvisa(
    state: &AppState,
    tx: &mut Tx,
    a_chi: &[Responsabile],
    tipo: &str,
    ente_id: i64,
    ente: &str,
    dettaglio: &str,
    now: i64,
) -> Result<(), DbError> {
    let base = state.config.base_url.as_str().trim_end_matches('/');
    for r in a_chi {
        notifiche::crea(
            &mut *tx,
            &Nuova { user_id: r.user_id, tipo, ente_id: Some(ente_id), associazione_id: None, dettaglio },
            now,
        )
        .await?;
        let lang = Lang::from_code(&r.lang).unwrap_or(Lang::It);
        let (testo, link) = notifica(lang, tipo, ente, dettaglio).unwrap_or_default();
        let mail = Email::Notifica {
            nome: r.nome.clone(),
            oggetto: lang.t_args(&format!("notifica-oggetto-{}", tipo.replace('_', "-")), &[("ente", ente.to_owned())]),
            testo,
            link: format!("{base}{link}"),
        };
        outbox::enqueue(&mut *tx, &mail.message(&r.email, lang, &state.config)).await?;
    }
    Ok(())
}

/// The sentence and link of a notification about reopening, in `lang`; `None` for other kinds.
pub fn notifica(lang: Lang, tipo: &str, ente: &str, dettaglio: &str) -> Option<(String, String)> {
    let ente = ente.to_owned();
    match tipo {
        TIPO_RICHIESTA => {
            let [modulo, richiedente] = dettaglio.splitn(2, '|').collect::<Vec<_>>()[..] else { return None };
            let testo = lang.t_args(
                "notifica-riapertura-richiesta",
                &[("modulo", modulo.to_owned()), ("ente", ente), ("richiedente", richiedente.to_owned())],
            );
            Some((testo, "/gestione/riaperture".to_owned()))
        }
        TIPO_APPROVATA | TIPO_RESPINTA => {
            let [pubblico, modulo, nota] = dettaglio.splitn(3, '|').collect::<Vec<_>>()[..] else { return None };
            let chiave =
                if tipo == TIPO_APPROVATA { "notifica-riapertura-approvata" } else { "notifica-riapertura-respinta" };
            let nota = if nota.is_empty() {
                String::new()
            } else {
                lang.t_args("notifica-motivo", &[("motivo", nota.to_owned())])
            };
            let testo = lang.t_args(chiave, &[("modulo", modulo.to_owned()), ("ente", ente), ("nota", nota)]);
            Some((testo, format!("/questionari/{pubblico}")))
        }
        _ => None,
    }
}

/// Asks to reopen the sent questionnaire of `a`; the request's id.
pub async fn richiedi(
    state: &AppState,
    ctx: &Context,
    user: &User,
    a: &Accesso,
    motivazione: &str,
) -> Result<Result<i64, Rifiuto>, Errore> {
    a.grant.check(user, Permission::Compile { ente_id: a.q.ente_id })?;
    if !super::campagna_aperta(state, &a.q) {
        return Err(Errore::SolaLettura);
    }
    let motivazione = motivazione.trim();
    let n = motivazione.chars().count();
    if !(MOTIVAZIONE_MIN..=TESTO_MAX).contains(&n) {
        return Ok(Err(Rifiuto::Motivazione));
    }
    let ente = crate::db::enti::by_id(&state.db, a.q.ente_id).await?.ok_or(Errore::NonTrovato)?;
    let mut tx = state.db.begin().await?;
    let q = questionari::per_modifica(&mut tx, a.q.id).await?.ok_or(Errore::NonTrovato)?;
    if !crate::campagne::aperta_in(&mut tx, &q.campagna, crate::campagne::predefinita_aperta(state, &q.campagna))
        .await?
    {
        return Err(Errore::SolaLettura);
    }
    let nuovo = match q.stato().richiedi_riapertura() {
        Ok(s) => s,
        Err(_) if q.stato() == StatoQuestionario::RiaperturaRichiesta => return Ok(Err(Rifiuto::GiaRichiesta)),
        Err(_) => return Ok(Err(Rifiuto::NonInviato)),
    };
    let Some(versione) = invii::del_questionario(&mut tx, q.id).await?.last().map(|i| i.versione) else {
        return Ok(Err(Rifiuto::NonInviato));
    };
    let richiedente = user.nome_e_codice();
    let Some(id) = riaperture::crea(&mut tx, q.id, versione, user.id, &richiedente, motivazione, ctx.now).await? else {
        return Ok(Err(Rifiuto::GiaRichiesta));
    };
    questionari::avanza(&mut tx, q.id, nuovo, user.id, ctx.now).await?;
    let evento = ctx.audit("questionario.riapertura_richiesta").target(&q.pubblico).details(serde_json::json!({
        "richiesta": id, "versione": versione, "motivazione": motivazione, "ente": ente.codice_ipa,
    }));
    audit::record(&mut tx, &evento).await?;
    let amministratori = associazioni::amministratori(&mut tx).await?;
    let dettaglio = format!("{} {}|{richiedente}", q.codice, q.modulo);
    avvisa(state, &mut tx, &amministratori, TIPO_RICHIESTA, q.ente_id, &ente.denominazione, &dettaglio, ctx.now)
        .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Ok(id))
}

/// An administrator decides request `id`: approved (`approva`) the questionnaire is reopened, rejected it stays
/// sent; `nota` is required to reject.
pub async fn decidi(
    state: &AppState,
    ctx: &Context,
    user: &User,
    id: i64,
    approva: bool,
    nota: &str,
) -> Result<Result<Richiesta, Rifiuto>, Errore> {
    guard::check(&state.db, user, Permission::Administer).await?;
    let nota = nota.trim();
    if nota.chars().count() > TESTO_MAX || (!approva && nota.is_empty()) {
        return Ok(Err(Rifiuto::Nota));
    }
    let mut tx = state.db.begin().await?;
    let r = riaperture::by_id(&mut tx, id).await?.ok_or(Errore::NonTrovato)?;
    let q = questionari::per_modifica(&mut tx, r.questionario_id).await?.ok_or(Errore::NonTrovato)?;
    let transizione = if approva { q.stato().approva_riapertura() } else { q.stato().respingi_riapertura() };
    let (Ok(nuovo), "in_attesa") = (transizione, r.stato.as_str()) else { return Ok(Err(Rifiuto::GiaDecisa)) };
    let decisore = user.nome_e_codice();
    if !riaperture::decidi(&mut tx, id, approva, user.id, &decisore, nota, ctx.now).await? {
        return Ok(Err(Rifiuto::GiaDecisa));
    }
    questionari::avanza(&mut tx, q.id, nuovo, user.id, ctx.now).await?;
    let azione = if approva { "questionario.riapertura_approvata" } else { "questionario.riapertura_respinta" };
    let evento = ctx.audit(azione).target(&q.pubblico).details(serde_json::json!({
        "richiesta": id, "versione": r.versione, "nota": nota,
    }));
    audit::record(&mut tx, &evento).await?;
    let mut a_chi = associazioni::compilatori(&mut tx, q.ente_id).await?;
    if let Some(uid) = r.user_id
        && !a_chi.iter().any(|c| c.user_id == uid)
        && let Some(u) = crate::db::users::by_id(&mut tx, uid).await?.filter(User::is_active)
    {
        a_chi.push(Responsabile::from(&u));
    }
    let tipo = if approva { TIPO_APPROVATA } else { TIPO_RESPINTA };
    let dettaglio = format!("{}|{} {}|{nota}", q.pubblico, q.codice, q.modulo);
    avvisa(state, &mut tx, &a_chi, tipo, q.ente_id, &r.ente, &dettaglio, ctx.now).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    let decisa = riaperture::by_id(&state.db, id).await?.ok_or(Errore::NonTrovato)?;
    Ok(Ok(decisa))
}
