//! argon2id at OWASP's parameters (m=19456 KiB, t=2, p=1), computed on the blocking pool
//! behind a semaphore, so a burst of logins cannot starve the token endpoint.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("password hashing was interrupted")]
    Interrupted,
}

fn argon2() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes and verifies passwords with bounded concurrency.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// Verified against when the user is unknown, so both paths do the same work.
    dummy_hash: Arc<str>,
}

impl Passwords {
    pub async fn new(concurrency: usize) -> Result<Self, PasswordError> {
        let dummy_hash =
            hash_blocking(&crate::secrets::random_token().map_err(|e| PasswordError::Hashing(e.to_string()))?)?;
        Ok(Self { permits: Arc::new(Semaphore::new(concurrency.max(1))), dummy_hash: dummy_hash.into() })
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
        let _permit = self.permits.acquire().await.map_err(|_| PasswordError::Interrupted)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| PasswordError::Interrupted)
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
