//! Raccolta: the platform with which Italian local authorities fill in and send the questionnaires of the
//! *fabbisogni standard* and the *schede di monitoraggio*.
//!
//! `main.rs` reads the command line and calls [`cli::run`]; tests start exactly the router of [`app`].

pub mod admin;
pub mod app;
pub mod assistenza;
pub mod auth;
pub mod campagne;
pub mod captcha;
pub mod catalogo;
pub mod cli;
pub mod compilazione;
pub mod config;
pub mod context;
pub mod db;
pub mod definizioni;
pub mod domain;
pub mod enti;
pub mod esporta;
pub mod esportazioni;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod monitoraggio;
pub mod open_data;
pub mod ora;
pub mod promemoria;
pub mod telemetry;
pub mod web;
