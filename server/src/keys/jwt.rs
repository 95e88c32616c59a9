//! Compact JWS (RFC 7515) for the tokens the hub issues: RS256 with the active key, or
//! HS256 keyed with a client's secret. Verification accepts only RS256 from our JWKS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::rsa_key::{RsaSigningKey, RsaVerifyingKey};

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("token could not be signed")]
    Signing,
    #[error("token is malformed")]
    Malformed,
    #[error("token is not signed by a published key")]
    UnknownKey,
    #[error("token is invalid: {0}")]
    Invalid(String),
}

/// The `typ` header: `JWT` for ID tokens, `at+jwt` for access tokens (RFC 9068 §2.1),
/// so one kind of token can never be replayed as the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    IdToken,
    AccessToken,
}

impl TokenType {
    fn header_value(self) -> &'static str {
        match self {
            TokenType::IdToken => "JWT",
            TokenType::AccessToken => "at+jwt",
        }
    }
}

/// What a verified token must satisfy besides its signature.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
    pub typ: TokenType,
    pub issuer: &'a str,
    /// False for `id_token_hint`, which may name an expired ID token (OIDC Core §3.1.2.1).
    pub check_expiry: bool,
}

pub fn sign<T: Serialize>(claims: &T, typ: TokenType, key: &RsaSigningKey) -> Result<String, JwtError> {
    let header = json!({ "alg": "RS256", "typ": typ.header_value(), "kid": key.kid });
    let signing_input = signing_input(&header, claims)?;
    let signature = key.sign(signing_input.as_bytes()).ok_or(JwtError::Signing)?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// HS256 with the client's secret as the key (OIDC Core §10.1), for clients registered
/// with `id_token_signed_response_alg=HS256`.
pub fn sign_hs256<T: Serialize>(claims: &T, secret: &[u8]) -> Result<String, JwtError> {
    let header = json!({ "alg": "HS256", "typ": "JWT" });
    let signing_input = signing_input(&header, claims)?;
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, signing_input.as_bytes());
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref())))
}

fn signing_input<T: Serialize>(header: &serde_json::Value, claims: &T) -> Result<String, JwtError> {
    let header = serde_json::to_vec(header).map_err(|_| JwtError::Signing)?;
    let claims = serde_json::to_vec(claims).map_err(|_| JwtError::Signing)?;
    Ok(format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims)))
}

pub fn verify<T: DeserializeOwned>(
    token: &str,
    keys: &[RsaVerifyingKey],
    expected: Expectations<'_>,
) -> Result<T, JwtError> {
    let kid = checked_header(token, Algorithm::RS256, expected.typ)?.kid.ok_or(JwtError::UnknownKey)?;
    let key = keys.iter().find(|k| k.kid == kid).ok_or(JwtError::UnknownKey)?;
    decode(token, &key.key, Algorithm::RS256, expected)
}

/// Verifies an HS256 JWT keyed with a client's secret.
pub fn verify_hs256<T: DeserializeOwned>(
    token: &str,
    secret: &[u8],
    expected: Expectations<'_>,
) -> Result<T, JwtError> {
    checked_header(token, Algorithm::HS256, expected.typ)?;
    decode(token, &DecodingKey::from_secret(secret), Algorithm::HS256, expected)
}

/// The `alg` a token claims, before anything is verified.
pub fn header_alg(token: &str) -> Option<String> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    serde_json::to_value(header.alg).ok()?.as_str().map(str::to_owned)
}

/// Claims read without verification: only to pick the key that then verifies them.
pub fn unverified_claims<T: DeserializeOwned>(token: &str) -> Option<T> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

fn checked_header(token: &str, alg: Algorithm, typ: TokenType) -> Result<jsonwebtoken::Header, JwtError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| JwtError::Malformed)?;
    if header.alg != alg {
        return Err(JwtError::Invalid("algorithm not allowed".into()));
    }
    let declared = header.typ.as_deref().map(str::to_ascii_lowercase);
    if declared.as_deref() != Some(typ.header_value().to_ascii_lowercase().as_str()) {
        return Err(JwtError::Invalid("wrong token type".into()));
    }
    Ok(header)
}

fn decode<T: DeserializeOwned>(
    token: &str,
    key: &DecodingKey,
    alg: Algorithm,
    expected: Expectations<'_>,
) -> Result<T, JwtError> {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[expected.issuer]);
    validation.validate_aud = false;
    validation.validate_exp = expected.check_expiry;
    validation.leeway = 0;
    validation.set_required_spec_claims(&["iss", "sub", "exp"]);
    jsonwebtoken::decode::<T>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| JwtError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Sub {
        sub: String,
    }

    fn expectations() -> Expectations<'static> {
        Expectations { typ: TokenType::IdToken, issuer: "https://hub.test", check_expiry: true }
    }

    #[test]
    fn hs256_tokens_verify_only_with_their_secret_and_never_as_rs256() {
        let claims = json!({"iss": "https://hub.test", "sub": "u1", "exp": 4_000_000_000u64});
        let token = sign_hs256(&claims, b"client-secret").unwrap();
        assert_eq!(header_alg(&token).as_deref(), Some("HS256"));
        assert_eq!(verify_hs256::<Sub>(&token, b"client-secret", expectations()).unwrap().sub, "u1");
        assert!(verify_hs256::<Sub>(&token, b"other-secret", expectations()).is_err());
        assert!(verify::<Sub>(&token, &[], expectations()).is_err(), "RS256 verification refuses HS256");
        let wrong_issuer = Expectations { issuer: "https://evil.test", ..expectations() };
        assert!(verify_hs256::<Sub>(&token, b"client-secret", wrong_issuer).is_err());
    }
}
