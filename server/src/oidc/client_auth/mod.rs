//! Client authentication at the token, introspection and revocation endpoints (RFC 6749
//! §2.3, OIDC Core §9): `client_secret_basic`, `client_secret_post`, a signed assertion
//! (`client_secret_jwt`, `private_key_jwt`: `assertion`), or `none` for public clients
//! (which must then prove possession with PKCE). Exactly one method per request, and the
//! one the client registered.

pub mod assertion;

use poem::Request;

use crate::domain::{Client, ClientKind, TokenEndpointAuthMethod};
use crate::http::extract::{self, Params};
use crate::oidc::OAuthError;
use crate::rate_limit::{Caller, Endpoint};
use crate::secrets::constant_time_eq;
use crate::state::AppState;

pub struct AuthenticatedClient {
    pub client: Client,
    /// The client's secret in clear, for HS256 ID tokens; None for public clients.
    pub secret: Option<Vec<u8>>,
}

/// What the request presents to authenticate the client.
enum Credentials {
    Secret {
        method: TokenEndpointAuthMethod,
        client_id: String,
        secret: String,
    },
    Assertion {
        client_id: String,
        assertion: String,
    },
    /// A public client names itself.
    Nothing {
        client_id: String,
    },
}

pub async fn authenticate(state: &AppState, req: &Request, params: &Params) -> Result<AuthenticatedClient, OAuthError> {
    let credentials = credentials(req, params)?;
    let client_id = match &credentials {
        Credentials::Secret { client_id, .. }
        | Credentials::Assertion { client_id, .. }
        | Credentials::Nothing { client_id } => client_id,
    };
    let stored = state
        .store
        .find_client(client_id)
        .await
        .map_err(|e| OAuthError::internal(&e))?
        .ok_or_else(OAuthError::invalid_client)?;
    let registered = stored.client.token_endpoint_auth_method;
    let secret = match credentials {
        Credentials::Secret { method, secret: presented, .. } => {
            if method != registered {
                return Err(OAuthError::invalid_client());
            }
            let sealed = stored.secret_sealed.as_ref().ok_or_else(OAuthError::invalid_client)?;
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
        Credentials::Assertion { assertion, .. } => match registered {
            TokenEndpointAuthMethod::ClientSecretJwt | TokenEndpointAuthMethod::PrivateKeyJwt => {
                assertion::verify(state, &stored, registered, &assertion).await?
            }
            _ => return Err(OAuthError::invalid_client()),
        },
        Credentials::Nothing { .. } if registered == TokenEndpointAuthMethod::None => None,
        Credentials::Nothing { .. } => return Err(OAuthError::invalid_client()),
    };
    crate::telemetry::note_client(req, &stored.client.client_id);
    Ok(AuthenticatedClient { client: stored.client, secret })
}

/// `authenticate`, within `endpoint`'s rate limits: every request counts against its
/// address, and once a confidential client has proved who it is, against that client too.
pub async fn authenticate_within_limits(
    state: &AppState,
    req: &Request,
    params: &Params,
    endpoint: Endpoint,
) -> Result<AuthenticatedClient, OAuthError> {
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    within_limit(state, endpoint, Caller::Address(&address)).await?;
    let authenticated = authenticate(state, req, params).await?;
    if authenticated.client.kind() == ClientKind::Confidential {
        within_limit(state, endpoint, Caller::Client(&authenticated.client.client_id)).await?;
    }
    Ok(authenticated)
}

/// Counts this request against `endpoint`'s limit for `caller`: past it, a 429.
pub async fn within_limit(state: &AppState, endpoint: Endpoint, caller: Caller<'_>) -> Result<(), OAuthError> {
    let verdict = state.rate_limits.count(endpoint, caller).await.map_err(|e| OAuthError::internal(&e))?;
    match verdict.retry_after_secs() {
        None => Ok(()),
        Some(secs) => {
            tracing::info!(?endpoint, "rate limited");
            Err(OAuthError::rate_limited(secs))
        }
    }
}

/// The one method the request uses; two at once is an `invalid_request`.
fn credentials(req: &Request, params: &Params) -> Result<Credentials, OAuthError> {
    let basic = extract::basic_credentials(req)
        .map_err(|_| OAuthError::invalid_request("send one Authorization header, with valid Basic credentials"))?;
    let assertion = match (params.get("client_assertion_type"), params.get("client_assertion")) {
        (None, None) => None,
        (Some(assertion::JWT_BEARER), Some(assertion)) => Some(assertion),
        (Some(_), Some(_)) => return Err(OAuthError::invalid_request("client_assertion_type must be jwt-bearer")),
        _ => return Err(OAuthError::invalid_request("client_assertion and client_assertion_type go together")),
    };
    let form_id = params.get("client_id");
    let one_method = [basic.is_some(), params.get("client_secret").is_some(), assertion.is_some()];
    if one_method.iter().filter(|used| **used).count() > 1 {
        return Err(OAuthError::invalid_request("use only one client authentication method"));
    }
    let named = |client_id: &str| {
        if form_id.is_some_and(|form_id| form_id != client_id) {
            return Err(OAuthError::invalid_request("client_id does not match the client's credentials"));
        }
        Ok(client_id.to_owned())
    };
    if let Some((id, secret)) = basic {
        return Ok(Credentials::Secret {
            method: TokenEndpointAuthMethod::ClientSecretBasic,
            client_id: named(&id)?,
            secret,
        });
    }
    if let Some(assertion) = assertion {
        let claimed = assertion::claimed_client_id(assertion).ok_or_else(OAuthError::invalid_client)?;
        return Ok(Credentials::Assertion { client_id: named(&claimed)?, assertion: assertion.to_owned() });
    }
    let client_id = form_id.ok_or_else(OAuthError::invalid_client)?.to_owned();
    Ok(match params.get("client_secret") {
        Some(secret) => Credentials::Secret {
            method: TokenEndpointAuthMethod::ClientSecretPost,
            client_id,
            secret: secret.to_owned(),
        },
        None => Credentials::Nothing { client_id },
    })
}
