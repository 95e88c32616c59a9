//! The hub's own access tokens (RFC 9068), read back wherever one is presented: userinfo,
//! introspection and the admin API. One check for all of them: the signature with a
//! published key, `typ` at+jwt, the issuer, the expiry, the audience (the hub itself) and
//! revocation, of the token and of its grant.

use uuid::Uuid;

use crate::keys::{Expectations, TokenType};
use crate::state::AppState;

/// The claims the hub puts in its access tokens (`token::issue::access_token`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    /// The hub itself (RFC 9068 §3): these tokens are for the hub's own resources.
    pub aud: Option<String>,
    pub client_id: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    pub auth_time: Option<i64>,
    /// The SSO session the token was issued in, when a user was present.
    pub sid: Option<String>,
    #[serde(default)]
    pub scope: String,
    /// The grant (refresh family) the token belongs to; absent for client_credentials.
    pub gid: Option<Uuid>,
}

impl AccessTokenClaims {
    /// client_credentials: the client is the subject, no user is behind the token.
    pub fn is_for_client_itself(&self) -> bool {
        self.gid.is_none() && self.sub == self.client_id
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Rejected {
    /// Forged, foreign, expired, revoked or malformed: the caller learns no more.
    #[error("the access token is invalid, expired or revoked")]
    Inactive,
    #[error(transparent)]
    Unavailable(#[from] crate::grants::RevokeError),
}

/// The token's claims when it is one the hub issued and still honours.
pub async fn verify(state: &AppState, token: &str) -> Result<AccessTokenClaims, Rejected> {
    let expected = Expectations { typ: TokenType::AccessToken, issuer: state.issuer(), check_expiry: true };
    let claims: AccessTokenClaims = state.keys.verify(token, expected).map_err(|_| Rejected::Inactive)?;
    if claims.aud.as_deref() != Some(state.issuer()) {
        return Err(Rejected::Inactive);
    }
    if crate::grants::is_access_token_revoked(state, &claims.jti, claims.gid).await? {
        return Err(Rejected::Inactive);
    }
    Ok(claims)
}
