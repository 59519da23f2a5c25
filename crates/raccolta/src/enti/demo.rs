//! The demo set: twenty real enti written by hand (comuni of every size and region, a provincia, two città
//! metropolitane, an unione di comuni), in the IPA format and loaded through the same import, so a newcomer can
//! try every feature. Names, codici fiscali and ISTAT codes are the public ones; comuni's IPA codes follow the
//! `c_` + codice catastale rule. A real deployment imports the current IPA file instead.

use super::import::{self, ImportError, Opzioni, Rapporto};
use crate::db::Db;

/// The demo file.
pub const CSV: &[u8] = include_bytes!("../../dati/enti-demo.csv");

/// Loads (or refreshes) the demo enti; a second run changes nothing.
pub async fn carica(db: &Db) -> Result<Rapporto, ImportError> {
    import::importa(db, CSV, Opzioni::default(), &mut |_, _, _| {}).await
}
