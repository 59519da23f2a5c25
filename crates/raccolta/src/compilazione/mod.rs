//! Compiling: the questionnaires of an ente, opening one, saving answers (one field by autosave, a whole quadro
//! by form), restoring a prefilled value, justifying a squadratura, and a field's history.
//!
//! Every change goes through [`salva`] or [`giustifica`]: the one guard is asked (Compilazione on the ente), the
//! state enum decides whether the questionnaire may change, each field's version is compared with what the
//! browser saw, and the answers, the history and the audit row are written in one transaction. The evaluation is
//! then updated incrementally ([`cache`]) and the caller gets only what changed.

pub mod cache;
pub mod eventi;
pub mod invio;
pub mod pdf;
pub mod precompila;
pub mod riapertura;
pub mod riepilogo;
pub mod valori;

use std::collections::BTreeMap;

use questionario::{Compatto, Delta, IdCampo, Modulo, Valore};

use crate::app::AppState;
use crate::auth::guard::{self, Permission};
use crate::catalogo::Campagna;
use crate::context::Context;
use crate::db::enti::Ente;
use crate::db::questionari::{self, Cambio, Come, Questionario, Risposta};
use crate::db::users::User;
use crate::db::{DbError, audit};
use crate::domain::{Modalita, StatoQuestionario, TransitionError};
use crate::i18n::Lang;
use cache::{Stato, Voce};

/// Why a request about a questionnaire was refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Errore {
    /// No such questionnaire for this user (or none at all): answered 404.
    #[error("questionario non trovato")]
    NonTrovato,
    /// The questionnaire may not change now (sent, closed campaign, Consultazione).
    #[error("questionario in sola lettura")]
    SolaLettura,
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

impl From<TransitionError> for Errore {
    fn from(_: TransitionError) -> Self {
        Errore::SolaLettura
    }
}

/// One row of an ente's *Questionari*.
#[derive(Debug, Clone)]
pub struct VoceElenco {
    /// Campaign folder.
    pub campagna: String,
    /// Questionnaire code (`FC80U`).
    pub codice: String,
    /// Modulo code (`A`).
    pub modulo: String,
    /// Year the data refer to.
    pub anno_riferimento: i32,
    /// Year of compilation.
    pub anno_compilazione: i32,
    /// The modulo's title (*Descrizione*).
    pub descrizione: crate::catalogo::Testo,
    /// State.
    pub stato: StatoQuestionario,
    /// Completion is not known here; the URL id once stored.
    pub pubblico: Option<String>,
    /// The campaign's deadline.
    pub scadenza: time::Date,
    /// Its last invio came after the deadline.
    pub in_ritardo: bool,
}

impl VoceElenco {
    /// The state as the list shows it: "Inviato (in ritardo)" for a late invio.
    pub fn stato_testo(&self, lang: Lang) -> String {
        let stato = self.stato.etichetta(lang);
        if self.in_ritardo { format!("{stato} ({})", lang.t("ricevuta-in-ritardo")) } else { stato }
    }
}

/// The questionnaires of `ente`: one per modulo of every open campaign that its type compiles, stored or not
/// yet, and the stored ones of closed campaigns (read only).
pub async fn elenco(state: &AppState, ente: &Ente) -> Result<Vec<VoceElenco>, DbError> {
    let stored = questionari::dell_ente(&state.db, ente.id).await?;
    // Only an ente that has sent something needs its invii read.
    let inviati =
        if stored.iter().any(|q| !matches!(q.stato(), StatoQuestionario::Aperto | StatoQuestionario::InCompilazione)) {
            crate::db::invii::ultimi_dell_ente(&state.db, ente.id).await?
        } else {
            Vec::new()
        };
    let mut out = Vec::new();
    for campagna in state.catalogo.tutte() {
        for m in &campagna.moduli {
            let riga = stored.iter().find(|q| q.campagna == campagna.id && q.modulo == m.codice);
            let aperta = campagna.aperta();
            if !(aperta && m.per_tipo(&ente.tipo)) && riga.is_none() {
                continue;
            }
            let stato = match riga {
                _ if !aperta => StatoQuestionario::Chiuso,
                Some(q) => q.stato(),
                None => StatoQuestionario::Aperto,
            };
            out.push(VoceElenco {
                campagna: campagna.id.clone(),
                codice: campagna.codice.clone(),
                modulo: m.codice.clone(),
                anno_riferimento: campagna.anno_riferimento,
                anno_compilazione: campagna.anno_compilazione,
                descrizione: m.titolo.clone(),
                stato,
                pubblico: riga.map(|q| q.pubblico.clone()),
                scadenza: campagna.scadenza(),
                in_ritardo: riga.is_some_and(|q| inviati.iter().any(|i| i.0 == q.id && i.4)),
            });
        }
    }
    Ok(out)
}

/// A new URL id: 128 bits from the OS CSPRNG, as 32 lowercase hexadecimal digits.
pub(crate) fn nuovo_pubblico() -> String {
    use rand::TryRngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).expect("the operating system's random generator is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The questionnaire of `ente_id` for the campaign's modulo, stored now if this is the first time anyone needs
/// it. Asks the guard (Consultazione at least); a modulo the ente's type does not compile is not found.
pub async fn apri(
    state: &AppState,
    ctx: &Context,
    user: &User,
    ente: &Ente,
    campagna: &str,
    modulo: &str,
) -> Result<Questionario, Errore> {
    guard::check(&state.db, user, Permission::View { ente_id: ente.id }).await?;
    let c = state.catalogo.campagna(campagna).ok_or(Errore::NonTrovato)?;
    let m = c.moduli.iter().find(|m| m.codice == modulo).ok_or(Errore::NonTrovato)?;
    if let Some(q) = questionari::dell_ente(&state.db, ente.id)
        .await?
        .into_iter()
        .find(|q| q.campagna == c.id && q.modulo == m.codice)
    {
        return Ok(q);
    }
    if !c.aperta() || !m.per_tipo(&ente.tipo) {
        return Err(Errore::NonTrovato);
    }
    Ok(questionari::apri(&state.db, ente.id, &c.id, &c.codice, &m.codice, &nuovo_pubblico(), ctx.now).await?)
}

/// A questionnaire as a request sees it: the row, its definition and campaign, and what the user may do.
#[derive(Debug, Clone)]
pub struct Accesso {
    /// The row.
    pub q: Questionario,
    /// The definition.
    pub modulo: &'static Modulo,
    /// What the guard granted the user on the ente, for this request.
    pub grant: guard::Grant,
    /// Whether this user may change it now.
    pub modificabile: bool,
}

/// The questionnaire with URL id `pubblico`, if `user` may at least view it.
pub async fn accedi(state: &AppState, user: &User, pubblico: &str) -> Result<Accesso, Errore> {
    // Ids are 32 lowercase hexadecimal digits: anything else is not looked up.
    if pubblico.len() != 32 || !pubblico.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(Errore::NonTrovato);
    }
    let q = questionari::by_pubblico(&state.db, pubblico).await?.ok_or(Errore::NonTrovato)?;
    let grant = guard::grant(&state.db, user, q.ente_id).await?;
    let modulo = definizione(state, &q).ok_or(Errore::NonTrovato)?;
    let modificabile = grant.mode() == Modalita::Compilazione && q.stato().modificabile() && campagna_aperta(state, &q);
    Ok(Accesso { q, modulo, grant, modificabile })
}

/// The definition a questionnaire is compiled against.
pub fn definizione(state: &AppState, q: &Questionario) -> Option<&'static Modulo> {
    let questionari: &'static questionario::Catalogo = state.questionari;
    questionari.modulo(&questionario::ChiaveModulo::new(&q.campagna, &q.codice, &q.modulo))
}

/// The campaign of a questionnaire.
pub fn campagna<'s>(state: &'s AppState, q: &Questionario) -> Option<&'s Campagna> {
    state.catalogo.campagna(&q.campagna)
}

/// Whether the campaign of a questionnaire is open (a closed one is read only for everyone).
pub fn campagna_aperta(state: &AppState, q: &Questionario) -> bool {
    campagna(state, q).is_some_and(Campagna::aperta)
}

impl Accesso {
    /// "FC80U B · Dati contabili": code, modulo and title, as page titles and receipts show it.
    pub fn titolo(&self, l: questionario::Lingua) -> String {
        format!("{} {} · {}", self.q.codice, self.q.modulo, self.modulo.titolo.get(l))
    }

    /// The name of the questionnaire's ente.
    pub async fn nome_ente(&self, state: &AppState) -> Result<String, DbError> {
        Ok(crate::db::enti::by_id(&state.db, self.q.ente_id).await?.map(|e| e.denominazione).unwrap_or_default())
    }
}

/// The evaluated answers of `a`, for reading: loaded (or reloaded) when the node's copy is not at the questionnaire's
/// revision.
pub async fn valutazione(
    state: &AppState,
    a: &Accesso,
) -> Result<tokio::sync::OwnedRwLockReadGuard<Option<Stato>>, Errore> {
    Ok(cache::leggi(state.valutazioni.voce(a.q.id), &state.db, a.modulo, &a.q).await?)
}

/// What the browser last saw of a field, to tell a change over a newer value (a conflict) from a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The field's version (autosave sends it with each value).
    Versione(i64),
    /// The questionnaire's revision when the page was rendered (the no-JavaScript form sends it once).
    Pagina(i64),
}

/// One change asked for.
#[derive(Debug, Clone)]
pub struct Modifica {
    /// Field address.
    pub campo: String,
    /// What was typed; `None`: restore the prefilled value.
    pub testo: Option<String>,
    /// What the browser saw.
    pub base: Base,
}

/// What became of one change.
#[derive(Debug, Clone, PartialEq)]
pub enum EsitoCampo {
    /// Stored at this version.
    Salvato {
        /// The field's new version.
        versione: i64,
    },
    /// Nothing to store: the value was already the current one (or the user did not touch a field someone else
    /// changed meanwhile).
    Invariato,
    /// Not a valid value for the field: nothing stored.
    Rifiutato {
        /// What to tell the compiler.
        messaggio: String,
    },
    /// Someone else changed the field since the browser saw it: nothing stored.
    Conflitto(Attuale),
}

/// A field's current value, as a conflict shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attuale {
    /// Canonical value (`null` blank).
    pub valore: Option<String>,
    /// As an input shows it.
    pub testo: String,
    /// As a reader sees it.
    pub mostra: String,
    /// Who set it.
    pub autore: String,
    /// When (Rome time).
    pub quando: String,
    /// Its version.
    pub versione: i64,
}

/// The outcome of a save.
#[derive(Debug)]
pub struct Salvataggio {
    /// Each change asked for, in order, with its outcome.
    pub esiti: Vec<(String, EsitoCampo)>,
    /// The state after the save: what changed, in the compact form.
    pub aggiornamenti: Compatto,
    /// The changed values as a reader sees them (totals).
    pub mostra: BTreeMap<String, String>,
    /// The justifications that became stale or fresh (`true`: stale now).
    pub giustificazioni: BTreeMap<String, bool>,
    /// Per quadro: (open bloccanti, squadrature not justified).
    pub conteggi: Vec<(String, usize, usize)>,
    /// When (Rome time, `14:32`).
    pub ora: String,
}

/// The engine's language for an interface language.
pub fn lingua(lang: Lang) -> questionario::Lingua {
    match lang {
        Lang::It => questionario::Lingua::It,
        Lang::En => questionario::Lingua::En,
    }
}

/// Stores the changes that are valid and not in conflict, in one transaction with their history (and, for a
/// form, an audit row); refused and conflicting ones are returned with the reason and change nothing.
#[expect(clippy::too_many_arguments, reason = "who, in which language, on what, which changes, how, from which page")]
pub async fn salva(
    state: &AppState,
    ctx: &Context,
    user: &User,
    lang: Lang,
    a: &Accesso,
    modifiche: &[Modifica],
    come: Come,
    origine: Option<&str>,
) -> Result<Salvataggio, Errore> {
    // The guard's answer of this request, asked again for Compilazione (without the database).
    a.grant.check(user, Permission::Compile { ente_id: a.q.ente_id })?;
    if !a.modificabile {
        return Err(Errore::SolaLettura);
    }
    let l = lingua(lang);
    let m = a.modulo;
    let voce: Voce = state.valutazioni.voce(a.q.id);
    // Held from the transaction's start to the copy's update: saves to one questionnaire queue on this node.
    let guardia = voce.write_owned().await;
    let dati = DatiSalva {
        modulo: m,
        predefinita_aperta: crate::campagne::predefinita_aperta(state, &a.q.campagna),
        questionario_id: a.q.id,
        user_id: user.id,
        ctx: ctx.clone(),
        modifiche: modifiche.to_vec(),
        come,
        lingua: l,
    };
    let scritto = state
        .scrittore
        .esegui(&state.db, move |tx: &mut crate::db::Tx| Box::pin(scrivi_modifiche(tx, guardia, dati)))
        .await??;
    let Scritto { mut guardia, attuale, mut esiti, da_scrivere, revisione } = scritto;
    let Some(s) = guardia.as_mut() else { return Err(Errore::NonTrovato) };

    let mut delta = Delta::default();
    if let Some(revisione) = revisione {
        // Committed: the node's copy follows.
        for (id, valore) in da_scrivere {
            let d = match &valore {
                Some(v) => s.valutazione.imposta(id, Ok(v.clone())),
                None => s.valutazione.ripristina(id),
            };
            if let Ok(d) = d {
                unisci(&mut delta, d);
            }
            let campo = m.campi[id as usize].indirizzo.clone();
            s.risposte.insert(
                id,
                Risposta {
                    campo: campo.clone(),
                    valore: valore.as_ref().and_then(Valore::canonico),
                    risposto: valore.is_some(),
                    revisione,
                    user_id: Some(user.id),
                    autore: Some(user.nome_visualizzato().trim().to_owned()),
                    updated_at: ctx.now,
                },
            );
            for (nome, esito) in &mut esiti {
                if *nome == campo && matches!(esito, EsitoCampo::Salvato { .. }) {
                    *esito = EsitoCampo::Salvato { versione: revisione };
                }
            }
        }
        s.revisione = revisione;
        let campi =
            esiti.iter().filter(|(_, e)| matches!(e, EsitoCampo::Salvato { .. })).map(|(c, _)| c.clone()).collect();
        let evento = eventi::Evento::Salvataggio {
            questionario: attuale.id,
            revisione,
            campi,
            delta: Some((&delta).into()),
            autore: user.nome_visualizzato().trim().to_owned(),
            origine: origine.map(str::to_owned),
        };
        state.eventi.pubblica(&state.db, evento).await;
    }
    let cambiate = s.rivedi_giustificazioni();
    let aggiornamenti = s.valutazione.compatto_delta(&delta, l);
    let mostra = aggiornamenti
        .valori
        .keys()
        .filter_map(|a| m.id(a).map(|id| (a.clone(), valori::mostra(m, s.valutazione.valore(id), id, l))))
        .collect();
    let giustificazioni = cambiate.into_iter().map(|r| (r.clone(), s.superate.contains(&r))).collect();
    Ok(Salvataggio {
        esiti,
        aggiornamenti,
        mostra,
        giustificazioni,
        conteggi: conteggi(s),
        ora: crate::ora::data_ora(ctx.now).split(' ').nth(1).unwrap_or_default().to_owned(),
    })
}

/// What a save needs inside the transaction, owned (the writer may run it on its own task).
struct DatiSalva {
    modulo: &'static Modulo,
    /// The manifest says the campaign is open (what applies while no administrator changed it).
    predefinita_aperta: bool,
    questionario_id: i64,
    user_id: i64,
    ctx: Context,
    modifiche: Vec<Modifica>,
    come: Come,
    lingua: questionario::Lingua,
}

/// What the transaction did: the questionnaire as locked, each change's outcome, what was written, at which
/// revision (`None`: nothing written).
struct Scritto {
    guardia: tokio::sync::OwnedRwLockWriteGuard<Option<Stato>>,
    attuale: Questionario,
    esiti: Vec<(String, EsitoCampo)>,
    da_scrivere: Vec<(IdCampo, Option<Valore>)>,
    revisione: Option<i64>,
}

/// The transactional part of [`salva`]: decides each change against the stored state (reloading the node's copy
/// when it is not at the stored revision), then writes the answers, their history and, for a form, the audit row.
async fn scrivi_modifiche(
    tx: &mut crate::db::Tx,
    mut guardia: tokio::sync::OwnedRwLockWriteGuard<Option<Stato>>,
    d: DatiSalva,
) -> Result<Result<Scritto, Errore>, DbError> {
    let m = d.modulo;
    let Some(attuale) = questionari::per_modifica(&mut *tx, d.questionario_id).await? else {
        return Ok(Err(Errore::NonTrovato));
    };
    let nuovo_stato = match attuale.stato().salva() {
        Ok(s) => s,
        Err(_) => return Ok(Err(Errore::SolaLettura)),
    };
    // Closed meanwhile, perhaps on another node whose event this node has not heard yet.
    if !crate::campagne::aperta_in(&mut *tx, &attuale.campagna, d.predefinita_aperta).await? {
        return Ok(Err(Errore::SolaLettura));
    }
    if guardia.as_ref().is_none_or(|s| s.revisione != attuale.revisione) {
        *guardia = Some(Stato::carica(&mut *tx, m, &attuale).await?);
    }
    let Some(s) = guardia.as_ref() else { return Ok(Err(Errore::NonTrovato)) };
    // Decide each change against the stored state, before writing anything.
    let mut esiti: Vec<(String, EsitoCampo)> = Vec::new();
    let mut da_scrivere: Vec<(IdCampo, Option<Valore>)> = Vec::new();
    for modifica in &d.modifiche {
        let esito = match decidi(&mut *tx, s, d.lingua, attuale.id, modifica).await? {
            Decisione::Esito(e) => e,
            Decisione::Scrivi(id, valore) => {
                da_scrivere.retain(|(altro, _)| *altro != id);
                da_scrivere.push((id, valore));
                EsitoCampo::Salvato { versione: 0 }
            }
        };
        esiti.push((modifica.campo.clone(), esito));
    }
    if da_scrivere.is_empty() {
        return Ok(Ok(Scritto { guardia, attuale, esiti, da_scrivere, revisione: None }));
    }
    let ctx = &d.ctx;
    let revisione = questionari::avanza(&mut *tx, attuale.id, nuovo_stato, d.user_id, ctx.now).await?;
    for (id, valore) in &da_scrivere {
        let campo = &m.campi[*id as usize].indirizzo;
        let prima = s.risposte.get(id).filter(|r| r.risposto).and_then(|r| r.valore.clone());
        let dopo = valore.as_ref().and_then(Valore::canonico);
        let cambio = Cambio {
            campo,
            prima: prima.as_deref(),
            dopo: dopo.as_deref(),
            risposto: valore.is_some(),
            come: if valore.is_none() { Come::Ripristino } else { d.come },
        };
        questionari::scrivi(&mut *tx, attuale.id, &cambio, revisione, d.user_id, ctx.ip.as_deref(), ctx.now).await?;
    }
    if d.come == Come::Modulo {
        let campi: Vec<&str> = da_scrivere.iter().map(|(id, _)| m.campi[*id as usize].indirizzo.as_str()).collect();
        let evento = ctx
            .audit("questionario.salvataggio")
            .target(&attuale.pubblico)
            .details(serde_json::json!({ "campi": campi, "revisione": revisione, "modo": "modulo" }));
        audit::record(&mut *tx, &evento).await?;
    }
    Ok(Ok(Scritto { guardia, attuale, esiti, da_scrivere, revisione: Some(revisione) }))
}

enum Decisione {
    Esito(EsitoCampo),
    Scrivi(IdCampo, Option<Valore>),
}

async fn decidi(
    tx: &mut crate::db::Tx,
    s: &Stato,
    l: questionario::Lingua,
    questionario_id: i64,
    modifica: &Modifica,
) -> Result<Decisione, DbError> {
    let m = s.modulo;
    let rifiuto = |e: questionario::ErroreValore| Decisione::Esito(EsitoCampo::Rifiutato { messaggio: e.messaggio(l) });
    let Some(id) = m.id(&modifica.campo) else { return Ok(rifiuto(questionario::ErroreValore::Sconosciuto)) };
    let campo = &m.campi[id as usize];
    if campo.calcolo.is_some() {
        return Ok(rifiuto(questionario::ErroreValore::Calcolato));
    }
    let nuovo: Option<Valore> = match &modifica.testo {
        None => None,
        Some(t) => match valori::leggi(m, id, t, l) {
            Ok(v) => Some(v),
            Err(e) => return Ok(rifiuto(e)),
        },
    };
    let stored = s.risposte.get(&id);
    let versione = stored.map_or(0, |r| r.revisione);
    let precompilato = s.precompilati.get(&id).map(|(v, _)| v.clone()).unwrap_or_default();
    let corrente: Option<Valore> = stored.filter(|r| r.risposto).map(|r| leggi_canonico(m, id, r.valore.as_deref()));
    // What the field shows after the change, and now: an answer, else the prefilled value.
    let effettivo = |v: &Option<Valore>| v.clone().unwrap_or_else(|| precompilato.clone());
    let invariato = match &nuovo {
        None => corrente.is_none(),
        Some(v) => corrente.as_ref() == Some(v) || (corrente.is_none() && *v == precompilato),
    };
    if invariato {
        return Ok(Decisione::Esito(EsitoCampo::Invariato));
    }
    let in_conflitto = match modifica.base {
        Base::Versione(v) => v != versione,
        Base::Pagina(r) if versione <= r => false,
        Base::Pagina(r) => {
            // Changed by someone after the page was rendered: untouched by this user when what they send is
            // what the page showed then.
            let visto = match questionari::valore_alla_revisione(&mut *tx, questionario_id, &modifica.campo, r).await? {
                Some((Some(v), _)) => Some(leggi_canonico(m, id, Some(&v))),
                Some((None, come)) if come != Come::Ripristino.code() => Some(Valore::Vuoto),
                _ => None,
            };
            if effettivo(&visto) == effettivo(&nuovo) {
                return Ok(Decisione::Esito(EsitoCampo::Invariato));
            }
            true
        }
    };
    if in_conflitto {
        return Ok(Decisione::Esito(EsitoCampo::Conflitto(attuale(s, id, l))));
    }
    Ok(Decisione::Scrivi(id, nuovo))
}

fn leggi_canonico(m: &Modulo, id: IdCampo, v: Option<&str>) -> Valore {
    v.map_or(Valore::Vuoto, |t| m.interpreta_testo(id, t).unwrap_or_default())
}

/// The current value of field `id`, for a conflict.
pub fn attuale(s: &Stato, id: IdCampo, l: questionario::Lingua) -> Attuale {
    let m = s.modulo;
    let r = s.risposte.get(&id);
    let valore = s.valutazione.valore(id);
    Attuale {
        valore: valore.and_then(Valore::canonico),
        testo: valori::testo_input(m, valore, id, l),
        mostra: valori::mostra(m, valore, id, l),
        autore: r.and_then(|r| r.autore.clone()).unwrap_or_default(),
        quando: r.map(|r| crate::ora::data_ora(r.updated_at)).unwrap_or_default(),
        versione: r.map_or(0, |r| r.revisione),
    }
}

fn unisci(a: &mut Delta, b: Delta) {
    a.valori.extend(b.valori);
    a.pertinenza.extend(b.pertinenza);
    a.errori.extend(b.errori);
    a.regole.extend(b.regole);
    a.quadri.extend(b.quadri);
    for l in [&mut a.valori, &mut a.pertinenza, &mut a.errori] {
        l.sort_unstable();
        l.dedup();
    }
    a.regole.sort_unstable();
    a.regole.dedup();
    a.quadri.sort_unstable();
    a.quadri.dedup();
}

/// The quadro a rule is shown in: that of its first field.
pub fn quadro_della_regola(m: &Modulo, i: usize) -> Option<usize> {
    let regola = m.regole.get(i)?;
    regola.campi.first().map(|id| m.campi[*id as usize].quadro)
}

/// Per quadro: code, violated bloccanti, violated squadrature without a (fresh) justification.
pub fn conteggi(s: &Stato) -> Vec<(String, usize, usize)> {
    let m = s.modulo;
    let mut out: Vec<(String, usize, usize)> = m.quadri.iter().map(|q| (q.codice.clone(), 0, 0)).collect();
    for (i, regola) in m.regole.iter().enumerate() {
        if s.valutazione.esito_regola(i) != Some(questionario::Esito::Violata) {
            continue;
        }
        let Some(q) = quadro_della_regola(m, i) else { continue };
        match regola.gravita {
            questionario::Gravita::Bloccante => out[q].1 += 1,
            questionario::Gravita::Squadratura
                if !s.giustificazioni.contains_key(&regola.id) || s.superate.contains(&regola.id) =>
            {
                out[q].2 += 1
            }
            _ => {}
        }
    }
    out
}

/// The outcome of a justification.
#[derive(Debug)]
pub struct Giustificato {
    /// Whether invio is now allowed, and the counts.
    pub invio: questionario::Riepilogo,
    /// Per quadro: code, violated bloccanti, squadrature not justified.
    pub conteggi: Vec<(String, usize, usize)>,
}

/// Writes (or, with an empty text, removes) the justification of the squadratura `regola`, with the rule's
/// values as they are now, its audit row in the same transaction.
pub async fn giustifica(
    state: &AppState,
    ctx: &Context,
    user: &User,
    a: &Accesso,
    regola: &str,
    testo: &str,
) -> Result<Result<Giustificato, String>, Errore> {
    // The guard's answer of this request, asked again for Compilazione (without the database).
    a.grant.check(user, Permission::Compile { ente_id: a.q.ente_id })?;
    if !a.modificabile {
        return Err(Errore::SolaLettura);
    }
    let m = a.modulo;
    let testo = testo.trim();
    if testo.chars().count() > 2000 {
        return Ok(Err("lunghezza".into()));
    }
    let voce: Voce = state.valutazioni.voce(a.q.id);
    let mut guardia = voce.write().await;
    let mut tx = state.db.begin().await?;
    let attuale = questionari::per_modifica(&mut tx, a.q.id).await?.ok_or(Errore::NonTrovato)?;
    let nuovo_stato = attuale.stato().salva()?;
    if guardia.as_ref().is_none_or(|s| s.revisione != attuale.revisione) {
        *guardia = Some(Stato::carica(&mut tx, m, &attuale).await?);
    }
    let Some(s) = guardia.as_mut() else { return Err(Errore::NonTrovato) };
    let Some(i) = s.regola(regola).filter(|&i| m.regole[i].gravita == questionario::Gravita::Squadratura) else {
        return Ok(Err("regola".into()));
    };
    let valori = s.valori_regola(i);
    let revisione = questionari::avanza(&mut tx, attuale.id, nuovo_stato, user.id, ctx.now).await?;
    let testo = (!testo.is_empty()).then_some(testo);
    questionari::giustifica(&mut tx, attuale.id, regola, testo, &valori, revisione, user.id, ctx.now).await?;
    let evento = ctx.audit(if testo.is_some() { "questionario.giustificazione" } else { "questionario.giustificazione_rimossa" })
        .target(&attuale.pubblico)
        .details(serde_json::json!({ "regola": regola, "testo": testo, "valori": serde_json::from_str::<serde_json::Value>(&valori).unwrap_or_default() }));
    audit::record(&mut tx, &evento).await?;
    tx.commit().await?;
    match testo {
        Some(t) => {
            s.giustificazioni.insert(
                regola.to_owned(),
                questionari::Giustificazione {
                    regola: regola.to_owned(),
                    testo: t.to_owned(),
                    valori,
                    revisione,
                    autore: Some(user.nome_visualizzato().trim().to_owned()),
                    updated_at: ctx.now,
                },
            );
        }
        None => {
            s.giustificazioni.remove(regola);
            s.superate.remove(regola);
            s.valutazione.giustifica(regola, "");
        }
    }
    s.revisione = revisione;
    s.rivedi_giustificazioni();
    let evento = eventi::Evento::Salvataggio {
        questionario: attuale.id,
        revisione,
        campi: Vec::new(),
        delta: Some(eventi::DeltaJson::default()),
        autore: user.nome_visualizzato().trim().to_owned(),
        origine: None,
    };
    state.eventi.pubblica(&state.db, evento).await;
    Ok(Ok(Giustificato { invio: s.valutazione.riepilogo(), conteggi: conteggi(s) }))
}
