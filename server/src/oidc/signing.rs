//! Signing for one client, as it registered (`id_token_signed_response_alg`,
//! `userinfo_signed_response_alg`): RS256 with the hub's active key, or HS256 keyed with
//! the client's own secret (OIDC Core §10.1).

use serde::Serialize;

use super::{ErrorCode, OAuthError};
use crate::domain::SigningAlg;
use crate::keys::{TokenType, sign_hs256};
use crate::state::AppState;

/// `secret` is the client's secret in clear, which HS256 needs.
pub fn sign_for_client<T: Serialize>(
    state: &AppState,
    alg: SigningAlg,
    claims: &T,
    typ: TokenType,
    secret: Option<&[u8]>,
) -> Result<String, OAuthError> {
    match alg {
        SigningAlg::RS256 => state.keys.sign_rs256(claims, typ).map_err(|e| OAuthError::internal(&e)),
        SigningAlg::HS256 => {
            let secret =
                secret.ok_or_else(|| OAuthError::new(ErrorCode::InvalidClient, "HS256 needs the client's secret"))?;
            sign_hs256(claims, typ, secret).map_err(|e| OAuthError::internal(&e))
        }
    }
}
