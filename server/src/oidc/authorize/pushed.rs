//! Pushed authorization requests (RFC 9126): the request a client pushed to `/par`, kept
//! for a minute under a random `request_uri` and taken once by `/authorize`, which then
//! uses its parameters alone (§4).

use super::checks::{self, AuthorizeError};
use super::request_object;
use crate::config::Settings;
use crate::domain::Client;
use crate::http::extract::Params;
use crate::oidc::OAuthError;
use crate::secrets::random_token;
use crate::session::Space;
use crate::state::AppState;

/// The prefix of a pushed request's `request_uri` (RFC 9126 §2.2).
const URN_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// Long enough to send the browser on, short enough that a leaked URI is worth little.
const LIFETIME_SECS: u64 = 60;

pub struct PushedRequest {
    pub request_uri: String,
    pub expires_in: u64,
}

/// Checks a pushed request as `/authorize` would and keeps it.
pub async fn push(state: &AppState, client: &Client, params: &Params) -> Result<PushedRequest, OAuthError> {
    if params.has("request_uri") {
        return Err(OAuthError::invalid_request("a pushed request cannot itself refer to a request_uri"));
    }
    if params.get("client_id").is_some_and(|id| id != client.client_id) {
        return Err(OAuthError::invalid_request("client_id is not the authenticated client's"));
    }
    // Its request object is resolved now, with the client's keys, and kept resolved.
    let resolved = request_object::resolve(state, client, params).await?;
    let own_id = [("client_id".to_owned(), client.client_id.clone())];
    let authentication = ["client_secret", "client_assertion", "client_assertion_type", "request"];
    let kept = resolved
        .as_ref()
        .unwrap_or(params)
        .merged(own_id, &authentication)
        .map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    match checks::validate_for(state, client.clone(), &kept).await {
        Ok(_) => {}
        Err(AuthorizeError::Redirect { error, .. }) => return Err(error),
        Err(AuthorizeError::Render { message, .. }) => return Err(OAuthError::invalid_request(message)),
        Err(AuthorizeError::Internal(error)) => return Err(OAuthError::internal(error.as_ref())),
    }
    let token = random_token().map_err(|e| OAuthError::internal(&e))?;
    state
        .sessions
        .put(Space::PushedRequest, &token, &kept, Settings::secs(LIFETIME_SECS))
        .await
        .map_err(|e| OAuthError::internal(&e))?;
    Ok(PushedRequest { request_uri: format!("{URN_PREFIX}{token}"), expires_in: LIFETIME_SECS })
}

/// The pushed request a `request_uri` names, taken once; None when the request names
/// none (an https `request_uri` is a request object's).
pub async fn take(state: &AppState, client: &Client, query: &Params) -> Result<Option<Params>, AuthorizeError> {
    let Some(token) = query.get("request_uri").and_then(|uri| uri.strip_prefix(URN_PREFIX)) else {
        return Ok(None);
    };
    let expired = || AuthorizeError::Render {
        title: "Sign-in expired",
        message: "This sign-in link has expired or was already used. Please return to the application and start again."
            .to_owned(),
    };
    let pushed: Params = match state.sessions.take(Space::PushedRequest, token).await {
        Ok(Some(pushed)) => pushed,
        Ok(None) => return Err(expired()),
        Err(error) => return Err(AuthorizeError::Internal(Box::new(error))),
    };
    // Another client's pushed request is as good as none.
    if pushed.get("client_id") != Some(client.client_id.as_str()) {
        return Err(expired());
    }
    Ok(Some(pushed))
}
