//! Evaluating answers: reading each value for its field's type, computing relevance and calculated fields in
//! dependency order, checking rules, and the report. After a full evaluation, [`Valutazione::imposta`] re-checks
//! only what depends on the changed field and says what changed ([`Delta`]); [`Compatto`] is the state, or a
//! change, in the compact form a compile page reads.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::modello::{Campo, Gravita, IdCampo, Impronta, Modulo, Parte, Tipo};
use crate::valore::{Data, Lingua, Valore};

/// Why an answer was refused for its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErroreValore {
    /// Not a number.
    NonNumero,
    /// A count with decimals.
    NonIntero,
    /// More digits after the separator than the field allows.
    Decimali(u32),
    /// Written with thousands separators.
    Migliaia,
    /// Typed with one thousands separator followed by three digits and no decimal separator (`1.234` on an
    /// Italian page): a thousands separator or a decimal one. Both readings, to show how to write each.
    Ambiguo {
        /// What was typed.
        scritto: String,
        /// The reading with a thousands separator (`1234`).
        migliaia: Decimal,
        /// The reading with a decimal separator (`1.234`, its three decimals kept).
        decimale: Decimal,
    },
    /// Typed with separators out of place: thousands not in groups of three (`12.34.5`), or more than one decimal
    /// separator.
    Gruppi,
    /// Typed with the two separators the other language's way (`1,234.56` on an Italian page): the number so read,
    /// to show how to write it.
    SeparatoriInvertiti(Decimal),
    /// Below the minimum.
    Minimo(Decimal),
    /// Above the maximum.
    Massimo(Decimal),
    /// Not SI or NO.
    SiNo,
    /// Not one of the options (their codes).
    Opzione(Vec<String>),
    /// Longer than allowed.
    Lunghezza(u32),
    /// Not a date that exists.
    Data,
    /// A calculated field was given a value.
    Calcolato,
    /// A list or an object where a value is expected.
    Forma,
    /// The address is not a field of the modulo.
    Sconosciuto,
    /// Relevant, required and blank.
    Obbligatorio,
}

impl ErroreValore {
    /// What to tell the compiler, in `lingua`.
    pub fn messaggio(&self, lingua: Lingua) -> String {
        let it = lingua == Lingua::It;
        match self {
            ErroreValore::NonNumero if it => {
                "Non è un numero: scrivere solo cifre, con la virgola per i decimali.".into()
            }
            ErroreValore::NonNumero => "Not a number: write digits only, with a decimal separator if needed.".into(),
            ErroreValore::NonIntero if it => "Scrivere un numero intero, senza decimali.".into(),
            ErroreValore::NonIntero => "Write a whole number, without decimals.".into(),
            ErroreValore::Decimali(d) if it => format!("Al massimo {d} cifre dopo la virgola."),
            ErroreValore::Decimali(d) => format!("At most {d} digits after the decimal separator."),
            ErroreValore::Migliaia if it => {
                "Scrivere il numero senza separatori delle migliaia (1234,56 e non 1.234,56).".into()
            }
            ErroreValore::Migliaia => "Write the number without thousands separators (1234.56, not 1,234.56).".into(),
            ErroreValore::Ambiguo { scritto, migliaia, decimale } if it => format!(
                "Il valore «{scritto}» è ambiguo: può essere {} oppure {}; scrivere quello inteso.",
                cifre(*migliaia, lingua),
                cifre(*decimale, lingua)
            ),
            ErroreValore::Ambiguo { scritto, migliaia, decimale } => format!(
                "The value \"{scritto}\" is ambiguous: it may be {} or {}; write the one you mean.",
                cifre(*migliaia, lingua),
                cifre(*decimale, lingua)
            ),
            ErroreValore::Gruppi if it => "Separatori fuori posto: il punto divide le migliaia in gruppi di tre cifre \
                                           (1.234.567) e la virgola separa i decimali (1.234,56)."
                .into(),
            ErroreValore::Gruppi => "Separators out of place: commas split thousands into groups of three digits \
                                     (1,234,567) and a point separates the decimals (1,234.56)."
                .into(),
            ErroreValore::SeparatoriInvertiti(n) if it => format!(
                "Separatori scambiati: si scrive {} (il punto per le migliaia, la virgola per i decimali).",
                Valore::Numero(*n).mostra(lingua, Some(n.scale()))
            ),
            ErroreValore::SeparatoriInvertiti(n) => format!(
                "Separators swapped: write {} (commas for thousands, a point for decimals).",
                Valore::Numero(*n).mostra(lingua, Some(n.scale()))
            ),
            ErroreValore::Minimo(m) if it => format!("Il valore minimo è {}.", Valore::Numero(*m).mostra(lingua, None)),
            ErroreValore::Minimo(m) => format!("The minimum is {}.", Valore::Numero(*m).mostra(lingua, None)),
            ErroreValore::Massimo(m) if it => {
                format!("Il valore massimo è {}.", Valore::Numero(*m).mostra(lingua, None))
            }
            ErroreValore::Massimo(m) => format!("The maximum is {}.", Valore::Numero(*m).mostra(lingua, None)),
            ErroreValore::SiNo if it => "Rispondere SI o NO.".into(),
            ErroreValore::SiNo => "Answer YES or NO (SI or NO).".into(),
            ErroreValore::Opzione(codici) if it => format!("Scegliere una delle opzioni: {}.", codici.join(", ")),
            ErroreValore::Opzione(codici) => format!("Choose one of the options: {}.", codici.join(", ")),
            ErroreValore::Lunghezza(n) if it => format!("Al massimo {n} caratteri."),
            ErroreValore::Lunghezza(n) => format!("At most {n} characters."),
            ErroreValore::Data if it => "Non è una data esistente: scrivere GG/MM/AAAA (es. 31/12/2023).".into(),
            ErroreValore::Data => "Not a date that exists: write YYYY-MM-DD (e.g. 2023-12-31).".into(),
            ErroreValore::Calcolato if it => "Campo calcolato dal sistema: non si compila.".into(),
            ErroreValore::Calcolato => "Calculated by the system: it cannot be filled in.".into(),
            ErroreValore::Forma if it => "Valore non valido per questo campo.".into(),
            ErroreValore::Forma => "Not a valid value for this field.".into(),
            ErroreValore::Sconosciuto if it => "Campo inesistente in questo modulo.".into(),
            ErroreValore::Sconosciuto => "No such field in this modulo.".into(),
            ErroreValore::Obbligatorio if it => "Campo obbligatorio.".into(),
            ErroreValore::Obbligatorio => "Required field.".into(),
        }
    }
}

impl Modulo {
    /// Reads an answer typed by a person (web form, spreadsheet cell) for field `id`.
    pub fn interpreta_testo(&self, id: IdCampo, testo: &str) -> Result<Valore, ErroreValore> {
        let campo = self.campo(id).ok_or(ErroreValore::Sconosciuto)?;
        if campo.calcolo.is_some() {
            return Err(ErroreValore::Calcolato);
        }
        let testo = testo.trim();
        if testo.is_empty() {
            return Ok(Valore::Vuoto);
        }
        match &campo.tipo {
            Tipo::Intero | Tipo::Decimale(_) | Tipo::Euro | Tipo::Percentuale => numero_del_campo(campo, testo),
            Tipo::SiNo => match testo.to_ascii_uppercase().as_str() {
                "SI" | "SÌ" | "S" | "YES" | "TRUE" | "1" => Ok(Valore::Booleano(true)),
                "NO" | "N" | "FALSE" | "0" => Ok(Valore::Booleano(false)),
                _ if testo.eq_ignore_ascii_case("sì") => Ok(Valore::Booleano(true)),
                _ => Err(ErroreValore::SiNo),
            },
            Tipo::Scelta(opzioni) => match opzioni.iter().find(|o| o.codice == testo) {
                Some(o) => Ok(Valore::Testo(o.codice.as_str().into())),
                None => Err(ErroreValore::Opzione(opzioni.iter().map(|o| o.codice.clone()).collect())),
            },
            Tipo::Testo(max) => {
                if testo.chars().count() > *max as usize {
                    return Err(ErroreValore::Lunghezza(*max));
                }
                Ok(Valore::Testo(testo.into()))
            }
            Tipo::Data => Data::leggi(testo).map(Valore::Data).ok_or(ErroreValore::Data),
        }
    }

    /// Reads back a value stored in canonical form ([`Valore::canonico`]: an invio's snapshot, a history row) for
    /// field `id`, calculated fields included and without checking bounds: it was checked when it was written.
    /// `None` when the text is not a value of the field's type.
    pub fn leggi_canonico(&self, id: IdCampo, testo: &str) -> Option<Valore> {
        let campo = self.campo(id)?;
        let testo = testo.trim();
        if testo.is_empty() {
            return Some(Valore::Vuoto);
        }
        match &campo.tipo {
            Tipo::Intero | Tipo::Decimale(_) | Tipo::Euro | Tipo::Percentuale => {
                testo.parse::<Decimal>().ok().map(Valore::Numero)
            }
            Tipo::SiNo => match testo {
                "SI" => Some(Valore::Booleano(true)),
                "NO" => Some(Valore::Booleano(false)),
                _ => None,
            },
            Tipo::Scelta(_) | Tipo::Testo(_) => Some(Valore::Testo(testo.into())),
            Tipo::Data => Data::leggi(testo).map(Valore::Data),
        }
    }

    /// Reads an answer from JSON for field `id`: numbers, strings, booleans, `null` for blank.
    pub fn interpreta_json(&self, id: IdCampo, valore: &serde_json::Value) -> Result<Valore, ErroreValore> {
        let campo = self.campo(id).ok_or(ErroreValore::Sconosciuto)?;
        match valore {
            serde_json::Value::Null => {
                if campo.calcolo.is_some() {
                    Err(ErroreValore::Calcolato)
                } else {
                    Ok(Valore::Vuoto)
                }
            }
            serde_json::Value::Bool(b) => match campo.tipo {
                Tipo::SiNo => self.interpreta_testo(id, if *b { "SI" } else { "NO" }),
                _ => Err(ErroreValore::Forma),
            },
            // Without serde_json's arbitrary precision a JSON number is an f64; its shortest decimal text is what
            // the file said for any amount with up to 15 significant digits. Strings carry any precision.
            serde_json::Value::Number(n) => match campo.tipo {
                Tipo::SiNo => match n.as_u64() {
                    Some(0) => self.interpreta_testo(id, "NO"),
                    Some(1) => self.interpreta_testo(id, "SI"),
                    _ => Err(ErroreValore::SiNo),
                },
                _ => self.interpreta_testo(id, &n.to_string()),
            },
            serde_json::Value::String(s) => self.interpreta_testo(id, s),
            _ => Err(ErroreValore::Forma),
        }
    }

    /// Reads what a person typed in a compile page for field `id`, in the page's language. Numbers are read the
    /// way `lingua` writes them, and never guessed: on an Italian page `1234,56`, `1.234,56` and `1.234.567` are
    /// read, and so is `12.5` (a point that cannot separate thousands is the decimal point); `1.234` could be
    /// either and is refused ([`ErroreValore::Ambiguo`]), as are `12.34.5` ([`ErroreValore::Gruppi`]) and
    /// `1,234.56` ([`ErroreValore::SeparatoriInvertiti`]). English mirrors it. Spaces around, a `€` before or
    /// after an amount in euro, a `%` after a percentage and a leading minus (`-` or `−`) are allowed; then the
    /// field's checks apply as in [`Modulo::interpreta_testo`], which reads the other types. The accepted forms,
    /// for the page: [`formato_numeri`].
    pub fn interpreta_digitato(&self, id: IdCampo, testo: &str, lingua: Lingua) -> Result<Valore, ErroreValore> {
        let campo = self.campo(id).ok_or(ErroreValore::Sconosciuto)?;
        if campo.calcolo.is_some() {
            return Err(ErroreValore::Calcolato);
        }
        if campo.tipo.decimali().is_none() {
            return self.interpreta_testo(id, testo);
        }
        let testo = testo.trim();
        if testo.is_empty() {
            return Ok(Valore::Vuoto);
        }
        numero_del_campo(campo, &canonico_digitato(testo, &campo.tipo, lingua)?)
    }
}

/// A number written with at most one separator (`,` or `.`) and at most `decimali` digits after it.
fn leggi_numero(testo: &str, decimali: u32) -> Result<Decimal, ErroreValore> {
    let corpo = testo.strip_prefix('-').unwrap_or(testo);
    if corpo.is_empty() || !corpo.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return Err(ErroreValore::NonNumero);
    }
    match corpo.split([',', '.']).collect::<Vec<_>>().as_slice() {
        [_] => {}
        [_, decimali] if !decimali.is_empty() => {}
        [_, _] => return Err(ErroreValore::NonNumero),
        _ => return Err(ErroreValore::Migliaia),
    }
    let n: Decimal = testo.replace(',', ".").parse().map_err(|_| ErroreValore::NonNumero)?;
    if n.normalize().scale() > decimali {
        return Err(if decimali == 0 { ErroreValore::NonIntero } else { ErroreValore::Decimali(decimali) });
    }
    Ok(n)
}

/// A number field's value from canonical text: [`leggi_numero`], then the bounds (0–100 for a percentage).
fn numero_del_campo(campo: &Campo, testo: &str) -> Result<Valore, ErroreValore> {
    let n = leggi_numero(testo, campo.tipo.decimali().unwrap_or(0))?;
    let (min, max) = match campo.tipo {
        Tipo::Percentuale => (campo.min.or(Some(Decimal::ZERO)), campo.max.or(Some(Decimal::ONE_HUNDRED))),
        _ => (campo.min, campo.max),
    };
    if let Some(m) = min.filter(|m| n < *m) {
        return Err(ErroreValore::Minimo(m));
    }
    if let Some(m) = max.filter(|m| n > *m) {
        return Err(ErroreValore::Massimo(m));
    }
    Ok(Valore::Numero(n))
}

/// The accepted forms of a number typed in a compile page ([`Modulo::interpreta_digitato`]), in one sentence to
/// show on the page.
pub fn formato_numeri(lingua: Lingua) -> &'static str {
    match lingua {
        Lingua::It => {
            "Numeri: cifre con la virgola per i decimali (1234,56), e il punto per le migliaia se si vuole, a gruppi \
             di tre (1.234,56); un punto non seguito da tre cifre vale come virgola (12.5 è 12,5), mentre «1.234» è \
             ambiguo e viene rifiutato: scrivere 1234 oppure 1,234."
        }
        Lingua::En => {
            "Numbers: digits with a point for decimals (1234.56), and commas for thousands if you like, in groups of \
             three (1,234.56); a comma not followed by three digits counts as the point (12,5 is 12.5), while \
             \"1,234\" is ambiguous and refused: write 1234 or 1.234."
        }
    }
}

/// A number typed on a page in `lingua` (trimmed, not empty) as canonical text for [`leggi_numero`]: `-1234.56`.
fn canonico_digitato(testo: &str, tipo: &Tipo, lingua: Lingua) -> Result<String, ErroreValore> {
    let (negativo, corpo) = senza_segni(testo, tipo);
    if corpo.is_empty() || !corpo.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
        return Err(ErroreValore::NonNumero);
    }
    let segno = if negativo { "-" } else { "" };
    let numero = |cifre: &str| format!("{segno}{cifre}").parse::<Decimal>().map_err(|_| ErroreValore::NonNumero);
    let (migliaia, virgola) = match lingua {
        Lingua::It => ('.', ','),
        Lingua::En => (',', '.'),
    };
    match leggi_separatori(corpo, migliaia, virgola) {
        Lettura::Numero(cifre) => Ok(format!("{segno}{cifre}")),
        Lettura::Ambigua { migliaia, decimale } => Err(ErroreValore::Ambiguo {
            scritto: testo.to_owned(),
            migliaia: numero(&migliaia)?,
            decimale: numero(&decimale)?,
        }),
        Lettura::NonNumero => Err(ErroreValore::NonNumero),
        // Out of place for the page's language: the other language's way, or simply wrong.
        Lettura::Gruppi => match leggi_separatori(corpo, virgola, migliaia) {
            Lettura::Numero(cifre) => Err(ErroreValore::SeparatoriInvertiti(numero(&cifre)?)),
            _ => Err(ErroreValore::Gruppi),
        },
    }
}

/// `testo` without the leading minus and, by type, the `€` before or after it or the `%` after it (with their
/// spaces): whether it is negative, and the rest.
fn senza_segni<'a>(testo: &'a str, tipo: &Tipo) -> (bool, &'a str) {
    let meno = |t: &'a str| t.strip_prefix('-').or_else(|| t.strip_prefix('\u{2212}'));
    let mut t = testo;
    let mut simbolo = false;
    let dopo = match tipo {
        Tipo::Euro => Some('€'),
        Tipo::Percentuale => Some('%'),
        _ => None,
    };
    if let Some(r) = dopo.and_then(|s| t.strip_suffix(s)) {
        t = r.trim_end();
        simbolo = true;
    }
    let mut negativo = false;
    if let Some(r) = meno(t) {
        t = r;
        negativo = true;
    }
    // `-€ 5` and `€ -5` alike.
    if let Some(r) = t.strip_prefix('€').filter(|_| *tipo == Tipo::Euro && !simbolo) {
        t = r.trim_start();
        if let Some(r) = meno(t).filter(|_| !negativo) {
            t = r;
            negativo = true;
        }
    }
    (negativo, t)
}

/// How digits and separators read with `migliaia` for thousands and `virgola` for decimals.
enum Lettura {
    /// One reading, as canonical digits: `1234.56`.
    Numero(String),
    /// A single thousands separator between digits, three digits after it, no decimal separator: both readings.
    Ambigua { migliaia: String, decimale: String },
    /// A separator with no digits after it.
    NonNumero,
    /// Separators out of place.
    Gruppi,
}

/// Reads `corpo` (ASCII digits, `.` and `,` only): thousands separators only between groups of three digits
/// after a first group of one to three, at most one decimal separator with digits after it, and a lone thousands
/// separator without three digits after it taken as the decimal separator.
fn leggi_separatori(corpo: &str, migliaia: char, virgola: char) -> Lettura {
    if !corpo.contains(virgola)
        && let Some((prima, dopo)) = corpo.split_once(migliaia).filter(|(_, dopo)| !dopo.contains(migliaia))
    {
        return match (prima.len(), dopo.len()) {
            (_, 0) => Lettura::NonNumero,
            (1.., 3) => Lettura::Ambigua { migliaia: format!("{prima}{dopo}"), decimale: format!("{prima}.{dopo}") },
            (0, _) => Lettura::Numero(format!("0.{dopo}")),
            _ => Lettura::Numero(format!("{prima}.{dopo}")),
        };
    }
    let (intera, frazione) = match corpo.split_once(virgola) {
        Some((intera, frazione)) => (intera, Some(frazione)),
        None => (corpo, None),
    };
    if let Some(f) = frazione {
        if f.contains([migliaia, virgola]) {
            return Lettura::Gruppi;
        }
        if f.is_empty() {
            return Lettura::NonNumero;
        }
    }
    let mut gruppi = intera.split(migliaia);
    let primo = gruppi.next().unwrap_or_default();
    if intera.contains(migliaia) && (!(1..=3).contains(&primo.len()) || gruppi.any(|g| g.len() != 3)) {
        return Lettura::Gruppi;
    }
    let intera = intera.replace(migliaia, "");
    match frazione {
        Some(f) if intera.is_empty() => Lettura::Numero(format!("0.{f}")),
        Some(f) => Lettura::Numero(format!("{intera}.{f}")),
        None => Lettura::Numero(intera),
    }
}

/// `n` with the decimal separator of `lingua` and no thousands separators: how to type it, unambiguously.
fn cifre(n: Decimal, lingua: Lingua) -> String {
    match lingua {
        Lingua::It => n.to_string().replace('.', ","),
        Lingua::En => n.to_string(),
    }
}

/// A set of answers for one modulo, already read for each field's type.
#[derive(Debug, Clone, Default)]
pub struct Risposte {
    /// What the compiler wrote. A field absent here was never answered and takes its prefilled value; a
    /// [`Valore::Vuoto`] here is an explicit blank, which the prefilled value does not override.
    pub valori: HashMap<IdCampo, Valore>,
    /// What an external source supplied (BDAP); used where the compiler never answered.
    pub precompilati: HashMap<IdCampo, Valore>,
    /// Justifications of squadrature, by rule id.
    pub giustificazioni: HashMap<String, String>,
    /// Answers refused, by address, in the order found.
    pub errori: Vec<(String, ErroreValore)>,
}

impl Risposte {
    /// Reads a JSON object keyed by address, or `{"valori": …, "precompilati": …, "giustificazioni": …}`. In the
    /// answers, `null` (or `""`) is an explicit blank and a refused answer counts as one; an address left out was
    /// never answered.
    pub fn da_json(modulo: &Modulo, json: &serde_json::Value) -> Result<Risposte, String> {
        let serde_json::Value::Object(radice) = json else {
            return Err("le risposte sono un oggetto JSON: { \"D11.A\": \"1.5\", … }".into());
        };
        let strutturato = radice.keys().any(|k| matches!(k.as_str(), "valori" | "precompilati" | "giustificazioni"));
        let mut r = Risposte::default();
        let sezione = |nome: &str| -> Result<Option<&serde_json::Map<String, serde_json::Value>>, String> {
            match radice.get(nome) {
                None => Ok(None),
                Some(serde_json::Value::Object(m)) => Ok(Some(m)),
                Some(_) => Err(format!("«{nome}» è un oggetto JSON")),
            }
        };
        let (valori, precompilati) = if strutturato {
            if let Some(k) =
                radice.keys().find(|k| !matches!(k.as_str(), "valori" | "precompilati" | "giustificazioni"))
            {
                return Err(format!("chiave «{k}» inattesa: ammesse valori, precompilati, giustificazioni"));
            }
            (sezione("valori")?, sezione("precompilati")?)
        } else {
            (Some(radice), None)
        };
        for (risposte, mappa) in [(true, valori), (false, precompilati)] {
            let destinazione = if risposte { &mut r.valori } else { &mut r.precompilati };
            for (indirizzo, valore) in mappa.into_iter().flatten() {
                let Some(id) = modulo.id(indirizzo) else {
                    r.errori.push((indirizzo.clone(), ErroreValore::Sconosciuto));
                    continue;
                };
                match modulo.interpreta_json(id, valore) {
                    Ok(v) => {
                        destinazione.insert(id, v);
                    }
                    Err(e) => {
                        // As in Valutazione::imposta: what the compiler wrote replaces the prefilled value even
                        // when it is refused.
                        if risposte {
                            destinazione.insert(id, Valore::Vuoto);
                        }
                        r.errori.push((indirizzo.clone(), e));
                    }
                }
            }
        }
        for (regola, testo) in sezione("giustificazioni")?.into_iter().flatten() {
            match testo {
                serde_json::Value::String(t) => {
                    r.giustificazioni.insert(regola.clone(), t.clone());
                }
                _ => return Err(format!("la giustificazione di {regola} è un testo")),
            }
        }
        Ok(r)
    }
}

/// A rule's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Esito {
    /// The condition holds.
    Rispettata,
    /// The condition is false.
    Violata,
    /// The condition (or `quando`) is blank: values are missing.
    NonValutabile,
    /// `quando` is false.
    NonApplicabile,
}

/// A field number that is not a field of the modulo being evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("il campo numero {0} non esiste in questo modulo")]
pub struct CampoSconosciuto(pub IdCampo);

/// What one change altered, so that a page can update only that. Every list is ascending, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    /// Fields whose value changed: the field itself, and the calculated fields and relevance that depend on it.
    pub valori: Vec<IdCampo>,
    /// Fields whose relevance changed.
    pub pertinenza: Vec<IdCampo>,
    /// Fields whose error appeared, went away or became another (see [`Valutazione::errore`]).
    pub errori: Vec<IdCampo>,
    /// Rules (indexes into [`Modulo::regole`]) whose outcome changed, or whose message changed while violated.
    pub regole: Vec<usize>,
    /// Quadri (indexes into [`Modulo::quadri`]) whose completion changed.
    pub quadri: Vec<usize>,
}

impl Delta {
    /// Whether nothing changed.
    pub fn vuoto(&self) -> bool {
        self.valori.is_empty()
            && self.pertinenza.is_empty()
            && self.errori.is_empty()
            && self.regole.is_empty()
            && self.quadri.is_empty()
    }
}

/// The error a relevant, required, blank field has; a `static` so that errors can be compared by reference.
static OBBLIGATORIO: ErroreValore = ErroreValore::Obbligatorio;

/// The state of one modulo's answers: values, relevance, rule outcomes and completion, kept consistent as answers
/// change.
#[derive(Debug, Clone)]
pub struct Valutazione<'m> {
    modulo: &'m Modulo,
    /// `None`: never answered, the prefilled value applies; `Some(Valore::Vuoto)`: blanked by the compiler.
    risposte: Vec<Option<Valore>>,
    precompilati: Vec<Valore>,
    rifiutati: Vec<Option<ErroreValore>>,
    valori: Vec<Valore>,
    pertinenti: Vec<bool>,
    esiti: Vec<Esito>,
    /// Per quadro: required relevant fields filled in, and required relevant fields.
    completamento: Vec<(u32, u32)>,
    giustificazioni: HashMap<String, String>,
    sconosciuti: Vec<String>,
    in_coda: Vec<bool>,
}

impl<'m> Valutazione<'m> {
    /// Evaluates every field and rule. Field numbers in `risposte` that are not fields of `modulo` are ignored.
    pub fn nuova(modulo: &'m Modulo, risposte: &Risposte) -> Valutazione<'m> {
        let n = modulo.campi.len();
        let mut v = Valutazione {
            modulo,
            risposte: vec![None; n],
            precompilati: vec![Valore::Vuoto; n],
            rifiutati: vec![None; n],
            valori: vec![Valore::Vuoto; n],
            pertinenti: vec![true; n],
            esiti: vec![Esito::NonValutabile; modulo.regole.len()],
            completamento: vec![(0, 0); modulo.quadri.len()],
            giustificazioni: risposte.giustificazioni.clone(),
            sconosciuti: Vec::new(),
            in_coda: vec![false; n],
        };
        for (id, valore) in &risposte.valori {
            if let Some(r) = v.risposte.get_mut(*id as usize) {
                *r = Some(valore.clone());
            }
        }
        for (id, valore) in &risposte.precompilati {
            if let Some(p) = v.precompilati.get_mut(*id as usize) {
                *p = valore.clone();
            }
        }
        for (indirizzo, errore) in &risposte.errori {
            match modulo.id(indirizzo) {
                Some(id) => v.rifiutati[id as usize] = Some(errore.clone()),
                None => v.sconosciuti.push(indirizzo.clone()),
            }
        }
        for &id in &modulo.grafo.ordine {
            let (valore, pertinente) = v.calcola(id);
            v.valori[id as usize] = valore;
            v.pertinenti[id as usize] = pertinente;
        }
        for i in 0..n {
            let (compilati, richiesti) = v.conta(i);
            let q = &mut v.completamento[modulo.campi[i].quadro];
            q.0 += compilati;
            q.1 += richiesti;
        }
        for i in 0..modulo.regole.len() {
            v.esiti[i] = v.esito(i);
        }
        v
    }

    fn calcola(&self, id: IdCampo) -> (Valore, bool) {
        let i = id as usize;
        let campo = &self.modulo.campi[i];
        let pertinente = campo.rilevante.as_ref().is_none_or(|r| r.valuta(&self.valori) == Valore::Booleano(true));
        let valore = if !pertinente {
            Valore::Vuoto
        } else if let Some(calcolo) = &campo.calcolo {
            calcolo.valuta(&self.valori)
        } else {
            self.risposte[i].as_ref().unwrap_or(&self.precompilati[i]).clone()
        };
        (valore, pertinente)
    }

    /// What field `i` adds to its quadro's completion: (filled in, required).
    fn conta(&self, i: usize) -> (u32, u32) {
        let campo = &self.modulo.campi[i];
        if campo.obbligatorio && campo.calcolo.is_none() && self.pertinenti[i] {
            (u32::from(!self.valori[i].vuoto()), 1)
        } else {
            (0, 0)
        }
    }

    fn esito(&self, i: usize) -> Esito {
        let regola = &self.modulo.regole[i];
        if let Some(quando) = &regola.quando {
            match quando.valuta(&self.valori) {
                Valore::Booleano(true) => {}
                Valore::Booleano(false) => return Esito::NonApplicabile,
                _ => return Esito::NonValutabile,
            }
        }
        match regola.condizione.valuta(&self.valori) {
            Valore::Booleano(true) => Esito::Rispettata,
            Valore::Booleano(false) => Esito::Violata,
            _ => Esito::NonValutabile,
        }
    }

    /// Changes one answer and re-checks only the calculations, relevance, rules and completion that depend on it.
    /// `Ok(Valore::Vuoto)` blanks the field, even over a prefilled value; an `Err` records a refused answer, which
    /// counts as blank too. Use [`Valutazione::ripristina`] to let the prefilled value apply again.
    pub fn imposta(&mut self, id: IdCampo, risposta: Result<Valore, ErroreValore>) -> Result<Delta, CampoSconosciuto> {
        match risposta {
            Ok(v) => self.cambia(id, Some(v), None),
            Err(e) => self.cambia(id, Some(Valore::Vuoto), Some(e)),
        }
    }

    /// Forgets the answer to a field, as if it had never been given: its prefilled value, if any, applies again.
    pub fn ripristina(&mut self, id: IdCampo) -> Result<Delta, CampoSconosciuto> {
        self.cambia(id, None, None)
    }

    fn cambia(
        &mut self,
        id: IdCampo,
        risposta: Option<Valore>,
        rifiuto: Option<ErroreValore>,
    ) -> Result<Delta, CampoSconosciuto> {
        let i = id as usize;
        if i >= self.valori.len() {
            return Err(CampoSconosciuto(id));
        }
        let errore_prima = self.errore_di(i).cloned();
        self.risposte[i] = risposta;
        self.rifiutati[i] = rifiuto;
        let modulo = self.modulo;
        let grafo = &modulo.grafo;
        let mut delta = Delta::default();
        let mut coda = BinaryHeap::new();
        let mut regole = Vec::new();
        let mut messaggi = Vec::new();
        let mut quadri: Vec<(usize, (u32, u32))> = Vec::new();
        coda.push(Reverse((grafo.rango[i], id)));
        self.in_coda[i] = true;
        while let Some(Reverse((_, f))) = coda.pop() {
            let f_ = f as usize;
            self.in_coda[f_] = false;
            let (valore, pertinente) = self.calcola(f);
            let valore_cambiato = valore != self.valori[f_];
            let pertinenza_cambiata = pertinente != self.pertinenti[f_];
            if !valore_cambiato && !pertinenza_cambiata {
                continue;
            }
            let conta_prima = self.conta(f_);
            // Another field's refused answer stays as it is: only its "obbligatorio" error can come or go here.
            let aveva_errore = self.errore_di(f_).is_some();
            self.valori[f_] = valore;
            self.pertinenti[f_] = pertinente;
            let errore_cambiato = f_ != i && aveva_errore != self.errore_di(f_).is_some();
            let conta_dopo = self.conta(f_);
            if conta_prima != conta_dopo {
                let q = modulo.campi[f_].quadro;
                if !quadri.iter().any(|(x, _)| *x == q) {
                    quadri.push((q, self.completamento[q]));
                }
                let c = &mut self.completamento[q];
                c.0 = c.0 + conta_dopo.0 - conta_prima.0;
                c.1 = c.1 + conta_dopo.1 - conta_prima.1;
            }
            if valore_cambiato {
                delta.valori.push(f);
                messaggi.extend_from_slice(&grafo.messaggi_di[f_]);
            }
            if pertinenza_cambiata {
                delta.pertinenza.push(f);
            }
            if errore_cambiato {
                delta.errori.push(f);
            }
            for &d in &grafo.dipendenti[f_] {
                if !self.in_coda[d as usize] {
                    self.in_coda[d as usize] = true;
                    coda.push(Reverse((grafo.rango[d as usize], d)));
                }
            }
            regole.extend_from_slice(&grafo.regole_di[f_]);
        }
        if errore_prima.as_ref() != self.errore_di(i) {
            delta.errori.push(id);
        }
        regole.sort_unstable();
        regole.dedup();
        for r in regole {
            let esito = self.esito(r as usize);
            if esito != self.esiti[r as usize] {
                self.esiti[r as usize] = esito;
                delta.regole.push(r as usize);
            }
        }
        for r in messaggi {
            if self.esiti[r as usize] == Esito::Violata {
                delta.regole.push(r as usize);
            }
        }
        for (q, prima) in quadri {
            if self.completamento[q] != prima {
                delta.quadri.push(q);
            }
        }
        for lista in [&mut delta.valori, &mut delta.pertinenza, &mut delta.errori] {
            lista.sort_unstable();
            lista.dedup();
        }
        delta.regole.sort_unstable();
        delta.regole.dedup();
        delta.quadri.sort_unstable();
        Ok(delta)
    }

    /// Records (or, with an empty text, removes) the justification of a squadratura.
    pub fn giustifica(&mut self, regola: &str, testo: &str) {
        if testo.trim().is_empty() {
            self.giustificazioni.remove(regola);
        } else {
            self.giustificazioni.insert(regola.to_owned(), testo.trim().to_owned());
        }
    }

    /// The value of a field as expressions see it (blank when not relevant); `None` when there is no such field.
    pub fn valore(&self, id: IdCampo) -> Option<&Valore> {
        self.valori.get(id as usize)
    }

    /// Whether a field applies; `None` when there is no such field.
    pub fn pertinente(&self, id: IdCampo) -> Option<bool> {
        self.pertinenti.get(id as usize).copied()
    }

    /// The outcome of rule number `i` (index into [`Modulo::regole`]); `None` when there is no such rule.
    pub fn esito_regola(&self, i: usize) -> Option<Esito> {
        self.esiti.get(i).copied()
    }

    /// The message of rule number `i` in `lingua`, with values quoted, while it is violated.
    pub fn messaggio_regola(&self, i: usize, lingua: Lingua) -> Option<String> {
        let regola = self.modulo.regole.get(i)?;
        let parti = match lingua {
            Lingua::It => &regola.messaggio.it,
            Lingua::En => &regola.messaggio.en,
        };
        (self.esiti[i] == Esito::Violata).then(|| self.testo_messaggio(parti, lingua))
    }

    /// The error of one field: its refused answer, or "obbligatorio" when it is relevant, required and blank; for a
    /// number that is not a field of the modulo, [`ErroreValore::Sconosciuto`]. A field has at most one error.
    pub fn errore(&self, id: IdCampo) -> Option<&ErroreValore> {
        if id as usize >= self.valori.len() {
            return Some(&SCONOSCIUTO);
        }
        self.errore_di(id as usize)
    }

    fn errore_di(&self, i: usize) -> Option<&ErroreValore> {
        if let Some(e) = &self.rifiutati[i] {
            return Some(e);
        }
        let campo = &self.modulo.campi[i];
        let mancante = campo.obbligatorio && campo.calcolo.is_none() && self.pertinenti[i] && self.valori[i].vuoto();
        mancante.then_some(&OBBLIGATORIO)
    }

    /// The completion of quadro number `q` (index into [`Modulo::quadri`]).
    pub fn completamento(&self, q: usize) -> Option<Completamento> {
        let (compilati, richiesti) = *self.completamento.get(q)?;
        let percentuale = (compilati * 100).checked_div(richiesti).map_or(100, |p| p as u8);
        Some(Completamento {
            quadro: self.modulo.quadri[q].codice.clone(),
            compilati: compilati as usize,
            richiesti: richiesti as usize,
            percentuale,
        })
    }

    fn testo_messaggio(&self, parti: &[Parte], lingua: Lingua) -> String {
        let mut out = String::new();
        for p in parti {
            match p {
                Parte::Testo(t) => out.push_str(t),
                Parte::Campo(id) => {
                    let campo = &self.modulo.campi[*id as usize];
                    let decimali = if campo.tipo == Tipo::Euro { Some(2) } else { None };
                    out.push_str(&self.valori[*id as usize].mostra(lingua, decimali));
                }
            }
        }
        out
    }

    /// Whether invio is allowed, and the counts that decide it.
    pub fn riepilogo(&self) -> Riepilogo {
        let errori_campo =
            self.sconosciuti.len() + (0..self.valori.len()).filter(|&i| self.errore_di(i).is_some()).count();
        let mut r = Riepilogo {
            invio_consentito: false,
            errori_campo,
            bloccanti_violate: 0,
            squadrature_da_giustificare: 0,
            squadrature_giustificate: 0,
            avvisi: 0,
        };
        for (regola, esito) in self.modulo.regole.iter().zip(&self.esiti) {
            if *esito == Esito::Violata {
                match regola.gravita {
                    Gravita::Bloccante => r.bloccanti_violate += 1,
                    Gravita::Squadratura if self.giustificazioni.contains_key(&regola.id) => {
                        r.squadrature_giustificate += 1
                    }
                    Gravita::Squadratura => r.squadrature_da_giustificare += 1,
                    Gravita::Avviso => r.avvisi += 1,
                }
            }
        }
        r.invio_consentito = r.errori_campo == 0 && r.bloccanti_violate == 0 && r.squadrature_da_giustificare == 0;
        r
    }

    /// The report of the current state, with every message in `lingua`.
    pub fn report(&self, lingua: Lingua) -> Report {
        let m = self.modulo;
        let mut errori_campo = Vec::new();
        let mut non_pertinenti = Vec::new();
        let mut calcolati = Vec::new();
        for indirizzo in &self.sconosciuti {
            errori_campo
                .push(ErroreCampo { campo: indirizzo.clone(), messaggio: ErroreValore::Sconosciuto.messaggio(lingua) });
        }
        for (i, campo) in m.campi.iter().enumerate() {
            if let Some(e) = self.errore_di(i) {
                errori_campo.push(ErroreCampo { campo: campo.indirizzo.clone(), messaggio: e.messaggio(lingua) });
            }
            if campo.calcolo.is_some() {
                calcolati.push(ValoreCalcolato { campo: campo.indirizzo.clone(), valore: self.valori[i].canonico() });
            } else if !self.pertinenti[i] && self.risposte[i].as_ref().is_some_and(|r| !r.vuoto()) {
                non_pertinenti.push(campo.indirizzo.clone());
            }
        }
        let quadri = (0..m.quadri.len()).filter_map(|q| self.completamento(q)).collect();
        let regole = m
            .regole
            .iter()
            .enumerate()
            .map(|(i, regola)| EsitoRegola {
                id: regola.id.clone(),
                gravita: regola.gravita,
                esito: self.esiti[i],
                campi: regola.campi.iter().map(|id| m.campi[*id as usize].indirizzo.clone()).collect(),
                messaggio: self.messaggio_regola(i, lingua),
                giustificazione: self
                    .giustificazioni
                    .get(&regola.id)
                    .filter(|_| regola.gravita == Gravita::Squadratura)
                    .cloned(),
            })
            .collect();
        let r = self.riepilogo();
        Report {
            campagna: m.campagna.clone(),
            codice: m.codice.clone(),
            modulo: m.modulo.clone(),
            impronta: m.impronta,
            lingua,
            invio_consentito: r.invio_consentito,
            bloccanti_violate: r.bloccanti_violate,
            squadrature_da_giustificare: r.squadrature_da_giustificare,
            squadrature_giustificate: r.squadrature_giustificate,
            avvisi: r.avvisi,
            errori_campo,
            non_pertinenti_con_valore: non_pertinenti,
            quadri,
            calcolati,
            regole,
        }
    }

    /// The whole state in the compact form a compile page reads (see [`Compatto`]), messages in `lingua`.
    pub fn compatto(&self, lingua: Lingua) -> Compatto {
        let m = self.modulo;
        let mut c = Compatto { invio: self.riepilogo(), ..Compatto::default() };
        for indirizzo in &self.sconosciuti {
            c.errori.insert(indirizzo.clone(), Some(ErroreValore::Sconosciuto.messaggio(lingua)));
        }
        for (i, campo) in m.campi.iter().enumerate() {
            if !self.valori[i].vuoto() {
                c.valori.insert(campo.indirizzo.clone(), self.valori[i].canonico());
            }
            if !self.pertinenti[i] {
                c.pertinenti.insert(campo.indirizzo.clone(), false);
            }
            if let Some(e) = self.errore_di(i) {
                c.errori.insert(campo.indirizzo.clone(), Some(e.messaggio(lingua)));
            }
        }
        for (i, esito) in self.esiti.iter().enumerate() {
            if *esito != Esito::NonValutabile {
                self.regola_compatta(&mut c, i, lingua);
            }
        }
        for q in 0..m.quadri.len() {
            self.quadro_compatto(&mut c, q);
        }
        c
    }

    /// Only what `delta` says changed, in the compact form: applied over the whole form of the state before the
    /// change, it gives the whole form of the state after it.
    pub fn compatto_delta(&self, delta: &Delta, lingua: Lingua) -> Compatto {
        let m = self.modulo;
        let mut c = Compatto { invio: self.riepilogo(), ..Compatto::default() };
        let indirizzo = |id: &IdCampo| m.campi.get(*id as usize).map(|campo| campo.indirizzo.clone());
        for id in &delta.valori {
            if let (Some(a), Some(v)) = (indirizzo(id), self.valori.get(*id as usize)) {
                c.valori.insert(a, v.canonico());
            }
        }
        for id in &delta.pertinenza {
            if let (Some(a), Some(p)) = (indirizzo(id), self.pertinenti.get(*id as usize)) {
                c.pertinenti.insert(a, *p);
            }
        }
        for id in &delta.errori {
            if let Some(a) = indirizzo(id) {
                c.errori.insert(a, self.errore_di(*id as usize).map(|e| e.messaggio(lingua)));
            }
        }
        for &i in delta.regole.iter().filter(|&&i| i < self.esiti.len()) {
            self.regola_compatta(&mut c, i, lingua);
        }
        for &q in delta.quadri.iter().filter(|&&q| q < m.quadri.len()) {
            self.quadro_compatto(&mut c, q);
        }
        c
    }

    fn regola_compatta(&self, c: &mut Compatto, i: usize, lingua: Lingua) {
        let id = self.modulo.regole[i].id.clone();
        match self.esiti[i] {
            Esito::Rispettata => c.rispettate.push(id),
            Esito::Violata => {
                c.violate.insert(id, self.messaggio_regola(i, lingua).unwrap_or_default());
            }
            Esito::NonValutabile => c.non_valutabili.push(id),
            Esito::NonApplicabile => c.non_applicabili.push(id),
        }
    }

    fn quadro_compatto(&self, c: &mut Compatto, q: usize) {
        if let Some(completamento) = self.completamento(q) {
            c.quadri.insert(completamento.quadro, completamento.percentuale);
        }
    }
}

/// The error reported for a number that is not a field of the modulo.
static SCONOSCIUTO: ErroreValore = ErroreValore::Sconosciuto;

/// Whether invio is allowed, and the counts that decide it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Riepilogo {
    /// No field errors, no violated bloccante, every violated squadratura justified.
    pub invio_consentito: bool,
    /// Refused answers, unknown addresses and missing required values.
    pub errori_campo: usize,
    /// Violated bloccanti.
    pub bloccanti_violate: usize,
    /// Violated squadrature without a justification.
    pub squadrature_da_giustificare: usize,
    /// Violated squadrature with a justification.
    pub squadrature_giustificate: usize,
    /// Violated avvisi.
    pub avvisi: usize,
}

/// The state of a modulo's answers as a compile page reads it: addresses, rule ids, codes and values, messages in
/// one language, and nothing the definition already says (labels, severities, the fields of a rule). The whole
/// form ([`Valutazione::compatto`]) lists only what differs from a default — blank, relevant, no error, rule
/// `non_valutabile` — so an empty modulo is small; the form of a change ([`Valutazione::compatto_delta`]) lists
/// only what changed, defaults included (`null`, `true`, `non_valutabili`). Lists are in definition order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Compatto {
    /// Whether invio is allowed, and the counts that decide it (always present).
    pub invio: Riepilogo,
    /// Values by address, in the form answers are written in (`"1234.5"`, `"SI"`, `"2023-12-31"`); `null` for blank.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub valori: BTreeMap<String, Option<String>>,
    /// Relevance by address (`false`: the field is hidden and counts as blank).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pertinenti: BTreeMap<String, bool>,
    /// Each field's error by address, in one language; `null` when it has none any more.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errori: BTreeMap<String, Option<String>>,
    /// Rules that hold, by id. Each rule listed appears in exactly one of the four outcome lists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rispettate: Vec<String>,
    /// Rules violated, by id, with their message in one language.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub violate: BTreeMap<String, String>,
    /// Rules that cannot be checked yet (values missing), by id: in the whole form, the default, never listed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub non_valutabili: Vec<String>,
    /// Rules whose `quando` is false, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub non_applicabili: Vec<String>,
    /// Completion percentage by quadro code.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub quadri: BTreeMap<String, u8>,
}

/// The outcome of validating a modulo's answers, with messages in one language.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Campaign folder.
    pub campagna: String,
    /// Questionnaire code.
    pub codice: String,
    /// Modulo.
    pub modulo: String,
    /// The fingerprint of the definition the answers were checked against.
    pub impronta: Impronta,
    /// The language of every message.
    pub lingua: Lingua,
    /// No field errors, no missing required value, no violated bloccante, every violated squadratura justified.
    pub invio_consentito: bool,
    /// Violated bloccanti.
    pub bloccanti_violate: usize,
    /// Violated squadrature without a justification.
    pub squadrature_da_giustificare: usize,
    /// Violated squadrature with a justification.
    pub squadrature_giustificate: usize,
    /// Violated avvisi.
    pub avvisi: usize,
    /// Refused answers and missing required values.
    pub errori_campo: Vec<ErroreCampo>,
    /// Fields that hold an answer but do not apply.
    pub non_pertinenti_con_valore: Vec<String>,
    /// Completion per quadro.
    pub quadri: Vec<Completamento>,
    /// Calculated values, in definition order (`null` when blank).
    pub calcolati: Vec<ValoreCalcolato>,
    /// Every rule's outcome, in definition order.
    pub regole: Vec<EsitoRegola>,
}

/// An error about one field.
#[derive(Debug, Clone, Serialize)]
pub struct ErroreCampo {
    /// Address.
    pub campo: String,
    /// What is wrong, in the report's language.
    pub messaggio: String,
}

/// Completion of a quadro.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completamento {
    /// Quadro code.
    pub quadro: String,
    /// Required relevant fields filled in.
    pub compilati: usize,
    /// Required relevant fields.
    pub richiesti: usize,
    /// `compilati` over `richiesti`, rounded down (100 when nothing is required).
    pub percentuale: u8,
}

/// A calculated value.
#[derive(Debug, Clone, Serialize)]
pub struct ValoreCalcolato {
    /// Address.
    pub campo: String,
    /// Value, or `None` when blank.
    pub valore: Option<String>,
}

/// A rule's outcome in the report.
#[derive(Debug, Clone, Serialize)]
pub struct EsitoRegola {
    /// Rule id.
    pub id: String,
    /// Severity.
    pub gravita: Gravita,
    /// Outcome.
    pub esito: Esito,
    /// Fields concerned.
    pub campi: Vec<String>,
    /// The message with values quoted, in the report's language, when violated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messaggio: Option<String>,
    /// The compiler's justification (squadrature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub giustificazione: Option<String>,
}
