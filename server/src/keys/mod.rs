//! Token signing keys (SPEC §4, §10): one active key per algorithm (RS256, PS256, ES256,
//! EdDSA), generated on first start, sealed at rest, served in the JWKS by `kid`, each
//! rotated with its previous key kept published until the tokens it signed have expired.
//! Nothing above this module sees an rsa, aws-lc or jsonwebtoken type.

mod alg;
pub mod jwe;
mod jwt;
mod key_pair;
mod rsa_key;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;

pub use alg::KeyAlg;
pub use jwt::{JwtError, TokenType};
use key_pair::{SigningKey, VerifyingKey};

use crate::domain::SigningAlg;
use crate::secrets::{MasterKey, SecretError};
use crate::store::signing_keys::StoredSigningKey;
use crate::store::{Store, StoreError};

/// Sealing context of private keys at rest.
const SEAL_CONTEXT: &str = "signing-key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("signing key {kid} cannot be used: {reason}")]
    BadKey { kid: String, reason: String },
    #[error("key generation failed: {0}")]
    Generation(String),
}

/// Public facts about a key, for `hub keys list` and the admin API.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: String,
    pub state: KeyState,
    pub created_at: chrono::DateTime<Utc>,
    pub rotated_at: Option<chrono::DateTime<Utc>>,
    pub publish_until: Option<chrono::DateTime<Utc>>,
}

/// Where a key is in its life: signing, still published for tokens it signed, or gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Active,
    Retiring,
    Retired,
}

impl KeyInfo {
    fn from_stored(key: StoredSigningKey, now: chrono::DateTime<Utc>) -> Self {
        let state = match key.publish_until {
            _ if key.active => KeyState::Active,
            Some(until) if until > now => KeyState::Retiring,
            _ => KeyState::Retired,
        };
        Self {
            kid: key.kid,
            alg: key.alg,
            state,
            created_at: key.created_at,
            rotated_at: key.rotated_at,
            publish_until: key.publish_until,
        }
    }

    pub fn published(&self) -> bool {
        self.state != KeyState::Retired
    }
}

/// What is loaded at one moment: the signer of each algorithm and every key still
/// published.
struct Loaded {
    signers: Vec<SigningKey>,
    verifiers: Vec<VerifyingKey>,
    /// The JWKS document, serialised once per reload: the endpoint only copies bytes.
    jwks: bytes::Bytes,
}

/// The keys in memory, parsed once (aws-lc key pairs), reloaded from the store.
#[derive(Clone)]
pub struct KeyRing {
    loaded: Arc<RwLock<Arc<Loaded>>>,
}

impl KeyRing {
    /// Loads the published keys, first generating and storing the active key of each
    /// algorithm that has none (all of them, on first start).
    pub async fn load(store: &Store, master: &MasterKey) -> Result<Self, KeyError> {
        let active = store.published_signing_keys(Utc::now()).await?;
        for alg in KeyAlg::ALL {
            if !active.iter().any(|key| key.active && key.alg == alg.as_str()) {
                rotate(store, master, alg, Duration::ZERO).await?;
            }
        }
        let loaded = load_from(store, master)
            .await?
            .ok_or_else(|| KeyError::Generation("no active key after generation".into()))?;
        Ok(Self { loaded: Arc::new(RwLock::new(Arc::new(loaded))) })
    }

    /// Picks up keys rotated by another instance or by `hub keys rotate`.
    pub async fn reload(&self, store: &Store, master: &MasterKey) -> Result<(), KeyError> {
        if let Some(loaded) = load_from(store, master).await? {
            *self.loaded.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(loaded);
        }
        Ok(())
    }

    fn current(&self) -> Arc<Loaded> {
        self.loaded.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn jwks(&self) -> bytes::Bytes {
        self.current().jwks.clone()
    }

    /// Signs `claims` as a JWT with the active key of `alg`.
    pub fn sign<T: serde::Serialize>(&self, claims: &T, typ: TokenType, alg: KeyAlg) -> Result<String, JwtError> {
        let loaded = self.current();
        let signer = loaded.signers.iter().find(|signer| signer.alg == alg).ok_or(JwtError::Signing)?;
        jwt::sign(claims, typ, signer)
    }

    /// Signs `claims` as a client registered (`id_token_signed_response_alg`,
    /// `userinfo_signed_response_alg`): with the hub's active key of that algorithm, or,
    /// for HS256, keyed with the client's `secret` in clear (OIDC Core §10.1).
    pub fn sign_for_client<T: serde::Serialize>(
        &self,
        alg: SigningAlg,
        claims: &T,
        typ: TokenType,
        secret: Option<&[u8]>,
    ) -> Result<String, JwtError> {
        match KeyAlg::of(alg) {
            Some(alg) => self.sign(claims, typ, alg),
            None => jwt::sign_hs256(claims, typ, secret.ok_or(JwtError::NoSecret)?),
        }
    }

    /// Verifies a JWT the hub signed with any published key, in that key's algorithm.
    pub fn verify<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        expected: jwt::Expectations<'_>,
    ) -> Result<T, JwtError> {
        let loaded = self.current();
        jwt::verify(token, &loaded.verifiers, expected)
    }
}

pub use jwt::{Expectations, header_alg, sign_hs256, unverified_claims, verify_hs256};

/// How often each instance re-reads the signing keys, to serve keys rotated elsewhere.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(30);

/// How long a rotated-out key stays published: the longest token it signed, plus the
/// time the other instances need to notice the rotation.
pub fn keep_previous_for(settings: &crate::config::Settings) -> Duration {
    let longest = settings.access_token_ttl_secs.max(settings.id_token_ttl_secs);
    crate::config::Settings::secs(longest) + 2 * RELOAD_INTERVAL
}

/// Generates a key of `alg` and makes it that algorithm's active one. The key it replaces
/// stays published for `keep_previous` (see `keep_previous_for`).
pub async fn rotate(
    store: &Store,
    master: &MasterKey,
    alg: KeyAlg,
    keep_previous: Duration,
) -> Result<String, KeyError> {
    let generated = tokio::task::spawn_blocking(move || key_pair::generate(alg))
        .await
        .map_err(|e| KeyError::Generation(e.to_string()))??;
    let kid = generated.kid.clone();
    let stored = StoredSigningKey {
        kid: generated.kid,
        alg: generated.alg.as_str().to_owned(),
        private_key_sealed: master.seal(SEAL_CONTEXT, &generated.pkcs8_der)?,
        public_jwk: generated.public_jwk,
        active: true,
        created_at: Utc::now(),
        rotated_at: None,
        publish_until: None,
    };
    let keep = chrono::Duration::from_std(keep_previous).unwrap_or(chrono::Duration::zero());
    store.activate_signing_key(stored, Utc::now() + keep).await?;
    Ok(kid)
}

/// Every key ever generated, newest first, retired ones included.
pub async fn list(store: &Store) -> Result<Vec<KeyInfo>, KeyError> {
    let now = Utc::now();
    Ok(store.all_signing_keys().await?.into_iter().map(|k| KeyInfo::from_stored(k, now)).collect())
}

/// Stops publishing an inactive key at once, on this instance now and on the others at
/// their next reload; tokens it signed stop verifying.
pub async fn retire(store: &Store, master: &MasterKey, ring: &KeyRing, kid: &str) -> Result<KeyInfo, KeyError> {
    let now = Utc::now();
    let retired = store.retire_signing_key(kid, now).await?;
    ring.reload(store, master).await?;
    Ok(KeyInfo::from_stored(retired, now))
}

async fn load_from(store: &Store, master: &MasterKey) -> Result<Option<Loaded>, KeyError> {
    let stored = store.published_signing_keys(Utc::now()).await?;
    let alg_of = |key: &StoredSigningKey| {
        KeyAlg::parse(&key.alg)
            .ok_or_else(|| KeyError::BadKey { kid: key.kid.clone(), reason: format!("alg {}", key.alg) })
    };
    let mut signers = Vec::new();
    for active in stored.iter().filter(|k| k.active) {
        let der = master.open(SEAL_CONTEXT, &active.private_key_sealed)?;
        signers.push(SigningKey::from_pkcs8(&active.kid, alg_of(active)?, &der)?);
    }
    if !signers.iter().any(|signer| signer.alg == KeyAlg::RS256) {
        return Ok(None);
    }
    let verifiers = stored
        .iter()
        .map(|k| VerifyingKey::from_jwk(&k.kid, alg_of(k)?, &k.public_jwk))
        .collect::<Result<Vec<_>, _>>()?;
    let jwks = serde_json::json!({ "keys": stored.iter().map(|k| &k.public_jwk).collect::<Vec<_>>() });
    let jwks = bytes::Bytes::from(serde_json::to_vec(&jwks).map_err(|e| KeyError::Generation(e.to_string()))?);
    Ok(Some(Loaded { signers, verifiers, jwks }))
}
