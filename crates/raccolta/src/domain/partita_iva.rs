//! Eleven-digit numbers of the Agenzia delle Entrate: the partita IVA and the numeric codice fiscale of companies and
//! enti. Both end with the same check digit (DM 23 dicembre 1976), which is the Luhn digit of the first ten.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::i18n::Lang;

const CIFRE: usize = 11;

/// A partita IVA (Italian VAT number) whose check digit is correct, without the `IT` prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PartitaIva(String);

/// The numeric codice fiscale of a company or ente (often equal to its partita IVA) whose check digit is correct.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CodiceFiscaleNumerico(String);

/// Why a text is not a partita IVA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PartitaIvaError {
    /// Nothing was written.
    #[error("the partita IVA is empty")]
    Vuota,
    /// Something other than digits (after an optional `IT`).
    #[error("the partita IVA contains characters other than digits")]
    CaratteriNonValidi,
    /// Not 11 digits.
    #[error("the partita IVA has {trovate} digits instead of 11")]
    Lunghezza {
        /// How many digits were written.
        trovate: usize,
    },
    /// The first seven digits, the taxpayer's number, are all zero.
    #[error("the taxpayer number of the partita IVA is all zeros")]
    MatricolaNulla,
    /// The last digit does not match the other ten.
    #[error("the check digit of the partita IVA does not match")]
    CifraDiControllo,
}

/// Why a text is not the numeric codice fiscale of a company or ente.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodiceFiscaleNumericoError {
    /// Nothing was written.
    #[error("the numeric codice fiscale is empty")]
    Vuoto,
    /// Something other than digits.
    #[error("the numeric codice fiscale contains characters other than digits")]
    CaratteriNonValidi,
    /// Not 11 digits.
    #[error("the numeric codice fiscale has {trovate} digits instead of 11")]
    Lunghezza {
        /// How many digits were written.
        trovate: usize,
    },
    /// The first seven digits are all zero.
    #[error("the first seven digits of the numeric codice fiscale are all zeros")]
    MatricolaNulla,
    /// The last digit does not match the other ten.
    #[error("the check digit of the numeric codice fiscale does not match")]
    CifraDiControllo,
}

/// What is wrong with eleven digits, whatever they are called.
enum Difetto {
    Vuoto,
    CaratteriNonValidi,
    Lunghezza(usize),
    MatricolaNulla,
    CifraDiControllo,
}

impl From<Difetto> for PartitaIvaError {
    fn from(d: Difetto) -> Self {
        match d {
            Difetto::Vuoto => PartitaIvaError::Vuota,
            Difetto::CaratteriNonValidi => PartitaIvaError::CaratteriNonValidi,
            Difetto::Lunghezza(trovate) => PartitaIvaError::Lunghezza { trovate },
            Difetto::MatricolaNulla => PartitaIvaError::MatricolaNulla,
            Difetto::CifraDiControllo => PartitaIvaError::CifraDiControllo,
        }
    }
}

impl From<Difetto> for CodiceFiscaleNumericoError {
    fn from(d: Difetto) -> Self {
        match d {
            Difetto::Vuoto => CodiceFiscaleNumericoError::Vuoto,
            Difetto::CaratteriNonValidi => CodiceFiscaleNumericoError::CaratteriNonValidi,
            Difetto::Lunghezza(trovate) => CodiceFiscaleNumericoError::Lunghezza { trovate },
            Difetto::MatricolaNulla => CodiceFiscaleNumericoError::MatricolaNulla,
            Difetto::CifraDiControllo => CodiceFiscaleNumericoError::CifraDiControllo,
        }
    }
}

impl PartitaIvaError {
    /// The sentence shown to the user beside the field.
    pub fn messaggio(&self, lang: Lang) -> String {
        match (self, lang) {
            (PartitaIvaError::Vuota, Lang::It) => "Scrivi la partita IVA".to_owned(),
            (PartitaIvaError::Vuota, Lang::En) => "Enter the partita IVA (VAT number)".to_owned(),
            (PartitaIvaError::CaratteriNonValidi, Lang::It) => {
                "La partita IVA può contenere solo cifre, eventualmente precedute da IT".to_owned()
            }
            (PartitaIvaError::CaratteriNonValidi, Lang::En) => {
                "The partita IVA can contain only digits, optionally preceded by IT".to_owned()
            }
            (PartitaIvaError::Lunghezza { trovate }, Lang::It) => {
                format!("La partita IVA deve avere 11 cifre, ne hai scritte {trovate}")
            }
            (PartitaIvaError::Lunghezza { trovate }, Lang::En) => {
                format!("The partita IVA must have 11 digits, you entered {trovate}")
            }
            (PartitaIvaError::MatricolaNulla, Lang::It) => {
                "La partita IVA non è corretta: le prime sette cifre non possono essere tutte zero".to_owned()
            }
            (PartitaIvaError::MatricolaNulla, Lang::En) => {
                "The partita IVA is not correct: the first seven digits cannot all be zero".to_owned()
            }
            (PartitaIvaError::CifraDiControllo, Lang::It) => "La partita IVA non è corretta: controlla di averla \
                scritta bene (la cifra di controllo non corrisponde)"
                .to_owned(),
            (PartitaIvaError::CifraDiControllo, Lang::En) => "The partita IVA is not correct: check that you wrote \
                it correctly (the check digit does not match)"
                .to_owned(),
        }
    }
}

impl CodiceFiscaleNumericoError {
    /// The sentence shown to the user beside the field.
    pub fn messaggio(&self, lang: Lang) -> String {
        match (self, lang) {
            (CodiceFiscaleNumericoError::Vuoto, Lang::It) => "Scrivi il codice fiscale".to_owned(),
            (CodiceFiscaleNumericoError::Vuoto, Lang::En) => "Enter the codice fiscale (Italian tax code)".to_owned(),
            (CodiceFiscaleNumericoError::CaratteriNonValidi, Lang::It) => {
                "Il codice fiscale di una società o di un ente è fatto di sole cifre".to_owned()
            }
            (CodiceFiscaleNumericoError::CaratteriNonValidi, Lang::En) => {
                "The codice fiscale of a company or public body is made of digits only".to_owned()
            }
            (CodiceFiscaleNumericoError::Lunghezza { trovate }, Lang::It) => {
                format!("Il codice fiscale di una società o di un ente deve avere 11 cifre, ne hai scritte {trovate}")
            }
            (CodiceFiscaleNumericoError::Lunghezza { trovate }, Lang::En) => {
                format!("The codice fiscale of a company or public body must have 11 digits, you entered {trovate}")
            }
            (CodiceFiscaleNumericoError::MatricolaNulla, Lang::It) => {
                "Il codice fiscale non è corretto: le prime sette cifre non possono essere tutte zero".to_owned()
            }
            (CodiceFiscaleNumericoError::MatricolaNulla, Lang::En) => {
                "The codice fiscale is not correct: the first seven digits cannot all be zero".to_owned()
            }
            (CodiceFiscaleNumericoError::CifraDiControllo, Lang::It) => "Il codice fiscale non è corretto: \
                controlla di averlo scritto bene (la cifra di controllo non corrisponde)"
                .to_owned(),
            (CodiceFiscaleNumericoError::CifraDiControllo, Lang::En) => "The codice fiscale is not correct: check \
                that you wrote it correctly (the check digit does not match)"
                .to_owned(),
        }
    }
}

impl PartitaIva {
    /// Parses a partita IVA as typed by a user: removes spaces and an optional `IT` prefix, checks the check digit.
    pub fn parse(input: &str) -> Result<PartitaIva, PartitaIvaError> {
        let compatto = senza_spazi(input);
        let cifre = match compatto.get(..2) {
            Some(prefisso) if prefisso.eq_ignore_ascii_case("IT") => &compatto[2..],
            _ => compatto.as_str(),
        };
        Ok(PartitaIva(undici_cifre(cifre)?))
    }

    /// The eleven digits, without prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same eleven digits read as the codice fiscale of the company, which they usually are.
    pub fn come_codice_fiscale(&self) -> CodiceFiscaleNumerico {
        CodiceFiscaleNumerico(self.0.clone())
    }
}

impl CodiceFiscaleNumerico {
    /// Parses the numeric codice fiscale of a company or ente as typed by a user: removes spaces, checks the check
    /// digit.
    pub fn parse(input: &str) -> Result<CodiceFiscaleNumerico, CodiceFiscaleNumericoError> {
        Ok(CodiceFiscaleNumerico(undici_cifre(&senza_spazi(input))?))
    }

    /// The eleven digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn senza_spazi(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).collect()
}

fn undici_cifre(cifre: &str) -> Result<String, Difetto> {
    if cifre.is_empty() {
        return Err(Difetto::Vuoto);
    }
    if !cifre.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Difetto::CaratteriNonValidi);
    }
    if cifre.len() != CIFRE {
        return Err(Difetto::Lunghezza(cifre.len()));
    }
    let b = cifre.as_bytes();
    if b[..7].iter().all(|&c| c == b'0') {
        return Err(Difetto::MatricolaNulla);
    }
    if cifra_di_controllo(&b[..CIFRE - 1]) != b[CIFRE - 1] {
        return Err(Difetto::CifraDiControllo);
    }
    Ok(cifre.to_owned())
}

/// The check digit of the first ten digits: digits in odd (1-based) positions are added as they are, those in even
/// positions are doubled and, when the double exceeds 9, reduced by 9.
fn cifra_di_controllo(dieci: &[u8]) -> u8 {
    let somma: u32 = dieci
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let d = u32::from(c - b'0');
            if i % 2 == 0 {
                d
            } else if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        })
        .sum();
    // The result is below 10, so the cast cannot truncate.
    b'0' + ((10 - somma % 10) % 10) as u8
}

impl fmt::Display for PartitaIva {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for CodiceFiscaleNumerico {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PartitaIva {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for CodiceFiscaleNumerico {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for PartitaIva {
    type Err = PartitaIvaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PartitaIva::parse(s)
    }
}

impl FromStr for CodiceFiscaleNumerico {
    type Err = CodiceFiscaleNumericoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CodiceFiscaleNumerico::parse(s)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed unwrap is a clear test failure")]
mod tests {
    use super::*;

    /// An independent check: the textbook Luhn test, reading from the right and doubling every second digit.
    fn luhn_valido(numero: &str) -> bool {
        let somma: u32 = numero
            .chars()
            .rev()
            .map(|c| c.to_digit(10).unwrap())
            .enumerate()
            .map(|(i, d)| if i % 2 == 1 { [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][d as usize] } else { d })
            .sum();
        somma.is_multiple_of(10)
    }

    /// Partite IVA and codici fiscali published by the companies and enti themselves.
    const PUBBLICATI: [&str; 5] = [
        // Eni S.p.A., partita IVA.
        "00905811006",
        // Eni S.p.A., codice fiscale.
        "00484960588",
        // Poste Italiane S.p.A., partita IVA.
        "01114601006",
        // Agenzia delle Entrate, codice fiscale.
        "06363391001",
        // INPS, codice fiscale.
        "80078750587",
    ];

    #[test]
    fn published_numbers_are_accepted_and_agree_with_luhn() {
        for ok in PUBBLICATI {
            assert!(luhn_valido(ok), "{ok} fails the independent Luhn check");
            assert_eq!(PartitaIva::parse(ok).unwrap().as_str(), ok);
            assert_eq!(CodiceFiscaleNumerico::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn the_check_digit_agrees_with_luhn_on_every_choice_of_last_digit() {
        for base in ["0123456789", "1234567890", "9876543210", "0000001000", "5555555555"] {
            for last in '0'..='9' {
                let numero = format!("{base}{last}");
                assert_eq!(PartitaIva::parse(&numero).is_ok(), luhn_valido(&numero), "{numero}");
            }
        }
        assert!(PartitaIva::parse("01234567897").is_ok());
    }

    #[test]
    fn spaces_and_the_it_prefix_are_removed() {
        for input in [" IT 00905811006 ", "it00905811006", "009 0581 1006", "IT00905811006"] {
            assert_eq!(PartitaIva::parse(input).unwrap().to_string(), "00905811006", "{input}");
        }
    }

    #[test]
    fn the_it_prefix_is_not_part_of_a_codice_fiscale() {
        assert_eq!(CodiceFiscaleNumerico::parse("IT00484960588"), Err(CodiceFiscaleNumericoError::CaratteriNonValidi));
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        for bad in ["00905811007", "01114601000", "01234567890"] {
            assert_eq!(PartitaIva::parse(bad), Err(PartitaIvaError::CifraDiControllo), "{bad}");
        }
        assert_eq!(CodiceFiscaleNumerico::parse("80078750588"), Err(CodiceFiscaleNumericoError::CifraDiControllo));
    }

    #[test]
    fn two_swapped_adjacent_digits_are_caught_except_0_and_9() {
        assert_eq!(PartitaIva::parse("00908511006"), Err(PartitaIvaError::CifraDiControllo));
        // The known blind spot of Luhn: swapping 0 and 9 keeps the sum.
        assert!(PartitaIva::parse("09005811006").is_ok());
    }

    #[test]
    fn the_wrong_number_of_digits_is_refused_and_counted() {
        assert_eq!(PartitaIva::parse(""), Err(PartitaIvaError::Vuota));
        assert_eq!(PartitaIva::parse("IT"), Err(PartitaIvaError::Vuota));
        assert_eq!(PartitaIva::parse("0090581100"), Err(PartitaIvaError::Lunghezza { trovate: 10 }));
        assert_eq!(PartitaIva::parse("009058110066"), Err(PartitaIvaError::Lunghezza { trovate: 12 }));
        assert!(PartitaIvaError::Lunghezza { trovate: 10 }.messaggio(Lang::It).contains("ne hai scritte 10"));
    }

    #[test]
    fn letters_and_punctuation_are_refused() {
        for bad in ["0090581100A", "00905-811006", "DE00905811006", "ＩＴ00905811006"] {
            assert_eq!(PartitaIva::parse(bad), Err(PartitaIvaError::CaratteriNonValidi), "{bad}");
        }
    }

    #[test]
    fn all_zeros_passes_the_checksum_but_is_refused() {
        assert!(luhn_valido("00000000000"));
        assert_eq!(PartitaIva::parse("00000000000"), Err(PartitaIvaError::MatricolaNulla));
        assert_eq!(CodiceFiscaleNumerico::parse("00000000000"), Err(CodiceFiscaleNumericoError::MatricolaNulla));
    }

    #[test]
    fn a_partita_iva_can_serve_as_codice_fiscale() {
        let piva = PartitaIva::parse("IT01114601006").unwrap();
        assert_eq!(piva.come_codice_fiscale().as_str(), "01114601006");
    }
}
