//! `/password`: Modifica Password by e-mail (request, then a single-use link valid 60 minutes).

pub mod nuova;
pub mod richiesta;

/// How long a reset link stays valid.
pub const RESET_VALIDO_MINUTI: i64 = 60;
