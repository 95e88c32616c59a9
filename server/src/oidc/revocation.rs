//! `POST /revoke` (RFC 7009): a client gives back a token it holds. A refresh token takes
//! its whole grant with it (the family and the access tokens issued with it, §2.1); an
//! access token is refused from then on, across any restart (`grants`). A token the hub
//! does not know, or no longer honours, is answered 200 like a revoked one (§2.2).

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use super::client_auth;
use super::presented::{self, Presented};
use super::{ErrorCode, OAuthError};
use crate::http::extract;
use crate::state::AppState;

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let used_basic = extract::uses_basic(req);
    match revoke(req, body, state).await {
        Ok(()) => Response::builder().status(StatusCode::OK).finish(),
        Err(error) => {
            if error.code != ErrorCode::ServerError {
                tracing::info!(error = %error, "revocation refused");
            }
            error.token_response(used_basic)
        }
    }
}

/// Revokes the token the authenticated client names (nothing, if the hub does not know it).
pub async fn revoke(req: &Request, body: Body, state: &AppState) -> Result<(), OAuthError> {
    let params = extract::form_params(req, body).await?;
    let client = client_auth::authenticate(state, req, &params).await?;
    let token = params.get("token").ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let Some(found) = presented::look_up(state, token).await? else { return Ok(()) };
    // §2.1: the token must have been issued to the client that revokes it.
    if found.client_id() != client.client.client_id {
        return Err(OAuthError::invalid_request("the token was issued to another client"));
    }
    let internal = |e: crate::grants::RevokeError| OAuthError::internal(&e);
    match found {
        Presented::RefreshToken(stored) => {
            let revoked = crate::grants::revoke(state, stored.grant.family_id).await.map_err(internal)?;
            tracing::info!(client_id = %client.client.client_id, refresh_tokens_revoked = revoked, "grant revoked");
        }
        Presented::AccessToken(claims) => {
            let expires_at = DateTime::<Utc>::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now);
            crate::grants::revoke_access_token(state, &claims.jti, expires_at).await.map_err(internal)?;
            tracing::info!(client_id = %client.client.client_id, jti = %claims.jti, "access token revoked");
        }
    }
    Ok(())
}
