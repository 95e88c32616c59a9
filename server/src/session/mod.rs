//! Short-lived state (SPEC §3, §4): SSO sessions, authorization requests in flight,
//! authorization codes, throttling counters. One interface, two backends: in-process
//! (one instance) and Redis (any number of instances). Nothing above this module sees
//! a redis type.

pub mod browser;
mod memory;
mod redis_backend;
pub mod redis_sentinel;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use memory::MemoryBackend;
pub use redis_backend::RedisBackend;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("session store unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("session store value could not be decoded")]
    Decode(#[source] serde_json::Error),
}

/// The primitive operations both backends provide, every value with a TTL.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    async fn put(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), SessionError>;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SessionError>;
    /// Several values in one round trip (MGET), in the order of `keys`.
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, SessionError>;
    /// Get and delete atomically: two concurrent takes never both see the value.
    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, SessionError>;
    async fn delete(&self, key: &str) -> Result<(), SessionError>;
    /// Pushes back the deadline of a live value; false when there is none (never revives
    /// a value deleted in the meantime).
    async fn touch(&self, key: &str, ttl: Duration) -> Result<bool, SessionError>;
    /// Increments a counter that expires `window` after its first increment.
    async fn increment(&self, key: &str, window: Duration) -> Result<u64, SessionError>;
    async fn ping(&self) -> Result<(), SessionError>;
}

/// The key spaces of the store; each is a prefix, so one Redis can hold them all.
#[derive(Debug, Clone, Copy)]
pub enum Space {
    /// The SSO session behind the browser's session cookie.
    BrowserSession,
    /// An authorization request waiting for login or consent.
    Interaction,
    /// An authorization code, by digest.
    Code,
    /// A redeemed code, kept to detect replays.
    RedeemedCode,
    /// A grant (refresh family) whose access tokens must no longer be accepted.
    RevokedGrant,
    /// One access token (by `jti`) that must no longer be accepted.
    RevokedAccessToken,
    /// Failed-login counters.
    Throttle,
    /// Requests counted against a rate limit (`crate::rate_limit`), by endpoint, caller
    /// and window.
    RateLimit,
    /// A client assertion's `jti` already accepted (RFC 7523 §3).
    ClientAssertion,
    /// A pushed authorization request (RFC 9126), by its `request_uri` token.
    PushedRequest,
    /// A sign-in at an upstream in flight, by its `state`.
    UpstreamFlow,
    /// A back-channel logout token already accepted, by `iss` and `jti`.
    LogoutToken,
    /// Where a sign-out goes on, under a take-once token (also the `state` sent upstream).
    SignOut,
    /// A device authorization (RFC 8628), by the digest of its device code.
    DeviceCode,
    /// The device code's digest, by the digest of its user code (taken once confirmed).
    UserCode,
    /// The user's answer to a device authorization, by the device code's digest.
    DeviceAnswer,
    /// When a device last polled and the interval it must keep, by the device code's digest.
    DevicePoll,
    /// What a link the hub e-mailed does (reset a password, verify an address, create an
    /// account), by the digest of its token; taken once.
    EmailedLink,
    /// A sign-in the account page started at `/authorize`, by its `state`.
    AccountSignIn,
    /// A WebAuthn ceremony in flight (a passkey's registration or an assertion), by a
    /// random id the page holds; taken once when the browser answers.
    PasskeyCeremony,
}

impl Space {
    fn prefix(self) -> &'static str {
        match self {
            Space::BrowserSession => "sess",
            Space::Interaction => "authz",
            Space::Code => "code",
            Space::RedeemedCode => "code-used",
            Space::RevokedGrant => "revoked",
            Space::RevokedAccessToken => "revoked-at",
            Space::Throttle => "throttle",
            Space::RateLimit => "rate",
            Space::ClientAssertion => "assertion-jti",
            Space::PushedRequest => "par",
            Space::UpstreamFlow => "upstream",
            Space::LogoutToken => "logout-jti",
            Space::SignOut => "upstream-logout",
            Space::DeviceCode => "device",
            Space::UserCode => "user-code",
            Space::DeviceAnswer => "device-answer",
            Space::DevicePoll => "device-poll",
            Space::EmailedLink => "mail-link",
            Space::AccountSignIn => "account-sign-in",
            Space::PasskeyCeremony => "passkey-ceremony",
        }
    }
}

/// Typed access to the backend: values are JSON, keys are `{prefix}{space}:{id}`.
#[derive(Clone)]
pub struct SessionStore {
    backend: Arc<dyn Backend>,
    prefix: Arc<str>,
}

impl SessionStore {
    pub fn new(backend: Arc<dyn Backend>, prefix: &str) -> Self {
        Self { backend, prefix: prefix.into() }
    }

    pub fn in_memory() -> Self {
        Self::new(Arc::new(MemoryBackend::default()), "")
    }

    fn key(&self, space: Space, id: &str) -> String {
        format!("{}{}:{}", self.prefix, space.prefix(), id)
    }

    pub async fn put<T: Serialize>(
        &self,
        space: Space,
        id: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<(), SessionError> {
        let bytes = serde_json::to_vec(value).map_err(SessionError::Decode)?;
        self.backend.put(&self.key(space, id), bytes, ttl).await
    }

    pub async fn get<T: DeserializeOwned>(&self, space: Space, id: &str) -> Result<Option<T>, SessionError> {
        decode(self.backend.get(&self.key(space, id)).await?)
    }

    pub async fn take<T: DeserializeOwned>(&self, space: Space, id: &str) -> Result<Option<T>, SessionError> {
        decode(self.backend.take(&self.key(space, id)).await?)
    }

    pub async fn exists(&self, space: Space, id: &str) -> Result<bool, SessionError> {
        Ok(self.backend.get(&self.key(space, id)).await?.is_some())
    }

    /// Which of `ids` (each in its space) hold a value, in one round trip.
    pub async fn exist_many(&self, ids: &[(Space, &str)]) -> Result<Vec<bool>, SessionError> {
        let keys: Vec<String> = ids.iter().map(|(space, id)| self.key(*space, id)).collect();
        Ok(self.backend.get_many(&keys).await?.into_iter().map(|value| value.is_some()).collect())
    }

    pub async fn delete(&self, space: Space, id: &str) -> Result<(), SessionError> {
        self.backend.delete(&self.key(space, id)).await
    }

    pub async fn touch(&self, space: Space, id: &str, ttl: Duration) -> Result<bool, SessionError> {
        self.backend.touch(&self.key(space, id), ttl).await
    }

    pub async fn increment(&self, space: Space, id: &str, window: Duration) -> Result<u64, SessionError> {
        self.backend.increment(&self.key(space, id), window).await
    }

    /// What a counter holds (0 when it has expired or never counted).
    pub async fn count(&self, space: Space, id: &str) -> Result<u64, SessionError> {
        let raw = self.backend.get(&self.key(space, id)).await?;
        Ok(raw.and_then(|bytes| std::str::from_utf8(&bytes).ok()?.trim().parse().ok()).unwrap_or(0))
    }

    pub async fn ping(&self) -> Result<(), SessionError> {
        self.backend.ping().await
    }
}

fn decode<T: DeserializeOwned>(raw: Option<Vec<u8>>) -> Result<Option<T>, SessionError> {
    raw.map(|bytes| serde_json::from_slice(&bytes).map_err(SessionError::Decode)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract both backends keep; the Redis backend runs it in the e2e suite.
    pub(crate) async fn backend_contract(store: SessionStore) {
        let ttl = Duration::from_secs(60);
        store.put(Space::Code, "a", &"value", ttl).await.unwrap();
        assert_eq!(store.get::<String>(Space::Code, "a").await.unwrap().as_deref(), Some("value"));
        assert!(store.get::<String>(Space::Interaction, "a").await.unwrap().is_none(), "spaces are separate");
        assert_eq!(store.take::<String>(Space::Code, "a").await.unwrap().as_deref(), Some("value"));
        assert!(store.take::<String>(Space::Code, "a").await.unwrap().is_none(), "take is single use");

        store.put(Space::Code, "short", &1, Duration::from_millis(50)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(store.get::<i32>(Space::Code, "short").await.unwrap().is_none(), "values expire");

        assert_eq!(store.increment(Space::Throttle, "x", ttl).await.unwrap(), 1);
        assert_eq!(store.increment(Space::Throttle, "x", ttl).await.unwrap(), 2);
        assert_eq!(store.count(Space::Throttle, "x").await.unwrap(), 2);
        store.delete(Space::Throttle, "x").await.unwrap();
        assert_eq!(store.count(Space::Throttle, "x").await.unwrap(), 0, "a deleted counter counts nothing");
        assert!(store.get::<String>(Space::Throttle, "x").await.unwrap().is_none());

        store.put(Space::BrowserSession, "s", &1, ttl).await.unwrap();
        assert!(store.touch(Space::BrowserSession, "s", ttl).await.unwrap());
        store.delete(Space::BrowserSession, "s").await.unwrap();
        assert!(!store.touch(Space::BrowserSession, "s", ttl).await.unwrap(), "touch does not revive");
        assert!(store.get::<i32>(Space::BrowserSession, "s").await.unwrap().is_none());
        assert_eq!(store.count(Space::Throttle, "x").await.unwrap(), 0);
    }

    #[tokio::test]
    async fn memory_backend_keeps_the_contract() {
        backend_contract(SessionStore::in_memory()).await;
    }

    #[tokio::test]
    async fn concurrent_takes_yield_the_value_once() {
        let store = SessionStore::in_memory();
        store.put(Space::Code, "c", &"v", Duration::from_secs(60)).await.unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.take::<String>(Space::Code, "c").await.unwrap() })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            winners += usize::from(task.await.unwrap().is_some());
        }
        assert_eq!(winners, 1);
    }
}
