//! `/registrazione`: Nuova Registrazione (Persona Fisica or Società), confirmation by e-mail.

pub mod conferma;
pub mod nuova;

/// How long a confirmation link stays valid.
pub const CONFERMA_VALIDA_ORE: i64 = 24;
/// How long an unconfirmed registration is kept.
pub const NON_CONFERMATA_GIORNI: i64 = 7;
