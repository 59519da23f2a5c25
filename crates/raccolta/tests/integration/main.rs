//! The integration suite, one binary (linked once): each module tests one area against the real application on
//! 127.0.0.1, port 0, with a fresh database per test; `common` is the harness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

mod account;
mod assistenza;
mod audit;
mod binario;
mod browser;
mod captcha;
mod compilazione;
mod database;
mod enti;
mod gestione;
mod invio;
mod pdf;
mod posta;
mod precompila;
mod riapertura;
mod sito;
