//! `POST /par` (RFC 9126): a client pushes its authorization request over the back
//! channel, authenticated as at the token endpoint, and sends the browser to
//! `/authorize` with only its `client_id` and the `request_uri` it got back. The request
//! is checked now, as `/authorize` would (§2.1), kept for a minute, and taken once.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::json;

use super::authorize::{self, PushedRequest};
use super::client_auth;
use super::error::json_response;
use super::{ErrorCode, OAuthError};
use crate::http::extract;
use crate::state::AppState;

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let used_basic = extract::uses_basic(req);
    match handle(req, body, state).await {
        Ok(pushed) => json_response(
            StatusCode::CREATED,
            &json!({ "request_uri": pushed.request_uri, "expires_in": pushed.expires_in }),
        ),
        Err(error) => {
            if error.code != ErrorCode::ServerError {
                tracing::info!(error = %error, "pushed authorization request refused");
            }
            error.token_response(used_basic)
        }
    }
}

async fn handle(req: &Request, body: Body, state: &AppState) -> Result<PushedRequest, OAuthError> {
    let params = extract::form_params(req, body).await?;
    let client = client_auth::authenticate(state, req, &params).await?;
    authorize::push(state, &client.client, &params).await
}
