//! A loaded questionnaire modulo: quadri, sections, fields, tables, rules, and the dependency graph among them.
//! Built only by [`crate::carica`], so everything here has been checked.

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::espressione::{Espr, TipoEspr};
use crate::valore::Testo;

/// The kind of value a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tipo {
    /// A whole number (counts).
    Intero,
    /// A decimal number with at most this many digits after the point.
    Decimale(u32),
    /// Euro and cents.
    Euro,
    /// 0–100, at most two decimals.
    Percentuale,
    /// SI / NO.
    SiNo,
    /// One of the options.
    Scelta(Vec<Opzione>),
    /// Free text up to this many characters.
    Testo(u32),
    /// A calendar date.
    Data,
}

impl Tipo {
    /// The type the field has in expressions.
    pub fn in_espressione(&self) -> TipoEspr {
        match self {
            Tipo::Intero | Tipo::Decimale(_) | Tipo::Euro | Tipo::Percentuale => TipoEspr::Numero,
            Tipo::SiNo => TipoEspr::Booleano,
            Tipo::Scelta(_) | Tipo::Testo(_) => TipoEspr::Testo,
            Tipo::Data => TipoEspr::Data,
        }
    }

    /// Digits after the point, for numbers.
    pub fn decimali(&self) -> Option<u32> {
        match self {
            Tipo::Intero => Some(0),
            Tipo::Decimale(d) => Some(*d),
            Tipo::Euro | Tipo::Percentuale => Some(2),
            _ => None,
        }
    }

    /// The name used in definition files.
    pub fn nome(&self) -> &'static str {
        match self {
            Tipo::Intero => "intero",
            Tipo::Decimale(_) => "decimale",
            Tipo::Euro => "euro",
            Tipo::Percentuale => "percentuale",
            Tipo::SiNo => "si_no",
            Tipo::Scelta(_) => "scelta",
            Tipo::Testo(_) => "testo",
            Tipo::Data => "data",
        }
    }
}

/// An option of a `scelta` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opzione {
    /// The code stored and used in expressions.
    pub codice: String,
    /// The label shown.
    pub etichetta: Testo,
}

/// How serious a rule's violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gravita {
    /// Invio is impossible while it is violated.
    Bloccante,
    /// Invio is allowed once the compiler justifies it.
    Squadratura,
    /// Informative.
    Avviso,
}

/// Field number within a modulo: the index into [`Modulo::campi`] and into the values of an evaluation.
pub type IdCampo = u32;

/// A field (a single input, a table cell, a calculated value or a quadro's Annotazioni).
#[derive(Debug, Clone)]
pub struct Campo {
    /// Address: `D11` or `D11.B`.
    pub indirizzo: String,
    /// Label; for a table cell, "row label — column label".
    pub etichetta: Testo,
    /// Help text.
    pub aiuto: Option<Testo>,
    /// Kind of value.
    pub tipo: Tipo,
    /// Unit shown after the value.
    pub unita: Option<String>,
    /// Inclusive lower bound.
    pub min: Option<Decimal>,
    /// Inclusive upper bound.
    pub max: Option<Decimal>,
    /// Required when relevant.
    pub obbligatorio: bool,
    /// Relevance: the field's own condition and those of its section and quadro, joined with `and`.
    pub rilevante: Option<Espr>,
    /// A value computed by the engine.
    pub calcolo: Option<Espr>,
    /// The external source that supplies the value.
    pub precompilato: Option<String>,
    /// Index of the quadro in [`Modulo::quadri`].
    pub quadro: usize,
}

/// A quadro (`D`, `Q1`).
#[derive(Debug, Clone)]
pub struct Quadro {
    /// Letter or code.
    pub codice: String,
    /// Title.
    pub titolo: Testo,
    /// Instructions.
    pub istruzioni: Option<Testo>,
    /// Sections, in order.
    pub sezioni: Vec<Sezione>,
    /// The Annotazioni text box.
    pub annotazioni: IdCampo,
}

/// A section of a quadro.
#[derive(Debug, Clone)]
pub struct Sezione {
    /// Title.
    pub titolo: Testo,
    /// Instructions.
    pub istruzioni: Option<Testo>,
    /// Single fields, in order.
    pub campi: Vec<IdCampo>,
    /// Tables, after the fields.
    pub tabelle: Vec<Tabella>,
}

/// A grid of cells.
#[derive(Debug, Clone)]
pub struct Tabella {
    /// Identifier within the modulo.
    pub id: String,
    /// Title.
    pub titolo: Testo,
    /// Rows: rigo and label (the total row last, when present).
    pub righe: Vec<(String, Testo)>,
    /// Columns: code and label (the total column last, when present).
    pub colonne: Vec<(String, Testo)>,
    /// `celle[riga][colonna]`.
    pub celle: Vec<Vec<IdCampo>>,
}

/// A rule (after `per_ogni` expansion).
#[derive(Debug, Clone)]
pub struct Regola {
    /// Identifier, unique within the modulo.
    pub id: String,
    /// Severity.
    pub gravita: Gravita,
    /// Must hold.
    pub condizione: Espr,
    /// The rule is checked only when this holds.
    pub quando: Option<Espr>,
    /// The fields the rule concerns.
    pub campi: Vec<IdCampo>,
    /// The message, with placeholders resolved.
    pub messaggio: Messaggio,
}

/// A rule's message: text with field values quoted.
#[derive(Debug, Clone)]
pub struct Messaggio {
    /// Italian parts.
    pub it: Vec<Parte>,
    /// English parts.
    pub en: Vec<Parte>,
}

/// A piece of a message.
#[derive(Debug, Clone)]
pub enum Parte {
    /// Literal text.
    Testo(String),
    /// The value of a field.
    Campo(IdCampo),
}

/// What identifies a modulo in the catalogue. A campaign may reuse another's definition file (FC60U 2019 uses
/// FC80U 2022's), so the campaign is part of the key: the same file in two campaigns gives two distinct moduli.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ChiaveModulo {
    /// Campaign folder (`fc60u-2019`).
    pub campagna: String,
    /// Questionnaire code (`FC60U`).
    pub codice: String,
    /// Modulo code (`A`).
    pub modulo: String,
}

impl ChiaveModulo {
    /// The key of modulo `modulo` of questionnaire `codice` in the campaign folder `campagna`.
    pub fn new(campagna: impl Into<String>, codice: impl Into<String>, modulo: impl Into<String>) -> ChiaveModulo {
        ChiaveModulo { campagna: campagna.into(), codice: codice.into(), modulo: modulo.into() }
    }
}

impl fmt::Display for ChiaveModulo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.campagna, self.codice, self.modulo)
    }
}

/// The SHA-256 of the exact bytes of the definition file a modulo was loaded from. Stored with each sent snapshot,
/// it says which definition the answers were checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Impronta(pub [u8; 32]);

impl Impronta {
    /// The fingerprint of `sorgente`.
    pub fn di(sorgente: &[u8]) -> Impronta {
        Impronta(Sha256::digest(sorgente).into())
    }
}

impl fmt::Display for Impronta {
    /// Lowercase hexadecimal, 64 characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Serialize for Impronta {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A loaded modulo of a questionnaire.
#[derive(Debug, Clone)]
pub struct Modulo {
    /// Questionnaire code (`FC80U`).
    pub codice: String,
    /// Modulo code (`A`, `SOCIALE`).
    pub modulo: String,
    /// Campaign folder it was loaded from.
    pub campagna: String,
    /// Year the data refer to.
    pub anno_riferimento: i32,
    /// Year of compilation.
    pub anno_compilazione: i32,
    /// Title.
    pub titolo: Testo,
    /// Instructions above the first quadro.
    pub istruzioni: Option<Testo>,
    /// Authors' notes.
    pub note: Option<String>,
    /// SHA-256 of the definition file (the same for every campaign that reuses the file).
    pub impronta: Impronta,
    /// Quadri, in order.
    pub quadri: Vec<Quadro>,
    /// Every field; [`IdCampo`] indexes it.
    pub campi: Vec<Campo>,
    /// Rules, in order.
    pub regole: Vec<Regola>,
    /// Rules as written, before `per_ogni` repeats them.
    pub regole_scritte: usize,
    pub(crate) indirizzi: HashMap<String, IdCampo>,
    /// `regole_campo[id]`: the rules whose `campi` list field `id`.
    pub(crate) regole_campo: Vec<Vec<usize>>,
    pub(crate) grafo: Grafo,
}

impl Modulo {
    /// The key that identifies this modulo in the catalogue: campaign, questionnaire, modulo.
    pub fn chiave(&self) -> ChiaveModulo {
        ChiaveModulo::new(&self.campagna, &self.codice, &self.modulo)
    }

    /// The field at `indirizzo`.
    pub fn id(&self, indirizzo: &str) -> Option<IdCampo> {
        self.indirizzi.get(indirizzo).copied()
    }

    /// The field number `id`, or `None` when this modulo has no such field.
    pub fn campo(&self, id: IdCampo) -> Option<&Campo> {
        self.campi.get(id as usize)
    }

    /// The rules that concern field `id` (those whose `campi` list it, as indexes into [`Modulo::regole`]): the
    /// rules a page shows next to the field. Empty for a number that is not a field.
    pub fn regole_del_campo(&self, id: IdCampo) -> &[usize] {
        self.regole_campo.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// The number of tables.
    pub fn tabelle(&self) -> usize {
        self.quadri.iter().flat_map(|q| &q.sezioni).map(|s| s.tabelle.len()).sum()
    }
}

/// Who depends on whom: built once at load, used by incremental evaluation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grafo {
    /// Fields in an order where every field comes after those its relevance and calculation read.
    pub ordine: Vec<IdCampo>,
    /// `rango[id]`: the position of `id` in `ordine`.
    pub rango: Vec<u32>,
    /// `dipendenti[id]`: fields whose relevance or calculation reads `id`.
    pub dipendenti: Vec<Vec<IdCampo>>,
    /// `regole_di[id]`: rules whose condition or `quando` reads `id`.
    pub regole_di: Vec<Vec<u32>>,
    /// `messaggi_di[id]`: rules whose message quotes `id`.
    pub messaggi_di: Vec<Vec<u32>>,
}
