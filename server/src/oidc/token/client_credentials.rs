//! The `client_credentials` grant (RFC 6749 §4.4): a confidential client acting for
//! itself gets an access token, nothing else.

use crate::domain::{ClientKind, ScopeSet, scope};
use crate::http::extract::Params;
use crate::oidc::{ErrorCode, OAuthError};
use crate::state::AppState;

use super::issue::{self, Subject};
use crate::oidc::client_auth::AuthenticatedClient;

pub async fn exchange(
    state: &AppState,
    client: &AuthenticatedClient,
    params: &Params,
) -> Result<serde_json::Value, OAuthError> {
    if client.client.kind() == ClientKind::Public {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "public clients cannot use client_credentials"));
    }
    // OpenID scopes describe a user and mean nothing here; the client's own API scopes apply.
    let allowed = client.client.scope.iter().filter(|s| !scope::STANDARD.contains(s)).collect::<ScopeSet>();
    let scope = match params.get("scope") {
        Some(requested) => {
            let requested = ScopeSet::parse(requested).ok_or_else(|| {
                OAuthError::new(ErrorCode::InvalidScope, "scope contains characters that are not allowed")
            })?;
            if !requested.is_subset(&allowed) {
                return Err(OAuthError::new(
                    ErrorCode::InvalidScope,
                    "a requested scope is not available to this client",
                ));
            }
            requested
        }
        None => allowed,
    };
    let access_token = issue::access_token(state, &client.client, &Subject::Client, &scope)?;
    Ok(issue::response(access_token, &scope, None, None))
}
