//! Argon2id hashing on a few dedicated threads, off the async runtime.
//!
//! Each hash costs tens of milliseconds of CPU and 19 MiB of memory. It runs on one of a fixed number of threads
//! (by default one fewer than the CPUs): under a login storm, logins queue among themselves while every other
//! request keeps a core. Fixed threads also keep memory flat: the allocator keeps the 19 MiB blocks per thread,
//! so a pool that grows (as `spawn_blocking` does) would keep hundreds of megabytes after a storm.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier};

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    /// Bounded: when every thread is busy and the queue is full, a new job is refused at once (the user is told
    /// to retry) instead of waiting behind a flood of others.
    jobs: SyncSender<Job>,
    /// A real hash of a random password, verified when the account does not exist, so that the time taken does
    /// not tell whether it does.
    dummy: Arc<String>,
}

/// Hashing could not be done.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing thread is busy and the queue is full: retry in a moment.
    #[error("troppe richieste di calcolo della password in coda")]
    Busy,
    /// Out of memory, or the hashing threads are gone.
    #[error("calcolo dell'impronta della password non riuscito: {0}")]
    Failed(String),
}

/// Jobs that may wait for a hashing thread, per thread: about a second of waiting at most.
pub const QUEUE_PER_THREAD: usize = 16;

fn argon2() -> Argon2<'static> {
    // Argon2id with the OWASP parameters (m = 19 MiB, t = 2, p = 1), the crate's defaults.
    Argon2::default()
}

fn hash_now(password: &str) -> Result<String, HashError> {
    // The salt comes from the OS CSPRNG (argon2's `getrandom` feature).
    argon2().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| HashError::Failed(e.to_string()))
}

fn worker(jobs: Arc<Mutex<Receiver<Job>>>) {
    lower_priority();
    loop {
        // The lock is held only while waiting for the next job, never while hashing.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            // Every `PasswordHasher` is gone: the application is shutting down.
            Err(_) => return,
        }
    }
}

/// Makes this thread yield to the threads serving pages: a login may wait a little, a page should not.
#[cfg(target_os = "linux")]
fn lower_priority() {
    #[expect(unsafe_code, reason = "setpriority has no safe wrapper in std")]
    // SAFETY: on Linux `who = 0` with PRIO_PROCESS names the calling thread; only its nice value changes.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Threads for hashing when not configured: one fewer than the CPUs, at least one.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1)).max(1)
}

impl PasswordHasher {
    /// A hasher with `threads` hashing threads and [`QUEUE_PER_THREAD`] waiting jobs per thread.
    pub fn new(threads: usize) -> Result<Self, HashError> {
        Self::with_queue(threads, threads.max(1) * QUEUE_PER_THREAD)
    }

    /// A hasher with `threads` threads and at most `queue` jobs waiting for one.
    pub fn with_queue(threads: usize, queue: usize) -> Result<Self, HashError> {
        let (tx, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || worker(rx))
                .map_err(|e| HashError::Failed(e.to_string()))?;
        }
        let dummy = hash_now(&crate::auth::token::random_token())?;
        Ok(PasswordHasher { jobs: tx, dummy: Arc::new(dummy) })
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, HashError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .try_send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .map_err(|e| match e {
                TrySendError::Full(_) => HashError::Busy,
                TrySendError::Disconnected(_) => HashError::Failed("thread di calcolo non disponibili".to_owned()),
            })?;
        rx.await.map_err(|_| HashError::Failed("calcolo interrotto".to_owned()))
    }

    /// The Argon2id PHC string of `password`.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run(move || hash_now(&password)).await?
    }

    /// True when `password` matches `hash`; with `None` a dummy hash is checked and the answer is false.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, HashError> {
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy.as_str().to_owned(), str::to_owned);
        let password = password.to_owned();
        let ok = self
            .run(move || {
                PasswordHash::new(&hash)
                    .is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
            })
            .await?;
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

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_instead_of_making_everyone_wait() {
        let h = PasswordHasher::with_queue(1, 2).expect("hasher");
        let tasks: Vec<_> = (0..12)
            .map(|i| {
                let h = h.clone();
                tokio::spawn(async move { h.hash(&format!("frase numero {i} abbastanza lunga")).await })
            })
            .collect();
        let (mut done, mut busy) = (0, 0);
        for t in tasks {
            match t.await.expect("task") {
                Ok(_) => done += 1,
                Err(HashError::Busy) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(done >= 1 && busy >= 1, "done {done}, busy {busy}");
        assert!(h.verify("dopo la coda", None).await.is_ok(), "the hasher works again once the queue drains");
    }

    #[tokio::test]
    async fn many_concurrent_hashes_all_complete_on_one_thread() {
        let h = PasswordHasher::new(1).expect("hasher");
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let h = h.clone();
                tokio::spawn(async move { h.hash(&format!("frase numero {i} abbastanza lunga")).await })
            })
            .collect();
        for t in tasks {
            assert!(t.await.expect("task").expect("hash").starts_with("$argon2id$"));
        }
    }
}
