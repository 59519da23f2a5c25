//! Argon2id hashing off the async runtime, with bounded concurrency.
//!
//! Each hash costs tens of milliseconds of CPU and 19 MiB of memory. It runs in `spawn_blocking`, and a semaphore
//! lets only a few run at once: under a login storm, logins queue among themselves while every other request
//! keeps its latency.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier};
use tokio::sync::Semaphore;

/// Hashes and verifies passwords.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password, verified when the account does not exist, so that the time taken does
    /// not tell whether it does.
    dummy: Arc<String>,
}

/// Hashing failed (out of memory, or the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("calcolo dell'impronta della password non riuscito: {0}")]
pub struct HashError(String);

fn argon2() -> Argon2<'static> {
    // Argon2id with the OWASP parameters (m = 19 MiB, t = 2, p = 1), the crate's defaults.
    Argon2::default()
}

fn hash_now(password: &str) -> Result<String, HashError> {
    // The salt comes from the OS CSPRNG (argon2's `getrandom` feature).
    argon2().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
}

impl PasswordHasher {
    /// A hasher allowing `concurrency` computations at once.
    pub fn new(concurrency: usize) -> Result<Self, HashError> {
        let dummy = hash_now(&crate::auth::token::random_token())?;
        Ok(PasswordHasher { permits: Arc::new(Semaphore::new(concurrency.max(1))), dummy: Arc::new(dummy) })
    }

    /// The Argon2id PHC string of `password`.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError(e.to_string()))?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_now(&password)).await.map_err(|e| HashError(e.to_string()))?
    }

    /// True when `password` matches `hash`; with `None` a dummy hash is checked and the answer is false.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError(e.to_string()))?;
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy.as_str().to_owned(), str::to_owned);
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .map_err(|e| HashError(e.to_string()))?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = PasswordHasher::new(2).expect("hasher");
        let hash = h.hash("una frase lunga e strana 42").await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(h.verify("una frase lunga e strana 42", Some(&hash)).await.expect("verify"));
        assert!(!h.verify("una frase lunga e strana 43", Some(&hash)).await.expect("verify"));
        assert!(!h.verify("qualsiasi", None).await.expect("verify"), "unknown accounts never match");
    }
}
