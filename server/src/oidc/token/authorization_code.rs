//! The `authorization_code` grant (RFC 6749 §4.1.3, OIDC Core §3.1.3): redeem the code
//! once, check it was issued to this client for this redirect URI, check PKCE, issue.

use std::time::Duration;

use crate::domain::scope;
use crate::http::extract::Params;
use crate::oidc::OAuthError;
use crate::oidc::code::{self, AuthorizationCode, Redemption};
use crate::state::AppState;
use crate::store::refresh_tokens::RefreshGrant;

use super::issue::{self, Bindings, Subject, UserGrant};
use crate::oidc::client_auth::AuthenticatedClient;

pub async fn exchange(
    state: &AppState,
    client: &AuthenticatedClient,
    params: &Params,
) -> Result<serde_json::Value, OAuthError> {
    let value = params.get("code").ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let internal = |e: code::CodeError| OAuthError::internal(&e);
    if let Some(live) = code::peek(&state.sessions, value).await.map_err(internal)? {
        check_binding(&live, client, params)?;
    }
    // Remember redeemed codes as long as anything they issued may be in use.
    let remember =
        Duration::from_secs(state.settings.access_token_ttl_secs.max(state.settings.authorization_code_ttl_secs));
    // A token the hub could not encrypt must not cost the code (the client may retry).
    crate::oidc::encryption::ready(state, &client.client).await?;
    let code = match code::redeem(&state.sessions, value, remember).await.map_err(internal)? {
        // Checked above on the same value; checked again in case it was issued meanwhile.
        Redemption::Fresh(code) => {
            check_binding(&code, client, params)?;
            code
        }
        Redemption::Replayed { grant_id } => {
            issue::revoke_replayed(state, grant_id).await?;
            return Err(OAuthError::invalid_grant("the authorization code was already used"));
        }
        Redemption::Unknown => return Err(OAuthError::invalid_grant("the authorization code is invalid or expired")),
    };
    let tokens = tokens(state, client, &code, Some(value)).await?;
    tracing::info!(client_id = %client.client.client_id, user = %code.user_id, "code exchanged");
    Ok(tokens)
}

/// What a redeemed code issues: an access token, an ID token with the openid scope
/// (bound to the code, `code_value`, where one travelled), and a refresh token to a
/// client of that grant. The device grant issues the same for the sign-in it stands for.
pub(super) async fn tokens(
    state: &AppState,
    client: &AuthenticatedClient,
    code: &AuthorizationCode,
    code_value: Option<&str>,
) -> Result<serde_json::Value, OAuthError> {
    let user = state
        .store
        .find_user(code.user_id)
        .await
        .map_err(|e| OAuthError::internal(&e))?
        .filter(|user| !user.disabled)
        .ok_or_else(|| OAuthError::invalid_grant("the user is no longer active"))?;

    let subject = match &code.subject {
        Some(subject) => subject.clone(),
        None => crate::subjects::issue(state, &client.client, user.id).await.map_err(|e| OAuthError::internal(&e))?,
    };
    let grant = UserGrant {
        user: &user,
        subject: &subject,
        auth_time: code.auth_time,
        amr: &code.amr,
        acr: code.acr.as_deref(),
        sid: Some(&code.sid),
        id_token_claims: &code.id_token_claims,
        grant_id: code.grant_id,
    };
    let access = issue::access_token(state, &client.client, &Subject::User(&grant), &code.scope)?;
    let id_token = if code.scope.contains(scope::OPENID) {
        let bindings = Bindings {
            nonce: code.nonce.as_deref(),
            access_token: Some(&access.token),
            code: code_value,
            ..Bindings::default()
        };
        Some(issue::id_token(state, &client.client, client.secret.as_deref(), &grant, &code.scope, bindings).await?)
    } else {
        None
    };
    let refresh_token = if issue::wants_refresh_token(&client.client) {
        let refresh = RefreshGrant {
            family_id: code.grant_id,
            client_id: client.client.client_id.clone(),
            user_id: user.id,
            scope: code.scope.clone(),
            auth_time: chrono::DateTime::from_timestamp(code.auth_time, 0).unwrap_or_default(),
            amr: code.amr.clone(),
            acr: code.acr.clone(),
            sid: Some(code.sid.clone()),
            id_token_claims: code.id_token_claims.clone(),
            subject: Some(subject.clone()),
        };
        Some(issue::refresh_token(state, &refresh).await?)
    } else {
        None
    };
    Ok(issue::response(access, &code.scope, id_token, refresh_token))
}

/// The code was issued to this client, for this redirect URI, and the verifier proves
/// the client started the request (RFC 6749 §4.1.3, RFC 7636 §4.6).
fn check_binding(code: &AuthorizationCode, client: &AuthenticatedClient, params: &Params) -> Result<(), OAuthError> {
    if code.client_id != client.client.client_id {
        return Err(OAuthError::invalid_grant("the authorization code was issued to another client"));
    }
    if params.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant("redirect_uri does not match the authorization request"));
    }
    match (&code.code_challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if challenge.is_satisfied_by(verifier) => Ok(()),
        (Some(_), Some(_)) => Err(OAuthError::invalid_grant("code_verifier does not match the code_challenge")),
        (Some(_), None) => Err(OAuthError::invalid_grant("code_verifier is required")),
        // A verifier for a code issued without a challenge signals a downgrade attack.
        (None, Some(_)) => Err(OAuthError::invalid_grant("code_verifier given but no code_challenge was sent")),
        (None, None) => Ok(()),
    }
}
