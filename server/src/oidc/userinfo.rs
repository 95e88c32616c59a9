//! `GET|POST /userinfo` (OIDC Core §5.3): the claims of the token's user that its scopes
//! release, as JSON or, for a client registered with `userinfo_signed_response_alg`, as a
//! signed JWT (§5.3.2). The bearer token comes in the Authorization header or, on POST, in
//! the form (RFC 6750 §2), never both.

use poem::http::{Method, StatusCode};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};

use super::access_token::{self, Rejected};
use super::encryption;
use super::error::json_response;
use super::{ErrorCode, OAuthError};
use crate::domain::client::SECRET_CONTEXT;
use crate::domain::{ScopeSet, SigningAlg, claims, scope};
use crate::http::extract;
use crate::keys::TokenType;
use crate::keys::jwe::Content;
use crate::state::AppState;
use crate::store::clients::StoredClient;
use crate::subjects;

#[handler]
pub async fn endpoint(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let token = match presented_token(req, body).await {
        Ok(Some(token)) => token,
        Ok(None) => return bare_challenge(),
        Err(error) => return error.bearer_response(),
    };
    let answer = match claims(&token, state).await {
        Ok((claims, client)) => {
            crate::telemetry::note_client(req, &client.client.client_id);
            respond(state, claims, &client).await
        }
        Err(error) => Err(error),
    };
    answer.unwrap_or_else(|error| error.bearer_response())
}

/// The answer to a request without any credentials: a challenge with no error code
/// (RFC 6750 §3.1).
pub fn bare_challenge() -> Response {
    Response::builder().status(StatusCode::UNAUTHORIZED).header("www-authenticate", r#"Bearer realm="hub""#).finish()
}

/// JSON, or a JWT signed as the client asked, with `iss` and `aud` (OIDC Core §5.3.2);
/// encrypted to the client's key when it registered that (signed first, if both).
async fn respond(state: &AppState, mut claims: Value, stored: &StoredClient) -> Result<Response, OAuthError> {
    let client = &stored.client;
    let (alg, encryption) = (client.userinfo_signed_response_alg, client.userinfo_encryption);
    if alg.is_none() && encryption.is_none() {
        return Ok(json_response(StatusCode::OK, &claims));
    }
    claims["iss"] = json!(state.issuer());
    claims["aud"] = json!(client.client_id);
    let (payload, content) = match alg {
        Some(alg) => {
            let secret = match (alg, &stored.secret_sealed) {
                (SigningAlg::HS256, Some(sealed)) => {
                    Some(state.master.open(SECRET_CONTEXT, sealed).map_err(|e| OAuthError::internal(&e))?)
                }
                _ => None,
            };
            let jwt = state
                .keys
                .sign_for_client(alg, &claims, TokenType::Userinfo, secret.as_deref())
                .map_err(|e| OAuthError::internal(&e))?;
            (jwt.into_bytes(), Content::Jwt)
        }
        None => (claims.to_string().into_bytes(), Content::Json),
    };
    let body = match encryption {
        Some(encryption) => encryption::seal(state, client, encryption, &payload, content).await?,
        None => String::from_utf8(payload).map_err(|e| OAuthError::internal(&e))?,
    };
    Ok(Response::builder().status(StatusCode::OK).content_type("application/jwt").body(body))
}

/// The claims the token releases, and the client it was issued to.
pub async fn claims(token: &str, state: &AppState) -> Result<(Value, StoredClient), OAuthError> {
    let invalid = || OAuthError::new(ErrorCode::InvalidToken, "the access token is invalid or expired");
    let internal = |e: crate::store::StoreError| OAuthError::internal(&e);
    let claims = access_token::verify(state, token).await.map_err(|rejected| match rejected {
        Rejected::Inactive => invalid(),
        Rejected::Unavailable(e) => OAuthError::internal(&e),
    })?;
    let scope = ScopeSet::parse(&claims.scope).ok_or_else(invalid)?;
    if !scope.contains(scope::OPENID) {
        return Err(OAuthError::new(ErrorCode::InsufficientScope, "the access token lacks the openid scope"));
    }
    let gone = || OAuthError::new(ErrorCode::InvalidToken, "the access token's client is no longer registered");
    let stored = state.store.find_client(&claims.client_id).await.map_err(internal)?.ok_or_else(gone)?;
    let user_id = subjects::resolve(state, &stored.client, &claims.sub).await.map_err(internal)?.ok_or_else(invalid)?;
    let user =
        state.store.find_user(user_id).await.map_err(internal)?.filter(|user| !user.disabled).ok_or_else(invalid)?;
    // The subject the client knows, as its ID token said (§5.3.2: they must match).
    let mut body = json!({ "sub": claims.sub });
    if let Value::Object(map) = &mut body {
        map.extend(claims::user_claims(&user, &scope));
    }
    Ok((body, stored))
}

/// The bearer token of the request: in the Authorization header or a POSTed form.
pub async fn presented_token(req: &Request, body: Body) -> Result<Option<String>, OAuthError> {
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
