//! Authorization codes (RFC 6749 §4.1.2): random, single use (taken atomically), short
//! lived, stored under their digest. A redeemed code leaves a marker behind, so a replay
//! is recognised and what the code issued is revoked.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::ScopeSet;
use crate::domain::pkce::CodeChallenge;
use crate::secrets::{SecretError, random_token, token_digest};
use crate::session::{SessionError, SessionStore, Space};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizationCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub user_id: Uuid,
    /// The user's `sub` for the client, fixed when the user authorized it: a change of
    /// the client's sector afterwards never changes what this grant says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub scope: ScopeSet,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub auth_time: i64,
    pub amr: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    pub sid: String,
    /// User claims the `claims` parameter asked for in the ID token.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_token_claims: Vec<String>,
    /// Everything issued from this code carries the grant id; revoking the grant
    /// revokes them all.
    pub grant_id: Uuid,
}

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error(transparent)]
    Store(#[from] SessionError),
    #[error(transparent)]
    Random(#[from] SecretError),
}

/// What redeeming a code found.
pub enum Redemption {
    Fresh(Box<AuthorizationCode>),
    /// Redeemed before: the grant it started must be revoked.
    Replayed {
        grant_id: Uuid,
    },
    Unknown,
}

pub async fn issue(store: &SessionStore, code: &AuthorizationCode, ttl: Duration) -> Result<String, CodeError> {
    let value = random_token()?;
    store.put(Space::Code, &token_digest(&value), code, ttl).await?;
    Ok(value)
}

/// Reads a live code without consuming it, so a request that fails the client, redirect
/// URI or PKCE checks cannot burn the legitimate client's code.
pub async fn peek(store: &SessionStore, value: &str) -> Result<Option<AuthorizationCode>, CodeError> {
    Ok(store.get(Space::Code, &token_digest(value)).await?)
}

/// Takes the code (at most one caller ever gets it) and leaves the replay marker for
/// `remember_for`.
pub async fn redeem(store: &SessionStore, value: &str, remember_for: Duration) -> Result<Redemption, CodeError> {
    let key = token_digest(value);
    match store.take::<AuthorizationCode>(Space::Code, &key).await? {
        Some(code) => {
            store.put(Space::RedeemedCode, &key, &code.grant_id, remember_for).await?;
            Ok(Redemption::Fresh(Box::new(code)))
        }
        None => match store.get::<Uuid>(Space::RedeemedCode, &key).await? {
            Some(grant_id) => Ok(Redemption::Replayed { grant_id }),
            None => Ok(Redemption::Unknown),
        },
    }
}
