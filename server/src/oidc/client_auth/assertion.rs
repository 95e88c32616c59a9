//! Client assertions (RFC 7523 §3, OIDC Core §9): a JWT the client signs, with its secret
//! (`client_secret_jwt`, HMAC) or its private key (`private_key_jwt`, keys registered as
//! `jwks` or `jwks_uri`). `iss` and `sub` are the client, `aud` names the hub (its issuer
//! or the endpoint called), `exp` is near, and each `jti` is accepted once.

use chrono::Utc;
use jsonwebtoken::Validation;
use serde_json::{Map, Value};

use crate::domain::TokenEndpointAuthMethod;
use crate::domain::client::ClientKeys;
use crate::oidc::{ErrorCode, OAuthError, paths};
use crate::outbound::foreign_jwt::{self, ForeignJwtError, HMAC_ALGS, PUBLIC_KEY_ALGS, SIGNED_ALGS, VerifyingKeys};
use crate::secrets::token_digest;
use crate::session::Space;
use crate::state::AppState;
use crate::store::clients::StoredClient;

/// `client_assertion_type` of a JWT assertion (RFC 7523 §2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// What discovery advertises as `token_endpoint_auth_signing_alg_values_supported`: the
/// JOSE names, as the JWT header spells them.
pub fn signing_algs() -> Vec<Value> {
    SIGNED_ALGS.iter().filter_map(|alg| serde_json::to_value(alg).ok()).collect()
}

const LEEWAY_SECS: u64 = 60;
/// An assertion is made for one request: one that lives longer than this is refused, so
/// a replay record lost with an in-process store (a restart) leaves a short window.
const MAX_LIFETIME_SECS: i64 = 600;
const MAX_JTI_LEN: usize = 256;

fn refused(reason: impl Into<std::borrow::Cow<'static, str>>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClient, reason)
}

/// Whom the assertion claims to come from, before anything is verified: only to find the
/// client whose keys then verify it.
pub fn claimed_client_id(assertion: &str) -> Option<String> {
    let claims: Map<String, Value> = crate::keys::unverified_claims(assertion)?;
    claims.get("iss").and_then(Value::as_str).map(str::to_owned)
}

/// Verifies the assertion of `stored`, registered for `method`; returns its secret in
/// clear when the client has one (HS256 ID tokens need it).
pub async fn verify(
    state: &AppState,
    stored: &StoredClient,
    method: TokenEndpointAuthMethod,
    assertion: &str,
) -> Result<Option<Vec<u8>>, OAuthError> {
    let client = &stored.client;
    let secret = match &stored.secret_sealed {
        Some(sealed) => Some(
            state.master.open(crate::domain::client::SECRET_CONTEXT, sealed).map_err(|e| OAuthError::internal(&e))?,
        ),
        None => None,
    };
    let (allowed, keys) = match (method, &client.keys) {
        (TokenEndpointAuthMethod::ClientSecretJwt, _) => {
            (HMAC_ALGS, VerifyingKeys::Secret(secret.as_deref().ok_or_else(|| refused("the client has no secret"))?))
        }
        (TokenEndpointAuthMethod::PrivateKeyJwt, Some(ClientKeys::Jwks(set))) => {
            (PUBLIC_KEY_ALGS, VerifyingKeys::Set(set))
        }
        (TokenEndpointAuthMethod::PrivateKeyJwt, Some(ClientKeys::JwksUri(uri))) => {
            (PUBLIC_KEY_ALGS, VerifyingKeys::Url(uri.as_str()))
        }
        _ => return Err(refused("the client has no keys to verify an assertion with")),
    };
    let failed = |error: ForeignJwtError| match error {
        ForeignJwtError::Invalid(reason) => refused(format!("client_assertion: {reason}")),
        ForeignJwtError::Unavailable(fetch) => {
            tracing::warn!(client_id = %client.client_id, error = %fetch, "client keys not fetched");
            refused("client_assertion: the client's keys could not be fetched")
        }
    };
    let header = foreign_jwt::header(assertion, allowed).map_err(failed)?;
    let mut validation = Validation::new(header.alg);
    let settings = &state.settings;
    let audiences = [
        state.issuer().to_owned(),
        settings.endpoint(paths::TOKEN),
        settings.endpoint(paths::INTROSPECTION),
        settings.endpoint(paths::REVOCATION),
    ];
    validation.set_audience(&audiences);
    validation.set_issuer(&[&client.client_id]);
    validation.sub = Some(client.client_id.clone());
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp"]);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    let http = state.outbound.for_client(client, state.settings.registration_allow_private_urls);
    let claims =
        foreign_jwt::verify(&state.outbound, http, assertion, &header, keys, &validation).await.map_err(failed)?;

    let now = Utc::now().timestamp();
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(now);
    if exp - now > MAX_LIFETIME_SECS {
        return Err(refused("client_assertion: exp is too far ahead (at most ten minutes)"));
    }
    let jti = claims.get("jti").and_then(Value::as_str).filter(|jti| !jti.is_empty() && jti.len() <= MAX_JTI_LEN);
    let jti = jti.ok_or_else(|| refused("client_assertion: a jti is required"))?;
    // Accepted once (RFC 7523 §3 item 7), remembered until it would have expired anyway.
    let key = token_digest(&format!("{}\u{0}{jti}", client.client_id));
    let remember = crate::config::Settings::secs(u64::try_from(exp - now).unwrap_or(0) + LEEWAY_SECS);
    let uses =
        state.sessions.increment(Space::ClientAssertion, &key, remember).await.map_err(|e| OAuthError::internal(&e))?;
    if uses > 1 {
        return Err(refused("client_assertion: this assertion was already used"));
    }
    Ok(secret)
}
