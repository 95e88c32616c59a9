//! A client's own public keys (RFC 7591 §2: `jwks` or `jwks_uri`): they verify what the
//! client signs (assertions, request objects) and are what the hub encrypts the client's
//! ID tokens and userinfo responses to (OIDC Registration 1.0 §2).

use super::super::protocol::{ContentEncryptionAlg, KeyEncryptionAlg, TokenEndpointAuthMethod};
use super::super::validation::{self, FieldErrors};
use super::{ClientKeys, ResponseEncryption};

/// A JWK Set by value: a few keys, never a document.
const MAX_JWKS_BYTES: usize = 16 * 1024;

/// `jwks` or `jwks_uri`, never both.
pub(super) fn check(
    auth_method: TokenEndpointAuthMethod,
    jwks: Option<&serde_json::Value>,
    jwks_uri: Option<&str>,
    errors: &mut FieldErrors,
) -> Option<ClientKeys> {
    match (jwks, jwks_uri) {
        (Some(_), Some(_)) => {
            errors.add("jwks", "jwks and jwks_uri must not both be given");
            None
        }
        (Some(jwks), None) => match validate_jwks(jwks) {
            Ok(()) => Some(ClientKeys::Jwks(jwks.clone())),
            Err(message) => {
                errors.add("jwks", message);
                None
            }
        },
        (None, Some(uri)) => {
            errors.check("jwks_uri", validation::https_url(uri));
            Some(ClientKeys::JwksUri(uri.to_owned()))
        }
        (None, None) => {
            if auth_method == TokenEndpointAuthMethod::PrivateKeyJwt {
                errors.add("jwks_uri", "private_key_jwt needs the client's public keys: jwks or jwks_uri");
            }
            None
        }
    }
}

/// `{prefix}_alg` and `{prefix}_enc` (OIDC Registration 1.0 §2): an `enc` needs an `alg`,
/// which defaults it to A128CBC-HS256, and encryption needs the client's keys: an RSA key
/// not reserved for signatures, where they are given by value.
pub(super) fn check_encryption(
    prefix: &str,
    alg: Option<KeyEncryptionAlg>,
    enc: Option<ContentEncryptionAlg>,
    keys: Option<&ClientKeys>,
    errors: &mut FieldErrors,
) -> Option<ResponseEncryption> {
    let has_keys = match keys {
        Some(ClientKeys::Jwks(set)) => set.get("keys").and_then(|keys| keys.as_array()).is_some_and(|keys| {
            keys.iter().any(|key| key.get("kty") == Some(&"RSA".into()) && key.get("use") != Some(&"sig".into()))
        }),
        Some(ClientKeys::JwksUri(_)) => true,
        None => false,
    };
    match (alg, enc) {
        (None, None) => None,
        (None, Some(_)) => {
            errors.add(format!("{prefix}_enc"), format!("{prefix}_enc needs {prefix}_alg"));
            None
        }
        (Some(alg), enc) => {
            if !has_keys {
                errors.add(format!("{prefix}_alg"), "encryption needs the client's RSA public key: jwks or jwks_uri");
            }
            Some(ResponseEncryption { alg, enc: enc.unwrap_or(ContentEncryptionAlg::A128CbcHs256) })
        }
    }
}

/// A JWK Set (RFC 7517 §5) of public keys: RSA, EC or OKP, never a private or a
/// symmetric key (the client's secret is its shared key; the set is shown back to whoever
/// reads the client).
fn validate_jwks(jwks: &serde_json::Value) -> Result<(), String> {
    if serde_json::to_vec(jwks).map_or(true, |bytes| bytes.len() > MAX_JWKS_BYTES) {
        return Err(format!("a JWK Set of at most {MAX_JWKS_BYTES} bytes"));
    }
    let keys = jwks.get("keys").and_then(|keys| keys.as_array()).ok_or("a JWK Set: an object with a keys array")?;
    for key in keys {
        match key.get("kty").and_then(|kty| kty.as_str()) {
            Some("RSA" | "EC" | "OKP") => {}
            Some(other) => return Err(format!("kty {other}: only public RSA, EC and OKP keys")),
            None => return Err("every key of the JWK Set needs a kty".into()),
        }
        const PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];
        if PRIVATE.iter().any(|member| key.get(member).is_some()) {
            return Err("the JWK Set holds private key material: register public keys only".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &FieldErrors) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn encryption_needs_an_alg_and_an_rsa_key_and_defaults_its_enc() {
        let rsa = ClientKeys::Jwks(serde_json::json!({ "keys": [{ "kty": "RSA", "n": "AQAB", "e": "AQAB" }] }));
        let prefix = "id_token_encrypted_response";
        let mut errors = FieldErrors::new();
        let chosen = check_encryption(prefix, Some(KeyEncryptionAlg::RsaOaep), None, Some(&rsa), &mut errors);
        assert!(errors.is_empty());
        assert_eq!(chosen.map(|e| e.enc), Some(ContentEncryptionAlg::A128CbcHs256));

        let mut errors = FieldErrors::new();
        check_encryption(prefix, None, Some(ContentEncryptionAlg::A256Gcm), Some(&rsa), &mut errors);
        assert_eq!(fields(&errors), ["id_token_encrypted_response_enc"]);

        let mut errors = FieldErrors::new();
        check_encryption(prefix, Some(KeyEncryptionAlg::Rsa1_5), None, None, &mut errors);
        assert_eq!(fields(&errors), ["id_token_encrypted_response_alg"]);

        let mut errors = FieldErrors::new();
        let signing_only = ClientKeys::Jwks(serde_json::json!({ "keys": [{ "kty": "EC", "crv": "P-256" }] }));
        check_encryption(prefix, Some(KeyEncryptionAlg::Rsa1_5), None, Some(&signing_only), &mut errors);
        assert_eq!(fields(&errors), ["id_token_encrypted_response_alg"], "no RSA key to encrypt to");
    }
}
