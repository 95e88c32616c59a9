//! Compact JWS (RFC 7515) for the tokens the hub issues: signed with one of the hub's
//! active keys (RS256, PS256, ES256, EdDSA), or HS256 keyed with a client's secret.
//! Verification accepts a published key's signature in that key's one algorithm.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::key_pair::{SigningKey, VerifyingKey};

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("token could not be signed")]
    Signing,
    #[error("an HS256 token needs the client's secret, and the client has none")]
    NoSecret,
    #[error("token is malformed")]
    Malformed,
    #[error("token is not signed by a published key")]
    UnknownKey,
    #[error("token is invalid: {0}")]
    Invalid(String),
}

/// The `typ` header: `JWT` for ID tokens, `at+jwt` for access tokens (RFC 9068 §2.1),
/// `logout+jwt` for logout tokens (Back-Channel Logout 1.0 §2.4), so one kind of token
/// can never be replayed as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    IdToken,
    AccessToken,
    LogoutToken,
    /// A signed userinfo response (OIDC Core §5.3.2). It has no `exp`, so it never passes
    /// for an ID token where the hub verifies one.
    Userinfo,
}

impl TokenType {
    fn header_value(self) -> &'static str {
        match self {
            TokenType::IdToken | TokenType::Userinfo => "JWT",
            TokenType::AccessToken => "at+jwt",
            TokenType::LogoutToken => "logout+jwt",
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

pub fn sign<T: Serialize>(claims: &T, typ: TokenType, key: &SigningKey) -> Result<String, JwtError> {
    let header = json!({ "alg": key.alg.as_str(), "typ": typ.header_value(), "kid": key.kid });
    let signing_input = signing_input(&header, claims)?;
    let signature = key.sign(signing_input.as_bytes()).ok_or(JwtError::Signing)?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// HS256 with the client's secret as the key (OIDC Core §10.1), for clients registered
/// with `id_token_signed_response_alg=HS256`.
pub fn sign_hs256<T: Serialize>(claims: &T, typ: TokenType, secret: &[u8]) -> Result<String, JwtError> {
    let header = json!({ "alg": "HS256", "typ": typ.header_value() });
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

/// Verifies a JWT the hub signed with one of `keys`, in the algorithm of the key its
/// `kid` names.
pub fn verify<T: DeserializeOwned>(
    token: &str,
    keys: &[VerifyingKey],
    expected: Expectations<'_>,
) -> Result<T, JwtError> {
    let kid = token
        .split('.')
        .next()
        .and_then(|header| URL_SAFE_NO_PAD.decode(header).ok())
        .and_then(|header| serde_json::from_slice::<Header>(&header).ok())
        .ok_or(JwtError::Malformed)?
        .kid
        .ok_or(JwtError::UnknownKey)?;
    let key = keys.iter().find(|k| k.kid == kid).ok_or(JwtError::UnknownKey)?;
    verify_compact(token, key.alg.as_str(), expected, |_, input, signature| Ok(key.verify(input, signature)))
}

/// Verifies an HS256 JWT keyed with a client's secret.
pub fn verify_hs256<T: DeserializeOwned>(
    token: &str,
    secret: &[u8],
    expected: Expectations<'_>,
) -> Result<T, JwtError> {
    verify_compact(token, "HS256", expected, |_, input, signature| {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
        Ok(aws_lc_rs::hmac::verify(&key, input, signature).is_ok())
    })
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
    kid: Option<String>,
}

/// The registered claims every token the hub verifies must carry.
#[derive(Deserialize)]
struct Registered {
    iss: String,
    #[serde(rename = "sub")]
    _sub: String,
    exp: i64,
}

/// The `alg` a token claims, before anything is verified.
pub fn header_alg(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    serde_json::from_slice::<Header>(&URL_SAFE_NO_PAD.decode(header).ok()?).ok().map(|h| h.alg)
}

/// Claims read without verification: only to pick the key that then verifies them.
pub fn unverified_claims<T: DeserializeOwned>(token: &str) -> Option<T> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Compact JWS verification with the key parsed once (jsonwebtoken re-parses the RSA key
/// on every call, which halves userinfo's throughput): exactly one algorithm, the
/// expected `typ`, the signature, then `iss` and `exp`.
fn verify_compact<T: DeserializeOwned>(
    token: &str,
    alg: &str,
    expected: Expectations<'_>,
    check_signature: impl FnOnce(&Header, &[u8], &[u8]) -> Result<bool, JwtError>,
) -> Result<T, JwtError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header: Header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header_b64).map_err(|_| JwtError::Malformed)?)
        .map_err(|_| JwtError::Malformed)?;
    if header.alg != alg {
        return Err(JwtError::Invalid("algorithm not allowed".into()));
    }
    if !header.typ.as_deref().is_some_and(|typ| typ.eq_ignore_ascii_case(expected.typ.header_value())) {
        return Err(JwtError::Invalid("wrong token type".into()));
    }
    let signature = URL_SAFE_NO_PAD.decode(signature_b64).map_err(|_| JwtError::Malformed)?;
    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
    if !check_signature(&header, signing_input.as_bytes(), &signature)? {
        return Err(JwtError::Invalid("bad signature".into()));
    }
    let payload = URL_SAFE_NO_PAD.decode(payload_b64).map_err(|_| JwtError::Malformed)?;
    let registered: Registered =
        serde_json::from_slice(&payload).map_err(|_| JwtError::Invalid("missing iss, sub or exp".into()))?;
    if registered.iss != expected.issuer {
        return Err(JwtError::Invalid("wrong issuer".into()));
    }
    if expected.check_expiry && registered.exp <= chrono::Utc::now().timestamp() {
        return Err(JwtError::Invalid("expired".into()));
    }
    serde_json::from_slice(&payload).map_err(|_| JwtError::Invalid("unexpected claims".into()))
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
        let token = sign_hs256(&claims, TokenType::IdToken, b"client-secret").unwrap();
        assert_eq!(header_alg(&token).as_deref(), Some("HS256"));
        assert_eq!(verify_hs256::<Sub>(&token, b"client-secret", expectations()).unwrap().sub, "u1");
        assert!(verify_hs256::<Sub>(&token, b"other-secret", expectations()).is_err());
        assert!(verify::<Sub>(&token, &[], expectations()).is_err(), "key verification refuses HS256");
        let wrong_issuer = Expectations { issuer: "https://evil.test", ..expectations() };
        assert!(verify_hs256::<Sub>(&token, b"client-secret", wrong_issuer).is_err());
        let as_access_token = Expectations { typ: TokenType::AccessToken, ..expectations() };
        assert!(verify_hs256::<Sub>(&token, b"client-secret", as_access_token).is_err(), "typ is checked");
    }

    #[test]
    fn tampered_expired_and_malformed_tokens_are_refused() {
        let alg = super::super::alg::KeyAlg::ES256;
        let generated = super::super::key_pair::generate(alg).unwrap();
        let signer = SigningKey::from_pkcs8(&generated.kid, alg, &generated.pkcs8_der).unwrap();
        let verifier = VerifyingKey::from_jwk(&generated.kid, alg, &generated.public_jwk).unwrap();
        let keys = [verifier];
        let claims = json!({"iss": "https://hub.test", "sub": "u1", "exp": 4_000_000_000u64});
        let token = sign(&claims, TokenType::IdToken, &signer).unwrap();
        assert_eq!(verify::<Sub>(&token, &keys, expectations()).unwrap().sub, "u1");

        let (input, _) = token.rsplit_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"iss":"https://hub.test","sub":"admin","exp":4000000000}"#);
        let header = input.split('.').next().unwrap();
        let forged = format!("{header}.{forged_payload}.{}", token.rsplit('.').next().unwrap());
        assert!(verify::<Sub>(&forged, &keys, expectations()).is_err(), "payload swapped");
        assert!(verify::<Sub>(&format!("{token}x"), &keys, expectations()).is_err(), "signature changed");
        assert!(verify::<Sub>("a.b", &keys, expectations()).is_err());
        assert!(verify::<Sub>(&format!("{token}.extra"), &keys, expectations()).is_err());

        // The header may not name another algorithm than the key's (no alg confusion).
        let (header_b64, rest) = token.split_once('.').unwrap();
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header_b64).unwrap()).unwrap();
        let mut relabelled = header.clone();
        relabelled["alg"] = json!("RS256");
        let relabelled = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(serde_json::to_vec(&relabelled).unwrap()));
        assert!(verify::<Sub>(&relabelled, &keys, expectations()).is_err(), "alg relabelled");

        let expired =
            sign(&json!({"iss": "https://hub.test", "sub": "u1", "exp": 1}), TokenType::IdToken, &signer).unwrap();
        assert!(verify::<Sub>(&expired, &keys, expectations()).is_err());
        let hint = Expectations { check_expiry: false, ..expectations() };
        assert!(verify::<Sub>(&expired, &keys, hint).is_ok(), "id_token_hint may be expired");
    }
}
