//! The device code grant (RFC 8628 §3.4, §3.5): the device polls with its device code
//! until the person has answered on the user-code page. Before that it hears
//! `authorization_pending`, or `slow_down` when it polls sooner than its interval (which
//! then grows by five seconds); after the code's lifetime `expired_token`; after a "Deny"
//! `access_denied`. An approval is redeemed once, by the client it was issued to, for
//! exactly the tokens a code exchange issues.

use chrono::Utc;

use crate::http::extract::Params;
use crate::oidc::client_auth::AuthenticatedClient;
use crate::oidc::device::{self, Answer, DeviceError};
use crate::oidc::{ErrorCode, OAuthError};
use crate::state::AppState;

pub async fn exchange(
    state: &AppState,
    client: &AuthenticatedClient,
    params: &Params,
) -> Result<serde_json::Value, OAuthError> {
    let value = params.get("device_code").ok_or_else(|| OAuthError::invalid_request("device_code is required"))?;
    let store = &state.sessions;
    let internal = |e: DeviceError| OAuthError::internal(&e);
    let unknown = || OAuthError::invalid_grant("the device code is invalid or was already used");
    let found = device::load(store, value).await.map_err(internal)?.ok_or_else(unknown)?;
    // Another client's code is no code to this one, and its polls leave it untouched.
    if found.authorization.client_id != client.client.client_id {
        return Err(unknown());
    }
    let now = Utc::now();
    if found.authorization.expired(now.timestamp()) {
        return Err(OAuthError::new(ErrorCode::ExpiredToken, "the device code has expired; start again"));
    }
    if device::too_fast(store, &found, now.timestamp_millis()).await.map_err(internal)? {
        return Err(OAuthError::new(ErrorCode::SlowDown, "polling too fast: wait five seconds more between polls"));
    }
    let Some(answer) = device::answer_of(store, &found.key).await.map_err(internal)? else {
        return Err(OAuthError::new(ErrorCode::AuthorizationPending, "the user has not answered yet"));
    };
    // A token the hub could not encrypt must not cost the approval (the device may retry).
    crate::oidc::encryption::ready(state, &client.client).await?;
    // Taken once, whatever the answer: a second poll finds nothing.
    if !device::redeem(store, &found.key).await.map_err(internal)? {
        return Err(unknown());
    }
    match answer {
        Answer::Approved(approval) => {
            let tokens = super::authorization_code::tokens(state, client, &approval, None).await?;
            tracing::info!(client_id = %client.client.client_id, user = %approval.user_id, "device code redeemed");
            Ok(tokens)
        }
        Answer::Denied => Err(OAuthError::new(ErrorCode::AccessDenied, "the user denied the request")),
    }
}
