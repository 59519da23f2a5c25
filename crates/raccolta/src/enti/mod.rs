//! Enti: the registry import, the demo set, and the decisions on users' associations.

pub mod associazioni;
pub mod demo;
pub mod import;
pub mod indice;
