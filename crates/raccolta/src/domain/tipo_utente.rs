//! Who registers: a natural person or a company.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// Whether a user is a natural person or a company; it decides which identity fields the registration asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipoUtente {
    /// A natural person, identified by a 16-character codice fiscale.
    PersonaFisica,
    /// A company, identified by its partita IVA.
    Societa,
}

/// The text is not one of the known kinds of user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind of user")]
pub struct TipoUtenteError;

impl TipoUtenteError {
    /// The sentence shown to the user beside the field.
    pub fn messaggio(&self, lang: Lang) -> String {
        match lang {
            Lang::It => "Scegli se ti registri come persona fisica o come società",
            Lang::En => "Choose whether you register as a natural person or as a company",
        }
        .to_owned()
    }
}

impl TipoUtente {
    /// Every kind of user, in the order of the registration form.
    pub const ALL: [TipoUtente; 2] = [TipoUtente::PersonaFisica, TipoUtente::Societa];

    /// The code stored in the database and sent by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            TipoUtente::PersonaFisica => "persona_fisica",
            TipoUtente::Societa => "societa",
        }
    }

    /// Parses the code stored in the database or sent by a form.
    pub fn parse(input: &str) -> Result<TipoUtente, TipoUtenteError> {
        TipoUtente::ALL.into_iter().find(|t| t.as_str() == input.trim()).ok_or(TipoUtenteError)
    }
}

impl fmt::Display for TipoUtente {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TipoUtente {
    type Err = TipoUtenteError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TipoUtente::parse(s)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed unwrap is a clear test failure")]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_code() {
        for tipo in TipoUtente::ALL {
            assert_eq!(TipoUtente::parse(tipo.as_str()), Ok(tipo));
        }
        assert_eq!(TipoUtente::PersonaFisica.as_str(), "persona_fisica");
        assert_eq!(TipoUtente::Societa.to_string(), "societa");
    }

    #[test]
    fn serde_uses_the_same_codes() {
        assert_eq!(serde_json::to_string(&TipoUtente::PersonaFisica).unwrap(), "\"persona_fisica\"");
        assert_eq!(serde_json::from_str::<TipoUtente>("\"societa\"").unwrap(), TipoUtente::Societa);
    }

    #[test]
    fn unknown_codes_are_refused() {
        for bad in ["", "ente", "Societa", "società", "persona fisica"] {
            assert_eq!(TipoUtente::parse(bad), Err(TipoUtenteError), "{bad}");
        }
        assert!(TipoUtenteError.messaggio(Lang::It).contains("persona fisica o come società"));
    }
}
