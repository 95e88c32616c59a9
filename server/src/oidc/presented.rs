//! A token a client hands back to the hub, to introspect or revoke it (RFC 7662, RFC
//! 7009): one of the hub's access tokens or one of its refresh tokens. The
//! `token_type_hint` only saves a lookup elsewhere; here the token's shape says which it
//! is (access tokens are JWTs, refresh tokens opaque), so a wrong hint changes nothing.

use chrono::Utc;

use super::OAuthError;
use super::access_token::{self, AccessTokenClaims, Rejected};
use crate::secrets::token_digest;
use crate::state::AppState;
use crate::store::refresh_tokens::StoredRefreshToken;

pub enum Presented {
    /// An access token the hub still honours.
    AccessToken(AccessTokenClaims),
    /// A refresh token the hub issued, live or not.
    RefreshToken(StoredRefreshToken),
}

/// What the token is, or None for anything the hub does not honour or never issued.
pub async fn look_up(state: &AppState, token: &str) -> Result<Option<Presented>, OAuthError> {
    if token.contains('.') {
        return match access_token::verify(state, token).await {
            Ok(claims) => Ok(Some(Presented::AccessToken(claims))),
            Err(Rejected::Inactive) => Ok(None),
            Err(Rejected::Unavailable(e)) => Err(OAuthError::internal(&e)),
        };
    }
    let stored = state.store.find_refresh_token(&token_digest(token)).await.map_err(|e| OAuthError::internal(&e))?;
    Ok(stored.map(Presented::RefreshToken))
}

/// Whether a refresh token could still be exchanged.
pub async fn refresh_token_is_live(state: &AppState, stored: &StoredRefreshToken) -> Result<bool, OAuthError> {
    if stored.revoked || stored.used || stored.expires_at <= Utc::now() {
        return Ok(false);
    }
    let revoked =
        crate::grants::is_grant_revoked(state, stored.grant.family_id).await.map_err(|e| OAuthError::internal(&e))?;
    Ok(!revoked)
}

impl Presented {
    pub fn client_id(&self) -> &str {
        match self {
            Presented::AccessToken(claims) => &claims.client_id,
            Presented::RefreshToken(stored) => &stored.grant.client_id,
        }
    }
}
