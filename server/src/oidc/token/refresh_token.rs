//! The `refresh_token` grant (RFC 6749 §6) with rotation: every use returns a new refresh
//! token and retires the old one; presenting a retired token revokes the whole family
//! (OAuth 2.0 Security BCP §4.14.2).

use chrono::Utc;

use crate::domain::{ScopeSet, scope};
use crate::http::extract::Params;
use crate::oidc::{ErrorCode, OAuthError};
use crate::secrets::token_digest;
use crate::state::AppState;
use crate::store::refresh_tokens::RefreshGrant;

use super::issue::{self, Bindings, Subject, UserGrant};
use crate::oidc::client_auth::AuthenticatedClient;

pub async fn exchange(
    state: &AppState,
    client: &AuthenticatedClient,
    params: &Params,
) -> Result<serde_json::Value, OAuthError> {
    let presented =
        params.get("refresh_token").ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    let internal = |e: crate::store::StoreError| OAuthError::internal(&e);
    let stored = state
        .store
        .find_refresh_token(&token_digest(presented))
        .await
        .map_err(internal)?
        .ok_or_else(|| OAuthError::invalid_grant("the refresh token is invalid"))?;
    if stored.grant.client_id != client.client.client_id {
        return Err(OAuthError::invalid_grant("the refresh token was issued to another client"));
    }
    if stored.revoked {
        return Err(OAuthError::invalid_grant("the refresh token was revoked"));
    }
    // A token the hub could not encrypt must not cost the refresh token (it may retry).
    crate::oidc::encryption::ready(state, &client.client).await?;
    if stored.used || !state.store.mark_refresh_token_used(stored.id).await.map_err(internal)? {
        issue::revoke_replayed(state, stored.grant.family_id).await?;
        return Err(OAuthError::invalid_grant("the refresh token was already used"));
    }
    if crate::grants::is_grant_revoked(state, stored.grant.family_id).await.map_err(|e| OAuthError::internal(&e))? {
        return Err(OAuthError::invalid_grant("the refresh token was revoked"));
    }
    if stored.expires_at <= Utc::now() {
        return Err(OAuthError::invalid_grant("the refresh token has expired"));
    }

    // A narrower scope may be asked for, never a wider one (RFC 6749 §6).
    let scope = match params.get("scope") {
        Some(requested) => {
            let requested = ScopeSet::parse(requested).ok_or_else(|| {
                OAuthError::new(ErrorCode::InvalidScope, "scope contains characters that are not allowed")
            })?;
            if !requested.is_subset(&stored.grant.scope) {
                return Err(OAuthError::new(ErrorCode::InvalidScope, "scope exceeds the original grant"));
            }
            requested
        }
        None => stored.grant.scope.clone(),
    };
    let user = state
        .store
        .find_user(stored.grant.user_id)
        .await
        .map_err(internal)?
        .filter(|user| !user.disabled)
        .ok_or_else(|| OAuthError::invalid_grant("the user is no longer active"))?;
    // Removed from the client's groups since the grant: no more tokens (issue 13).
    if !crate::domain::client::admits_member_of(&client.client.allowed_groups, &user.groups) {
        return Err(OAuthError::invalid_grant("the user is no longer in a group allowed to use this client"));
    }

    let auth_time = stored.grant.auth_time.timestamp();
    let subject = match &stored.grant.subject {
        Some(subject) => subject.clone(),
        None => crate::subjects::issue(state, &client.client, user.id).await.map_err(internal)?,
    };
    let grant = UserGrant {
        user: &user,
        subject: &subject,
        auth_time,
        amr: &stored.grant.amr,
        acr: stored.grant.acr.as_deref(),
        sid: stored.grant.sid.as_deref(),
        id_token_claims: &stored.grant.id_token_claims,
        grant_id: stored.grant.family_id,
    };
    let access = issue::access_token(state, &client.client, &Subject::User(&grant), &scope)?;
    let id_token = if scope.contains(scope::OPENID) {
        let bindings = Bindings { access_token: Some(&access.token), ..Bindings::default() };
        Some(issue::id_token(state, &client.client, client.secret.as_deref(), &grant, &scope, bindings).await?)
    } else {
        None
    };
    let next =
        RefreshGrant { scope: stored.grant.scope.clone(), subject: Some(subject.clone()), ..stored.grant.clone() };
    let refresh_token = issue::refresh_token(state, &next).await?;
    Ok(issue::response(access, &scope, id_token, Some(refresh_token)))
}
