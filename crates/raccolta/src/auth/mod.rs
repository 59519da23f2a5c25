//! Credentials: password hashing behind a semaphore, random tokens.

pub mod hasher;
pub mod token;

pub use hasher::PasswordHasher;
