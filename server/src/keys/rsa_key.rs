//! RSA keys: generated with the `rsa` crate, then only ever used through aws-lc. The `rsa`
//! crate's own private-key operations are never called (RUSTSEC-2023-0071, the Marvin
//! attack); here it only makes a key and encodes public keys.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;

use super::KeyError;

const BITS: usize = 2048;

/// A new RSA key: its PKCS#8 DER and its public `n` and `e`, base64url. Slow (hundreds of
/// milliseconds): call from a blocking thread.
pub fn generate() -> Result<(Vec<u8>, String, String), KeyError> {
    let mut rng = rsa::rand_core::OsRng;
    let private = rsa::RsaPrivateKey::new(&mut rng, BITS).map_err(|e| KeyError::Generation(e.to_string()))?;
    let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
    let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
    let der = private.to_pkcs8_der().map_err(|e| KeyError::Generation(e.to_string()))?.as_bytes().to_vec();
    Ok((der, n, e))
}

/// The PKCS#1 DER of the public key a JWK's `n` and `e` describe, as aws-lc parses it.
pub fn public_der(n: &[u8], e: &[u8]) -> Result<Vec<u8>, String> {
    let public = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
        .map_err(|e| e.to_string())?;
    Ok(public.to_pkcs1_der().map_err(|e| e.to_string())?.as_bytes().to_vec())
}
