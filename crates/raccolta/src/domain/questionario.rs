//! The life of a questionnaire (one ente × campaign × modulo), as `shared/domain` §3 draws it:
//!
//! ```text
//! Aperto --first save--> In compilazione --invio--> Inviato --richiesta--> Riapertura richiesta
//! Riapertura richiesta --approvata--> Riaperto --invio--> Inviato (version n+1)
//! Riapertura richiesta --respinta--> Inviato
//! any --campaign closed--> Chiuso
//! ```
//!
//! Every change of state goes through a method here: [`StatoQuestionario::salva`], [`StatoQuestionario::invia`],
//! [`StatoQuestionario::richiedi_riapertura`], [`StatoQuestionario::approva_riapertura`] and
//! [`StatoQuestionario::respingi_riapertura`].

use super::ruolo::{TransitionError, UnknownCode};
use crate::i18n::Lang;

/// Where a questionnaire is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatoQuestionario {
    /// Nothing saved yet (the row may not even exist: a questionnaire is stored the first time it is needed).
    Aperto,
    /// At least one value saved.
    InCompilazione,
    /// Sent: read only.
    Inviato,
    /// Sent, and a compiler asked to reopen it: read only until an administrator decides.
    RiaperturaRichiesta,
    /// Reopened: compiling resumes from the sent values.
    Riaperto,
    /// The campaign closed: read only for everyone.
    Chiuso,
}

impl StatoQuestionario {
    /// Every state, in the order the filters list them.
    pub const TUTTI: [StatoQuestionario; 6] = [
        StatoQuestionario::Aperto,
        StatoQuestionario::InCompilazione,
        StatoQuestionario::Inviato,
        StatoQuestionario::RiaperturaRichiesta,
        StatoQuestionario::Riaperto,
        StatoQuestionario::Chiuso,
    ];

    /// The code stored in the database and used in query strings.
    pub fn code(self) -> &'static str {
        match self {
            StatoQuestionario::Aperto => "aperto",
            StatoQuestionario::InCompilazione => "in_compilazione",
            StatoQuestionario::Inviato => "inviato",
            StatoQuestionario::RiaperturaRichiesta => "riapertura_richiesta",
            StatoQuestionario::Riaperto => "riaperto",
            StatoQuestionario::Chiuso => "chiuso",
        }
    }

    /// The label shown in lists.
    pub fn etichetta(self, lang: Lang) -> String {
        lang.t(&format!("questionario-stato-{}", self.code().replace('_', "-")))
    }

    /// Whether answers may change in this state (by a Compilazione user).
    pub fn modificabile(self) -> bool {
        matches!(self, StatoQuestionario::Aperto | StatoQuestionario::InCompilazione | StatoQuestionario::Riaperto)
    }

    /// A value is saved: the first save starts the compilation; a reopened questionnaire stays reopened until it
    /// is sent again. Refused where the questionnaire is read only.
    pub fn salva(self) -> Result<StatoQuestionario, TransitionError> {
        match self {
            StatoQuestionario::Aperto | StatoQuestionario::InCompilazione => Ok(StatoQuestionario::InCompilazione),
            StatoQuestionario::Riaperto => Ok(StatoQuestionario::Riaperto),
            _ => Err(TransitionError { da: self.code(), azione: "salva" }),
        }
    }

    /// Invio: a questionnaire being compiled (or reopened) becomes sent, read only. Whether its answers allow it
    /// is the engine's decision, asked by the service before this.
    pub fn invia(self) -> Result<StatoQuestionario, TransitionError> {
        match self {
            StatoQuestionario::Aperto | StatoQuestionario::InCompilazione | StatoQuestionario::Riaperto => {
                Ok(StatoQuestionario::Inviato)
            }
            _ => Err(TransitionError { da: self.code(), azione: "invia" }),
        }
    }

    /// A compiler asks to reopen a sent questionnaire: it stays read only until an administrator decides.
    pub fn richiedi_riapertura(self) -> Result<StatoQuestionario, TransitionError> {
        match self {
            StatoQuestionario::Inviato => Ok(StatoQuestionario::RiaperturaRichiesta),
            _ => Err(TransitionError { da: self.code(), azione: "richiedi_riapertura" }),
        }
    }

    /// An administrator approves the request: compiling resumes from the sent values; the next invio is a new
    /// version.
    pub fn approva_riapertura(self) -> Result<StatoQuestionario, TransitionError> {
        match self {
            StatoQuestionario::RiaperturaRichiesta => Ok(StatoQuestionario::Riaperto),
            _ => Err(TransitionError { da: self.code(), azione: "approva_riapertura" }),
        }
    }

    /// An administrator rejects the request: the questionnaire stays sent.
    pub fn respingi_riapertura(self) -> Result<StatoQuestionario, TransitionError> {
        match self {
            StatoQuestionario::RiaperturaRichiesta => Ok(StatoQuestionario::Inviato),
            _ => Err(TransitionError { da: self.code(), azione: "respingi_riapertura" }),
        }
    }
}

impl TryFrom<String> for StatoQuestionario {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        StatoQuestionario::TUTTI.into_iter().find(|s| s.code() == code).ok_or(UnknownCode(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_save_starts_the_compilation_and_a_sent_questionnaire_refuses_saves() {
        assert_eq!(StatoQuestionario::Aperto.salva(), Ok(StatoQuestionario::InCompilazione));
        assert_eq!(StatoQuestionario::InCompilazione.salva(), Ok(StatoQuestionario::InCompilazione));
        assert_eq!(StatoQuestionario::Riaperto.salva(), Ok(StatoQuestionario::Riaperto));
        for s in [StatoQuestionario::Inviato, StatoQuestionario::RiaperturaRichiesta, StatoQuestionario::Chiuso] {
            assert_eq!(s.salva(), Err(TransitionError { da: s.code(), azione: "salva" }));
            assert!(!s.modificabile());
        }
    }

    #[test]
    fn only_a_questionnaire_being_compiled_is_sent_and_a_sent_one_is_not_sent_twice() {
        for s in [StatoQuestionario::Aperto, StatoQuestionario::InCompilazione, StatoQuestionario::Riaperto] {
            assert_eq!(s.invia(), Ok(StatoQuestionario::Inviato));
        }
        for s in [StatoQuestionario::Inviato, StatoQuestionario::RiaperturaRichiesta, StatoQuestionario::Chiuso] {
            assert_eq!(s.invia(), Err(TransitionError { da: s.code(), azione: "invia" }));
        }
        assert!(!StatoQuestionario::Inviato.modificabile());
    }

    #[test]
    fn a_sent_questionnaire_is_reopened_only_through_a_request_an_administrator_decides() {
        use StatoQuestionario::*;
        assert_eq!(Inviato.richiedi_riapertura(), Ok(RiaperturaRichiesta));
        assert_eq!(RiaperturaRichiesta.approva_riapertura(), Ok(Riaperto));
        assert_eq!(RiaperturaRichiesta.respingi_riapertura(), Ok(Inviato));
        assert_eq!(Riaperto.salva(), Ok(Riaperto));
        assert_eq!(Riaperto.invia(), Ok(Inviato));
        for s in [Aperto, InCompilazione, RiaperturaRichiesta, Riaperto, Chiuso] {
            assert!(s.richiedi_riapertura().is_err(), "{s:?}");
        }
        for s in [Aperto, InCompilazione, Inviato, Riaperto, Chiuso] {
            assert!(s.approva_riapertura().is_err() && s.respingi_riapertura().is_err(), "{s:?}");
        }
        assert!(!RiaperturaRichiesta.modificabile() && Riaperto.modificabile());
    }

    #[test]
    fn stored_codes_round_trip_and_every_state_has_a_label_in_both_languages() {
        for s in StatoQuestionario::TUTTI {
            assert_eq!(StatoQuestionario::try_from(s.code().to_owned()), Ok(s));
            for lang in Lang::ALL {
                let label = s.etichetta(lang);
                assert!(!label.is_empty() && !label.starts_with("questionario-"), "{s:?} {lang:?}: {label}");
            }
        }
        assert!(StatoQuestionario::try_from("Inviato".to_owned()).is_err());
    }
}
