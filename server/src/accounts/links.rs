//! The single-use links the hub e-mails: reset a password, verify an address, create an
//! account. The link carries a random token; the store keeps what it does under the
//! token's digest (so a copy of the store opens nothing) until it is taken once or expires.
//!
//! A page shows what a link will do without using it (`peek`): mail scanners open links,
//! and must not spend them. Only the person's form post takes it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::secrets::{SecretError, random_token, token_digest};
use crate::session::{SessionError, SessionStore, Space};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "purpose", rename_all = "snake_case")]
pub enum LinkPurpose {
    /// Choose a new password. Void once the password changes (`password_fingerprint`).
    ResetPassword { user_id: Uuid, password_fingerprint: String },
    /// `email` is the user's: set it and mark it verified. Void if the user has changed
    /// to another address meanwhile, unless the link is for that change.
    VerifyEmail { user_id: Uuid, email: String },
    /// Create this account, its address verified by the link.
    Register { username: String, email: String, name: Option<String>, password_hash: String },
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Store(#[from] SessionError),
    #[error(transparent)]
    Random(#[from] SecretError),
}

/// Stores `purpose` for `ttl` and answers the token of its link.
pub async fn issue(sessions: &SessionStore, purpose: &LinkPurpose, ttl: Duration) -> Result<String, LinkError> {
    let token = random_token()?;
    sessions.put(Space::EmailedLink, &token_digest(&token), purpose, ttl).await?;
    Ok(token)
}

/// What the link with `token` would do, leaving it usable.
pub async fn peek(sessions: &SessionStore, token: &str) -> Result<Option<LinkPurpose>, LinkError> {
    if !plausible(token) {
        return Ok(None);
    }
    Ok(sessions.get(Space::EmailedLink, &token_digest(token)).await?)
}

/// Uses the link: at most one caller ever gets its purpose.
pub async fn take(sessions: &SessionStore, token: &str) -> Result<Option<LinkPurpose>, LinkError> {
    if !plausible(token) {
        return Ok(None);
    }
    Ok(sessions.take(Space::EmailedLink, &token_digest(token)).await?)
}

/// A short digest of a password hash: a reset link made before the password changed (by
/// another reset, or by the user) no longer works. None for a user without a password.
pub fn password_fingerprint(password_hash: Option<&str>) -> String {
    let hash = password_hash.unwrap_or("no password");
    hex::encode(&Sha256::digest(hash.as_bytes())[..16])
}

/// Tokens are 43 base64url characters; anything else is not looked up.
fn plausible(token: &str) -> bool {
    (20..=128).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_link_is_peeked_freely_and_taken_once() {
        let sessions = SessionStore::in_memory();
        let purpose = LinkPurpose::VerifyEmail { user_id: Uuid::new_v4(), email: "a@example.com".into() };
        let token = issue(&sessions, &purpose, Duration::from_secs(60)).await.unwrap();
        assert_eq!(peek(&sessions, &token).await.unwrap(), Some(purpose.clone()));
        assert_eq!(peek(&sessions, &token).await.unwrap(), Some(purpose.clone()), "peeking spends nothing");
        assert_eq!(take(&sessions, &token).await.unwrap(), Some(purpose));
        assert_eq!(take(&sessions, &token).await.unwrap(), None, "single use");
        assert_eq!(peek(&sessions, "not a token!").await.unwrap(), None);
    }

    #[test]
    fn a_new_password_voids_the_fingerprint() {
        assert_ne!(password_fingerprint(Some("$argon2id$a")), password_fingerprint(Some("$argon2id$b")));
        assert_eq!(password_fingerprint(None), password_fingerprint(None));
        assert_eq!(password_fingerprint(None).len(), 32);
    }
}
