//! Request objects (OIDC Core §6, RFC 9101): the authorization request as a JWT, by value
//! (`request`) or by reference (`request_uri`: a URI the client registered, or one on the
//! public internet). Signed with the client's secret or keys, as it registered
//! (`request_object_signing_alg`), or unsigned (`none`), which is no better and no worse
//! than the query it replaces. Its members supersede the query's (§6.1); the query still
//! names the client, and a `response_type` in both must agree.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Validation;
use serde_json::{Map, Value};

use crate::domain::client::{ClientKeys, SECRET_CONTEXT};
use crate::domain::{Client, RequestObjectAlg, validation};
use crate::http::extract::Params;
use crate::oidc::{ErrorCode, OAuthError};
use crate::outbound::foreign_jwt::{self, ForeignJwtError, SIGNED_ALGS, VerifyingKeys};
use crate::state::AppState;

const LEEWAY_SECS: u64 = 60;

fn invalid(description: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequestObject, description)
}

/// The request's parameters with the request object's in place, or None when the request
/// has no request object.
pub async fn resolve(state: &AppState, client: &Client, params: &Params) -> Result<Option<Params>, OAuthError> {
    let jwt = match (params.get("request"), params.get("request_uri")) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => return Err(OAuthError::invalid_request("send request or request_uri, not both")),
        (Some(jwt), None) => jwt.to_owned(),
        (None, Some(uri)) => fetch(state, client, uri).await?,
    };
    let claims = verify(state, client, &jwt).await?;
    if claims.get("client_id").and_then(Value::as_str).is_some_and(|id| id != client.client_id) {
        return Err(invalid("the request object names another client_id"));
    }
    if let (Some(inside), Some(outside)) =
        (claims.get("response_type").and_then(Value::as_str), params.get("response_type"))
        && inside != outside
    {
        return Err(invalid("response_type differs between the request object and the query"));
    }
    let members =
        claims.into_iter().filter(|(name, _)| !NOT_PARAMETERS.contains(&name.as_str())).map(|(name, value)| {
            let text = match value {
                Value::String(text) => text,
                // max_age as a number, claims as an object: the query would carry their JSON.
                other => other.to_string(),
            };
            (name, text)
        });
    let merged = params
        .merged(members, &["request", "request_uri"])
        .map_err(|e| invalid(format!("a member of the request object is not usable: {e}")))?;
    Ok(Some(merged))
}

/// JWT members that are not authorization request parameters.
const NOT_PARAMETERS: &[&str] = &["iss", "aud", "exp", "iat", "nbf", "jti", "sub", "request", "request_uri"];

/// Fetches the request URI. One the client registered is fetched as its other URLs are
/// (`Outbound::for_client`); any other only on the public internet over https (the
/// resolver answers public addresses only), so a request cannot make the hub call its
/// own network (server-side request forgery).
async fn fetch(state: &AppState, client: &Client, uri: &str) -> Result<String, OAuthError> {
    let refused = |description: String| OAuthError::new(ErrorCode::InvalidRequestUri, description);
    let allow_private = state.settings.registration_allow_private_urls;
    let fetched = uri.split('#').next().unwrap_or(uri);
    let http = if client.has_request_uri(uri) {
        state.outbound.for_client(client, allow_private)
    } else if allow_private {
        &state.outbound.http
    } else {
        validation::public_https_url(fetched).map_err(|e| refused(format!("request_uri {e}")))?;
        &state.outbound.public_http
    };
    crate::outbound::fetch_text(http, fetched)
        .await
        .map(|text| text.trim().to_owned())
        .map_err(|e| refused(format!("the request_uri could not be fetched: {e}")))
}

/// The request object's claims, once its signature (or its declared absence) is what
/// the client registered.
async fn verify(state: &AppState, client: &Client, jwt: &str) -> Result<Map<String, Value>, OAuthError> {
    let registered = client.request_object_signing_alg;
    if header_alg(jwt).as_deref() == Some("none") {
        if registered.is_some_and(|alg| alg != RequestObjectAlg::None) {
            return Err(invalid("the client registered signed request objects; this one is unsigned"));
        }
        return unsigned_claims(jwt);
    }
    if registered == Some(RequestObjectAlg::None) {
        return Err(invalid("the client registered unsigned request objects"));
    }
    let failed = |error: ForeignJwtError| match error {
        ForeignJwtError::Invalid(reason) => invalid(format!("the request object is not valid: {reason}")),
        ForeignJwtError::Unavailable(fetch) => invalid(format!("the client's keys could not be fetched: {fetch}")),
    };
    let header = foreign_jwt::header(jwt, SIGNED_ALGS).map_err(failed)?;
    if let Some(registered) = registered
        && serde_json::to_value(header.alg).ok().and_then(|alg| alg.as_str().map(str::to_owned)).as_deref()
            != Some(registered.as_str())
    {
        return Err(invalid(format!("the client registered request objects signed with {registered}")));
    }
    let secret;
    let keys = if foreign_jwt::is_hmac(header.alg) {
        let stored = state.store.find_client(&client.client_id).await.map_err(|e| OAuthError::internal(&e))?;
        let sealed = stored.and_then(|s| s.secret_sealed).ok_or_else(|| invalid("the client has no secret"))?;
        secret = state.master.open(SECRET_CONTEXT, &sealed).map_err(|e| OAuthError::internal(&e))?;
        VerifyingKeys::Secret(&secret)
    } else {
        match &client.keys {
            Some(ClientKeys::Jwks(set)) => VerifyingKeys::Set(set),
            Some(ClientKeys::JwksUri(uri)) => VerifyingKeys::Url(uri),
            None => return Err(invalid("the client registered no keys to verify a request object with")),
        }
    };
    let mut validation = Validation::new(header.alg);
    // `aud` and `iss` are checked below: a request object may leave them out (OIDC Core
    // §6.1 says SHOULD), but what it says must be right.
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    let http = state.outbound.for_client(client, state.settings.registration_allow_private_urls);
    let claims = foreign_jwt::verify(&state.outbound, http, jwt, &header, keys, &validation).await.map_err(failed)?;
    if claims.get("iss").is_some_and(|iss| iss.as_str() != Some(&client.client_id)) {
        return Err(invalid("iss must be the client_id"));
    }
    let issuer = state.issuer();
    let names_hub = |aud: &Value| match aud {
        Value::String(one) => one == issuer,
        Value::Array(many) => many.iter().any(|one| one.as_str() == Some(issuer)),
        _ => false,
    };
    if claims.get("aud").is_some_and(|aud| !names_hub(aud)) {
        return Err(invalid("aud must name this hub's issuer"));
    }
    Ok(claims)
}

fn header_alg(jwt: &str) -> Option<String> {
    let header = URL_SAFE_NO_PAD.decode(jwt.split('.').next()?).ok()?;
    let header: Map<String, Value> = serde_json::from_slice(&header).ok()?;
    header.get("alg")?.as_str().map(str::to_owned)
}

/// An unsigned JWT (RFC 7519 §6): `{"alg":"none"}`, the claims, an empty signature.
fn unsigned_claims(jwt: &str) -> Result<Map<String, Value>, OAuthError> {
    let mut parts = jwt.split('.');
    let (Some(_), Some(payload), Some(""), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(invalid("an unsigned request object has three parts and an empty signature"));
    };
    let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid("the request object is not base64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| invalid("the request object's claims are not a JSON object"))
}
