//! Values of answers and of expressions: exact decimals, texts, booleans, calendar dates, and the blank.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The two languages of every text a compiler reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lingua {
    /// Italian, the default.
    #[default]
    It,
    /// English.
    En,
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Testo {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
}

impl Testo {
    /// The text in `lingua`.
    pub fn get(&self, lingua: Lingua) -> &str {
        match lingua {
            Lingua::It => &self.it,
            Lingua::En => &self.en,
        }
    }
}

/// A calendar date that exists (no 30 February).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Data {
    anno: i32,
    mese: u8,
    giorno: u8,
}

impl Data {
    /// The date, or `None` when it does not exist.
    pub fn new(anno: i32, mese: u8, giorno: u8) -> Option<Data> {
        let bisestile = (anno % 4 == 0 && anno % 100 != 0) || anno % 400 == 0;
        let giorni = match mese {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if bisestile => 29,
            2 => 28,
            _ => return None,
        };
        ((1..=9999).contains(&anno) && (1..=giorni).contains(&giorno)).then_some(Data { anno, mese, giorno })
    }

    /// Reads `2023-12-31` or `31/12/2023`.
    pub fn leggi(testo: &str) -> Option<Data> {
        let parti: Vec<&str> = testo.trim().split(['-', '/']).collect();
        let [a, b, c] = parti.as_slice() else { return None };
        if testo.contains('-') && a.len() == 4 {
            Data::new(cifre(a)?, cifre(b)?, cifre(c)?)
        } else if testo.contains('/') && c.len() == 4 {
            Data::new(cifre(c)?, cifre(b)?, cifre(a)?)
        } else {
            None
        }
    }
}

/// Digits only (no sign, no spaces), as a number of type `T`.
fn cifre<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.anno, self.mese, self.giorno)
    }
}

/// A value: of an answer, of a calculated field, or of an expression. `Vuoto` is the blank ("not written yet"),
/// which is not zero (see docs/questionari.md).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Valore {
    /// Nothing written, or not relevant.
    #[default]
    Vuoto,
    /// An exact decimal number.
    Numero(Decimal),
    /// A text (also the code of a choice).
    Testo(Arc<str>),
    /// SI / NO.
    Booleano(bool),
    /// A calendar date.
    Data(Data),
}

impl Valore {
    /// Whether this is the blank.
    pub fn vuoto(&self) -> bool {
        matches!(self, Valore::Vuoto)
    }

    /// The value as it is written in answers files and in the report (decimal point, ISO dates, `SI`/`NO`).
    /// Numbers are written without trailing zeros (`1234.5`, `0`): equal numbers have one canonical form,
    /// whatever the scale an expression computed them with.
    pub fn canonico(&self) -> Option<String> {
        match self {
            Valore::Vuoto => None,
            Valore::Numero(n) => Some(n.normalize().to_string()),
            Valore::Testo(t) => Some(t.to_string()),
            Valore::Booleano(b) => Some(if *b { "SI" } else { "NO" }.to_owned()),
            Valore::Data(d) => Some(d.to_string()),
        }
    }

    /// The value as a compiler reads it in a message: `1.234,50` in Italian, `1,234.50` in English; `decimali`
    /// fixes the digits after the separator (money: 2).
    pub fn mostra(&self, lingua: Lingua, decimali: Option<u32>) -> String {
        match self {
            Valore::Vuoto => match lingua {
                Lingua::It => "(vuoto)".into(),
                Lingua::En => "(blank)".into(),
            },
            Valore::Numero(n) => formatta_numero(*n, lingua, decimali),
            Valore::Testo(t) => t.to_string(),
            Valore::Booleano(b) => if *b { "SI" } else { "NO" }.into(),
            Valore::Data(d) => match lingua {
                Lingua::It => format!("{:02}/{:02}/{:04}", d.giorno, d.mese, d.anno),
                Lingua::En => d.to_string(),
            },
        }
    }
}

fn formatta_numero(n: Decimal, lingua: Lingua, decimali: Option<u32>) -> String {
    let n = match decimali {
        Some(d) => {
            let mut r = n.round_dp_with_strategy(d, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            r.rescale(d);
            r
        }
        None => n.normalize(),
    };
    let testo = n.abs().to_string();
    let (intera, frazione) = testo.split_once('.').unwrap_or((&testo, ""));
    let (migliaia, virgola) = match lingua {
        Lingua::It => ('.', ','),
        Lingua::En => (',', '.'),
    };
    let mut out = String::with_capacity(testo.len() + 8);
    if n.is_sign_negative() && !n.is_zero() {
        out.push('-');
    }
    for (i, c) in intera.chars().enumerate() {
        if i > 0 && (intera.len() - i) % 3 == 0 {
            out.push(migliaia);
        }
        out.push(c);
    }
    if !frazione.is_empty() {
        out.push(virgola);
        out.push_str(frazione);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        assert!(Data::leggi("2023-02-28").is_some());
        assert!(Data::leggi("2023-02-29").is_none());
        assert!(Data::leggi("2024-02-29").is_some());
        assert!(Data::leggi("1900-02-29").is_none());
        assert!(Data::leggi("2000-02-29").is_some());
        assert!(Data::leggi("2023-04-31").is_none());
        assert!(Data::leggi("2023-13-01").is_none());
        assert_eq!(Data::leggi("31/12/2023"), Data::leggi("2023-12-31"));
        assert!(Data::leggi("12/31/2023").is_none());
        assert!(Data::leggi("2023-1-+1").is_none());
        assert!(Data::leggi("20231231").is_none());
        assert!(Data::leggi("").is_none());
        assert!(Data::leggi("2023-12-31").unwrap() > Data::leggi("2023-01-31").unwrap());
    }

    #[test]
    fn numbers_are_shown_the_way_each_language_writes_them() {
        let n = |s: &str| Valore::Numero(s.parse().unwrap());
        assert_eq!(n("1234567.5").mostra(Lingua::It, Some(2)), "1.234.567,50");
        assert_eq!(n("1234567.5").mostra(Lingua::En, Some(2)), "1,234,567.50");
        assert_eq!(n("-1000").mostra(Lingua::It, None), "-1.000");
        assert_eq!(n("0.125").mostra(Lingua::It, Some(2)), "0,13");
        assert_eq!(n("12.50").mostra(Lingua::It, None), "12,5");
        assert_eq!(n("999").mostra(Lingua::En, None), "999");
        assert_eq!(Valore::Vuoto.mostra(Lingua::It, None), "(vuoto)");
        assert_eq!(Valore::Data(Data::new(2023, 5, 31).unwrap()).mostra(Lingua::It, None), "31/05/2023");
    }
}
