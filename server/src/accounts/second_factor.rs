//! The hub's own second factor (issue 13): a TOTP authenticator, enrolled by showing its
//! secret (QR code and text) with ten one-time recovery codes and confirmed by a current
//! code; then asked for after the password. Secrets are sealed with the master key;
//! recovery codes are kept as keyed digests (they have 50 bits of entropy, so a fast MAC
//! is enough, and the token endpoint never waits for a password KDF). Wrong codes are
//! throttled by the same `LoginThrottle` as passwords, under a key of their own.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::throttle::{LoginThrottle, Throttled};
use super::totp::{self, Provisioning};
use crate::domain::User;
use crate::secrets::{MasterKey, SecretError, constant_time_eq, random_bytes};
use crate::session::SessionError;
use crate::store::second_factors::PendingEnrolment;
use crate::store::{Store, StoreError};

/// Sealing context of TOTP secrets at rest.
const SECRET_CONTEXT: &str = "totp-secret";
pub const RECOVERY_CODES: usize = 10;
/// Lowercase RFC 4648 base32 without the easily confused letters is overkill here: the
/// codes are typed from a printout, so plain base32 in two groups of five.
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    /// Not a current code of the user's authenticator, nor an unused recovery code.
    #[error("wrong code")]
    Wrong,
    /// A code of a time step already used (RFC 6238 §5.2).
    #[error("code already used")]
    Replayed,
    #[error("too many wrong codes")]
    Throttled { retry_after: std::time::Duration },
    /// Nothing to verify against (no factor, or no enrolment waiting).
    #[error("no second factor enrolled")]
    NotEnrolled,
    /// A confirmed factor is only replaced after an administrator reset it.
    #[error("a second factor is enrolled already")]
    AlreadyEnrolled,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Totp(#[from] totp::TotpError),
}

/// How the second factor was proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Totp,
    RecoveryCode,
}

/// A user's second factor as administrators and the user see it.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub enrolled: bool,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub recovery_codes_left: usize,
}

/// A new enrolment, shown once.
pub struct Enrolment {
    pub provisioning: Provisioning,
    pub recovery_codes: Vec<String>,
}

/// The second factor of one user, with what checking it needs.
pub struct SecondFactors<'a> {
    pub store: &'a Store,
    pub master: &'a MasterKey,
    pub throttle: &'a LoginThrottle,
}

impl SecondFactors<'_> {
    pub async fn status(&self, user_id: Uuid) -> Result<Status, StoreError> {
        Ok(match self.store.find_second_factor(user_id).await? {
            Some(stored) if stored.is_enrolled() => Status {
                enrolled: true,
                enrolled_at: stored.confirmed_at,
                recovery_codes_left: stored.recovery_codes.len(),
            },
            _ => Status::default(),
        })
    }

    /// A fresh secret and recovery codes for `user`, waiting for a code to confirm them;
    /// replaces an enrolment shown earlier (a reload shows new ones).
    pub async fn begin_enrolment(&self, user: &User, site_name: &str) -> Result<Enrolment, SecondFactorError> {
        if self.store.find_second_factor(user.id).await?.is_some_and(|stored| stored.is_enrolled()) {
            return Err(SecondFactorError::AlreadyEnrolled);
        }
        let secret = random_bytes::<{ totp::SECRET_BYTES }>()?;
        let provisioning = totp::provisioning(&secret, site_name, &user.username)?;
        let recovery_codes = (0..RECOVERY_CODES).map(|_| recovery_code()).collect::<Result<Vec<_>, _>>()?;
        let pending = PendingEnrolment {
            secret_sealed: self.master.seal(SECRET_CONTEXT, &secret)?,
            recovery_codes: recovery_codes.iter().map(|code| self.digest(user.id, code)).collect(),
            created_at: Utc::now(),
        };
        self.store.save_pending_enrolment(user.id, &pending).await?;
        Ok(Enrolment { provisioning, recovery_codes })
    }

    /// The enrolment waiting for `user`'s confirmation, shown again (without its recovery
    /// codes, which are kept only as digests) after a wrong code.
    pub async fn pending_provisioning(&self, user: &User, site_name: &str) -> Result<Provisioning, SecondFactorError> {
        let stored = self.store.find_second_factor(user.id).await?;
        let pending = stored.and_then(|stored| stored.pending).ok_or(SecondFactorError::NotEnrolled)?;
        let secret = self.master.open(SECRET_CONTEXT, &pending.secret_sealed)?;
        Ok(totp::provisioning(&secret, site_name, &user.username)?)
    }

    /// Confirms the enrolment waiting for `user_id` with a current code of it.
    pub async fn confirm_enrolment(&self, user_id: Uuid, code: &str, address: &str) -> Result<(), SecondFactorError> {
        self.check_throttle(user_id, address).await?;
        let stored = self.store.find_second_factor(user_id).await?;
        if stored.as_ref().is_some_and(|stored| stored.is_enrolled()) {
            return Err(SecondFactorError::AlreadyEnrolled);
        }
        let pending = stored.and_then(|stored| stored.pending).ok_or(SecondFactorError::NotEnrolled)?;
        let secret = self.master.open(SECRET_CONTEXT, &pending.secret_sealed)?;
        let Some(step) = totp::matching_step(&secret, code, now()) else {
            return Err(self.failed(user_id, address, SecondFactorError::Wrong).await);
        };
        if !self.store.confirm_enrolment(user_id, &pending, step).await? {
            // A newer enrolment page replaced this one meanwhile.
            return Err(self.failed(user_id, address, SecondFactorError::Wrong).await);
        }
        self.throttle.succeeded(&throttle_key(user_id), address).await?;
        Ok(())
    }

    /// Drops the app enrolment shown to `user_id` when a passkey became their second factor
    /// instead: its secret and recovery codes must not be confirmable later.
    pub async fn discard_unconfirmed_enrolment(&self, user_id: Uuid) -> Result<(), StoreError> {
        self.store.discard_unconfirmed_enrolment(user_id).await
    }

    /// Checks a code of the user's authenticator, or one of their recovery codes (which
    /// is then used up).
    pub async fn verify(&self, user_id: Uuid, code: &str, address: &str) -> Result<Proof, SecondFactorError> {
        self.check_throttle(user_id, address).await?;
        let stored = self.store.find_second_factor(user_id).await?.filter(|stored| stored.is_enrolled());
        let stored = stored.ok_or(SecondFactorError::NotEnrolled)?;
        let proof = if totp::looks_like_code(code) {
            let sealed = stored.secret_sealed.as_deref().ok_or(SecondFactorError::NotEnrolled)?;
            let secret = self.master.open(SECRET_CONTEXT, sealed)?;
            match totp::matching_step(&secret, code, now()) {
                Some(step) if totp::is_fresh(step, stored.last_used_step) => {
                    if !self.store.use_totp_step(user_id, step).await? {
                        return Err(self.failed(user_id, address, SecondFactorError::Replayed).await);
                    }
                    Proof::Totp
                }
                Some(_) => return Err(self.failed(user_id, address, SecondFactorError::Replayed).await),
                None => return Err(self.failed(user_id, address, SecondFactorError::Wrong).await),
            }
        } else {
            let digest = self.digest(user_id, code);
            let seen = stored.recovery_codes;
            let position = seen.iter().position(|kept| constant_time_eq(kept.as_bytes(), digest.as_bytes()));
            let Some(position) = position else {
                return Err(self.failed(user_id, address, SecondFactorError::Wrong).await);
            };
            let mut left = seen.clone();
            left.remove(position);
            if !self.store.use_recovery_code(user_id, &seen, &left).await? {
                return Err(self.failed(user_id, address, SecondFactorError::Wrong).await);
            }
            Proof::RecoveryCode
        };
        self.throttle.succeeded(&throttle_key(user_id), address).await?;
        Ok(proof)
    }

    async fn check_throttle(&self, user_id: Uuid, address: &str) -> Result<(), SecondFactorError> {
        match self.throttle.check(&throttle_key(user_id), address).await? {
            Throttled::Wait(retry_after) => Err(SecondFactorError::Throttled { retry_after }),
            Throttled::No => Ok(()),
        }
    }

    /// Counts a wrong code like a wrong password; answers `error`.
    async fn failed(&self, user_id: Uuid, address: &str, error: SecondFactorError) -> SecondFactorError {
        match self.throttle.failed(&throttle_key(user_id), address).await {
            Ok(()) => error,
            Err(store) => store.into(),
        }
    }

    /// A recovery code's digest, keyed by the master key and bound to its user.
    fn digest(&self, user_id: Uuid, code: &str) -> String {
        hex::encode(self.master.mac(&[b"recovery-code", user_id.as_bytes(), normalized(code).as_bytes()]))
    }
}

/// The throttle's key for second-factor codes: apart from the user's password failures.
fn throttle_key(user_id: Uuid) -> String {
    format!("second-factor:{user_id}")
}

/// As typed: without case, spaces or the dash between the groups.
fn normalized(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Ten base32 characters (50 bits), shown as `xxxxx-xxxxx`.
fn recovery_code() -> Result<String, SecretError> {
    let bytes = random_bytes::<10>()?;
    let chars: String = bytes.iter().map(|b| char::from(RECOVERY_ALPHABET[usize::from(b % 32)])).collect();
    Ok(format!("{}-{}", &chars[..5], &chars[5..]))
}

fn now() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_typed_without_case_spaces_or_dash() {
        let code = recovery_code().unwrap();
        assert_eq!(code.len(), 11);
        assert_eq!(normalized(&code.to_uppercase().replace('-', " ")), normalized(&code));
        assert_ne!(recovery_code().unwrap(), code);
    }
}
