//! The hub's single sign-on session (SPEC §4): an opaque random id in a cookie, its
//! content in the store under the id's digest, with idle and absolute lifetimes.

use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{SessionError, SessionStore, Space};
use crate::secrets::{SecretError, random_token, token_digest};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BrowserSession {
    pub user_id: Uuid,
    /// Public session id, the `sid` claim; not the cookie value.
    pub sid: String,
    /// When the user last authenticated (unix seconds), the `auth_time` claim.
    pub auth_time: i64,
    /// Authentication methods (RFC 8176), the `amr` claim.
    pub amr: Vec<String>,
    /// The authentication context class an upstream asserted, the `acr` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// The upstream sign-in behind this session, if it came through a Social Login Key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<UpstreamLogin>,
    /// A second factor was proved: the hub's own, or one an upstream trusted to say so
    /// asserted. Not read from `amr`, which an untrusted upstream fills as it likes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub second_factor: bool,
    pub created_at: i64,
}

/// How a user proved who they are, as a session remembers it.
#[derive(Debug, Clone, Default)]
pub struct Authentication {
    pub user_id: Uuid,
    /// When the person authenticated, if earlier than now (at an upstream's session).
    pub auth_time: Option<i64>,
    pub amr: Vec<String>,
    pub acr: Option<String>,
    pub upstream: Option<UpstreamLogin>,
    /// The sign-in already had a second factor (an upstream trusted to assert one).
    pub second_factor: bool,
}

/// The upstream session a hub session came from: what logout through the chain needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamLogin {
    /// The Social Login Key's slug.
    pub key: String,
    /// The upstream's subject.
    pub subject: String,
    /// The upstream's session id (its ID token's `sid`), when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum BrowserSessionError {
    #[error(transparent)]
    Store(#[from] SessionError),
    #[error(transparent)]
    Random(#[from] SecretError),
}

impl Lifetimes {
    /// The lifetimes the settings give (`HUB_SESSION_IDLE_TTL_SECS`, `…_ABSOLUTE_TTL_SECS`).
    pub fn of(settings: &crate::config::Settings) -> Self {
        Self {
            idle: crate::config::Settings::secs(settings.session_idle_ttl_secs),
            absolute: crate::config::Settings::secs(settings.session_absolute_ttl_secs),
        }
    }

    /// Time left before the session must end, measured from now.
    fn remaining(&self, session: &BrowserSession, now: i64) -> Option<Duration> {
        let absolute_end =
            session.created_at.saturating_add(i64::try_from(self.absolute.as_secs()).unwrap_or(i64::MAX));
        let left = u64::try_from(absolute_end - now).ok().filter(|s| *s > 0)?;
        Some(self.idle.min(Duration::from_secs(left)))
    }
}

/// Starts a session for a freshly authenticated user; returns the cookie value. A new
/// id every time, so a session id planted before login is worthless after it.
pub async fn start(
    store: &SessionStore,
    lifetimes: Lifetimes,
    authentication: Authentication,
) -> Result<(String, BrowserSession), BrowserSessionError> {
    let now = Utc::now().timestamp();
    let cookie_value = random_token()?;
    let session = BrowserSession {
        user_id: authentication.user_id,
        sid: Uuid::new_v4().to_string(),
        auth_time: authentication.auth_time.filter(|t| *t <= now).unwrap_or(now),
        amr: authentication.amr,
        acr: authentication.acr,
        upstream: authentication.upstream,
        second_factor: authentication.second_factor,
        created_at: now,
    };
    let ttl = lifetimes.remaining(&session, now).unwrap_or(lifetimes.idle);
    store.put(Space::BrowserSession, &token_digest(&cookie_value), &session, ttl).await?;
    Ok((cookie_value, session))
}

/// The live session behind a cookie, its idle deadline pushed back.
pub async fn resume(
    store: &SessionStore,
    lifetimes: Lifetimes,
    cookie_value: &str,
) -> Result<Option<BrowserSession>, SessionError> {
    let key = token_digest(cookie_value);
    let Some(session) = store.get::<BrowserSession>(Space::BrowserSession, &key).await? else {
        return Ok(None);
    };
    match lifetimes.remaining(&session, Utc::now().timestamp()) {
        // Only the deadline moves: a logout that lands meanwhile stays a logout.
        Some(ttl) if store.touch(Space::BrowserSession, &key, ttl).await? => Ok(Some(session)),
        Some(_) => Ok(None),
        None => {
            store.delete(Space::BrowserSession, &key).await?;
            Ok(None)
        }
    }
}

/// Replaces the session behind a cookie by `session` (the same one, raised by a second
/// factor), keeping its deadline. False when it ended meanwhile.
pub async fn replace(
    store: &SessionStore,
    lifetimes: Lifetimes,
    cookie_value: &str,
    session: &BrowserSession,
) -> Result<bool, SessionError> {
    let key = token_digest(cookie_value);
    if store.get::<BrowserSession>(Space::BrowserSession, &key).await?.is_none() {
        return Ok(false);
    }
    let Some(ttl) = lifetimes.remaining(session, Utc::now().timestamp()) else { return Ok(false) };
    store.put(Space::BrowserSession, &key, session, ttl).await?;
    Ok(true)
}

pub async fn end(store: &SessionStore, cookie_value: &str) -> Result<(), SessionError> {
    end_by_key(store, &store_key(cookie_value)).await
}

/// Where the session behind a cookie is kept: a digest, so the store never holds a
/// usable cookie.
pub fn store_key(cookie_value: &str) -> String {
    token_digest(cookie_value)
}

/// Ends a session found through the index rather than a cookie (an administrator's revoke).
pub async fn end_by_key(store: &SessionStore, key: &str) -> Result<(), SessionError> {
    store.delete(Space::BrowserSession, key).await
}

/// Whether the session is still live (not signed out, not idle past its deadline).
pub async fn is_live(store: &SessionStore, key: &str) -> Result<bool, SessionError> {
    Ok(store.get::<BrowserSession>(Space::BrowserSession, key).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_session_ends_at_its_absolute_lifetime_whatever_its_use() {
        let store = SessionStore::in_memory();
        let lifetimes = Lifetimes { idle: Duration::from_secs(60), absolute: Duration::from_secs(3600) };
        let password = Authentication { amr: vec!["pwd".into()], ..Authentication::default() };
        let (cookie, session) = start(&store, lifetimes, password).await.unwrap();
        assert!(resume(&store, lifetimes, &cookie).await.unwrap().is_some());
        assert!(resume(&store, lifetimes, "forged").await.unwrap().is_none());

        let old = BrowserSession { created_at: session.created_at - 7200, ..session };
        store.put(Space::BrowserSession, &token_digest(&cookie), &old, Duration::from_secs(60)).await.unwrap();
        assert!(resume(&store, lifetimes, &cookie).await.unwrap().is_none(), "past the absolute lifetime");
    }
}
