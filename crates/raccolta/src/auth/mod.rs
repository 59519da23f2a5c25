//! Credentials: password hashing behind a semaphore, random tokens.

pub mod accesso;
pub mod guard;
pub mod hasher;
pub mod registrazione;
pub mod token;

pub use hasher::{HashError, PasswordHasher};
