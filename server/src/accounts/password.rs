//! argon2id at OWASP's parameters (m=19456 KiB, t=2, p=1), computed on a fixed set of
//! dedicated threads, so a burst of logins cannot starve the token endpoint and memory
//! stays bounded: each thread reuses its own 19 MiB, where tokio's growing blocking pool
//! would leave a 19 MiB arena behind on every thread it ever used.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use crate::telemetry::metrics;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("password hashing was interrupted")]
    Interrupted,
    #[error("too many sign-ins are waiting for a password check")]
    Busy,
}

/// Sign-ins allowed to wait for a hashing thread before new ones are turned away.
const QUEUE: usize = 1024;

type Job = Box<dyn FnOnce() + Send>;

fn argon2() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes and verifies passwords on `threads` dedicated threads.
#[derive(Clone)]
pub struct Passwords {
    jobs: SyncSender<Job>,
    /// Verified against when the user is unknown, so both paths do the same work.
    dummy_hash: Arc<str>,
}

impl Passwords {
    pub async fn new(threads: usize) -> Result<Self, PasswordError> {
        let (jobs, receiver) = sync_channel::<Job>(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..threads.max(1) {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || work(&receiver))
                .map_err(|e| PasswordError::Hashing(e.to_string()))?;
        }
        let mut passwords = Self { jobs, dummy_hash: Arc::from("") };
        let random = crate::secrets::random_token().map_err(|e| PasswordError::Hashing(e.to_string()))?;
        passwords.dummy_hash = passwords.hash(&random).await?.into();
        Ok(passwords)
    }

    pub async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password)).await?
    }

    /// True when `password` matches `hash`; with no hash, does the same work and says no.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, PasswordError> {
        let password = password.to_owned();
        let (hash, real) = match hash {
            Some(hash) => (hash, true),
            None => (self.dummy_hash.to_string(), false),
        };
        let matches = self.run(move || verify_blocking(&password, &hash)).await?;
        Ok(real && matches)
    }

    async fn run<R: Send + 'static>(&self, work: impl FnOnce() -> R + Send + 'static) -> Result<R, PasswordError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            metrics::password_queue(-1.0);
            let _ = done.send(work());
        });
        metrics::password_queue(1.0);
        self.jobs.try_send(job).map_err(|error| {
            metrics::password_queue(-1.0);
            match error {
                TrySendError::Full(_) => PasswordError::Busy,
                TrySendError::Disconnected(_) => PasswordError::Interrupted,
            }
        })?;
        result.await.map_err(|_| PasswordError::Interrupted)
    }
}

/// A hashing thread: runs jobs until every `Passwords` handle is gone.
fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

pub fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    argon2()?
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    argon2().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_at_owasp_parameters_and_verify() {
        let passwords = Passwords::new(2).await.unwrap();
        let hash = passwords.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(passwords.verify("correct horse", Some(hash.clone())).await.unwrap());
        assert!(!passwords.verify("wrong", Some(hash)).await.unwrap());
        assert!(!passwords.verify("anything", None).await.unwrap());
        assert!(!passwords.verify("x", Some("not a phc string".into())).await.unwrap());
    }
}
