//! The username a user receives when the registration is confirmed.

use std::fmt;
use std::str::FromStr;

use rand::rngs::OsRng;
use rand::{Rng, TryRngCore};
use serde::Serialize;

use crate::i18n::Lang;

/// Letters and digits that cannot be mistaken for one another when read aloud or copied by hand: no 0, O, 1, I, L.
pub const ALFABETO: &[u8; 31] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in a codice utente: 31^8, about 8.5 * 10^11 codes, so guessing one is hopeless.
pub const LUNGHEZZA: usize = 8;

/// A username of eight characters from [`ALFABETO`], drawn at random so that it reveals nothing about its owner.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CodiceUtente(String);

/// Why a text is not a codice utente.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodiceUtenteError {
    /// Nothing was written.
    #[error("the codice utente is empty")]
    Vuoto,
    /// Not eight characters.
    #[error("the codice utente has {trovati} characters instead of {LUNGHEZZA}")]
    Lunghezza {
        /// How many characters were written.
        trovati: usize,
    },
    /// A character that no codice utente contains (for example 0, O, 1, I, L).
    #[error("the codice utente contains characters outside its alphabet")]
    CaratteriNonValidi,
}

impl CodiceUtenteError {
    /// The sentence shown to the user beside the field.
    pub fn messaggio(&self, lang: Lang) -> String {
        match (self, lang) {
            (CodiceUtenteError::Vuoto, Lang::It) => "Scrivi il tuo codice utente".to_owned(),
            (CodiceUtenteError::Vuoto, Lang::En) => "Enter your user code".to_owned(),
            (CodiceUtenteError::Lunghezza { trovati }, Lang::It) => {
                format!("Il codice utente ha 8 caratteri, ne hai scritti {trovati}: lo trovi nell'e-mail di conferma")
            }
            (CodiceUtenteError::Lunghezza { trovati }, Lang::En) => {
                format!(
                    "The user code has 8 characters, you entered {trovati}: you can find it in the confirmation e-mail"
                )
            }
            (CodiceUtenteError::CaratteriNonValidi, Lang::It) => "Il codice utente non è corretto: contiene solo \
                lettere e le cifre da 2 a 9, mai 0, O, 1, I o L"
                .to_owned(),
            (CodiceUtenteError::CaratteriNonValidi, Lang::En) => "The user code is not correct: it contains only \
                letters and the digits 2 to 9, never 0, O, 1, I or L"
                .to_owned(),
        }
    }
}

impl CodiceUtente {
    /// Draws a new code from the operating system's random source.
    ///
    /// # Panics
    ///
    /// If the operating system cannot provide random bytes, when no secure code can be made at all.
    pub fn genera() -> CodiceUtente {
        let mut rng = OsRng.unwrap_err();
        let codice = (0..LUNGHEZZA).map(|_| char::from(ALFABETO[rng.random_range(0..ALFABETO.len())])).collect();
        CodiceUtente(codice)
    }

    /// Parses a code as typed by a user: trims and upper-cases, then checks length and alphabet.
    pub fn parse(input: &str) -> Result<CodiceUtente, CodiceUtenteError> {
        let codice = input.trim().to_uppercase();
        let trovati = codice.chars().count();
        if trovati == 0 {
            return Err(CodiceUtenteError::Vuoto);
        }
        if !codice.bytes().all(|b| ALFABETO.contains(&b)) {
            return Err(CodiceUtenteError::CaratteriNonValidi);
        }
        if trovati != LUNGHEZZA {
            return Err(CodiceUtenteError::Lunghezza { trovati });
        }
        Ok(CodiceUtente(codice))
    }

    /// The code, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CodiceUtente {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CodiceUtente {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for CodiceUtente {
    type Err = CodiceUtenteError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CodiceUtente::parse(s)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed unwrap is a clear test failure")]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for c in b"0O1IL" {
            assert!(!ALFABETO.contains(c));
        }
        assert_eq!(ALFABETO.iter().collect::<HashSet<_>>().len(), ALFABETO.len());
    }

    #[test]
    fn generated_codes_are_valid_and_parse_back() {
        for _ in 0..100 {
            let codice = CodiceUtente::genera();
            assert_eq!(CodiceUtente::parse(codice.as_str()), Ok(codice.clone()));
        }
    }

    #[test]
    fn generated_codes_are_random_not_sequential() {
        let codici: Vec<CodiceUtente> = (0..2000).map(|_| CodiceUtente::genera()).collect();
        assert_eq!(codici.iter().collect::<HashSet<_>>().len(), codici.len());
        // Consecutive codes share a character in a given position about 1 time in 31, as independent draws should.
        let uguali: usize = codici
            .windows(2)
            .map(|w| w[0].as_str().bytes().zip(w[1].as_str().bytes()).filter(|(a, b)| a == b).count())
            .sum();
        assert!(uguali < 2000 * LUNGHEZZA / 10, "{uguali} positions repeat between consecutive codes");
        // Every character of the alphabet shows up in 16,000 draws.
        let usati: HashSet<u8> = codici.iter().flat_map(|c| c.as_str().bytes()).collect();
        assert_eq!(usati.len(), ALFABETO.len());
    }

    #[test]
    fn a_typed_code_is_trimmed_and_upper_cased() {
        assert_eq!(CodiceUtente::parse("  k7mq2xzp ").unwrap().to_string(), "K7MQ2XZP");
    }

    #[test]
    fn look_alike_characters_are_refused() {
        for bad in ["K7MQ2XZ0", "K7MQ2XZO", "K7MQ2XZ1", "K7MQ2XZI", "K7MQ2XZL", "K7MQ-XZP", "K7MQ2XZÀ"] {
            assert_eq!(CodiceUtente::parse(bad), Err(CodiceUtenteError::CaratteriNonValidi), "{bad}");
        }
    }

    #[test]
    fn the_wrong_length_is_refused() {
        assert_eq!(CodiceUtente::parse(" "), Err(CodiceUtenteError::Vuoto));
        assert_eq!(CodiceUtente::parse("K7MQ2XZ"), Err(CodiceUtenteError::Lunghezza { trovati: 7 }));
        assert_eq!(CodiceUtente::parse("K7MQ2XZPP"), Err(CodiceUtenteError::Lunghezza { trovati: 9 }));
    }
}
