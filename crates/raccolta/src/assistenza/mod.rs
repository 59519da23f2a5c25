//! Assistenza: a user opens a request to support (subject, category, the ente it is about, text, attachments);
//! support staff answer in its thread and move it through its states ([`StatoRichiesta`]); each message or
//! change tells the other side (the bell and an e-mail that never carries the message's text).
//!
//! Who sees a request: its author, the users with an active association to its ente, and support (staff
//! an administrator names in Gestione → Utenti, and administrators). Anyone else gets 404, as for every object of
//! the platform. Each step is one transaction with its thread row, attachments, audit row, bells and e-mails.

pub mod allegati;

use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::auth::guard::{self, Permission};
use crate::context::Context;
use crate::db::assistenza::{self, NuovoMessaggio, Richiesta};
use crate::db::associazioni::{self, Responsabile};
use crate::db::notifiche::{self, Nuova};
use crate::db::users::User;
use crate::db::{DbError, Tx, audit, outbox};
use crate::domain::{Categoria, StatoAssociazione, StatoRichiesta};
use crate::i18n::Lang;
use crate::mail::Email;
use allegati::{ALLEGATI_MAX, Allegato};

/// Longest subject, in characters.
pub const OGGETTO_MAX: usize = 150;
/// Shortest subject, in characters.
pub const OGGETTO_MIN: usize = 5;
/// Longest message, in characters.
pub const TESTO_MAX: usize = 5000;
/// Shortest first message, in characters: it says what the problem is.
pub const TESTO_MIN: usize = 10;

/// Bell kinds: a new request (to support), a message (to the other side), a change of state (to the other side).
pub const TIPO_NUOVA: &str = "assistenza_nuova";
/// A message in the thread.
pub const TIPO_MESSAGGIO: &str = "assistenza_messaggio";
/// A change of state.
pub const TIPO_STATO: &str = "assistenza_stato";

/// Why a request could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum Errore {
    /// No such request for this user: answered 404.
    #[error("richiesta non trovata")]
    NonTrovato,
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<guard::Denied> for Errore {
    fn from(d: guard::Denied) -> Self {
        match d {
            guard::Denied::NotAllowed => Errore::NonTrovato,
            guard::Denied::Db(e) => Errore::Db(e),
        }
    }
}

/// A form's refusals: (field, message), in the order of the form.
pub type Errori = Vec<(String, String)>;

/// A request the guard let this user open, and how they act on it.
#[derive(Debug, Clone)]
pub struct Accesso {
    /// The request.
    pub r: Richiesta,
    /// The user acts as support on it (they are support staff and did not open it themselves).
    pub come_supporto: bool,
}

/// Reads request `pubblico` for `user`: its author, a user of its ente, support. Anyone else: [`Errore::NonTrovato`].
pub async fn accesso(state: &AppState, user: &User, pubblico: &str) -> Result<Accesso, Errore> {
    let r = assistenza::by_pubblico(&state.db, pubblico).await?.ok_or(Errore::NonTrovato)?;
    let autore = r.user_id == Some(user.id) && user.is_active();
    if guard::allows(&state.db, user, Permission::Support).await? {
        return Ok(Accesso { come_supporto: !autore, r });
    }
    if autore {
        return Ok(Accesso { r, come_supporto: false });
    }
    let ente_id = r.ente_id.ok_or(Errore::NonTrovato)?;
    guard::check(&state.db, user, Permission::View { ente_id }).await?;
    Ok(Accesso { r, come_supporto: false })
}

/// The enti a user may open a request about (and whose requests they see): those of their active associations
/// and those they are responsabile of (the guard's own reading of who works on an ente), by name.
pub async fn enti_di(state: &AppState, user: &User) -> Result<Vec<(i64, String)>, DbError> {
    let mut enti: Vec<(i64, String)> = associazioni::del_utente(&state.db, user.id)
        .await?
        .into_iter()
        .filter(|a| a.stato() == Some(StatoAssociazione::Attiva))
        .map(|a| (a.ente_id, a.denominazione))
        .collect();
    enti.extend(associazioni::enti_responsabile(&state.db, user.id).await?.into_iter().map(|(id, nome, _)| (id, nome)));
    enti.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    enti.dedup_by_key(|e| e.0);
    Ok(enti)
}

/// A new request as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct DatiNuova {
    /// Subject.
    pub oggetto: String,
    /// Category code.
    pub categoria: String,
    /// Ente id, or "" for none.
    pub ente: String,
    /// The first message.
    pub testo: String,
}

fn conta_caratteri(testo: &str) -> usize {
    testo.trim().chars().count()
}

/// Checks the attachments: the first [`ALLEGATI_MAX`], each through [`allegati::controlla`].
pub fn controlla_allegati(lang: Lang, file: Vec<(String, Vec<u8>)>, errori: &mut Errori) -> Vec<Allegato> {
    if file.len() > ALLEGATI_MAX {
        errori.push(("allegati".into(), allegati::ErroreAllegato::Troppi.messaggio(lang)));
        return Vec::new();
    }
    let mut buoni = Vec::new();
    for (nome, dati) in file {
        match allegati::controlla(&nome, dati) {
            Ok(a) => buoni.push(a),
            Err(e) => errori.push(("allegati".into(), e.messaggio(lang))),
        }
    }
    buoni
}

/// Opens a request for `user` with its first message and attachments; its URL id, or the form's refusals.
pub async fn apri(
    state: &AppState,
    ctx: &Context,
    user: &User,
    lang: Lang,
    d: &DatiNuova,
    file: Vec<(String, Vec<u8>)>,
) -> Result<Result<String, Errori>, Errore> {
    if !user.is_active() {
        return Err(Errore::NonTrovato);
    }
    let mut errori = Errori::new();
    let n = conta_caratteri(&d.oggetto);
    if !(OGGETTO_MIN..=OGGETTO_MAX).contains(&n) {
        let args = [("min", OGGETTO_MIN.to_string()), ("max", OGGETTO_MAX.to_string())];
        errori.push(("oggetto".into(), lang.t_args("assistenza-oggetto-lunghezza", &args)));
    }
    let categoria = Categoria::from_code(&d.categoria);
    if categoria.is_none() {
        errori.push(("categoria".into(), lang.t("assistenza-categoria-richiesta")));
    }
    let ente_id = match d.ente.trim() {
        "" => None,
        id => {
            let id = id.parse::<i64>().ok();
            // The guard, and an ente that exists (an administrator may view any id, even one that is not there).
            let consentito = match id {
                Some(e) => {
                    guard::allows(&state.db, user, Permission::View { ente_id: e }).await?
                        && crate::db::enti::by_id(&state.db, e).await?.is_some()
                }
                None => false,
            };
            if !consentito {
                errori.push(("ente".into(), lang.t("assistenza-ente-non-valido")));
            }
            id
        }
    };
    let n = conta_caratteri(&d.testo);
    if !(TESTO_MIN..=TESTO_MAX).contains(&n) {
        let args = [("min", TESTO_MIN.to_string()), ("max", TESTO_MAX.to_string())];
        errori.push(("testo".into(), lang.t_args("assistenza-testo-lunghezza", &args)));
    }
    let allegati = controlla_allegati(lang, file, &mut errori);
    let Some(categoria) = categoria.filter(|_| errori.is_empty()) else { return Ok(Err(errori)) };

    let pubblico = crate::compilazione::nuovo_pubblico();
    let autore = user.nome_e_codice();
    let oggetto = d.oggetto.trim();
    let mut tx = state.db.begin().await?;
    let nuova =
        assistenza::Nuova { pubblico: &pubblico, user_id: user.id, autore: &autore, ente_id, oggetto, categoria };
    let id = assistenza::crea(&mut tx, &nuova, ctx.now).await?;
    let m = NuovoMessaggio {
        richiesta_id: id,
        user_id: user.id,
        autore: &autore,
        dal_supporto: false,
        testo: d.testo.trim(),
        stato: None,
        assegna: None,
        prendi: false,
    };
    let messaggio =
        assistenza::aggiungi(&mut tx, &m, StatoRichiesta::Aperta, ctx.now).await?.ok_or(Errore::NonTrovato)?;
    allega(&mut tx, messaggio, &allegati).await?;
    let ente = match ente_id {
        Some(e) => crate::db::enti::by_id(&mut tx, e).await?.map(|e| e.codice_ipa),
        None => None,
    };
    let evento = ctx.audit("assistenza.aperta").target(&pubblico).details(serde_json::json!({
        "numero": id, "categoria": categoria.code(), "ente": ente, "allegati": allegati.len(),
    }));
    audit::record(&mut tx, &evento).await?;
    let staff = staff_tranne(&mut tx, user.id).await?;
    let dettaglio = dettaglio(&pubblico, id, &user.nome_visualizzato(), None, oggetto);
    avvisa(state, &mut tx, &staff, TIPO_NUOVA, ente_id, &dettaglio, ctx.now).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Ok(pubblico))
}

/// The support staff but `user_id` (who writes); the administrators (but them) when that leaves nobody.
async fn staff_tranne(tx: &mut Tx, user_id: i64) -> Result<Vec<Responsabile>, DbError> {
    let staff: Vec<Responsabile> =
        assistenza::staff(&mut *tx).await?.into_iter().filter(|s| s.user_id != user_id).collect();
    if !staff.is_empty() {
        return Ok(staff);
    }
    Ok(associazioni::amministratori(&mut *tx).await?.into_iter().filter(|s| s.user_id != user_id).collect())
}

async fn allega(tx: &mut Tx, messaggio: i64, allegati: &[Allegato]) -> Result<(), DbError> {
    for a in allegati {
        let sha: String = Sha256::digest(&a.dati).iter().map(|b| format!("{b:02x}")).collect();
        assistenza::allega(tx, messaggio, &a.nome, a.tipo.mime(), &sha, &a.dati).await?;
    }
    Ok(())
}

/// What a message or a change does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Azione {
    /// A message (support may say the state it leaves the request in).
    Scrivi(Option<StatoRichiesta>),
    /// Support takes the request: in lavorazione, assigned to them.
    PrendiInCarico,
    /// Support puts it in a state by hand.
    Imposta(StatoRichiesta),
    /// Closed (the user or support).
    Chiudi,
    /// A closed request reopened (the user or support).
    Riapri,
}

/// Writes `testo` (and attachments) in the thread of `a`, or changes its state, as `azione` says; the form's
/// refusals, if any.
#[expect(clippy::too_many_arguments, reason = "who, on what, doing what, with what")]
pub async fn agisci(
    state: &AppState,
    ctx: &Context,
    user: &User,
    lang: Lang,
    a: &Accesso,
    azione: Azione,
    testo: &str,
    file: Vec<(String, Vec<u8>)>,
) -> Result<Result<(), Errori>, Errore> {
    // Support powers are asked of the guard again, not taken from the page.
    let supporto = a.come_supporto && guard::allows(&state.db, user, Permission::Support).await?;
    let mut errori = Errori::new();
    let testo = testo.trim();
    let scrive = matches!(azione, Azione::Scrivi(_));
    if scrive {
        let n = conta_caratteri(testo);
        if n > TESTO_MAX || (n == 0 && file.is_empty()) {
            errori.push((
                "testo".into(),
                lang.t_args("assistenza-risposta-lunghezza", &[("max", TESTO_MAX.to_string())]),
            ));
        }
    }
    let allegati = if scrive { controlla_allegati(lang, file, &mut errori) } else { Vec::new() };
    if !errori.is_empty() {
        return Ok(Err(errori));
    }
    let mut tx = state.db.begin().await?;
    // The state as stored now: another member of support may have moved it since the page was drawn.
    let r = assistenza::by_pubblico(&mut tx, &a.r.pubblico).await?.ok_or(Errore::NonTrovato)?;
    let prima = r.stato;
    // Whoever of support has it, if they still are support.
    let assegnatario = match r.assegnata_a {
        Some(s) => assistenza::del_supporto(&mut tx, s).await?,
        None => None,
    };
    let transizione = match azione {
        Azione::Scrivi(poi) if supporto => Ok(prima.risponde_supporto(poi)),
        Azione::Scrivi(_) => Ok(prima.scrive_utente(assegnatario.is_some())),
        Azione::PrendiInCarico if supporto => Ok(StatoRichiesta::InLavorazione),
        Azione::Imposta(s) if supporto => prima.imposta(s),
        Azione::Chiudi => prima.chiudi(),
        Azione::Riapri => prima.riapri(),
        Azione::PrendiInCarico | Azione::Imposta(_) => return Err(Errore::NonTrovato),
    };
    let Ok(dopo) = transizione else {
        return Ok(Err(vec![("stato".into(), lang.t("assistenza-stato-invariato"))]));
    };
    // Support writing takes a request nobody has; *Prendi in carico* takes it from whoever has it.
    let assegna = supporto.then_some(user.id);
    let autore = if supporto { user.nome_visualizzato().trim().to_owned() } else { user.nome_e_codice() };
    let m = NuovoMessaggio {
        richiesta_id: r.id,
        user_id: user.id,
        autore: &autore,
        dal_supporto: supporto,
        testo,
        stato: (dopo != prima).then_some(dopo),
        assegna,
        prendi: azione == Azione::PrendiInCarico,
    };
    let Some(messaggio) = assistenza::aggiungi(&mut tx, &m, prima, ctx.now).await? else {
        return Ok(Err(vec![("stato".into(), lang.t("assistenza-cambiata"))]));
    };
    allega(&mut tx, messaggio, &allegati).await?;
    let nome_azione = if scrive { "assistenza.messaggio" } else { "assistenza.stato" };
    let evento = ctx.audit(nome_azione).target(&r.pubblico).details(serde_json::json!({
        "numero": r.id, "da": prima.code(), "a": dopo.code(), "supporto": supporto, "allegati": allegati.len(),
    }));
    audit::record(&mut tx, &evento).await?;
    // The other side: the users who follow it when support acts; otherwise whoever of support has it, or all.
    let a_chi: Vec<Responsabile> = if supporto {
        assistenza::partecipanti(&mut tx, r.id, user.id).await?
    } else {
        // Whoever of support has it; else all of support.
        match assegnatario {
            Some(s) => vec![s],
            None => staff_tranne(&mut tx, user.id).await?,
        }
        .into_iter()
        .filter(|s| s.user_id != user.id)
        .collect()
    };
    let chi = user.nome_visualizzato().trim().to_owned();
    let (tipo, stato) = if scrive { (TIPO_MESSAGGIO, None) } else { (TIPO_STATO, Some(dopo)) };
    let dettaglio = dettaglio(&r.pubblico, r.id, &chi, stato, &r.oggetto);
    avvisa(state, &mut tx, &a_chi, tipo, r.ente_id, &dettaglio, ctx.now).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Ok(()))
}

/// What a bell about a request quotes: `pubblico|numero|chi|stato|oggetto` (the subject last: it may hold `|`).
fn dettaglio(pubblico: &str, numero: i64, chi: &str, stato: Option<StatoRichiesta>, oggetto: &str) -> String {
    let chi = chi.replace('|', "/");
    format!("{pubblico}|{numero}|{chi}|{}|{oggetto}", stato.map_or("", StatoRichiesta::code))
}

/// The sentence and link of a bell about Assistenza, in `lang`; `None` for other kinds.
pub fn notifica(lang: Lang, tipo: &str, dettaglio: &str) -> Option<(String, String)> {
    if ![TIPO_NUOVA, TIPO_MESSAGGIO, TIPO_STATO].contains(&tipo) {
        return None;
    }
    let [pubblico, numero, chi, stato, oggetto] = dettaglio.splitn(5, '|').collect::<Vec<_>>()[..] else {
        return None;
    };
    let mut args = vec![("numero", numero.to_owned()), ("chi", chi.to_owned()), ("oggetto", oggetto.to_owned())];
    if let Some(s) = StatoRichiesta::from_code(stato) {
        args.push(("stato", s.etichetta(lang)));
    }
    let testo = lang.t_args(&format!("notifica-{}", tipo.replace('_', "-")), &args);
    Some((testo, format!("/assistenza/{pubblico}")))
}

/// The bell and an e-mail (the request's number and subject, a link, never the text) for each of `a_chi`.
async fn avvisa(
    state: &AppState,
    tx: &mut Tx,
    a_chi: &[Responsabile],
    tipo: &str,
    ente_id: Option<i64>,
    dettaglio: &str,
    now: i64,
) -> Result<(), DbError> {
    let base = state.config.base_url.as_str().trim_end_matches('/');
    let numero = dettaglio.split('|').nth(1).unwrap_or_default().to_owned();
    for r in a_chi {
        notifiche::crea(&mut *tx, &Nuova { user_id: r.user_id, tipo, ente_id, associazione_id: None, dettaglio }, now)
            .await?;
        let lang = Lang::from_code(&r.lang).unwrap_or(Lang::It);
        let (testo, link) = notifica(lang, tipo, dettaglio).unwrap_or_default();
        let mail = Email::Notifica {
            nome: r.nome.clone(),
            oggetto: lang
                .t_args(&format!("notifica-oggetto-{}", tipo.replace('_', "-")), &[("numero", numero.clone())]),
            testo,
            link: format!("{base}{link}"),
        };
        outbox::enqueue(&mut *tx, &mail.message(&r.email, lang, &state.config)).await?;
    }
    Ok(())
}
