//! JWTs other parties sign, verified with their keys: an upstream's logout tokens, a
//! client's assertions (RFC 7523). The signature is checked on the caller's algorithm
//! allow-list (`none` never even parses) with a key from a JWK Set, given by value or
//! fetched from its URL through the key-set cache (fetched again, once, when the token
//! names a key the cached set lacks), or with a shared secret for HMAC. What the claims
//! must say besides is the caller's `Validation`.

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::{Map, Value};

use super::{FetchError, Freshness, Outbound};

/// Every signed algorithm the hub verifies for others, HMAC first (`none` never is one).
const SIGNED: [Algorithm; 12] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];
/// Keyed with a shared secret.
pub const HMAC_ALGS: &[Algorithm] = SIGNED.split_at(3).0;
/// Verified with a public key.
pub const PUBLIC_KEY_ALGS: &[Algorithm] = SIGNED.split_at(3).1;
/// Either.
pub const SIGNED_ALGS: &[Algorithm] = &SIGNED;

/// Where the key that verifies a token is.
#[derive(Debug, Clone, Copy)]
pub enum VerifyingKeys<'a> {
    /// A JWK Set by value (a client's registered `jwks`).
    Set(&'a Value),
    /// A JWK Set at this URL (`jwks_uri`).
    Url(&'a str),
    /// The shared secret of an HMAC-signed token.
    Secret(&'a [u8]),
}

#[derive(Debug, thiserror::Error)]
pub enum ForeignJwtError {
    /// Not a token the hub accepts; the reason may be told to whoever sent it.
    #[error("{0}")]
    Invalid(String),
    /// The keys could not be fetched: the sender's server is at fault, or the network.
    #[error(transparent)]
    Unavailable(#[from] FetchError),
}

fn invalid(reason: impl Into<String>) -> ForeignJwtError {
    ForeignJwtError::Invalid(reason.into())
}

/// The token's header, if it names an algorithm of `allowed`.
pub fn header(token: &str, allowed: &[Algorithm]) -> Result<Header, ForeignJwtError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("not a signed JWT"))?;
    if !allowed.contains(&header.alg) {
        return Err(invalid("the algorithm is not allowed"));
    }
    Ok(header)
}

pub fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// The verified claims. `header` is what [`header`] returned for this token; `validation`
/// must be made for `header.alg`; `http` fetches a key set by URL (`Outbound::for_client`
/// for a client's).
pub async fn verify(
    outbound: &Outbound,
    http: &reqwest::Client,
    token: &str,
    header: &Header,
    keys: VerifyingKeys<'_>,
    validation: &Validation,
) -> Result<Map<String, Value>, ForeignJwtError> {
    let decode = |key: &DecodingKey| {
        jsonwebtoken::decode::<Map<String, Value>>(token, key, validation)
            .map(|data| data.claims)
            .map_err(|e| invalid(format!("not valid: {e}")))
    };
    match keys {
        VerifyingKeys::Secret(secret) if is_hmac(header.alg) => decode(&DecodingKey::from_secret(secret)),
        VerifyingKeys::Secret(_) => Err(invalid("an asymmetric algorithm where a secret is the key")),
        _ if is_hmac(header.alg) => Err(invalid("an HMAC algorithm where public keys are registered")),
        VerifyingKeys::Set(document) => {
            let set: JwkSet =
                serde_json::from_value(document.clone()).map_err(|_| invalid("the JWK Set is not usable"))?;
            let jwk = find(&set, header).ok_or_else(|| invalid("signed with a key that is not registered"))?;
            decode(&decoding_key(jwk)?)
        }
        VerifyingKeys::Url(url) => {
            let mut freshness = Freshness::Cached;
            loop {
                let fetched = outbound.key_sets.keys(http, url, freshness).await?;
                let set: JwkSet = serde_json::from_value(Value::Object(fetched.document.clone()))
                    .map_err(|e| FetchError::Invalid(format!("{url}: {e}")))?;
                match find(&set, header) {
                    Some(jwk) => break decode(&decoding_key(jwk)?),
                    None if freshness == Freshness::Cached => freshness = Freshness::Refetch,
                    None => return Err(invalid("signed with a key the sender does not publish")),
                }
            }
        }
    }
}

/// The key the header names, or the only key of a set when it names none; a key that says
/// it is for another algorithm, or for encryption, verifies nothing.
fn find<'a>(set: &'a JwkSet, header: &Header) -> Option<&'a Jwk> {
    let jwk = match header.kid.as_deref() {
        Some(kid) => set.find(kid),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    }?;
    let named = jwk.common.key_algorithm.and_then(|alg| serde_json::to_value(alg).ok());
    let header_alg = serde_json::to_value(header.alg).ok();
    if named.is_some() && named != header_alg {
        return None;
    }
    if jwk.common.public_key_use.as_ref().is_some_and(|usage| *usage != jsonwebtoken::jwk::PublicKeyUse::Signature) {
        return None;
    }
    Some(jwk)
}

fn decoding_key(jwk: &Jwk) -> Result<DecodingKey, ForeignJwtError> {
    DecodingKey::from_jwk(jwk).map_err(|_| invalid("the key is not usable"))
}
