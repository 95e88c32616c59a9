//! Client authentication at the token, introspection and revocation endpoints (RFC 6749
//! §2.3, OIDC Core §9):
//! `client_secret_basic`, `client_secret_post`, or `none` for public clients (which must
//! then prove possession with PKCE). Exactly one method per request, and the one the
//! client registered.

use poem::Request;

use crate::domain::{Client, TokenEndpointAuthMethod};
use crate::http::extract::{self, Params};
use crate::oidc::OAuthError;
use crate::secrets::constant_time_eq;
use crate::state::AppState;

pub struct AuthenticatedClient {
    pub client: Client,
    /// The client's secret in clear, for HS256 ID tokens; None for public clients.
    pub secret: Option<Vec<u8>>,
}

pub async fn authenticate(state: &AppState, req: &Request, params: &Params) -> Result<AuthenticatedClient, OAuthError> {
    let basic = extract::basic_credentials(req)
        .map_err(|_| OAuthError::invalid_request("the Authorization header is not valid Basic credentials"))?;
    let (method, client_id, presented) = match (basic, params.get("client_secret")) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request("use only one client authentication method"));
        }
        (Some((id, secret)), None) => {
            if params.get("client_id").is_some_and(|form_id| form_id != id) {
                return Err(OAuthError::invalid_request("client_id does not match the Authorization header"));
            }
            (TokenEndpointAuthMethod::ClientSecretBasic, id, Some(secret))
        }
        (None, secret) => {
            let id = params.get("client_id").ok_or_else(OAuthError::invalid_client)?;
            let method = if secret.is_some() {
                TokenEndpointAuthMethod::ClientSecretPost
            } else {
                TokenEndpointAuthMethod::None
            };
            (method, id.to_owned(), secret.map(str::to_owned))
        }
    };

    let stored = state
        .store
        .find_client(&client_id)
        .await
        .map_err(|e| OAuthError::internal(&e))?
        .ok_or_else(OAuthError::invalid_client)?;
    if stored.client.token_endpoint_auth_method != method {
        return Err(OAuthError::invalid_client());
    }
    let secret = match (&stored.secret_sealed, presented) {
        (_, None) => None,
        (Some(sealed), Some(presented)) => {
            let secret = state
                .master
                .open(crate::domain::client::SECRET_CONTEXT, sealed)
                .map_err(|e| OAuthError::internal(&e))?;
            // Client secrets are 256-bit random values: a constant-time comparison is the
            // right check, a password KDF would only cost throughput (SPEC §10).
            if !constant_time_eq(&secret, presented.as_bytes()) {
                return Err(OAuthError::invalid_client());
            }
            Some(secret)
        }
        (None, Some(_)) => return Err(OAuthError::invalid_client()),
    };
    Ok(AuthenticatedClient { client: stored.client, secret })
}
