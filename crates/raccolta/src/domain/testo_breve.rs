//! A short single-line text typed by a user: a name, a surname, a denominazione, a job title.

use std::fmt;

use serde::Serialize;

use crate::i18n::Lang;

/// A non-empty single-line text, trimmed, with runs of whitespace collapsed to one space, within a length limit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TestoBreve(String);

/// Why a text is not an acceptable short text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TestoBreveError {
    /// Nothing but whitespace was written.
    #[error("the text is empty")]
    Vuoto,
    /// Control characters or invisible characters that reorder text.
    #[error("the text contains control characters")]
    CaratteriNonValidi,
    /// Longer than allowed, after collapsing whitespace.
    #[error("the text has {trovati} characters, more than the {massimo} allowed")]
    TroppoLungo {
        /// The most characters allowed.
        massimo: usize,
        /// How many characters were written.
        trovati: usize,
    },
}

impl TestoBreveError {
    /// The sentence shown to the user beside the field.
    pub fn messaggio(&self, lang: Lang) -> String {
        match (self, lang) {
            (TestoBreveError::Vuoto, Lang::It) => "Compila questo campo".to_owned(),
            (TestoBreveError::Vuoto, Lang::En) => "Fill in this field".to_owned(),
            (TestoBreveError::CaratteriNonValidi, Lang::It) => {
                "Il testo contiene caratteri non ammessi: riscrivilo senza copiarlo e incollarlo".to_owned()
            }
            (TestoBreveError::CaratteriNonValidi, Lang::En) => {
                "The text contains characters that are not allowed: type it again instead of pasting it".to_owned()
            }
            (TestoBreveError::TroppoLungo { massimo, trovati }, Lang::It) => {
                format!("Il testo è troppo lungo: può avere al massimo {massimo} caratteri, ne hai scritti {trovati}")
            }
            (TestoBreveError::TroppoLungo { massimo, trovati }, Lang::En) => {
                format!("The text is too long: it can have at most {massimo} characters, you entered {trovati}")
            }
        }
    }
}

impl TestoBreve {
    /// Parses a short text: trims, collapses whitespace (tabs and newlines included), refuses empty, control
    /// characters and more than `max_chars` characters.
    pub fn parse(input: &str, max_chars: usize) -> Result<TestoBreve, TestoBreveError> {
        if input.chars().any(|c| (c.is_control() && !c.is_whitespace()) || is_bidi_control(c)) {
            return Err(TestoBreveError::CaratteriNonValidi);
        }
        let testo = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if testo.is_empty() {
            return Err(TestoBreveError::Vuoto);
        }
        let trovati = testo.chars().count();
        if trovati > max_chars {
            return Err(TestoBreveError::TroppoLungo { massimo: max_chars, trovati });
        }
        Ok(TestoBreve(testo))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Bidirectional formatting characters can make a name display differently from what is stored ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for TestoBreve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TestoBreve {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed unwrap is a clear test failure")]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_inner_whitespace_collapsed() {
        let nome = TestoBreve::parse("  Maria \t Grazia\n", 50).unwrap();
        assert_eq!(nome.as_str(), "Maria Grazia");
        assert_eq!(nome.to_string(), "Maria Grazia");
    }

    #[test]
    fn apostrophes_accents_and_non_latin_letters_are_kept() {
        for ok in ["D'Alessandro", "Niccolò", "Müller-Lüdenscheidt", "Comune di Forlì", "Ólafsdóttir", "王秀英"]
        {
            assert_eq!(TestoBreve::parse(ok, 50).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn an_empty_or_blank_text_is_refused() {
        assert_eq!(TestoBreve::parse("", 50), Err(TestoBreveError::Vuoto));
        assert_eq!(TestoBreve::parse(" \t\n\u{a0}", 50), Err(TestoBreveError::Vuoto));
        assert_eq!(TestoBreveError::Vuoto.messaggio(Lang::It), "Compila questo campo");
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(TestoBreve::parse("Rossi\u{0}", 50), Err(TestoBreveError::CaratteriNonValidi));
        assert_eq!(TestoBreve::parse("Rossi\u{1b}[31m", 50), Err(TestoBreveError::CaratteriNonValidi));
        assert_eq!(TestoBreve::parse("Rossi\u{202E}issoR", 50), Err(TestoBreveError::CaratteriNonValidi));
    }

    #[test]
    fn the_limit_counts_characters_after_collapsing() {
        assert!(TestoBreve::parse("àèìòù", 5).is_ok());
        assert_eq!(TestoBreve::parse("àèìòùé", 5), Err(TestoBreveError::TroppoLungo { massimo: 5, trovati: 6 }));
        assert!(TestoBreve::parse("  a    b  ", 3).is_ok());
        let err = TestoBreve::parse("Comune di Roma", 10).unwrap_err();
        assert_eq!(
            err.messaggio(Lang::It),
            "Il testo è troppo lungo: può avere al massimo 10 caratteri, ne hai scritti 14"
        );
    }
}
