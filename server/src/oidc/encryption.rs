//! Tokens encrypted to the client they are for (OIDC Core §10.2): an ID token or a
//! userinfo response, for a client registered with `*_encrypted_response_alg`. The key is
//! the client's own (`jwks`, or `jwks_uri` read through the bounded key-set cache, at most
//! a minute old so that a client's rotation is picked up).

use serde_json::Value;

use super::{ErrorCode, OAuthError};
use crate::domain::Client;
use crate::domain::client::{ClientKeys, ResponseEncryption};
use crate::keys::jwe::{self, Content};
use crate::outbound::{FetchError, Freshness};
use crate::state::AppState;

/// `payload` (a signed JWT, or claims as JSON) encrypted to `client`'s key.
pub async fn seal(
    state: &AppState,
    client: &Client,
    encryption: ResponseEncryption,
    payload: &[u8],
    content: Content,
) -> Result<String, OAuthError> {
    let set = key_set(state, client).await?;
    let recipient = jwe::recipient_key(&set, encryption.alg).map_err(refused)?;
    jwe::encrypt(payload, recipient, encryption.alg, encryption.enc, content).map_err(refused)
}

/// Whether the client's ID tokens can be encrypted now: asked before a code or a refresh
/// token is spent, so that a client whose keys cannot be read loses neither.
pub async fn ready(state: &AppState, client: &Client) -> Result<(), OAuthError> {
    let Some(encryption) = client.id_token_encryption else { return Ok(()) };
    let set = key_set(state, client).await?;
    jwe::recipient_key(&set, encryption.alg).map(|_| ()).map_err(refused)
}

fn refused(why: impl std::fmt::Display) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequest, format!("the hub cannot encrypt to the client: {why}"))
}

async fn key_set(state: &AppState, client: &Client) -> Result<Value, OAuthError> {
    match &client.keys {
        Some(ClientKeys::Jwks(jwks)) => Ok(jwks.clone()),
        Some(ClientKeys::JwksUri(url)) => {
            let http = state.outbound.for_client(client, state.settings.registration_allow_private_urls);
            match state.outbound.key_sets.keys(http, url, Freshness::Recent).await {
                Ok(set) => Ok(Value::Object(set.document.clone())),
                Err(FetchError::Unavailable(why)) => Err(OAuthError::new(
                    ErrorCode::TemporarilyUnavailable,
                    format!("the client's keys cannot be read now: {why}"),
                )),
                Err(error) => Err(refused(error)),
            }
        }
        None => Err(refused("it registered no keys")),
    }
}
