//! Who a user is on the platform and where their account stands, with the transitions each state allows.
//!
//! Codes are what the database stores (`CHECK` constraints list the same ones); a code the code does not know is
//! refused when a row is read, never compared as a string at a call site.

/// Why a change of state was refused: from which state, by which action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transizione non consentita: {azione} da {da}")]
pub struct TransitionError {
    /// The state it was in (its code).
    pub da: &'static str,
    /// What was asked.
    pub azione: &'static str,
}

/// A code read from the database that names no known value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("codice sconosciuto: {0}")]
pub struct UnknownCode(pub String);

/// The platform role of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ruolo {
    /// A compiler or responsabile: rights come from associations with enti.
    Utente,
    /// Runs the platform: every ente, Gestione, decisions.
    Amministratore,
}

impl Ruolo {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Ruolo::Utente => "utente",
            Ruolo::Amministratore => "amministratore",
        }
    }
}

impl TryFrom<String> for Ruolo {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        match code.as_str() {
            "utente" => Ok(Ruolo::Utente),
            "amministratore" => Ok(Ruolo::Amministratore),
            _ => Err(UnknownCode(code)),
        }
    }
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatoUtente {
    /// Registered, e-mail not confirmed yet: cannot log in.
    DaConfermare,
    /// Confirmed: can log in.
    Attivo,
    /// Disabled by an administrator: cannot log in, its sessions end.
    Disattivato,
}

impl StatoUtente {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            StatoUtente::DaConfermare => "da_confermare",
            StatoUtente::Attivo => "attivo",
            StatoUtente::Disattivato => "disattivato",
        }
    }

    /// The e-mail was confirmed.
    pub fn conferma(self) -> Result<StatoUtente, TransitionError> {
        match self {
            StatoUtente::DaConfermare => Ok(StatoUtente::Attivo),
            _ => Err(TransitionError { da: self.code(), azione: "conferma" }),
        }
    }

    /// An administrator disables the account.
    pub fn disattiva(self) -> Result<StatoUtente, TransitionError> {
        match self {
            StatoUtente::Attivo => Ok(StatoUtente::Disattivato),
            _ => Err(TransitionError { da: self.code(), azione: "disattiva" }),
        }
    }

    /// An administrator enables it again.
    pub fn riattiva(self) -> Result<StatoUtente, TransitionError> {
        match self {
            StatoUtente::Disattivato => Ok(StatoUtente::Attivo),
            _ => Err(TransitionError { da: self.code(), azione: "riattiva" }),
        }
    }
}

impl TryFrom<String> for StatoUtente {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        [StatoUtente::DaConfermare, StatoUtente::Attivo, StatoUtente::Disattivato]
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(UnknownCode(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_confirmed_once_and_only_an_active_one_is_disabled() {
        assert_eq!(StatoUtente::DaConfermare.conferma(), Ok(StatoUtente::Attivo));
        assert!(StatoUtente::Attivo.conferma().is_err());
        assert_eq!(StatoUtente::Attivo.disattiva(), Ok(StatoUtente::Disattivato));
        assert!(StatoUtente::DaConfermare.disattiva().is_err());
        assert_eq!(StatoUtente::Disattivato.riattiva(), Ok(StatoUtente::Attivo));
        assert_eq!(StatoUtente::Attivo.riattiva(), Err(TransitionError { da: "attivo", azione: "riattiva" }));
    }

    #[test]
    fn stored_codes_round_trip_and_unknown_ones_are_refused() {
        for r in [Ruolo::Utente, Ruolo::Amministratore] {
            assert_eq!(Ruolo::try_from(r.code().to_owned()), Ok(r));
        }
        for s in [StatoUtente::DaConfermare, StatoUtente::Attivo, StatoUtente::Disattivato] {
            assert_eq!(StatoUtente::try_from(s.code().to_owned()), Ok(s));
        }
        assert!(Ruolo::try_from("Amministratore".to_owned()).is_err());
        assert!(StatoUtente::try_from("".to_owned()).is_err());
    }
}
