//! `POST /introspect` (RFC 7662): what a resource server may know of a token it was
//! handed. The caller is a confidential client, authenticated like at the token endpoint,
//! or a resource server presenting its own client_credentials access token as a bearer
//! (Flask-OIDC's `accept_token` authenticates with its secret, basic or post). Anything expired, revoked, foreign or
//! malformed is `{"active": false}` and nothing more (§2.2). What a caller may learn is
//! limited (§4): a refresh token only by its own client, an access token by a resource
//! server an administrator registered or by its own client, the username only where the
//! token's scope released the profile.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::access_token::{self, AccessTokenClaims, Rejected};
use super::client_auth::{self, AuthenticatedClient};
use super::error::json_response;
use super::presented::{self, Presented};
use super::{ErrorCode, OAuthError};
use crate::domain::client::ClientOrigin;
use crate::domain::{Client, ClientKind, User, scope};
use crate::http::extract;
use crate::rate_limit::{Caller, Endpoint};
use crate::state::AppState;

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let used_basic = extract::uses_basic(req);
    match answer(req, body, state).await {
        Ok((answer, _)) => json_response(StatusCode::OK, &answer),
        Err(error) => {
            if error.code != ErrorCode::ServerError {
                tracing::info!(error = %error, "introspection refused");
            }
            error.token_response(used_basic)
        }
    }
}

/// What the caller may know of the token it names (the JSON of a 200 answer), and who
/// the caller is.
pub async fn answer(req: &Request, body: Body, state: &AppState) -> Result<(Value, Client), OAuthError> {
    let params = extract::form_params(req, body).await?;
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    client_auth::within_limit(state, Endpoint::Introspection, Caller::Address(&address)).await?;
    let caller = caller(state, req, &params).await?;
    client_auth::within_limit(state, Endpoint::Introspection, Caller::Client(&caller.client_id)).await?;
    // A client that registered itself is a stranger's: it learns only of its own tokens.
    let may_know = |client_id: &str| caller.origin == ClientOrigin::Administrator || caller.client_id == client_id;
    let token = params.get("token").ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let inactive = json!({ "active": false });
    let answer = match presented::look_up(state, token).await? {
        Some(Presented::AccessToken(claims)) if may_know(&claims.client_id) => {
            access_token_answer(state, &claims).await?.unwrap_or(inactive)
        }
        Some(Presented::AccessToken(_)) => inactive,
        // A refresh token is its client's own credential: no one else learns of it.
        Some(Presented::RefreshToken(stored)) => {
            if stored.grant.client_id != caller.client_id || !presented::refresh_token_is_live(state, &stored).await? {
                return Ok((inactive, caller));
            }
            let Some(user) = live_user(state, stored.grant.user_id).await? else { return Ok((inactive, caller)) };
            let subject = crate::subjects::of(state, &caller, user.id);
            let mut answer = json!({
                "active": true,
                "token_type": "refresh_token",
                "scope": stored.grant.scope.to_string(),
                "client_id": stored.grant.client_id,
                "sub": subject,
                "iss": state.issuer(),
                "exp": stored.expires_at.timestamp(),
            });
            if stored.grant.scope.contains(scope::PROFILE) {
                answer["username"] = json!(user.username);
            }
            answer
        }
        None => inactive,
    };
    Ok((answer, caller))
}

/// Who asks. Public clients may not: they cannot keep a credential (RFC 7662 §2.1).
async fn caller(state: &AppState, req: &Request, params: &extract::Params) -> Result<Client, OAuthError> {
    let bearer = extract::bearer_token(req).ok().flatten();
    if let Some(token) = bearer {
        let claims = access_token::verify(state, &token).await.map_err(|rejected| match rejected {
            Rejected::Inactive => OAuthError::invalid_client(),
            Rejected::Unavailable(e) => OAuthError::internal(&e),
        })?;
        if !claims.is_for_client_itself() {
            return Err(OAuthError::invalid_client());
        }
        let client = state.store.find_client(&claims.client_id).await.map_err(|e| OAuthError::internal(&e))?;
        return match client {
            Some(stored) if stored.client.kind() == ClientKind::Confidential => Ok(stored.client),
            _ => Err(OAuthError::invalid_client()),
        };
    }
    let AuthenticatedClient { client, .. } = client_auth::authenticate(state, req, params).await?;
    if client.kind() == ClientKind::Public {
        return Err(OAuthError::invalid_client());
    }
    Ok(client)
}

/// The answer for an access token the hub still honours, if its client and user still
/// stand.
async fn access_token_answer(state: &AppState, claims: &AccessTokenClaims) -> Result<Option<Value>, OAuthError> {
    let client = state.store.find_client(&claims.client_id).await.map_err(|e| OAuthError::internal(&e))?;
    let Some(client) = client else { return Ok(None) };
    let mut answer = json!({
        "active": true,
        "token_type": "Bearer",
        "scope": claims.scope,
        "client_id": claims.client_id,
        "sub": claims.sub,
        "iss": claims.iss,
        "aud": claims.aud,
        "exp": claims.exp,
        "iat": claims.iat,
        "jti": claims.jti,
    });
    if !claims.is_for_client_itself() {
        let resolved = crate::subjects::resolve(state, &client.client, &claims.sub).await;
        let Some(user_id) = resolved.map_err(|e| OAuthError::internal(&e))? else { return Ok(None) };
        let Some(user) = live_user(state, user_id).await? else { return Ok(None) };
        if claims.scope.split(' ').any(|name| name == scope::PROFILE) {
            answer["username"] = json!(user.username);
        }
        if let Some(auth_time) = claims.auth_time {
            answer["auth_time"] = json!(auth_time);
        }
    }
    Ok(Some(answer))
}

/// The user behind a token, unless gone or disabled.
async fn live_user(state: &AppState, user_id: Uuid) -> Result<Option<User>, OAuthError> {
    let user = state.store.find_user(user_id).await.map_err(|e| OAuthError::internal(&e))?;
    Ok(user.filter(|user| !user.disabled))
}
