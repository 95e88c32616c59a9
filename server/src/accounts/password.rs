//! argon2id at OWASP's parameters (m=19456 KiB, t=2, p=1), computed on a fixed set of
//! dedicated threads, so a burst of logins cannot starve the token endpoint. Each hash
//! works in memory of its own that goes back to the OS when it is done (`hash_into`), so
//! a burst of sign-ins leaves the RSS where it was.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use crate::telemetry::metrics;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version, password_hash};

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
    let failed = |e: &dyn std::fmt::Display| PasswordError::Hashing(e.to_string());
    let argon2 = argon2()?;
    let salt = password_hash::try_generate_salt().map_err(|e| failed(&e))?;
    let mut out = [0u8; OUTPUT_LEN];
    hash_into(&argon2, password.as_bytes(), &salt, &mut out).map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` is the one `hash` (a PHC string, at whatever argon2 parameters it
/// names) was made from.
fn verify_blocking(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else { return false };
    let version = parsed.version.map_or(Ok(Version::default()), Version::try_from);
    let (Ok(version), Ok(params)) = (version, Params::try_from(&parsed)) else { return false };
    let mut out = vec![0u8; expected.len()];
    if hash_into(&Argon2::new(algorithm, version, params), password.as_bytes(), salt, &mut out).is_err() {
        return false;
    }
    // Output's equality is constant-time.
    Output::new(&out).is_ok_and(|computed| computed == *expected)
}

/// The length of the hashes the hub makes (argon2's default).
const OUTPUT_LEN: usize = 32;

/// Blocks (1 KiB each) reserved for every hash: more than glibc's 32 MiB ceiling on its
/// dynamic mmap threshold, so the buffer is always mapped on its own and unmapped when
/// freed. argon2's own 19 MiB buffer falls below the threshold glibc raises after the
/// first one, and every later one stays in the thread's heap: RSS grew to 9 × idle after
/// 1,000 sign-ins and never came down (docs/benchmarks.md, "Memory"). Only the 19 MiB
/// argon2 uses are ever touched, so only they count in RSS.
const RESERVED_BLOCKS: usize = 33 * 1024;

/// argon2 with memory of the hub's own, returned to the OS as soon as the hash is done.
fn hash_into(argon2: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), argon2::Error> {
    let blocks = argon2.params().block_count();
    let mut memory: Vec<Block> = Vec::with_capacity(blocks.max(RESERVED_BLOCKS));
    memory.resize(blocks, Block::default());
    argon2.hash_password_into_with_memory(password, salt, out, memory.as_mut_slice())
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

    /// The hub's hashing with its own memory agrees with the argon2 crate's both ways.
    #[test]
    fn hashes_agree_with_the_argon2_crate() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let ours = hash_blocking("correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon2().unwrap().verify_password(b"correct horse", &parsed).is_ok());
        assert!(argon2().unwrap().verify_password(b"wrong horse", &parsed).is_err());
        let theirs = argon2().unwrap().hash_password(b"battery staple").unwrap().to_string();
        assert!(verify_blocking("battery staple", &theirs));
        assert!(!verify_blocking("battery", &theirs));
        // A hash at other parameters (an older hub's, say) is checked at its own.
        let light = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap());
        let older = light.hash_password(b"old password").unwrap().to_string();
        assert!(verify_blocking("old password", &older));
    }
}
