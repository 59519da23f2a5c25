//! Pure domain types: values that can only exist once they are known to be valid ("parse, don't validate").
//!
//! Every `parse` returns a typed error; every error type has `messaggio(lang)`, the sentence shown to the user beside
//! the field, in Italian or English. The `Display` of an error is a short English description meant for logs.
//! Nothing here does IO or knows about HTTP or the database.

pub mod assistenza;
pub mod codice_fiscale;
pub mod codice_utente;
pub mod email;
pub mod ente;
pub mod partita_iva;
pub mod password;
pub mod provincia;
pub mod questionario;
pub mod ruolo;
pub mod testo_breve;
pub mod tipo_utente;

pub use assistenza::{Categoria, StatoRichiesta};
pub use codice_fiscale::{CodiceFiscale, CodiceFiscaleError};
pub use codice_utente::{CodiceUtente, CodiceUtenteError};
pub use email::{Email, EmailError};
pub use ente::{Modalita, StatoAssociazione, TipoEnte, chiave_ricerca};
pub use partita_iva::{CodiceFiscaleNumerico, CodiceFiscaleNumericoError, PartitaIva, PartitaIvaError};
pub use password::{DatiUtente, DatoPersonale, PasswordError, controlla_password, controlla_password_utente};
pub use questionario::StatoQuestionario;
pub use ruolo::{Ruolo, StatoUtente, TransitionError, UnknownCode};
pub use testo_breve::{TestoBreve, TestoBreveError};
pub use tipo_utente::{TipoUtente, TipoUtenteError};
