//! Gestione → Monitoraggio: every ente × modulo of a campaign with where it stands (not started, compiling with
//! its completion, sent on time or late, reopening asked, reopened), filtered, counted, sorted and charted.
//!
//! One ente × modulo is a [`Riga`] whether or not its questionnaire was ever stored (questionnaires are stored the
//! first time they are needed, so most of 8,000 enti have none before the deadline nears): the rows are the enti
//! whose type compiles the modulo, joined in memory with the campaign's stored questionnaires and invii.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use crate::app::AppState;
use crate::catalogo::Campagna;
use crate::db::DbError;
use crate::db::monitoraggio::{self, Ente};
use crate::domain::{StatoQuestionario, provincia};
use crate::i18n::Lang;

/// Where an ente × modulo stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Situazione {
    /// No value saved yet.
    NonIniziato,
    /// Compiling.
    InCompilazione,
    /// Sent by the deadline.
    InviatoInTempo,
    /// Sent after the deadline.
    InviatoInRitardo,
    /// Sent, reopening asked.
    RiaperturaRichiesta,
    /// Reopened: compiling again.
    Riaperto,
    /// Its campaign closed before it was sent.
    Chiuso,
}

impl Situazione {
    /// Every state, in the order the counts show them.
    pub const TUTTE: [Situazione; 7] = [
        Situazione::NonIniziato,
        Situazione::InCompilazione,
        Situazione::InviatoInTempo,
        Situazione::InviatoInRitardo,
        Situazione::RiaperturaRichiesta,
        Situazione::Riaperto,
        Situazione::Chiuso,
    ];

    /// The code in query strings.
    pub fn code(self) -> &'static str {
        match self {
            Situazione::NonIniziato => "non_iniziato",
            Situazione::InCompilazione => "in_compilazione",
            Situazione::InviatoInTempo => "inviato",
            Situazione::InviatoInRitardo => "inviato_in_ritardo",
            Situazione::RiaperturaRichiesta => "riapertura_richiesta",
            Situazione::Riaperto => "riaperto",
            Situazione::Chiuso => "chiuso",
        }
    }

    /// The state for a code.
    pub fn from_code(code: &str) -> Option<Situazione> {
        Situazione::TUTTE.into_iter().find(|s| s.code() == code)
    }

    /// The label in `lang`.
    pub fn etichetta(self, lang: Lang) -> String {
        lang.t(&format!("monitoraggio-stato-{}", self.code().replace('_', "-")))
    }

    /// Sent (and not being compiled again).
    pub fn inviato(self) -> bool {
        matches!(self, Situazione::InviatoInTempo | Situazione::InviatoInRitardo | Situazione::RiaperturaRichiesta)
    }
}

/// The registry as the monitoring reads it, kept by each node and rebuilt when the registry's version moves (an
/// import on any node moves it): a page reads one row for the version instead of 8,000 enti.
#[derive(Debug, Default)]
pub struct Anagrafe {
    copia: RwLock<Option<Arc<Copia>>>,
}

/// One copy of the registry.
#[derive(Debug)]
pub struct Copia {
    versione: i64,
    /// Every ente, by name.
    pub enti: Vec<Arc<Ente>>,
    /// The regions, sorted.
    pub regioni: Vec<String>,
    /// The provinces as (name, code), by name.
    pub province: Vec<(String, String)>,
}

impl Anagrafe {
    /// The copy at the registry's current version.
    pub async fn attuale(&self, db: &crate::db::Db) -> Result<Arc<Copia>, DbError> {
        let versione = crate::db::enti::versione(db).await?;
        if let Some(c) = self.copia.read().ok().and_then(|c| c.clone())
            && c.versione == versione
        {
            return Ok(c);
        }
        let mut enti = monitoraggio::enti(db).await?;
        let mut regioni = BTreeSet::new();
        let mut province = BTreeSet::new();
        for e in &mut enti {
            e.provincia = provincia::codice(e.codice_istat.as_deref()).map(str::to_owned);
            if let Some(r) = &e.regione {
                regioni.insert(r.clone());
            }
            if let Some(p) = &e.provincia {
                province.insert(p.clone());
            }
        }
        let mut province: Vec<(String, String)> = province.into_iter().map(|p| (provincia::nome(&p), p)).collect();
        province.sort();
        let c = Arc::new(Copia {
            versione,
            enti: enti.into_iter().map(Arc::new).collect(),
            regioni: regioni.into_iter().collect(),
            province,
        });
        if let Ok(mut w) = self.copia.write() {
            *w = Some(c.clone());
        }
        Ok(c)
    }
}

/// One ente × modulo.
#[derive(Debug, Clone)]
pub struct Riga {
    /// The ente.
    pub ente: Arc<Ente>,
    /// Modulo code.
    pub modulo: Arc<str>,
    /// Where it stands.
    pub situazione: Situazione,
    /// Completion in percent (0 when nothing was stored).
    pub completamento: i64,
    /// Open bloccanti.
    pub bloccanti: i64,
    /// Squadrature not justified.
    pub squadrature: i64,
    /// The first invio (Unix seconds).
    pub primo_invio: Option<i64>,
    /// The last invio.
    pub ultimo_invio: Option<i64>,
    /// Late: sent after the deadline, or not sent and the deadline has passed.
    pub in_ritardo: bool,
}

/// Every ente × modulo of `campagna`, by ente name then modulo.
pub async fn righe(state: &AppState, campagna: &Campagna) -> Result<Vec<Riga>, DbError> {
    let anagrafe = state.anagrafe.attuale(&state.db).await?;
    let questionari = monitoraggio::questionari(&state.db, &campagna.id).await?;
    let invii = monitoraggio::invii(&state.db, &campagna.id).await?;
    // Per questionnaire: first invio, and the last one with its lateness.
    let mut date: HashMap<i64, (i64, (i64, i64, bool))> = HashMap::with_capacity(invii.len());
    for (q, versione, quando, ritardo) in invii {
        let e = date.entry(q).or_insert((quando, (versione, quando, ritardo)));
        e.0 = e.0.min(quando);
        if versione > e.1.0 {
            e.1 = (versione, quando, ritardo);
        }
    }
    let mut stored: HashMap<(i64, &str), &monitoraggio::Questionario> = HashMap::with_capacity(questionari.len());
    for q in &questionari {
        stored.insert((q.ente_id, q.modulo.as_str()), q);
    }
    let scaduta = crate::ora::oggi(state.clock.now()) > campagna.scadenza();
    let chiusa = campagna.stato() == crate::catalogo::StatoCampagna::Chiusa;
    let codici: Vec<Arc<str>> = campagna.moduli.iter().map(|m| Arc::from(m.codice.as_str())).collect();
    let mut out = Vec::with_capacity(anagrafe.enti.len() * campagna.moduli.len());
    for e in &anagrafe.enti {
        for (m, codice) in campagna.moduli.iter().zip(&codici) {
            let q = stored.get(&(e.id, m.codice.as_str()));
            // An ente that does not compile the modulo, or left the registry without starting it, is not listed.
            if q.is_none() && !(e.attivo && m.per_tipo(&e.tipo)) {
                continue;
            }
            let invio = q.and_then(|q| date.get(&q.id));
            let stato = q.map_or(StatoQuestionario::Aperto, |q| {
                StatoQuestionario::try_from(q.stato.clone()).unwrap_or(StatoQuestionario::Chiuso)
            });
            let tardi = invio.is_some_and(|(_, (_, _, r))| *r);
            let situazione = match stato {
                // A closed campaign's questionnaires not sent stay so.
                StatoQuestionario::Aperto | StatoQuestionario::InCompilazione | StatoQuestionario::Riaperto
                    if chiusa =>
                {
                    Situazione::Chiuso
                }
                StatoQuestionario::Aperto => Situazione::NonIniziato,
                StatoQuestionario::InCompilazione => Situazione::InCompilazione,
                StatoQuestionario::Inviato if tardi => Situazione::InviatoInRitardo,
                StatoQuestionario::Inviato => Situazione::InviatoInTempo,
                StatoQuestionario::RiaperturaRichiesta => Situazione::RiaperturaRichiesta,
                StatoQuestionario::Riaperto => Situazione::Riaperto,
                StatoQuestionario::Chiuso => Situazione::Chiuso,
            };
            out.push(Riga {
                ente: e.clone(),
                modulo: codice.clone(),
                situazione,
                completamento: q.map_or(0, |q| q.completamento),
                bloccanti: q.map_or(0, |q| q.bloccanti),
                squadrature: q.map_or(0, |q| q.squadrature),
                primo_invio: invio.map(|(p, _)| *p),
                ultimo_invio: invio.map(|(_, (_, u, _))| *u),
                in_ritardo: if situazione.inviato() { tardi } else { scaduta },
            });
        }
    }
    Ok(out)
}

/// What the administrator filters by; empty strings and `false` leave a criterion out.
#[derive(Debug, Clone, Default)]
pub struct Filtro {
    /// Modulo code.
    pub modulo: String,
    /// Region, as stored.
    pub regione: String,
    /// Province code.
    pub provincia: String,
    /// Ente type code.
    pub tipo: String,
    /// State.
    pub situazione: Option<Situazione>,
    /// Only late ones.
    pub ritardo: bool,
    /// Only with open bloccanti.
    pub bloccanti: bool,
    /// Only with squadrature not justified.
    pub squadrature: bool,
    /// Words of the ente's name or its IPA code.
    pub testo: String,
}

impl Filtro {
    /// Whether `r` passes every criterion (the state's too unless `senza_stato`: the counts ignore it).
    pub fn ammette(&self, r: &Riga, parole: &[String], senza_stato: bool) -> bool {
        (self.modulo.is_empty() || *r.modulo == *self.modulo)
            && (self.regione.is_empty() || r.ente.regione.as_deref() == Some(self.regione.as_str()))
            && (self.provincia.is_empty() || r.ente.provincia.as_deref() == Some(self.provincia.as_str()))
            && (self.tipo.is_empty() || r.ente.tipo == self.tipo)
            && (senza_stato || self.situazione.is_none_or(|s| r.situazione == s))
            && (!self.ritardo || r.in_ritardo)
            && (!self.bloccanti || r.bloccanti > 0)
            && (!self.squadrature || r.squadrature > 0)
            && (r.ente.codice_ipa.eq_ignore_ascii_case(self.testo.trim())
                || parole.iter().all(|p| r.ente.search_key.contains(p.as_str())))
    }

    /// The free text as the search keys are written.
    pub fn parole(&self) -> Vec<String> {
        crate::db::enti::parole(&self.testo)
    }
}

/// The column a list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ordine {
    /// Ente name (the default).
    #[default]
    Ente,
    /// Region, then name.
    Regione,
    /// Province, then name.
    Provincia,
    /// State.
    Stato,
    /// Completion.
    Completamento,
    /// Last invio.
    Invio,
}

impl Ordine {
    /// Every column, as the query string names it.
    pub const TUTTI: [(Ordine, &'static str); 6] = [
        (Ordine::Ente, "ente"),
        (Ordine::Regione, "regione"),
        (Ordine::Provincia, "provincia"),
        (Ordine::Stato, "stato"),
        (Ordine::Completamento, "completamento"),
        (Ordine::Invio, "invio"),
    ];

    /// The column for a code (the default for anything else).
    pub fn from_code(code: &str) -> Ordine {
        Ordine::TUTTI.iter().find(|(_, c)| *c == code).map_or(Ordine::Ente, |(o, _)| *o)
    }

    /// The code.
    pub fn code(self) -> &'static str {
        Ordine::TUTTI.iter().find(|(o, _)| *o == self).map_or("ente", |(_, c)| c)
    }
}

/// Sorts `righe` by `ordine` (descending when `discendente`), ties by ente name and modulo.
pub fn ordina(righe: &mut [&Riga], ordine: Ordine, discendente: bool) {
    righe.sort_by(|a, b| {
        let primo = match ordine {
            Ordine::Ente => std::cmp::Ordering::Equal,
            Ordine::Regione => a.ente.regione.cmp(&b.ente.regione),
            Ordine::Provincia => a.ente.provincia.cmp(&b.ente.provincia),
            Ordine::Stato => a.situazione.cmp(&b.situazione),
            Ordine::Completamento => a.completamento.cmp(&b.completamento),
            Ordine::Invio => a.ultimo_invio.cmp(&b.ultimo_invio),
        };
        let o = primo
            .then_with(|| a.ente.search_key.cmp(&b.ente.search_key))
            .then_with(|| a.ente.id.cmp(&b.ente.id))
            .then_with(|| a.modulo.cmp(&b.modulo));
        if discendente { o.reverse() } else { o }
    });
}

/// Per state, the rows that pass every criterion but the state.
pub fn conteggi<'r>(righe: impl Iterator<Item = &'r Riga>) -> BTreeMap<Situazione, i64> {
    let mut out: BTreeMap<Situazione, i64> = Situazione::TUTTE.into_iter().map(|s| (s, 0)).collect();
    for r in righe {
        *out.entry(r.situazione).or_default() += 1;
    }
    out
}

/// Invii per period (Rome days), the first invio of each row, from the campaign's opening (or the first invio, if
/// earlier) to the later of its deadline and the last invio: one day per bar, or as many days per bar as keep
/// the chart within [`BARRE_MAX`] bars. Each period: first day, last day, invii.
pub fn invii_per_periodo<'r>(
    righe: impl Iterator<Item = &'r Riga>,
    campagna: &Campagna,
) -> Vec<(time::Date, time::Date, i64)> {
    let mut per_giorno: BTreeMap<time::Date, i64> = BTreeMap::new();
    for r in righe {
        if let Some(p) = r.primo_invio {
            *per_giorno.entry(crate::ora::oggi(p)).or_default() += 1;
        }
    }
    let inizio = campagna.apertura().min(per_giorno.keys().next().copied().unwrap_or(campagna.apertura()));
    let fine = campagna.scadenza().max(per_giorno.keys().next_back().copied().unwrap_or(campagna.scadenza()));
    let giorni = (fine - inizio).whole_days() + 1;
    let passo = (giorni + BARRE_MAX - 1) / BARRE_MAX;
    let mut out = Vec::new();
    let mut da = inizio;
    while da <= fine {
        let a = da.checked_add(time::Duration::days(passo - 1)).unwrap_or(fine).min(fine);
        let n = per_giorno.range(da..=a).map(|(_, n)| n).sum();
        out.push((da, a, n));
        match a.next_day() {
            Some(d) => da = d,
            None => break,
        }
    }
    out
}

/// The most bars the daily chart draws (at 720 units wide, at least 5 each).
pub const BARRE_MAX: i64 = 120;

/// Per region (unknown last): rows sent, and rows.
pub fn inviati_per_regione<'r>(righe: impl Iterator<Item = &'r Riga>) -> Vec<(String, i64, i64)> {
    let mut per: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in righe {
        let e = per.entry(r.ente.regione.clone().unwrap_or_default()).or_default();
        e.1 += 1;
        if r.situazione.inviato() {
            e.0 += 1;
        }
    }
    let mut out: Vec<(String, i64, i64)> = per.into_iter().map(|(k, (s, t))| (k, s, t)).collect();
    // Named regions first, alphabetically; the enti without one last.
    out.sort_by(|a, b| a.0.is_empty().cmp(&b.0.is_empty()).then_with(|| a.0.cmp(&b.0)));
    out
}
