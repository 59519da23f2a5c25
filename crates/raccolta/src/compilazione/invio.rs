//! Invio: a questionnaire the engine allows to send becomes *Inviato* in one transaction with everything that
//! makes it an official return: a frozen snapshot of every value and justification (canonical JSON, with the
//! definition's fingerprint), its SHA-256, a gapless protocol number of the campaign, the audit row, the bell of
//! the ente's compilers and responsabili, and the e-mails (the receipt to the sender, a notice to the others).
//!
//! Invio happens once. A doubled click or a retried request carries the same idempotency key and gets the first
//! request's invio back; two compilers sending at once queue on the questionnaire's row (its lock on PostgreSQL,
//! the one writer on SQLite), and the second finds it sent. The server decides from its own evaluation, whatever
//! the browser sends.

use std::collections::BTreeMap;

use questionario::{Gravita, Valore};
use sha2::{Digest, Sha256};

use super::cache::{Stato, Voce};
use super::{Accesso, Errore};
use crate::app::AppState;
use crate::auth::guard::Permission;
use crate::context::Context;
use crate::db::associazioni;
use crate::db::enti::Ente;
use crate::db::idempotency::{self, Next, SavedResponse};
use crate::db::invii::{self, Invio};
use crate::db::notifiche::{self, Nuova};
use crate::db::questionari::{self, Questionario};
use crate::db::users::User;
use crate::db::{DbError, Tx, audit, outbox};
use crate::i18n::Lang;
use crate::mail::Email;

/// The kind of the notifications of an invio.
pub const TIPO_NOTIFICA: &str = "inviato";

/// What became of an invio request.
#[derive(Debug, Clone)]
pub enum EsitoInvio {
    /// Sent: by this request, or by the first request with the same key.
    Inviato(Invio),
    /// It was already sent (by someone else, or before a request with another key): its last invio.
    GiaInviato(Invio),
    /// The engine does not allow it now: nothing changed.
    NonConsentito(questionario::Riepilogo),
}

/// The protocol code of invio number `numero` of a campaign: `FC80U-2022-000123` (code, reference year, six
/// digits; more digits past 999,999).
pub fn protocollo(codice: &str, anno_riferimento: i32, numero: i64) -> String {
    format!("{}-{numero:06}", prefisso_protocollo(codice, anno_riferimento))
}

/// What the protocol codes of a campaign start with, `FC80U-2022`: its numbers count per prefix.
pub fn prefisso_protocollo(codice: &str, anno_riferimento: i32) -> String {
    format!("{codice}-{anno_riferimento}")
}

/// SHA-256 of a snapshot, as 64 lowercase hexadecimal digits.
pub fn sha256_hex(testo: &str) -> String {
    Sha256::digest(testo.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether invio on `oggi` (Rome date) is late for a deadline.
pub fn in_ritardo(oggi: time::Date, scadenza: time::Date) -> bool {
    oggi > scadenza
}

/// What an invio freezes, in a fixed order with sorted keys (serde_json writes struct fields in declaration order
/// and `BTreeMap`s sorted, without spaces): the same content always gives the same bytes, so the hash can be
/// recomputed from the stored snapshot.
#[derive(Debug, serde::Serialize)]
struct Fotografia<'a> {
    formato: u32,
    protocollo: &'a str,
    campagna: &'a str,
    codice: &'a str,
    modulo: &'a str,
    impronta: String,
    ente: EnteFoto<'a>,
    versione: i64,
    mittente: &'a str,
    inviato_at: i64,
    in_ritardo: bool,
    /// Every field that has a value (answered, prefilled or calculated), by address, in canonical form.
    valori: BTreeMap<&'a str, String>,
    /// The fields whose value is the prefilled one, with its source.
    precompilati: BTreeMap<&'a str, &'a str>,
    /// Each violated squadratura's justification: its text and the values it was written for.
    giustificazioni: BTreeMap<&'a str, GiustificazioneFoto<'a>>,
}

#[derive(Debug, serde::Serialize)]
struct EnteFoto<'a> {
    codice_ipa: &'a str,
    codice_fiscale: &'a str,
    denominazione: &'a str,
}

#[derive(Debug, serde::Serialize)]
struct GiustificazioneFoto<'a> {
    testo: &'a str,
    valori: serde_json::Value,
}

/// The canonical JSON of what is sent.
#[expect(clippy::too_many_arguments, reason = "every part of the receipt")]
fn fotografia(
    s: &Stato,
    q: &Questionario,
    ente: &Ente,
    versione: i64,
    protocollo: &str,
    mittente: &str,
    now: i64,
    ritardo: bool,
) -> String {
    let m = s.modulo;
    let mut valori = BTreeMap::new();
    let mut precompilati = BTreeMap::new();
    for (i, c) in m.campi.iter().enumerate() {
        let id = i as questionario::IdCampo;
        if let Some(v) = s.valutazione.valore(id).and_then(Valore::canonico) {
            valori.insert(c.indirizzo.as_str(), v);
        }
        let risposto = s.risposte.get(&id).is_some_and(|r| r.risposto);
        if let Some((_, fonte)) = s.precompilati.get(&id).filter(|_| !risposto) {
            precompilati.insert(c.indirizzo.as_str(), fonte.as_str());
        }
    }
    let giustificazioni = m
        .regole
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            r.gravita == Gravita::Squadratura && s.valutazione.esito_regola(*i) == Some(questionario::Esito::Violata)
        })
        .filter_map(|(_, r)| {
            let g = s.giustificazioni.get(&r.id).filter(|_| !s.superate.contains(&r.id))?;
            Some((
                r.id.as_str(),
                GiustificazioneFoto {
                    testo: g.testo.as_str(),
                    valori: serde_json::from_str(&g.valori).unwrap_or_default(),
                },
            ))
        })
        .collect();
    let foto = Fotografia {
        formato: 1,
        protocollo,
        campagna: &q.campagna,
        codice: &q.codice,
        modulo: &q.modulo,
        impronta: m.impronta.to_string(),
        ente: EnteFoto {
            codice_ipa: &ente.codice_ipa,
            codice_fiscale: &ente.codice_fiscale,
            denominazione: &ente.denominazione,
        },
        versione,
        mittente,
        inviato_at: now,
        in_ritardo: ritardo,
        valori,
        precompilati,
        giustificazioni,
    };
    serde_json::to_string(&foto).unwrap_or_default()
}

/// Sends the questionnaire of `a`, once: `chiave` is the idempotency key the page carried.
pub async fn invia(
    state: &AppState,
    ctx: &Context,
    user: &User,
    a: &Accesso,
    chiave: &str,
) -> Result<EsitoInvio, Errore> {
    a.grant.check(user, Permission::Compile { ente_id: a.q.ente_id })?;
    let campagna = super::campagna(state, &a.q).ok_or(Errore::NonTrovato)?;
    if !campagna.aperta() {
        return Err(Errore::SolaLettura);
    }
    let chiave = chiave.trim();
    if chiave.is_empty() || chiave.len() > 100 {
        return Err(Errore::NonTrovato);
    }
    let ente = crate::db::enti::by_id(&state.db, a.q.ente_id).await?.ok_or(Errore::NonTrovato)?;
    let voce: Voce = state.valutazioni.voce(a.q.id);
    let guardia = voce.write_owned().await;
    let dati = DatiInvio {
        state: state.clone(),
        ctx: ctx.clone(),
        user: user.clone(),
        ente,
        modulo: a.modulo,
        questionario_id: a.q.id,
        chiave: chiave.to_owned(),
        codice: campagna.codice.clone(),
        anno_riferimento: campagna.anno_riferimento,
        ritardo: in_ritardo(crate::ora::oggi(ctx.now), campagna.scadenza()),
    };
    let (mut guardia, esito, revisione) =
        state.scrittore.esegui(&state.db, move |tx: &mut Tx| Box::pin(transazione(tx, guardia, dati))).await??;
    if let Some(revisione) = revisione {
        // Committed: its e-mails and its PDFs are due now.
        state.mail_wake.wake();
        state.stampa.sveglia();
        // Nothing but the state changed: the node's copy moves to the new revision.
        if let Some(s) = guardia.as_mut() {
            s.revisione = revisione;
        }
        if let EsitoInvio::Inviato(i) = &esito {
            let evento = super::eventi::Evento::Inviato {
                questionario: a.q.id,
                pubblico: a.q.pubblico.clone(),
                versione: i.versione,
                protocollo: i.protocollo.clone(),
                autore: user.nome_visualizzato().trim().to_owned(),
            };
            // Committed: the open pages learn it even if this request is cancelled now.
            let st = state.clone();
            tokio::spawn(async move { st.eventi.pubblica(&st.db, evento).await });
        }
    }
    Ok(esito)
}

/// What the transaction needs, owned (the writer may run it on its own task).
struct DatiInvio {
    state: AppState,
    ctx: Context,
    user: User,
    ente: Ente,
    modulo: &'static questionario::Modulo,
    questionario_id: i64,
    chiave: String,
    codice: String,
    anno_riferimento: i32,
    ritardo: bool,
}

type Guardia = tokio::sync::OwnedRwLockWriteGuard<Option<Stato>>;

/// The invio's transaction: the outcome, and the new revision when it sent.
async fn transazione(
    tx: &mut Tx,
    mut guardia: Guardia,
    d: DatiInvio,
) -> Result<Result<(Guardia, EsitoInvio, Option<i64>), Errore>, DbError> {
    let Some(q) = questionari::per_modifica(&mut *tx, d.questionario_id).await? else {
        return Ok(Err(Errore::NonTrovato));
    };
    let uid = d.user.id;
    let now = d.ctx.now;
    let inviati = invii::del_questionario(&mut *tx, q.id).await?;
    // The key names one action: this questionnaire's next version (a key cannot answer for another
    // questionnaire, nor for a version after a reopening).
    let chiave_di = |versione: i64| format!("invio:{}:{versione}:{}", q.id, d.chiave);
    // Sent already: by the first request with this key (its invio), or by someone else (the last one). Nothing
    // is written.
    if !q.stato().modificabile() {
        let Some(ultimo) = inviati.last().cloned() else { return Ok(Err(Errore::SolaLettura)) };
        let esito = match idempotency::trova(&mut *tx, uid, &chiave_di(ultimo.versione)).await? {
            Some(_) => EsitoInvio::Inviato(ultimo),
            None => EsitoInvio::GiaInviato(ultimo),
        };
        return Ok(Ok((guardia, esito, None)));
    }
    let nuovo_stato = match q.stato().invia() {
        Ok(s) => s,
        Err(_) => return Ok(Err(Errore::SolaLettura)),
    };
    // Closed meanwhile, perhaps on another node whose event this node has not heard yet.
    if !crate::campagne::aperta_in(&mut *tx, &q.campagna, crate::campagne::predefinita_aperta(&d.state, &q.campagna))
        .await?
    {
        return Ok(Err(Errore::SolaLettura));
    }
    if guardia.as_ref().is_none_or(|s| s.revisione != q.revisione) {
        *guardia = Some(Stato::carica(&mut *tx, d.modulo, &q).await?);
    }
    let Some(s) = guardia.as_ref() else { return Ok(Err(Errore::NonTrovato)) };
    let riepilogo = s.valutazione.riepilogo();
    if !riepilogo.invio_consentito {
        return Ok(Ok((guardia, EsitoInvio::NonConsentito(riepilogo), None)));
    }
    let versione = inviati.last().map_or(1, |i| i.versione + 1);
    let chiave = chiave_di(versione);
    if let Next::Replay(_) = idempotency::start(&mut *tx, uid, &chiave, now).await? {
        // Claimed by an invio of this very version, which then would have made the questionnaire sent: only a
        // row left by hand gets here. Never act twice.
        return Ok(Err(Errore::SolaLettura));
    }
    // Numbered per protocol prefix (code and reference year), which is what makes a protocol code unique even
    // if two campaign folders shared both.
    let numero = invii::prossimo_numero(&mut *tx, &prefisso_protocollo(&d.codice, d.anno_riferimento)).await?;
    let codice_protocollo = protocollo(&d.codice, d.anno_riferimento, numero);
    let mittente = d.user.nome_e_codice();
    let snapshot = fotografia(s, &q, &d.ente, versione, &codice_protocollo, &mittente, now, d.ritardo);
    let sha256 = sha256_hex(&snapshot);
    let impronta = d.modulo.impronta.to_string();
    let revisione = questionari::avanza(&mut *tx, q.id, nuovo_stato, uid, now).await?;
    let id = invii::registra(
        &mut *tx,
        &invii::Nuovo {
            questionario_id: q.id,
            versione,
            revisione,
            campagna: &q.campagna,
            numero,
            protocollo: &codice_protocollo,
            user_id: uid,
            mittente: &mittente,
            inviato_at: now,
            in_ritardo: d.ritardo,
            impronta: &impronta,
            snapshot: &snapshot,
            sha256: &sha256,
        },
    )
    .await?;
    let evento = d.ctx.audit("questionario.invio").target(&q.pubblico).details(serde_json::json!({
        "protocollo": codice_protocollo,
        "versione": versione,
        "sha256": sha256,
        "in_ritardo": d.ritardo,
        "ente": d.ente.codice_ipa,
        "modulo": format!("{} {}", q.codice, q.modulo),
    }));
    audit::record(&mut *tx, &evento).await?;
    let invio = Invio {
        id,
        questionario_id: q.id,
        versione,
        revisione,
        campagna: q.campagna.clone(),
        numero,
        protocollo: codice_protocollo,
        user_id: Some(uid),
        mittente,
        inviato_at: now,
        in_ritardo: d.ritardo,
        impronta,
        snapshot,
        sha256,
    };
    avvisa(tx, &d, &q, &invio).await?;
    crate::db::documenti::accoda(&mut *tx, id, now).await?;
    idempotency::finish(&mut *tx, uid, &chiave, &risposta(versione)).await?;
    Ok(Ok((guardia, EsitoInvio::Inviato(invio), Some(revisione))))
}

/// What the idempotency row keeps: the version the key's request sent.
fn risposta(versione: i64) -> SavedResponse {
    let body = serde_json::json!({ "versione": versione }).to_string().into_bytes();
    SavedResponse { status: 200, headers: Vec::new(), body }
}

/// The `dettaglio` of an invio's notification: `pubblico|versione|protocollo|modulo|mittente`.
fn dettaglio(q: &Questionario, invio: &Invio) -> String {
    format!("{}|{}|{}|{} {}|{}", q.pubblico, invio.versione, invio.protocollo, q.codice, q.modulo, invio.mittente)
}

/// The sentence and the link of an invio's notification in `lang`.
pub fn notifica(lang: Lang, ente: &str, dettaglio: &str) -> (String, String) {
    let parti: Vec<&str> = dettaglio.splitn(5, '|').collect();
    let [pubblico, versione, protocollo, modulo, mittente] = parti[..] else {
        return (lang.t_args("notifica-generica", &[("ente", ente.to_owned())]), "/area-riservata".to_owned());
    };
    let testo = lang.t_args(
        "notifica-inviato",
        &[
            ("modulo", modulo.to_owned()),
            ("ente", ente.to_owned()),
            ("protocollo", protocollo.to_owned()),
            ("mittente", mittente.to_owned()),
        ],
    );
    (testo, format!("/questionari/{pubblico}/invii/{versione}"))
}

/// The bell and the e-mail of everyone who compiles for the ente: the receipt to the sender, a notice to the
/// others. Inside the invio's transaction.
async fn avvisa(tx: &mut Tx, d: &DatiInvio, q: &Questionario, invio: &Invio) -> Result<(), DbError> {
    let state = &d.state;
    let base = state.config.base_url.as_str().trim_end_matches('/');
    let link = format!("{base}/questionari/{}/invii/{}", q.pubblico, invio.versione);
    let verifica = format!("{base}/verifica?protocollo={}", invio.protocollo);
    let dettaglio = dettaglio(q, invio);
    let mut destinatari = associazioni::compilatori(&mut *tx, q.ente_id).await?;
    if !destinatari.iter().any(|r| r.user_id == d.user.id) {
        // An administrator compiling with Compilazione through a responsabile's role is still told.
        destinatari.push(associazioni::Responsabile::from(&d.user));
    }
    for r in &destinatari {
        let nuova = Nuova {
            user_id: r.user_id,
            tipo: TIPO_NOTIFICA,
            ente_id: Some(q.ente_id),
            associazione_id: None,
            dettaglio: &dettaglio,
        };
        notifiche::crea(&mut *tx, &nuova, invio.inviato_at).await?;
        let lang = Lang::from_code(&r.lang).unwrap_or(Lang::It);
        let l = super::lingua(lang);
        let modulo = format!("{} {} — {}", q.codice, q.modulo, d.modulo.titolo.get(l));
        let mail = if r.user_id == d.user.id {
            Email::RicevutaInvio {
                nome: r.nome.clone(),
                ente: d.ente.denominazione.clone(),
                modulo,
                versione: invio.versione.to_string(),
                protocollo: invio.protocollo.clone(),
                sha256: invio.sha256.clone(),
                quando: crate::ora::data_ora(invio.inviato_at),
                in_ritardo: invio.in_ritardo,
                link: link.clone(),
                verifica: verifica.clone(),
            }
        } else {
            Email::Notifica {
                nome: r.nome.clone(),
                oggetto: lang.t_args(
                    "notifica-oggetto-inviato",
                    &[("ente", d.ente.denominazione.clone()), ("modulo", format!("{} {}", q.codice, q.modulo))],
                ),
                testo: notifica(lang, &d.ente.denominazione, &dettaglio).0,
                link: link.clone(),
            }
        };
        outbox::enqueue(&mut *tx, &mail.message(&r.email, lang, &state.config)).await?;
    }
    Ok(())
}

/// Recomputes the SHA-256 of a stored invio's snapshot: equal to the stored hash unless the row was altered.
pub fn verifica_hash(invio: &Invio) -> bool {
    sha256_hex(&invio.snapshot) == invio.sha256
}

/// The public check of a receipt: the invio whose protocol code and hash both match, if any.
pub async fn verifica(state: &AppState, protocollo: &str, sha256: &str) -> Result<Option<Invio>, DbError> {
    let protocollo = protocollo.trim().to_uppercase();
    let sha256 = sha256.trim().to_lowercase();
    if protocollo.is_empty() || protocollo.len() > 64 || sha256.len() != 64 {
        return Ok(None);
    }
    let Some(invio) = invii::by_protocollo(&state.db, &protocollo).await? else { return Ok(None) };
    let uguale = crate::auth::token::constant_time_eq(&invio.sha256, &sha256);
    Ok((uguale && verifica_hash(&invio)).then_some(invio))
}

/// One field that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Differenza {
    /// Quadro code.
    pub quadro: String,
    /// Field address.
    pub indirizzo: String,
    /// Its label.
    pub etichetta: String,
    /// The value before, as a reader sees it ("" blank).
    pub prima: String,
    /// The value after.
    pub dopo: String,
    /// Who last changed it in between ("" when it follows from other fields: a total).
    pub autore: String,
}

/// The values a snapshot froze, by address.
pub fn valori_di(snapshot: &str) -> BTreeMap<String, String> {
    let foto: serde_json::Value = serde_json::from_str(snapshot).unwrap_or_default();
    foto["valori"]
        .as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
        .unwrap_or_default()
}

/// Field by field, what changed from version `versione - 1` to `versione` of `a` (`None`: from the last version
/// sent to the values now, for a reopened questionnaire), in definition order. `None` when there is no such pair.
pub async fn differenze(
    state: &AppState,
    a: &Accesso,
    versione: Option<i64>,
    l: questionario::Lingua,
) -> Result<Option<Vec<Differenza>>, Errore> {
    let m = a.modulo;
    let tutti = invii::del_questionario(&state.db, a.q.id).await?;
    let (prima, dopo, fino) = match versione {
        Some(v) => {
            let (Some(p), Some(d)) =
                (tutti.iter().find(|i| i.versione == v - 1), tutti.iter().find(|i| i.versione == v))
            else {
                return Ok(None);
            };
            (p.clone(), valori_di(&d.snapshot), Some(d.revisione))
        }
        None => {
            let Some(p) = tutti.last() else { return Ok(None) };
            let guardia = super::valutazione(state, a).await?;
            let Some(s) = guardia.as_ref() else { return Ok(None) };
            let ora = m
                .campi
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let v = s.valutazione.valore(i as questionario::IdCampo).and_then(Valore::canonico)?;
                    Some((c.indirizzo.clone(), v))
                })
                .collect();
            (p.clone(), ora, None)
        }
    };
    let vecchi = valori_di(&prima.snapshot);
    let autori = questionari::autori_tra(&state.db, a.q.id, prima.revisione, fino).await?;
    Ok(Some(confronta(m, &vecchi, &dopo, &autori, l)))
}

/// Field by field, in definition order, what differs between two sets of values (by address, canonical form),
/// with who last changed each.
pub fn confronta(
    m: &questionario::Modulo,
    vecchi: &BTreeMap<String, String>,
    nuovi: &BTreeMap<String, String>,
    autori: &std::collections::HashMap<String, String>,
    l: questionario::Lingua,
) -> Vec<Differenza> {
    let mostra = |id: questionario::IdCampo, v: Option<&String>| {
        let valore = v.map(|t| m.leggi_canonico(id, t).unwrap_or_default());
        super::valori::mostra(m, valore.as_ref(), id, l)
    };
    let mut out = Vec::new();
    for (i, c) in m.campi.iter().enumerate() {
        let (p, d) = (vecchi.get(&c.indirizzo), nuovi.get(&c.indirizzo));
        if p == d {
            continue;
        }
        let id = i as questionario::IdCampo;
        out.push(Differenza {
            quadro: m.quadri[c.quadro].codice.clone(),
            indirizzo: c.indirizzo.clone(),
            etichetta: c.etichetta.get(l).to_owned(),
            prima: mostra(id, p),
            dopo: mostra(id, d),
            autore: autori.get(&c.indirizzo).cloned().unwrap_or_default(),
        });
    }
    out
}
