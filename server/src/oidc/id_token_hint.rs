//! `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout §2): an ID token the hub
//! issued, possibly expired. RS256 tokens are checked against the published keys; HS256
//! tokens against the secret of the client they were issued to, and only if that client
//! is registered for HS256, so neither algorithm can stand in for the other.

use serde::Deserialize;

use crate::domain::SigningAlg;
use crate::keys::{Expectations, TokenType};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct HintClaims {
    pub sub: String,
    pub aud: String,
}

/// The hint's subject and audience, or None when the hub did not issue it.
pub async fn verify(state: &AppState, hint: &str) -> Option<HintClaims> {
    let expected = Expectations { typ: TokenType::IdToken, issuer: state.issuer(), check_expiry: false };
    if crate::keys::header_alg(hint)? == "HS256" {
        // The audience names the key; it is trusted only once the signature checks out.
        let unverified: HintClaims = crate::keys::unverified_claims(hint)?;
        let stored = state.store.find_client(&unverified.aud).await.ok()??;
        if stored.client.id_token_signed_response_alg != SigningAlg::HS256 {
            return None;
        }
        let secret = state.master.open(crate::domain::client::SECRET_CONTEXT, &stored.secret_sealed?).ok()?;
        crate::keys::verify_hs256(hint, &secret, expected).ok()
    } else {
        state.keys.verify(hint, expected).ok()
    }
}
