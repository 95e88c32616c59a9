//! RSA keys: generated with the `rsa` crate, used through aws-lc. The `rsa` crate's own
//! private-key operations are never called (RUSTSEC-2023-0071, the Marvin attack).

use aws_lc_rs::rand::SystemRandom;
#[cfg(test)]
use aws_lc_rs::signature::KeyPair;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::KeyError;

const BITS: usize = 2048;

pub struct GeneratedKey {
    pub kid: String,
    pub pkcs8_der: Vec<u8>,
    pub public_jwk: serde_json::Value,
}

/// Slow (hundreds of milliseconds): call from a blocking thread.
pub fn generate() -> Result<GeneratedKey, KeyError> {
    let mut rng = rsa::rand_core::OsRng;
    let private = rsa::RsaPrivateKey::new(&mut rng, BITS).map_err(|e| KeyError::Generation(e.to_string()))?;
    let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
    let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
    let kid = thumbprint(&n, &e);
    let pkcs8_der = private.to_pkcs8_der().map_err(|e| KeyError::Generation(e.to_string()))?.as_bytes().to_vec();
    let public_jwk = json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e });
    Ok(GeneratedKey { kid, pkcs8_der, public_jwk })
}

/// RFC 7638 JWK thumbprint: the `kid` is derived from the key, so every instance agrees.
fn thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// The active key, parsed once into an aws-lc key pair (re-parsing on every signature
/// would halve the token endpoint's throughput, SPEC §10).
pub struct RsaSigningKey {
    pub kid: String,
    key_pair: RsaKeyPair,
    rng: SystemRandom,
}

impl RsaSigningKey {
    pub fn from_pkcs8(kid: &str, der: &[u8]) -> Result<Self, KeyError> {
        let key_pair =
            RsaKeyPair::from_pkcs8(der).map_err(|e| KeyError::BadKey { kid: kid.to_owned(), reason: e.to_string() })?;
        Ok(Self { kid: kid.to_owned(), key_pair, rng: SystemRandom::new() })
    }

    pub fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let mut signature = vec![0u8; self.key_pair.public_modulus_len()];
        self.key_pair.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature).ok()?;
        Some(signature)
    }

    #[cfg(test)]
    pub fn public_der(&self) -> Vec<u8> {
        self.key_pair.public_key().as_ref().to_vec()
    }
}

/// A published key, parsed once into aws-lc, ready to verify RS256 signatures.
pub struct RsaVerifyingKey {
    pub kid: String,
    key: ParsedPublicKey,
}

impl RsaVerifyingKey {
    pub fn from_jwk(kid: &str, jwk: &serde_json::Value) -> Result<Self, KeyError> {
        let bad = |reason: &str| KeyError::BadKey { kid: kid.to_owned(), reason: reason.to_owned() };
        let component = |name: &str| {
            let encoded = jwk.get(name).and_then(|v| v.as_str()).ok_or_else(|| bad(name))?;
            let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| bad(name))?;
            Ok::<_, KeyError>(rsa::BigUint::from_bytes_be(&bytes))
        };
        // The rsa crate only encodes the public key here (no private-key operation).
        let public = rsa::RsaPublicKey::new(component("n")?, component("e")?).map_err(|e| bad(&e.to_string()))?;
        let der = public.to_pkcs1_der().map_err(|e| bad(&e.to_string()))?;
        let key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der.as_bytes()).map_err(|e| bad(&e.to_string()))?;
        Ok(Self { kid: kid.to_owned(), key })
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_through_aws_lc_and_publish_their_thumbprint() {
        let generated = generate().unwrap();
        assert_eq!(generated.public_jwk["kid"], generated.kid);
        assert_eq!(generated.kid.len(), 43, "base64url SHA-256");
        let signer = RsaSigningKey::from_pkcs8(&generated.kid, &generated.pkcs8_der).unwrap();
        let signature = signer.sign(b"message").unwrap();
        let public = aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            signer.public_der(),
        );
        assert!(public.verify(b"message", &signature).is_ok());
        assert!(public.verify(b"other", &signature).is_err());
    }

    #[test]
    fn rfc7638_thumbprint_example() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(thumbprint(n, "AQAB"), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }
}
