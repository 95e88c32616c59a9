//! `GET|POST /userinfo` (OIDC Core §5.3): the claims of the token's user that its scopes
//! release. The bearer token comes in the Authorization header or, on POST, in the form
//! (RFC 6750 §2), never both.

use poem::http::{Method, StatusCode};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

use super::access_token::{self, Rejected};
use super::error::json_response;
use super::{ErrorCode, OAuthError};
use crate::domain::{ScopeSet, claims, scope};
use crate::http::extract;
use crate::state::AppState;

#[handler]
pub async fn endpoint(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let token = match presented_token(req, body).await {
        Ok(Some(token)) => token,
        // No credentials at all: a bare challenge, no error code (RFC 6750 §3.1).
        Ok(None) => {
            return Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .header("www-authenticate", r#"Bearer realm="hub""#)
                .finish();
        }
        Err(error) => return error.bearer_response(),
    };
    match claims(&token, state).await {
        Ok(claims) => json_response(StatusCode::OK, &claims),
        Err(error) => error.bearer_response(),
    }
}

async fn claims(token: &str, state: &AppState) -> Result<Value, OAuthError> {
    let invalid = || OAuthError::new(ErrorCode::InvalidToken, "the access token is invalid or expired");
    let claims = access_token::verify(state, token).await.map_err(|rejected| match rejected {
        Rejected::Inactive => invalid(),
        Rejected::Unavailable(e) => OAuthError::internal(&e),
    })?;
    let scope = ScopeSet::parse(&claims.scope).ok_or_else(invalid)?;
    if !scope.contains(scope::OPENID) {
        return Err(OAuthError::new(ErrorCode::InsufficientScope, "the access token lacks the openid scope"));
    }
    let user_id = Uuid::parse_str(&claims.sub).map_err(|_| invalid())?;
    let user = state
        .store
        .find_user(user_id)
        .await
        .map_err(|e| OAuthError::internal(&e))?
        .filter(|user| !user.disabled)
        .ok_or_else(invalid)?;
    let mut body = json!({ "sub": user.subject() });
    if let Value::Object(map) = &mut body {
        map.extend(claims::user_claims(&user, &scope));
    }
    Ok(body)
}

async fn presented_token(req: &Request, body: Body) -> Result<Option<String>, OAuthError> {
    let header = extract::bearer_token(req)
        .map_err(|_| OAuthError::invalid_request("the Authorization header must use the Bearer scheme"))?;
    // Only a form body can carry the token (RFC 6750 §2.2); any other body is ignored.
    let form_body = req.method() == Method::POST
        && req.header("content-type").is_some_and(|t| {
            t.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        });
    let form = if form_body {
        extract::form_params(req, body)
            .await
            .map_err(|e| OAuthError::invalid_request(e.to_string()))?
            .get("access_token")
            .map(str::to_owned)
    } else {
        None
    };
    match (header, form) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request("send the access token only once")),
        (token, None) | (None, token) => Ok(token),
    }
}
