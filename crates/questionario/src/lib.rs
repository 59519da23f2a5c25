//! The questionnaire engine of Raccolta: questionnaire definitions as data (TOML under `questionari/`), one
//! expression language with exact decimal arithmetic and explicit blanks, and validation — full or incremental
//! through a dependency graph — into a report of rules, completion and whether invio is allowed.
//!
//! No IO beyond reading definition files ([`carica_cartella`]); no web, no database. The format and the language
//! are documented in `docs/questionari.md`.

pub mod carica;
pub mod espressione;
pub mod modello;
pub mod valore;
pub mod valutazione;

pub use carica::{Catalogo, ErroreDefinizione, carica, carica_cartella};
pub use modello::{Campo, ChiaveModulo, Gravita, IdCampo, Impronta, Modulo, Quadro, Regola, Tipo};
pub use rust_decimal::Decimal;
pub use valore::{Data, Lingua, Testo, Valore};
pub use valutazione::{
    CampoSconosciuto, Compatto, Completamento, Delta, ErroreValore, Esito, Report, Riepilogo, Risposte, Valutazione,
    formato_numeri,
};
