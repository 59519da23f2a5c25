//! The codice fiscale of a person (16 characters, DM 23 dicembre 1976), omocodia included.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::i18n::Lang;

const LUNGHEZZA: usize = 16;
/// Letters that stand for the months January to December.
const MESI: &[u8] = b"ABCDEHLMPRST";
/// Letters that replace the digits 0 to 9 when the Agenzia delle Entrate resolves an omocodia.
const OMOCODIA: &[u8] = b"LMNPQRSTUV";
/// Positions (0-based) that hold digits, or their omocodia letters.
const POSIZIONI_NUMERICHE: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
/// Value of a character in an odd (1-based) position, indexed by digit value or by letter (A = 0).
const VALORI_DISPARI: [u32; 26] =
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/// A codice fiscale of a natural person whose structure and check character are correct.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CodiceFiscale(String);

/// Why a text is not the codice fiscale of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodiceFiscaleError {
    /// Nothing was written.
    #[error("the codice fiscale is empty")]
    Vuoto,
    /// Not 16 characters once spaces are removed.
    #[error("the codice fiscale has {trovati} characters instead of 16")]
    Lunghezza {
        /// How many characters were written.
        trovati: usize,
    },
    /// Something other than letters and digits.
    #[error("the codice fiscale contains characters other than letters and digits")]
    CaratteriNonValidi,
    /// Letters and digits in the wrong places, or an impossible month or day.
    #[error("the codice fiscale does not have the structure of a person's code")]
    Struttura,
    /// The last character does not match the other fifteen.
    #[error("the check character of the codice fiscale does not match")]
    CarattereDiControllo,
}

impl CodiceFiscaleError {
    /// The sentence shown to the user beside the field.
    pub fn messaggio(&self, lang: Lang) -> String {
        match (self, lang) {
            (CodiceFiscaleError::Vuoto, Lang::It) => "Scrivi il codice fiscale".to_owned(),
            (CodiceFiscaleError::Vuoto, Lang::En) => "Enter the codice fiscale (Italian tax code)".to_owned(),
            (CodiceFiscaleError::Lunghezza { trovati }, Lang::It) => {
                format!("Il codice fiscale deve avere 16 caratteri, ne hai scritti {trovati}")
            }
            (CodiceFiscaleError::Lunghezza { trovati }, Lang::En) => {
                format!("The codice fiscale must have 16 characters, you entered {trovati}")
            }
            (CodiceFiscaleError::CaratteriNonValidi, Lang::It) => {
                "Il codice fiscale può contenere solo lettere e cifre".to_owned()
            }
            (CodiceFiscaleError::CaratteriNonValidi, Lang::En) => {
                "The codice fiscale can contain only letters and digits".to_owned()
            }
            (CodiceFiscaleError::Struttura, Lang::It) => "Il codice fiscale non ha la forma giusta: controlla di \
                averlo scritto bene (per esempio RSSMRA85T10A562S)"
                .to_owned(),
            (CodiceFiscaleError::Struttura, Lang::En) => "The codice fiscale does not have the right shape: check \
                that you wrote it correctly (for example RSSMRA85T10A562S)"
                .to_owned(),
            (CodiceFiscaleError::CarattereDiControllo, Lang::It) => "Il codice fiscale non è corretto: controlla di \
                averlo scritto bene (il carattere di controllo non corrisponde)"
                .to_owned(),
            (CodiceFiscaleError::CarattereDiControllo, Lang::En) => "The codice fiscale is not correct: check that \
                you wrote it correctly (the check character does not match)"
                .to_owned(),
        }
    }
}

impl CodiceFiscale {
    /// Parses a codice fiscale as typed by a user: trims, removes spaces, upper-cases, checks structure and check
    /// character.
    pub fn parse(input: &str) -> Result<CodiceFiscale, CodiceFiscaleError> {
        let codice: String = input.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        let trovati = codice.chars().count();
        if trovati == 0 {
            return Err(CodiceFiscaleError::Vuoto);
        }
        if trovati != LUNGHEZZA {
            return Err(CodiceFiscaleError::Lunghezza { trovati });
        }
        let bytes = codice.as_bytes();
        if !bytes.iter().all(u8::is_ascii_alphanumeric) {
            return Err(CodiceFiscaleError::CaratteriNonValidi);
        }
        if !struttura_valida(bytes) {
            return Err(CodiceFiscaleError::Struttura);
        }
        if carattere_di_controllo(&bytes[..LUNGHEZZA - 1]) != bytes[LUNGHEZZA - 1] {
            return Err(CodiceFiscaleError::CarattereDiControllo);
        }
        Ok(CodiceFiscale(codice))
    }

    /// The code, upper-case and without spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the Agenzia delle Entrate replaced some digits with letters to tell this person from a namesake.
    pub fn is_omocodico(&self) -> bool {
        POSIZIONI_NUMERICHE.iter().any(|&i| self.0.as_bytes()[i].is_ascii_alphabetic())
    }
}

/// The digit behind a character of a numeric position, undoing omocodia.
fn cifra(c: u8) -> Option<u8> {
    if c.is_ascii_digit() {
        Some(c - b'0')
    } else {
        OMOCODIA.iter().position(|&l| l == c).and_then(|i| u8::try_from(i).ok())
    }
}

/// Checks the positions of letters and digits, the month letter and the day (41-71 for women).
fn struttura_valida(c: &[u8]) -> bool {
    let lettere = [0, 1, 2, 3, 4, 5, 8, 11, 15];
    if !lettere.iter().all(|&i| c[i].is_ascii_uppercase()) {
        return false;
    }
    let Some(cifre) = POSIZIONI_NUMERICHE.iter().map(|&i| cifra(c[i])).collect::<Option<Vec<u8>>>() else {
        return false;
    };
    let giorno = cifre[2] * 10 + cifre[3];
    MESI.contains(&c[8]) && ((1..=31).contains(&giorno) || (41..=71).contains(&giorno))
}

/// The check character of the first fifteen characters, with the odd/even tables of the ministerial decree.
fn carattere_di_controllo(primi: &[u8]) -> u8 {
    let valore = |c: u8| if c.is_ascii_digit() { c - b'0' } else { c - b'A' };
    let somma: u32 = primi
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let v = usize::from(valore(c));
            // Positions are counted from 1, so index 0 is an odd position.
            if i % 2 == 0 { VALORI_DISPARI[v] } else { u32::from(valore(c)) }
        })
        .sum();
    // The remainder is below 26, so the cast cannot truncate.
    b'A' + (somma % 26) as u8
}

impl fmt::Display for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CodiceFiscale {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for CodiceFiscale {
    type Err = CodiceFiscaleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CodiceFiscale::parse(s)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed unwrap is a clear test failure")]
mod tests {
    use super::*;

    /// Replaces the digit at `pos` with its omocodia letter and recomputes the check character.
    fn omocodizza(cf: &str, pos: usize) -> String {
        let mut b = cf.as_bytes().to_vec();
        b[pos] = OMOCODIA[usize::from(b[pos] - b'0')];
        b[15] = carattere_di_controllo(&b[..15]);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn published_valid_codes_are_accepted() {
        for ok in [
            // The example of the Italian Wikipedia.
            "RSSMRA85T10A562S",
            // The author's own code, used in the tests of python-codicefiscale.
            "CCCFBA85D03L219P",
            // The example in the README of the cfjs package (Mario Rossi, Roma, 9 July 1972).
            "RSSMRA72L09H501S",
            // A woman's code (day 52 = 12), the example in the README of a JavaScript validator.
            "HCGDST35S52I056B",
        ] {
            assert_eq!(CodiceFiscale::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn input_is_trimmed_upper_cased_and_spaces_are_removed() {
        let cf = CodiceFiscale::parse("  rss mra 85t10 a562s ").unwrap();
        assert_eq!(cf.to_string(), "RSSMRA85T10A562S");
        assert!(!cf.is_omocodico());
    }

    #[test]
    fn a_woman_born_on_the_31st_is_accepted() {
        // Day 31 + 40 for a woman; the check character comes from the official tables.
        let cf = "BNCLRA90A71H501";
        let completo = format!("{cf}{}", char::from(carattere_di_controllo(cf.as_bytes())));
        assert!(CodiceFiscale::parse(&completo).is_ok());
    }

    #[test]
    fn published_omocodia_codes_are_accepted() {
        // From the tests of python-codicefiscale: the same person, more and more digits replaced by letters.
        for ok in [
            "CCCFBA85D03L21VE",
            "CCCFBA85D03L2MVP",
            "CCCFBA85D03LNMVE",
            "CCCFBA85D0PLNMVA",
            "CCCFBA85DLPLNMVL",
            "CCCFBA8RDLPLNMVX",
            "CCCFBAURDLPLNMVU",
        ] {
            let cf = CodiceFiscale::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(cf.is_omocodico());
        }
    }

    #[test]
    fn omocodia_in_every_numeric_position_is_accepted() {
        let mut cf = "RSSMRA85T10A562S".to_owned();
        for pos in POSIZIONI_NUMERICHE {
            cf = omocodizza(&cf, pos);
            assert!(CodiceFiscale::parse(&cf).is_ok(), "{cf}");
        }
        assert_eq!(cf, "RSSMRAURTMLARSNL");
    }

    #[test]
    fn a_wrong_check_character_is_refused_with_a_clear_message() {
        for bad in ["RSSMRA85T10A562T", "CCCFBA85D03L219B", "CCCFBA85D03L21VP"] {
            assert_eq!(CodiceFiscale::parse(bad), Err(CodiceFiscaleError::CarattereDiControllo), "{bad}");
        }
        assert_eq!(
            CodiceFiscaleError::CarattereDiControllo.messaggio(Lang::It),
            "Il codice fiscale non è corretto: controlla di averlo scritto bene (il carattere di controllo non \
             corrisponde)"
        );
    }

    #[test]
    fn two_swapped_characters_are_caught() {
        assert_eq!(CodiceFiscale::parse("RSSMRA58T10A562S"), Err(CodiceFiscaleError::CarattereDiControllo));
    }

    #[test]
    fn the_wrong_length_is_refused_and_counted() {
        assert_eq!(CodiceFiscale::parse(""), Err(CodiceFiscaleError::Vuoto));
        assert_eq!(CodiceFiscale::parse("RSSMRA85T10A562"), Err(CodiceFiscaleError::Lunghezza { trovati: 15 }));
        assert_eq!(CodiceFiscale::parse("RSSMRA85T10A562SS"), Err(CodiceFiscaleError::Lunghezza { trovati: 17 }));
        assert!(CodiceFiscaleError::Lunghezza { trovati: 15 }.messaggio(Lang::It).contains("ne hai scritti 15"));
    }

    #[test]
    fn punctuation_and_accented_letters_are_refused() {
        assert_eq!(CodiceFiscale::parse("RSSMRA85T10A562-"), Err(CodiceFiscaleError::CaratteriNonValidi));
        assert_eq!(CodiceFiscale::parse("RSSMRÀ85T10A562S"), Err(CodiceFiscaleError::CaratteriNonValidi));
    }

    #[test]
    fn letters_and_digits_in_the_wrong_places_are_refused() {
        for bad in [
            // A digit among the surname letters.
            "R5SMRA85T10A562S",
            // A letter that is not an omocodia letter in the year.
            "RSSMRA8AT10A562S",
            // The month F does not exist.
            "RSSMRA85F10A562S",
            // Day 00, 32 and 72 do not exist; a correct check character does not save them.
            "MRORSS00A00A000U",
            "RSSMRA85T32A562S",
            "RSSMRA85T72A562S",
            // A digit where the check character goes.
            "RSSMRA85T10A5620",
        ] {
            assert_eq!(CodiceFiscale::parse(bad), Err(CodiceFiscaleError::Struttura), "{bad}");
        }
    }
}
