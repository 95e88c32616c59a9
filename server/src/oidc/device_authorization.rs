//! `POST /device_authorization` (RFC 8628 §3.1, §3.2): a device without a browser (a
//! CLI, a TV), authenticated as at the token endpoint (public clients with `none`), asks
//! for scopes; it gets a device code to poll the token endpoint with, and a user code for
//! the person to enter at the `verification_uri` on another screen. Requests are rate
//! limited per address and per client, wrong user codes per address (`rate_limit`).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::json;

use super::authorize;
use super::client_auth;
use super::device::{self, Issued};
use super::error::json_response;
use super::{ErrorCode, OAuthError, paths};
use crate::config::Settings;
use crate::domain::GrantType;
use crate::http::extract;
use crate::rate_limit::Endpoint;
use crate::state::AppState;

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let used_basic = extract::uses_basic(req);
    match handle(req, body, state).await {
        Ok(issued) => {
            let user_code = issued.user_code.display();
            let settings = &state.settings;
            json_response(
                StatusCode::OK,
                &json!({
                    "device_code": issued.device_code,
                    "user_code": user_code,
                    "verification_uri": settings.endpoint(paths::DEVICE),
                    "verification_uri_complete": settings.endpoint_with(paths::DEVICE, "user_code", &user_code),
                    "expires_in": settings.device_code_ttl_secs,
                    "interval": settings.device_poll_interval_secs,
                }),
            )
        }
        Err(error) => {
            if error.code != ErrorCode::ServerError {
                tracing::info!(error = %error, "device authorization refused");
            }
            error.token_response(used_basic)
        }
    }
}

async fn handle(req: &Request, body: Body, state: &AppState) -> Result<Issued, OAuthError> {
    let params = extract::form_params(req, body).await?;
    let client =
        client_auth::authenticate_within_limits(state, req, &params, Endpoint::DeviceAuthorization).await?.client;
    if !client.allows_grant(GrantType::DeviceCode) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "the client is not registered for the device grant",
        ));
    }
    let scope = authorize::device_scope(&client, &params)?;
    let settings = &state.settings;
    let ttl = Settings::secs(settings.device_code_ttl_secs);
    let issued = device::start(&state.sessions, &client.client_id, scope, ttl, settings.device_poll_interval_secs)
        .await
        .map_err(|e| OAuthError::internal(&e))?;
    tracing::info!(client_id = %client.client_id, "device authorization started");
    Ok(issued)
}
