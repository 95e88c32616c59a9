//! Tokens encrypted to a client (RFC 7516 compact serialization, RFC 7518 algorithms):
//! ID tokens and userinfo responses for a client that registered
//! `*_encrypted_response_alg` (OIDC Core §10.2). The hub only encrypts; it never decrypts
//! what a stranger sends. Every primitive is aws-lc's, as for signing; this module is the
//! JOSE framing around them.

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{self, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey};
use aws_lc_rs::hmac;
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey};
use aws_lc_rs::rsa::{Pkcs1PublicEncryptingKey, PublicEncryptingKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs8::EncodePublicKey;
use serde_json::{Value, json};

use crate::domain::protocol::{ContentEncryptionAlg, KeyEncryptionAlg};

#[derive(Debug, thiserror::Error)]
pub enum JweError {
    #[error("the client publishes no RSA key for encryption with {0}")]
    NoKey(&'static str),
    #[error("the client's encryption key is not usable: {0}")]
    UnusableKey(String),
    #[error("encryption failed")]
    Crypto,
}

impl From<aws_lc_rs::error::Unspecified> for JweError {
    fn from(_: aws_lc_rs::error::Unspecified) -> Self {
        JweError::Crypto
    }
}

/// What the encrypted content is: a signed JWT (a nested token, `cty` JWT) or claims as
/// JSON (an unsigned userinfo response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Jwt,
    Json,
}

/// The key of `set` (a JWK Set) to encrypt to with `alg`: an RSA key that may encrypt
/// (`use` enc or unset, `alg` this one or unset, `key_ops` with encrypt or wrapKey or
/// unset), the one that says so most plainly (`use` enc, then the same `alg`), the first
/// of equals as RFC 7517 leaves the choice to the sender.
pub fn recipient_key(set: &Value, alg: KeyEncryptionAlg) -> Result<&Value, JweError> {
    let keys = set.get("keys").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let text = |key: &Value, member: &str| key.get(member).and_then(Value::as_str).map(str::to_owned);
    let may_encrypt = |key: &Value| match key.get("key_ops").and_then(Value::as_array) {
        Some(ops) => ops.iter().any(|op| op == "encrypt" || op == "wrapKey"),
        None => true,
    };
    let usable = keys.iter().filter(|key| {
        text(key, "kty").as_deref() == Some("RSA")
            && text(key, "use").is_none_or(|u| u == "enc")
            && text(key, "alg").is_none_or(|a| a == alg.as_str())
            && may_encrypt(key)
    });
    let plainness = |key: &Value| (text(key, "use").is_some(), text(key, "alg").is_some());
    let mut best: Option<&Value> = None;
    for key in usable {
        if best.is_none_or(|chosen| plainness(key) > plainness(chosen)) {
            best = Some(key);
        }
    }
    best.ok_or(JweError::NoKey(alg.as_str()))
}

/// `plaintext` encrypted to `recipient` (an RSA public JWK) in compact serialization.
pub fn encrypt(
    plaintext: &[u8],
    recipient: &Value,
    alg: KeyEncryptionAlg,
    enc: ContentEncryptionAlg,
    content: Content,
) -> Result<String, JweError> {
    let random = SystemRandom::new();
    let mut header = json!({ "alg": alg.as_str(), "enc": enc.as_str() });
    if let Some(kid) = recipient.get("kid").and_then(Value::as_str) {
        header["kid"] = json!(kid);
    }
    if content == Content::Jwt {
        header["cty"] = json!("JWT");
    }
    let protected = URL_SAFE_NO_PAD.encode(header.to_string());
    let mut cek = vec![0u8; cek_len(enc)];
    random.fill(&mut cek)?;
    let encrypted_key = wrap_key(&cek, recipient, alg)?;
    let mut iv = vec![0u8; iv_len(enc)];
    random.fill(&mut iv)?;
    let (ciphertext, tag) = encrypt_content(&cek, enc, protected.as_bytes(), plaintext, &iv)?;
    let part = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    Ok(format!("{protected}.{}.{}.{}.{}", part(&encrypted_key), part(&iv), part(&ciphertext), part(&tag)))
}

/// 96 bits for GCM (RFC 7518 §5.3), a block for CBC (§5.2.2.1).
fn iv_len(enc: ContentEncryptionAlg) -> usize {
    if gcm(enc).is_some() { aead::NONCE_LEN } else { 16 }
}

fn gcm(enc: ContentEncryptionAlg) -> Option<&'static aead::Algorithm> {
    match enc {
        ContentEncryptionAlg::A128Gcm => Some(&aead::AES_128_GCM),
        ContentEncryptionAlg::A192Gcm => Some(&aead::AES_192_GCM),
        ContentEncryptionAlg::A256Gcm => Some(&aead::AES_256_GCM),
        _ => None,
    }
}

/// RFC 7518 §5.2.3–5.2.5 and §5.3: CBC-HMAC keys are twice the AES key, MAC key first.
fn cek_len(enc: ContentEncryptionAlg) -> usize {
    match enc {
        ContentEncryptionAlg::A128CbcHs256 => 32,
        ContentEncryptionAlg::A192CbcHs384 => 48,
        ContentEncryptionAlg::A256CbcHs512 => 64,
        ContentEncryptionAlg::A128Gcm => 16,
        ContentEncryptionAlg::A192Gcm => 24,
        ContentEncryptionAlg::A256Gcm => 32,
    }
}

fn wrap_key(cek: &[u8], recipient: &Value, alg: KeyEncryptionAlg) -> Result<Vec<u8>, JweError> {
    let public = rsa_public_key(recipient)?;
    let mut wrapped = vec![0u8; public.key_size_bytes()];
    let written = match alg {
        KeyEncryptionAlg::Rsa1_5 => Pkcs1PublicEncryptingKey::new(public)?.encrypt(cek, &mut wrapped)?.len(),
        KeyEncryptionAlg::RsaOaep => {
            OaepPublicEncryptingKey::new(public)?.encrypt(&OAEP_SHA1_MGF1SHA1, cek, &mut wrapped, None)?.len()
        }
        KeyEncryptionAlg::RsaOaep256 => {
            OaepPublicEncryptingKey::new(public)?.encrypt(&OAEP_SHA256_MGF1SHA256, cek, &mut wrapped, None)?.len()
        }
    };
    wrapped.truncate(written);
    Ok(wrapped)
}

/// The public key of an RSA JWK, at least 2048 bits (RFC 7518 §4.2).
fn rsa_public_key(jwk: &Value) -> Result<PublicEncryptingKey, JweError> {
    let unusable = |why: &str| JweError::UnusableKey(why.to_owned());
    let member = |name: &str| {
        let text = jwk.get(name).and_then(Value::as_str).ok_or_else(|| unusable("an RSA key needs n and e"))?;
        URL_SAFE_NO_PAD.decode(text).map_err(|_| unusable("n and e must be base64url"))
    };
    let (n, e) = (member("n")?, member("e")?);
    let public = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(&n), rsa::BigUint::from_bytes_be(&e))
        .map_err(|error| JweError::UnusableKey(error.to_string()))?;
    let der = public.to_public_key_der().map_err(|error| JweError::UnusableKey(error.to_string()))?;
    let key =
        PublicEncryptingKey::from_der(der.as_bytes()).map_err(|error| JweError::UnusableKey(error.to_string()))?;
    if key.key_size_bits() < 2048 {
        return Err(unusable("an RSA key of at least 2048 bits"));
    }
    Ok(key)
}

/// The ciphertext and the authentication tag, over `aad` (the protected header as sent,
/// RFC 7516 §5.1 step 14).
fn encrypt_content(
    cek: &[u8],
    enc: ContentEncryptionAlg,
    aad: &[u8],
    plaintext: &[u8],
    iv: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), JweError> {
    let mut ciphertext = plaintext.to_vec();
    if let Some(algorithm) = gcm(enc) {
        let key = LessSafeKey::new(UnboundKey::new(algorithm, cek)?);
        let nonce = Nonce::try_assume_unique_for_key(iv)?;
        let tag = key.seal_in_place_separate_tag(nonce, Aad::from(aad), &mut ciphertext)?;
        return Ok((ciphertext, tag.as_ref().to_vec()));
    }
    // AES-CBC with HMAC (RFC 7518 §5.2.2.1): the MAC key is the first half of the CEK.
    let (aes, mac) = match enc {
        ContentEncryptionAlg::A128CbcHs256 => (&cipher::AES_128, hmac::HMAC_SHA256),
        ContentEncryptionAlg::A192CbcHs384 => (&cipher::AES_192, hmac::HMAC_SHA384),
        _ => (&cipher::AES_256, hmac::HMAC_SHA512),
    };
    let (mac_key, enc_key) = cek.split_at(cek.len() / 2);
    let key = PaddedBlockEncryptingKey::cbc_pkcs7(UnboundCipherKey::new(aes, enc_key)?)?;
    let iv_block: [u8; 16] = iv.try_into().map_err(|_| JweError::Crypto)?;
    key.less_safe_encrypt(&mut ciphertext, EncryptionContext::Iv128(FixedLength::from(iv_block)))?;
    let aad_bits = u64::try_from(aad.len()).map_err(|_| JweError::Crypto)?.saturating_mul(8);
    let mut signing = hmac::Context::with_key(&hmac::Key::new(mac, mac_key));
    for part in [aad, iv, &ciphertext, &aad_bits.to_be_bytes()] {
        signing.update(part);
    }
    // The tag is the MAC's first half (T_LEN is the MAC key's length).
    let tag = signing.sign().as_ref()[..mac_key.len()].to_vec();
    Ok((ciphertext, tag))
}

#[cfg(test)]
#[path = "jwe_tests.rs"]
mod tests;
