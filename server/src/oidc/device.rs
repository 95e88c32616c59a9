//! Device authorizations (RFC 8628) in the session store, so that any instance answers
//! any step. Four keys, each written by one party, so that a poll never overwrites an
//! answer: what the device asked for, under the digest of its device code, and its user
//! code (`/device_authorization` writes both); the person's answer (the authorization
//! flow); the pace of the device's polls (the token endpoint, which alone takes the
//! authorization, once). Codes are stored and looked up by digest, never kept in clear.

use std::time::Duration;

use crate::domain::ScopeSet;
use crate::domain::user_code::UserCode;
use crate::oidc::code::AuthorizationCode;
use crate::secrets::{SecretError, random_bytes, random_token, token_digest};
use crate::session::{SessionError, SessionStore, Space};
use chrono::Utc;
use serde::{Deserialize, Serialize};

/// How long an expired authorization is kept, so that its device hears `expired_token`
/// rather than `invalid_grant`.
const KEPT_AFTER_EXPIRY_SECS: i64 = 600;
/// RFC 8628 §3.5: each `slow_down` adds five seconds to the interval.
const SLOW_DOWN_SECS: u64 = 5;
/// A poll this much early is network jitter, not a device polling too fast.
const JITTER_MS: i64 = 250;

/// What a device asked for at `/device_authorization`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceAuthorization {
    pub client_id: String,
    pub scope: ScopeSet,
    /// Unix seconds; from then on the device hears `expired_token`.
    pub expires_at: i64,
    /// The seconds between polls it was given.
    pub interval: u64,
}

impl DeviceAuthorization {
    pub fn expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }

    /// How long what belongs to it stays in the store.
    fn kept_for(&self, now: i64) -> Duration {
        let secs = (self.expires_at - now).max(0) + KEPT_AFTER_EXPIRY_SECS;
        Duration::from_secs(u64::try_from(secs).unwrap_or_default())
    }
}

/// How the person answered, as the flow ended. An approval is the sign-in as an
/// authorization code would carry it, so the device gets what a code exchange issues;
/// no code is ever sent anywhere (the device code stands in for it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Answer {
    Approved(Box<AuthorizationCode>),
    Denied,
}

/// A fresh authorization, as the device is told of it.
pub struct Issued {
    pub device_code: String,
    pub user_code: UserCode,
}

/// A live authorization a user code names, under its key (the device code's digest).
pub struct Found {
    pub key: String,
    pub authorization: DeviceAuthorization,
}

/// When the device last polled, and the interval it must keep since its last `slow_down`.
#[derive(Debug, Serialize, Deserialize)]
struct Pace {
    at_ms: i64,
    interval: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Store(#[from] SessionError),
    #[error(transparent)]
    Random(#[from] SecretError),
    #[error("no unused user code was found")]
    NoUserCode,
}

/// Starts an authorization for `client_id`: a random device code, and a user code no
/// live authorization has.
pub async fn start(
    store: &SessionStore,
    client_id: &str,
    scope: ScopeSet,
    ttl: Duration,
    interval: u64,
) -> Result<Issued, DeviceError> {
    let device_code = random_token()?;
    let key = token_digest(&device_code);
    let now = Utc::now().timestamp();
    let expires_at = now.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2));
    let authorization = DeviceAuthorization { client_id: client_id.to_owned(), scope, expires_at, interval };
    store.put(Space::DeviceCode, &key, &authorization, authorization.kept_for(now)).await?;
    let user_code = unused_user_code(store).await?;
    store.put(Space::UserCode, &token_digest(user_code.as_str()), &key, ttl).await?;
    Ok(Issued { device_code, user_code })
}

/// 20^8 codes make a clash with a live one rare; a few draws make it vanish.
async fn unused_user_code(store: &SessionStore) -> Result<UserCode, DeviceError> {
    for _ in 0..5 {
        let Some(code) = UserCode::from_random(&random_bytes::<32>()?) else { continue };
        if !store.exists(Space::UserCode, &token_digest(code.as_str())).await? {
            return Ok(code);
        }
    }
    Err(DeviceError::NoUserCode)
}

/// The live authorization `user_code` names, left in place: the page shows what it is
/// for before the person confirms.
pub async fn find(store: &SessionStore, user_code: &UserCode) -> Result<Option<Found>, DeviceError> {
    match store.get::<String>(Space::UserCode, &token_digest(user_code.as_str())).await? {
        Some(key) => live(store, key).await,
        None => Ok(None),
    }
}

/// Takes the user code: one person's sign-in answers a device, and a code cannot be
/// entered twice.
pub async fn confirm(store: &SessionStore, user_code: &UserCode) -> Result<Option<Found>, DeviceError> {
    match store.take::<String>(Space::UserCode, &token_digest(user_code.as_str())).await? {
        Some(key) => live(store, key).await,
        None => Ok(None),
    }
}

async fn live(store: &SessionStore, key: String) -> Result<Option<Found>, DeviceError> {
    let now = Utc::now().timestamp();
    let authorization = store.get::<DeviceAuthorization>(Space::DeviceCode, &key).await?;
    Ok(authorization.filter(|a| !a.expired(now)).map(|authorization| Found { key, authorization }))
}

/// Leaves the person's answer for the device's next poll; false when the authorization
/// expired meanwhile (the answer would reach nobody).
pub async fn answer(store: &SessionStore, key: &str, answer: &Answer) -> Result<bool, DeviceError> {
    let now = Utc::now().timestamp();
    match store.get::<DeviceAuthorization>(Space::DeviceCode, key).await? {
        Some(authorization) if !authorization.expired(now) => {
            store.put(Space::DeviceAnswer, key, answer, authorization.kept_for(now)).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// The authorization a device presents, by its device code, with its key.
pub async fn load(store: &SessionStore, device_code: &str) -> Result<Option<Found>, DeviceError> {
    let key = token_digest(device_code);
    let authorization = store.get::<DeviceAuthorization>(Space::DeviceCode, &key).await?;
    Ok(authorization.map(|authorization| Found { key, authorization }))
}

/// Records a poll; true when it came sooner than the interval allows, which then grows
/// by five seconds (RFC 8628 §3.5).
pub async fn too_fast(store: &SessionStore, found: &Found, now_ms: i64) -> Result<bool, DeviceError> {
    let previous = store.get::<Pace>(Space::DevicePoll, &found.key).await?;
    let interval = previous.as_ref().map_or(found.authorization.interval, |pace| pace.interval);
    let interval_ms = i64::try_from(interval.saturating_mul(1000)).unwrap_or(i64::MAX);
    let too_fast = previous.is_some_and(|pace| now_ms - pace.at_ms + JITTER_MS < interval_ms);
    let interval = if too_fast { interval.saturating_add(SLOW_DOWN_SECS) } else { interval };
    let kept = found.authorization.kept_for(now_ms / 1000);
    store.put(Space::DevicePoll, &found.key, &Pace { at_ms: now_ms, interval }, kept).await?;
    Ok(too_fast)
}

/// The person's answer, if they gave one.
pub async fn answer_of(store: &SessionStore, key: &str) -> Result<Option<Answer>, DeviceError> {
    Ok(store.get(Space::DeviceAnswer, key).await?)
}

/// Takes the authorization (at most one poll ever does) and what belonged to it; false
/// when another poll took it first.
pub async fn redeem(store: &SessionStore, key: &str) -> Result<bool, DeviceError> {
    let taken = store.take::<DeviceAuthorization>(Space::DeviceCode, key).await?.is_some();
    if taken {
        store.delete(Space::DeviceAnswer, key).await?;
        store.delete(Space::DevicePoll, key).await?;
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> ScopeSet {
        ScopeSet::parse("openid").unwrap()
    }

    #[tokio::test]
    async fn a_user_code_finds_its_authorization_until_it_is_confirmed() {
        let store = SessionStore::in_memory();
        let issued = start(&store, "tv", scope(), Duration::from_secs(60), 5).await.unwrap();
        let found = find(&store, &issued.user_code).await.unwrap().expect("found");
        assert_eq!(found.authorization.client_id, "tv");
        assert_eq!(found.key, token_digest(&issued.device_code), "stored by digest");
        assert!(confirm(&store, &issued.user_code).await.unwrap().is_some());
        assert!(confirm(&store, &issued.user_code).await.unwrap().is_none(), "confirmed once");
        assert!(find(&store, &issued.user_code).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn polls_slow_down_and_the_authorization_is_redeemed_once() {
        let store = SessionStore::in_memory();
        let issued = start(&store, "tv", scope(), Duration::from_secs(60), 5).await.unwrap();
        let found = load(&store, &issued.device_code).await.unwrap().unwrap();
        assert!(!too_fast(&store, &found, 1_000_000).await.unwrap(), "the first poll");
        assert!(too_fast(&store, &found, 1_001_000).await.unwrap(), "a second later");
        assert!(too_fast(&store, &found, 1_006_000).await.unwrap(), "five seconds are no longer enough");
        assert!(!too_fast(&store, &found, 1_021_000).await.unwrap(), "fifteen seconds are, after two slow_downs");

        assert!(answer_of(&store, &found.key).await.unwrap().is_none());
        assert!(answer(&store, &found.key, &Answer::Denied).await.unwrap());
        assert!(matches!(answer_of(&store, &found.key).await.unwrap(), Some(Answer::Denied)));
        assert!(redeem(&store, &found.key).await.unwrap());
        assert!(!redeem(&store, &found.key).await.unwrap(), "single use");
        assert!(load(&store, &issued.device_code).await.unwrap().is_none());
        assert!(!answer(&store, &found.key, &Answer::Denied).await.unwrap(), "nobody to answer");
    }
}
