//! The device authorization grant (RFC 8628) as a way into the one authorization flow.
//! `/device_authorization` checks the scope here, as `/authorize` checks it. A user code
//! a person confirmed on the user-code page starts a pending request (`begin_device`)
//! for the device's client and scopes, as `/authorize` would, so sign-in, consent and
//! every later step are the same ones. Only the answer goes elsewhere: not to a redirect
//! URI but into the session store, where the device's next poll finds it, while the page
//! tells the person to return to their device.

use poem::http::StatusCode;
use poem::{Request, Response};
use uuid::Uuid;

use super::checks;
use super::pending::{AuthorizationRequest, DeviceTarget, Recipient};
use crate::domain::claims_request::ClaimsRequest;
use crate::domain::client::ClientOrigin;
use crate::domain::{Client, ResponseType, ScopeSet};
use crate::http::extract::Params;
use crate::http::page::{self, DeviceDonePage};
use crate::oidc::code::AuthorizationCode;
use crate::oidc::device::{self, Answer, Found};
use crate::oidc::{ErrorCode, OAuthError};
use crate::session::browser::BrowserSession;
use crate::state::AppState;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The scopes a device may ask for, checked as `/authorize` checks them for the client
/// (a device sends no `claims` parameter: RFC 8628 §3.1 names `scope` alone).
pub fn device_scope(client: &Client, params: &Params) -> Result<ScopeSet, OAuthError> {
    checks::check_scope(client, params, &ClaimsRequest::default())
        .map_err(|(code, description)| OAuthError::new(code, description))
}

/// Starts the sign-in that answers the device authorization a person just confirmed.
pub async fn begin_device(state: &AppState, req: &Request, confirmed: Found) -> Response {
    let client = match state.store.find_client(&confirmed.authorization.client_id).await {
        Ok(Some(stored)) => stored.client,
        Ok(None) => {
            let message = "The application on your device is no longer registered with this hub.";
            return page::error(state, StatusCode::BAD_REQUEST, "Unknown application", message);
        }
        Err(error) => return page::internal_error(state, &error),
    };
    let request = AuthorizationRequest {
        // What the device gets is what a code exchange issues.
        response_type: ResponseType::Code,
        unverified_client: client.origin == ClientOrigin::Registration,
        client_id: client.client_id,
        client_name: client.client_name,
        target: Recipient::Device(DeviceTarget { device: confirmed.key }),
        scope: confirmed.authorization.scope,
        nonce: None,
        code_challenge: None,
        prompt: Vec::new(),
        max_age: client.default_max_age,
        login_hint: None,
        ui_locales: None,
        idp_hint: None,
        expected_subject: None,
        id_token_claims: Vec::new(),
        acr: None,
    };
    super::start(state, req, request).await
}

/// The flow's last step for a device: what a code would carry waits for its next poll.
/// It has no redirect URI, nonce or PKCE: the device code binds it to the device.
pub async fn approve(
    state: &AppState,
    request: &AuthorizationRequest,
    target: &DeviceTarget,
    session: &BrowserSession,
) -> Result<Response, Error> {
    // The user's sub for the client is fixed now, as for a code.
    let stored = state.store.find_client(&request.client_id).await?.ok_or("the client is gone")?;
    let subject = crate::subjects::issue(state, &stored.client, session.user_id).await?;
    let approval = AuthorizationCode {
        client_id: request.client_id.clone(),
        redirect_uri: String::new(),
        user_id: session.user_id,
        subject: Some(subject),
        scope: request.scope.clone(),
        nonce: None,
        code_challenge: None,
        auth_time: session.auth_time,
        amr: session.amr.clone(),
        acr: session.acr.clone(),
        sid: session.sid.clone(),
        id_token_claims: Vec::new(),
        grant_id: Uuid::new_v4(),
    };
    if !device::answer(&state.sessions, &target.device, &Answer::Approved(Box::new(approval))).await? {
        return Ok(expired(state));
    }
    // Back-channel logout tells the device's app when the session ends, as any app.
    state.store.record_session_client(&session.sid, &request.client_id).await?;
    tracing::info!(
        client_id = %request.client_id, user = %session.user_id, device = fingerprint(target), "device authorized"
    );
    Ok(done(state, request, None))
}

/// The person said no, or the sign-in failed: the device hears `access_denied`.
pub async fn deny(
    state: &AppState,
    request: &AuthorizationRequest,
    target: &DeviceTarget,
    failure: &OAuthError,
) -> Result<Response, Error> {
    if !device::answer(&state.sessions, &target.device, &Answer::Denied).await? {
        return Ok(expired(state));
    }
    tracing::info!(
        client_id = %request.client_id, device = fingerprint(target), error = %failure, "device authorization refused"
    );
    let why = match failure.code {
        ErrorCode::AccessDenied => "You did not allow it.".to_owned(),
        _ => failure.description.as_deref().unwrap_or("The sign-in did not succeed.").to_owned(),
    };
    Ok(done(state, request, Some(why)))
}

/// The page the flow ends on: no redirect, the device carries on by itself.
fn done(state: &AppState, request: &AuthorizationRequest, refused: Option<String>) -> Response {
    let status = if refused.is_some() { StatusCode::FORBIDDEN } else { StatusCode::OK };
    let context = DeviceDonePage { client_name: request.client_name.clone(), approved: refused.is_none(), refused };
    page::render(state, status, &context)
}

fn expired(state: &AppState) -> Response {
    let message = "The code from your device has expired. Please start again on your device.";
    page::error(state, StatusCode::BAD_REQUEST, "Code expired", message)
}

/// A prefix of the digest, for the log: never the device code or the user code.
fn fingerprint(target: &DeviceTarget) -> &str {
    target.device.get(..8).unwrap_or_default()
}
