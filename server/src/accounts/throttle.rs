//! Failed-login throttling (SPEC §8, OWASP's Authentication Cheat Sheet), in the session
//! store so every instance counts together. Failures are counted, never attempts, so
//! correct sign-ins (however many at once) are never refused:
//!
//! - **per account and address**: after `free_failures` failures from one address at one
//!   account, each further attempt from there waits for a delay that doubles with every
//!   failure (1 s, 2 s, 4 s … up to 15 minutes); a success clears it. A stranger guessing
//!   from elsewhere slows only themselves, never the account's owner.
//! - **per address**: `per_address` failures at any accounts within the window refuse the
//!   address until the window ends (password spraying).
//!
//! Both answer with how long to wait, for `Retry-After`.

use std::time::Duration;

use chrono::Utc;

use crate::session::{SessionError, SessionStore, Space};

/// The longest delay between attempts one address may make at one account.
const MAX_DELAY: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// Wait this long before trying again.
    Wait(Duration),
    No,
}

#[derive(Clone)]
pub struct LoginThrottle {
    store: SessionStore,
    free_failures: u64,
    per_address: u64,
    window: Duration,
}

impl LoginThrottle {
    pub fn new(store: SessionStore, free_failures: u32, per_address: u32, window: Duration) -> Self {
        Self { store, free_failures: free_failures.into(), per_address: per_address.into(), window }
    }

    fn pair_key(username: &str, address: &str) -> String {
        format!("pair:{}:{address}", crate::secrets::token_digest(&username.to_lowercase()))
    }

    fn not_before_key(username: &str, address: &str) -> String {
        format!("{}:not-before", Self::pair_key(username, address))
    }

    fn address_key(address: &str) -> String {
        format!("addr:{address}")
    }

    /// Whether `address` may try a password for `username` now.
    pub async fn check(&self, username: &str, address: &str) -> Result<Throttled, SessionError> {
        let not_before: Option<i64> = self.store.get(Space::Throttle, &Self::not_before_key(username, address)).await?;
        let now = Utc::now().timestamp_millis();
        if let Some(wait) = not_before.and_then(|at| u64::try_from(at - now).ok()).filter(|ms| *ms > 0) {
            return Ok(Throttled::Wait(Duration::from_millis(wait)));
        }
        if self.store.count(Space::Throttle, &Self::address_key(address)).await? >= self.per_address {
            return Ok(Throttled::Wait(self.window));
        }
        Ok(Throttled::No)
    }

    /// A wrong password (or an unknown or disabled user): counts against the pair and the
    /// address, and past the free failures sets when the pair may try again.
    pub async fn failed(&self, username: &str, address: &str) -> Result<(), SessionError> {
        let failures = self.store.increment(Space::Throttle, &Self::pair_key(username, address), self.window).await?;
        self.store.increment(Space::Throttle, &Self::address_key(address), self.window).await?;
        if let Some(beyond) = failures.checked_sub(self.free_failures + 1) {
            let delay = Duration::from_secs(1u64 << beyond.min(20)).min(MAX_DELAY);
            let not_before = Utc::now().timestamp_millis() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
            let key = Self::not_before_key(username, address);
            self.store.put(Space::Throttle, &key, &not_before, delay.max(self.window)).await?;
        }
        Ok(())
    }

    /// A successful sign-in clears the pair's failures (the address's stay counted).
    pub async fn succeeded(&self, username: &str, address: &str) -> Result<(), SessionError> {
        self.store.delete(Space::Throttle, &Self::pair_key(username, address)).await?;
        self.store.delete(Space::Throttle, &Self::not_before_key(username, address)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waits(throttled: Throttled) -> Duration {
        match throttled {
            Throttled::Wait(wait) => wait,
            Throttled::No => Duration::ZERO,
        }
    }

    #[tokio::test]
    async fn past_the_free_failures_each_attempt_waits_longer() {
        let throttle = LoginThrottle::new(SessionStore::in_memory(), 3, 100, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(throttle.check("alice", "1.2.3.4").await.unwrap(), Throttled::No);
            throttle.failed("alice", "1.2.3.4").await.unwrap();
        }
        assert_eq!(throttle.check("alice", "1.2.3.4").await.unwrap(), Throttled::No, "three failures are free");
        throttle.failed("Alice", "1.2.3.4").await.unwrap();
        let first = waits(throttle.check("alice", "1.2.3.4").await.unwrap());
        assert!(first > Duration::from_millis(900) && first <= Duration::from_secs(1), "{first:?}");
        throttle.failed("alice", "1.2.3.4").await.unwrap();
        let second = waits(throttle.check("alice", "1.2.3.4").await.unwrap());
        assert!(second > Duration::from_millis(1900) && second <= Duration::from_secs(2), "{second:?}");
    }

    #[tokio::test]
    async fn a_stranger_elsewhere_never_slows_the_owner_and_success_clears_the_delay() {
        let throttle = LoginThrottle::new(SessionStore::in_memory(), 3, 100, Duration::from_secs(60));
        for _ in 0..10 {
            throttle.failed("alice", "6.6.6.6").await.unwrap();
        }
        assert!(matches!(throttle.check("alice", "6.6.6.6").await.unwrap(), Throttled::Wait(_)));
        assert_eq!(throttle.check("alice", "1.2.3.4").await.unwrap(), Throttled::No, "the owner's own address");
        throttle.succeeded("alice", "6.6.6.6").await.unwrap();
        assert_eq!(throttle.check("alice", "6.6.6.6").await.unwrap(), Throttled::No);
    }

    #[tokio::test]
    async fn an_address_spraying_many_accounts_is_refused() {
        let throttle = LoginThrottle::new(SessionStore::in_memory(), 100, 2, Duration::from_secs(60));
        throttle.failed("a", "9.9.9.9").await.unwrap();
        throttle.failed("b", "9.9.9.9").await.unwrap();
        assert_eq!(throttle.check("c", "9.9.9.9").await.unwrap(), Throttled::Wait(Duration::from_secs(60)));
        assert_eq!(throttle.check("c", "1.1.1.1").await.unwrap(), Throttled::No);
    }
}
