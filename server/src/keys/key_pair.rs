//! The hub's key pairs, one kind per `KeyAlg`: generated, parsed once into aws-lc (parsing
//! on every signature would halve the token endpoint's throughput, SPEC §10), and
//! published as JWKs whose `kid` is the RFC 7638 thumbprint, so every instance agrees.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair, Ed25519KeyPair, KeyPair,
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RSA_PSS_2048_8192_SHA256, RSA_PSS_SHA256,
    RsaKeyPair, VerificationAlgorithm,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::alg::KeyAlg;
use super::{KeyError, rsa_key};

pub struct GeneratedKey {
    pub kid: String,
    pub alg: KeyAlg,
    pub pkcs8_der: Vec<u8>,
    pub public_jwk: Value,
}

/// A new key for `alg`. RSA is slow (hundreds of milliseconds): call from a blocking thread.
pub fn generate(alg: KeyAlg) -> Result<GeneratedKey, KeyError> {
    let failed = |e: aws_lc_rs::error::Unspecified| KeyError::Generation(e.to_string());
    let rng = SystemRandom::new();
    let (pkcs8_der, mut jwk) = match alg {
        KeyAlg::RS256 | KeyAlg::PS256 => {
            let (der, n, e) = rsa_key::generate()?;
            (der, json!({ "e": e, "kty": "RSA", "n": n }))
        }
        KeyAlg::ES256 => {
            let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(failed)?;
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref())
                .map_err(|e| KeyError::Generation(e.to_string()))?;
            // The uncompressed point: 0x04, then x and y, 32 bytes each.
            let point = pair.public_key().as_ref();
            let (x, y) = point[1..].split_at(32);
            let jwk =
                json!({ "crv": "P-256", "kty": "EC", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y) });
            (der.as_ref().to_vec(), jwk)
        }
        KeyAlg::EdDSA => {
            let der = Ed25519KeyPair::generate_pkcs8(&rng).map_err(failed)?;
            let pair = Ed25519KeyPair::from_pkcs8(der.as_ref()).map_err(|e| KeyError::Generation(e.to_string()))?;
            let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
            (der.as_ref().to_vec(), json!({ "crv": "Ed25519", "kty": "OKP", "x": x }))
        }
    };
    let kid = thumbprint(&jwk);
    jwk["kid"] = json!(kid);
    jwk["alg"] = json!(alg.as_str());
    jwk["use"] = json!("sig");
    Ok(GeneratedKey { kid, alg, pkcs8_der, public_jwk: jwk })
}

/// RFC 7638: SHA-256 of the required members in lexicographic order, which is how
/// `generate` builds them (serde_json keeps object keys sorted).
fn thumbprint(required_members: &Value) -> String {
    let canonical = serde_json::to_string(required_members).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

enum Pair {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// An active key, ready to sign.
pub struct SigningKey {
    pub kid: String,
    pub alg: KeyAlg,
    pair: Pair,
    rng: SystemRandom,
}

impl SigningKey {
    pub fn from_pkcs8(kid: &str, alg: KeyAlg, der: &[u8]) -> Result<Self, KeyError> {
        let bad = |reason: String| KeyError::BadKey { kid: kid.to_owned(), reason };
        let pair = match alg {
            KeyAlg::RS256 | KeyAlg::PS256 => Pair::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|e| bad(e.to_string()))?),
            KeyAlg::ES256 => Pair::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).map_err(|e| bad(e.to_string()))?,
            ),
            KeyAlg::EdDSA => Pair::Ed25519(Ed25519KeyPair::from_pkcs8(der).map_err(|e| bad(e.to_string()))?),
        };
        Ok(Self { kid: kid.to_owned(), alg, pair, rng: SystemRandom::new() })
    }

    pub fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        match &self.pair {
            Pair::Rsa(pair) => {
                let padding: &'static dyn aws_lc_rs::signature::RsaEncoding =
                    if self.alg == KeyAlg::PS256 { &RSA_PSS_SHA256 } else { &RSA_PKCS1_SHA256 };
                let mut signature = vec![0u8; pair.public_modulus_len()];
                pair.sign(padding, &self.rng, message, &mut signature).ok()?;
                Some(signature)
            }
            Pair::Ecdsa(pair) => pair.sign(&self.rng, message).ok().map(|s| s.as_ref().to_vec()),
            Pair::Ed25519(pair) => Some(pair.sign(message).as_ref().to_vec()),
        }
    }
}

/// A published key, parsed once, that verifies signatures of its one algorithm.
pub struct VerifyingKey {
    pub kid: String,
    pub alg: KeyAlg,
    key: ParsedPublicKey,
}

impl VerifyingKey {
    pub fn from_jwk(kid: &str, alg: KeyAlg, jwk: &Value) -> Result<Self, KeyError> {
        let bad = |reason: &str| KeyError::BadKey { kid: kid.to_owned(), reason: reason.to_owned() };
        let member = |name: &str| {
            let encoded = jwk.get(name).and_then(Value::as_str).ok_or_else(|| bad(name))?;
            URL_SAFE_NO_PAD.decode(encoded).map_err(|_| bad(name))
        };
        let (algorithm, public): (&'static dyn VerificationAlgorithm, Vec<u8>) = match alg {
            KeyAlg::RS256 => {
                (&RSA_PKCS1_2048_8192_SHA256, rsa_key::public_der(&member("n")?, &member("e")?).map_err(|e| bad(&e))?)
            }
            KeyAlg::PS256 => {
                (&RSA_PSS_2048_8192_SHA256, rsa_key::public_der(&member("n")?, &member("e")?).map_err(|e| bad(&e))?)
            }
            KeyAlg::ES256 => (&ECDSA_P256_SHA256_FIXED, [vec![0x04], member("x")?, member("y")?].concat()),
            KeyAlg::EdDSA => (&ED25519, member("x")?),
        };
        let key = ParsedPublicKey::new(algorithm, public).map_err(|e| bad(&e.to_string()))?;
        Ok(Self { kid: kid.to_owned(), alg, key })
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_signs_and_verifies_through_its_published_jwk_only() {
        for alg in KeyAlg::ALL {
            let generated = generate(alg).unwrap();
            assert_eq!(generated.public_jwk["kid"], generated.kid, "{alg}");
            assert_eq!(generated.public_jwk["alg"], alg.as_str());
            assert_eq!(generated.kid.len(), 43, "base64url SHA-256");
            let signer = SigningKey::from_pkcs8(&generated.kid, alg, &generated.pkcs8_der).unwrap();
            let verifier = VerifyingKey::from_jwk(&generated.kid, alg, &generated.public_jwk).unwrap();
            let signature = signer.sign(b"message").unwrap();
            assert!(verifier.verify(b"message", &signature), "{alg}");
            assert!(!verifier.verify(b"other", &signature), "{alg}");
        }
    }

    #[test]
    fn an_rsa_key_published_for_one_padding_refuses_the_other() {
        let generated = generate(KeyAlg::RS256).unwrap();
        let pkcs1 = SigningKey::from_pkcs8(&generated.kid, KeyAlg::RS256, &generated.pkcs8_der).unwrap();
        let as_pss = VerifyingKey::from_jwk(&generated.kid, KeyAlg::PS256, &generated.public_jwk).unwrap();
        assert!(!as_pss.verify(b"message", &pkcs1.sign(b"message").unwrap()));
    }

    #[test]
    fn rfc7638_thumbprint_example() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let members = json!({ "e": "AQAB", "kty": "RSA", "n": n });
        assert_eq!(thumbprint(&members), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }
}
