//! Assistenza: a request of a user to support, its category and its life:
//!
//! ```text
//! Aperta --support takes it--> In lavorazione --support answers--> In attesa dell'utente
//! In attesa dell'utente --the user writes--> In lavorazione (Aperta when nobody of support has it)
//! any --closed by the user or support--> Chiusa --the user writes--> as above; --reopened--> Aperta
//! ```
//!
//! Support may also put a request in any other state by hand. Every change goes through a method here.

use super::ruolo::{TransitionError, UnknownCode};
use crate::i18n::Lang;

/// Where a request of assistance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatoRichiesta {
    /// Waiting for support.
    Aperta,
    /// A member of support is on it.
    InLavorazione,
    /// Support answered and waits for the user.
    InAttesa,
    /// Done: the user can still write, which reopens it.
    Chiusa,
}

impl StatoRichiesta {
    /// Every state, in the order the filters list them.
    pub const TUTTI: [StatoRichiesta; 4] =
        [StatoRichiesta::Aperta, StatoRichiesta::InLavorazione, StatoRichiesta::InAttesa, StatoRichiesta::Chiusa];

    /// The code stored in the database and used in query strings and forms.
    pub fn code(self) -> &'static str {
        match self {
            StatoRichiesta::Aperta => "aperta",
            StatoRichiesta::InLavorazione => "in_lavorazione",
            StatoRichiesta::InAttesa => "in_attesa",
            StatoRichiesta::Chiusa => "chiusa",
        }
    }

    /// The state of a code; `None` for an unknown one.
    pub fn from_code(code: &str) -> Option<StatoRichiesta> {
        StatoRichiesta::TUTTI.into_iter().find(|s| s.code() == code)
    }

    /// The label shown in lists.
    pub fn etichetta(self, lang: Lang) -> String {
        lang.t(&format!("assistenza-stato-{}", self.code().replace('_', "-")))
    }

    /// The user (or a colleague of their ente) wrote in the thread: a request waiting for them, or closed, goes
    /// back to support: to whoever of support has it (`assegnata`), in lavorazione, or to all of them, aperta.
    pub fn scrive_utente(self, assegnata: bool) -> StatoRichiesta {
        match self {
            StatoRichiesta::Aperta => StatoRichiesta::Aperta,
            StatoRichiesta::InLavorazione => StatoRichiesta::InLavorazione,
            StatoRichiesta::InAttesa | StatoRichiesta::Chiusa if assegnata => StatoRichiesta::InLavorazione,
            StatoRichiesta::InAttesa | StatoRichiesta::Chiusa => StatoRichiesta::Aperta,
        }
    }

    /// Support answered, leaving the request in `poi` (by default waiting for the user).
    pub fn risponde_supporto(self, poi: Option<StatoRichiesta>) -> StatoRichiesta {
        poi.unwrap_or(StatoRichiesta::InAttesa)
    }

    /// The user closes their request (solved, or no longer needed).
    pub fn chiudi(self) -> Result<StatoRichiesta, TransitionError> {
        match self {
            StatoRichiesta::Chiusa => Err(TransitionError { da: self.code(), azione: "chiudi" }),
            _ => Ok(StatoRichiesta::Chiusa),
        }
    }

    /// The user reopens a closed request.
    pub fn riapri(self) -> Result<StatoRichiesta, TransitionError> {
        match self {
            StatoRichiesta::Chiusa => Ok(StatoRichiesta::Aperta),
            _ => Err(TransitionError { da: self.code(), azione: "riapri" }),
        }
    }

    /// Support puts the request in `nuovo` by hand: any other state.
    pub fn imposta(self, nuovo: StatoRichiesta) -> Result<StatoRichiesta, TransitionError> {
        if nuovo == self { Err(TransitionError { da: self.code(), azione: nuovo.code() }) } else { Ok(nuovo) }
    }
}

impl TryFrom<String> for StatoRichiesta {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        StatoRichiesta::from_code(&code).ok_or(UnknownCode(code))
    }
}

/// What a request is about: it routes the request and lets support filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Categoria {
    /// Logging in, the account, the password, the captcha.
    Accesso,
    /// Associations with enti, responsabili.
    Associazioni,
    /// Compiling a questionnaire: fields, totals, checks.
    Compilazione,
    /// Sending, receipts, PDFs.
    Invio,
    /// Reopening a sent questionnaire.
    Riapertura,
    /// Anything else.
    Altro,
}

impl Categoria {
    /// Every category, in the order the forms list them.
    pub const TUTTE: [Categoria; 6] = [
        Categoria::Accesso,
        Categoria::Associazioni,
        Categoria::Compilazione,
        Categoria::Invio,
        Categoria::Riapertura,
        Categoria::Altro,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Categoria::Accesso => "accesso",
            Categoria::Associazioni => "associazioni",
            Categoria::Compilazione => "compilazione",
            Categoria::Invio => "invio",
            Categoria::Riapertura => "riapertura",
            Categoria::Altro => "altro",
        }
    }

    /// The category of a code; `None` for an unknown one.
    pub fn from_code(code: &str) -> Option<Categoria> {
        Categoria::TUTTE.into_iter().find(|c| c.code() == code)
    }

    /// The label in `lang`.
    pub fn etichetta(self, lang: Lang) -> String {
        lang.t(&format!("assistenza-categoria-{}", self.code()))
    }
}

impl TryFrom<String> for Categoria {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Categoria::from_code(&code).ok_or(UnknownCode(code))
    }
}

#[cfg(test)]
mod tests {
    use super::StatoRichiesta::{self, *};

    #[test]
    fn a_user_writing_sends_the_request_back_to_support_unless_someone_is_on_it() {
        assert_eq!(InAttesa.scrive_utente(false), Aperta);
        assert_eq!(InAttesa.scrive_utente(true), InLavorazione);
        assert_eq!(Chiusa.scrive_utente(false), Aperta);
        assert_eq!(Chiusa.scrive_utente(true), InLavorazione);
        assert_eq!(Aperta.scrive_utente(true), Aperta);
        assert_eq!(InLavorazione.scrive_utente(false), InLavorazione);
    }

    #[test]
    fn support_answers_waiting_for_the_user_unless_it_says_otherwise() {
        assert_eq!(Aperta.risponde_supporto(None), InAttesa);
        assert_eq!(Aperta.risponde_supporto(Some(Chiusa)), Chiusa);
        assert_eq!(Chiusa.risponde_supporto(Some(InLavorazione)), InLavorazione);
    }

    #[test]
    fn closing_and_reopening_refuse_what_is_already_so() {
        assert_eq!(Aperta.chiudi(), Ok(Chiusa));
        assert!(Chiusa.chiudi().is_err());
        assert_eq!(Chiusa.riapri(), Ok(Aperta));
        assert!(InAttesa.riapri().is_err());
        assert!(Aperta.imposta(Aperta).is_err());
        assert_eq!(Aperta.imposta(InLavorazione), Ok(InLavorazione));
    }

    #[test]
    fn codes_round_trip() {
        for s in StatoRichiesta::TUTTI {
            assert_eq!(StatoRichiesta::from_code(s.code()), Some(s));
        }
        for c in super::Categoria::TUTTE {
            assert_eq!(super::Categoria::from_code(c.code()), Some(c));
        }
        assert_eq!(StatoRichiesta::from_code("risolta"), None);
    }
}
