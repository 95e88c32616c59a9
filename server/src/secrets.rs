//! Secrets at rest and random values (SPEC §8): the master key seals client secrets,
//! upstream secrets and private keys with AES-256-GCM; opaque tokens are random and
//! stored only as SHA-256 digests; every comparison of a secret is constant time.

use std::fmt;
use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const KEY_LEN: usize = 32;
/// Version byte in front of every sealed value, so the scheme can change later.
const SEALED_V1: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the master key must be {KEY_LEN} bytes, base64-encoded")]
    BadMasterKey,
    #[error("a sealed secret could not be opened: wrong master key or damaged data")]
    Unseal,
    #[error("cannot read or write the master key file {path}: {source}")]
    KeyFile { path: String, source: std::io::Error },
    #[error("the system random generator failed")]
    Random,
}

/// The key that seals secrets at rest. Its bytes never reach `Debug` or a log.
pub struct MasterKey {
    aead: LessSafeKey,
    /// Derived, separate key for HMACs (CSRF tokens); never the sealing key itself.
    mac_key: [u8; KEY_LEN],
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    pub fn from_base64(encoded: &SecretString) -> Result<Self, SecretError> {
        let text = encoded.expose_secret().trim();
        let bytes =
            STANDARD.decode(text).or_else(|_| URL_SAFE_NO_PAD.decode(text)).map_err(|_| SecretError::BadMasterKey)?;
        let bytes: [u8; KEY_LEN] = bytes.try_into().map_err(|_| SecretError::BadMasterKey)?;
        Self::from_bytes(bytes)
    }

    fn from_bytes(bytes: [u8; KEY_LEN]) -> Result<Self, SecretError> {
        let unbound = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| SecretError::BadMasterKey)?;
        let mac_key: [u8; KEY_LEN] = Sha256::new_with_prefix(b"hub/mac-key/v1").chain_update(bytes).finalize().into();
        Ok(Self { aead: LessSafeKey::new(unbound), mac_key })
    }

    /// Reads `path`, or writes a fresh random key there (mode 0600) when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, SecretError> {
        let io = |source| SecretError::KeyFile { path: path.display().to_string(), source };
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(io)?;
            return Self::from_base64(&SecretString::from(text));
        }
        let bytes: [u8; KEY_LEN] = random_bytes()?;
        write_private_file(path, STANDARD.encode(bytes).as_bytes()).map_err(io)?;
        Self::from_bytes(bytes)
    }

    /// `version || nonce || ciphertext+tag`; `context` binds the value to its use (a
    /// sealed client secret cannot be passed off as a private key).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, SecretError> {
        let nonce_bytes: [u8; NONCE_LEN] = random_bytes()?;
        let mut buffer = plaintext.to_vec();
        self.aead
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce_bytes), Aad::from(context), &mut buffer)
            .map_err(|_| SecretError::Unseal)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + buffer.len());
        sealed.push(SEALED_V1);
        sealed.extend_from_slice(&nonce_bytes);
        sealed.extend_from_slice(&buffer);
        Ok(sealed)
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, SecretError> {
        let (&version, rest) = sealed.split_first().ok_or(SecretError::Unseal)?;
        if version != SEALED_V1 || rest.len() < NONCE_LEN {
            return Err(SecretError::Unseal);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Unseal)?;
        let mut buffer = ciphertext.to_vec();
        let plaintext =
            self.aead.open_in_place(nonce, Aad::from(context), &mut buffer).map_err(|_| SecretError::Unseal)?;
        Ok(plaintext.to_vec())
    }

    /// HMAC-SHA256 under the derived MAC key.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &self.mac_key);
        let mut context = aws_lc_rs::hmac::Context::with_key(&key);
        for part in parts {
            context.update(&(part.len() as u64).to_be_bytes());
            context.update(part);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(context.sign().as_ref());
        out
    }
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N], SecretError> {
    let mut bytes = [0u8; N];
    SystemRandom::new().fill(&mut bytes).map_err(|_| SecretError::Random)?;
    Ok(bytes)
}

/// A 256-bit random value, base64url: codes, refresh tokens, session ids, client secrets.
pub fn random_token() -> Result<String, SecretError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// How opaque tokens are stored and looked up: the hex SHA-256 of the token.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::from_bytes([7u8; KEY_LEN]).unwrap()
    }

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let k = key();
        let sealed = k.seal("client-secret", b"s3cret").unwrap();
        assert_eq!(k.open("client-secret", &sealed).unwrap(), b"s3cret");
        assert!(k.open("signing-key", &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(k.open("client-secret", &tampered).is_err());
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let k = key();
        assert_ne!(k.seal("c", b"x").unwrap(), k.seal("c", b"x").unwrap());
    }

    #[test]
    fn master_key_must_be_32_bytes() {
        assert!(MasterKey::from_base64(&SecretString::from(STANDARD.encode([1u8; 16]))).is_err());
        assert!(MasterKey::from_base64(&SecretString::from(STANDARD.encode([1u8; 32]))).is_ok());
        assert!(MasterKey::from_base64(&SecretString::from("not base64!")).is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("hub-mk-{}", random_token().unwrap()));
        let path = dir.join("master.key");
        let first = MasterKey::load_or_create(&path).unwrap();
        let sealed = first.seal("c", b"v").unwrap();
        let second = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(second.open("c", &sealed).unwrap(), b"v");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
