//! `POST /token` (RFC 6749 §3.2): authenticate the client, then dispatch on the grant type.

mod authorization_code;
mod client_credentials;
mod device_code;
pub mod issue;
mod refresh_token;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use crate::domain::GrantType;
use crate::http::extract;
use crate::oidc::client_auth;
use crate::oidc::error::json_response;
use crate::oidc::{ErrorCode, OAuthError};
use crate::rate_limit::Endpoint;
use crate::state::AppState;

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let used_basic = extract::uses_basic(req);
    match handle(req, body, state).await {
        Ok(tokens) => {
            let mut response = json_response(StatusCode::OK, &tokens);
            response.headers_mut().insert("pragma", poem::http::HeaderValue::from_static("no-cache"));
            response
        }
        Err(error) => {
            // A device polls until its user answers: the wait is not worth a line each time.
            if !matches!(error.code, ErrorCode::ServerError | ErrorCode::AuthorizationPending) {
                tracing::info!(error = %error, "token request refused");
            }
            error.token_response(used_basic)
        }
    }
}

async fn handle(req: &Request, body: Body, state: &AppState) -> Result<serde_json::Value, OAuthError> {
    let params = extract::form_params(req, body).await?;
    let client = client_auth::authenticate_within_limits(state, req, &params, Endpoint::Token).await?;
    let grant_type = params.get("grant_type").ok_or_else(|| OAuthError::invalid_request("grant_type is required"))?;
    let grant = GrantType::parse(grant_type)
        .ok_or_else(|| OAuthError::new(ErrorCode::UnsupportedGrantType, "this grant type is not supported"))?;
    if !client.client.allows_grant(grant) {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "the client is not registered for this grant type"));
    }
    let tokens = match grant {
        GrantType::AuthorizationCode => authorization_code::exchange(state, &client, &params).await,
        GrantType::RefreshToken => refresh_token::exchange(state, &client, &params).await,
        GrantType::ClientCredentials => client_credentials::exchange(state, &client, &params).await,
        GrantType::DeviceCode => device_code::exchange(state, &client, &params).await,
        // Registered for the authorization endpoint's tokens; never a token request.
        GrantType::Implicit => {
            Err(OAuthError::new(ErrorCode::UnsupportedGrantType, "the implicit grant has no token request"))
        }
    }?;
    crate::telemetry::metrics::token_issued(grant.as_str());
    Ok(tokens)
}
