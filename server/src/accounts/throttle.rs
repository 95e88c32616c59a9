//! Failed-login throttling per account and per client address, in the session store so
//! every instance counts together.

use std::time::Duration;

use crate::session::{SessionError, SessionStore, Space};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    Yes,
    No,
}

#[derive(Clone)]
pub struct LoginThrottle {
    store: SessionStore,
    per_account: u64,
    per_address: u64,
    window: Duration,
}

impl LoginThrottle {
    pub fn new(store: SessionStore, per_account: u32, per_address: u32, window: Duration) -> Self {
        Self { store, per_account: per_account.into(), per_address: per_address.into(), window }
    }

    fn account_key(username: &str) -> String {
        format!("user:{}", crate::secrets::token_digest(&username.to_lowercase()))
    }

    fn address_key(address: &str) -> String {
        format!("addr:{address}")
    }

    /// Counts an attempt before its password is checked, so concurrent attempts cannot
    /// all slip under the limit; `Yes` when this attempt is over it.
    pub async fn attempt(&self, username: &str, address: &str) -> Result<Throttled, SessionError> {
        let account = self.store.increment(Space::Throttle, &Self::account_key(username), self.window).await?;
        let from_address = self.store.increment(Space::Throttle, &Self::address_key(address), self.window).await?;
        Ok(if account > self.per_account || from_address > self.per_address { Throttled::Yes } else { Throttled::No })
    }

    /// A successful sign-in clears the account's count and takes its attempt back from
    /// the address's, so a busy office behind one address is not throttled by successes.
    pub async fn succeeded(&self, username: &str, address: &str) -> Result<(), SessionError> {
        self.store.delete(Space::Throttle, &Self::account_key(username)).await?;
        self.store.decrement(Space::Throttle, &Self::address_key(address)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blocks_an_account_after_its_limit_and_success_resets_it() {
        let throttle = LoginThrottle::new(SessionStore::in_memory(), 3, 100, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(throttle.attempt("alice", "1.2.3.4").await.unwrap(), Throttled::No);
        }
        assert_eq!(throttle.attempt("Alice", "5.6.7.8").await.unwrap(), Throttled::Yes, "per account, any address");
        assert_eq!(throttle.attempt("bob", "1.2.3.4").await.unwrap(), Throttled::No);
        throttle.succeeded("alice", "1.2.3.4").await.unwrap();
        assert_eq!(throttle.attempt("alice", "1.2.3.4").await.unwrap(), Throttled::No);
    }

    #[tokio::test]
    async fn blocks_an_address_after_its_limit_but_not_for_successes() {
        let throttle = LoginThrottle::new(SessionStore::in_memory(), 100, 2, Duration::from_secs(60));
        for _ in 0..5 {
            assert_eq!(throttle.attempt("a", "9.9.9.9").await.unwrap(), Throttled::No);
            throttle.succeeded("a", "9.9.9.9").await.unwrap();
        }
        throttle.attempt("b", "9.9.9.9").await.unwrap();
        throttle.attempt("c", "9.9.9.9").await.unwrap();
        assert_eq!(throttle.attempt("d", "9.9.9.9").await.unwrap(), Throttled::Yes);
    }
}
