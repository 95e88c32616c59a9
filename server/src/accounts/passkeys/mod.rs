//! Passkeys (WebAuthn, issue 13): several per user, each named by its user; registered by
//! a signed-in user, then used to sign in without a password (a discoverable credential)
//! or as the second factor after one. Each ceremony is two requests: options for the
//! browser (the state kept by `ceremony`), then the browser's answer, checked by
//! `relying_party`. Failed assertions are throttled by the same `LoginThrottle` as
//! passwords; an assertion whose counter went backwards is refused (a cloned
//! authenticator) and logged; a disabled user's passkey signs no one in.

mod ceremony;
mod relying_party;

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;
use uuid::Uuid;

use super::throttle::{LoginThrottle, Throttled};
use crate::domain::User;
use crate::session::{SessionError, SessionStore};
use crate::store::passkeys::{PasskeyUse, StoredPasskey};
use crate::store::{Store, StoreError};
pub use ceremony::Purpose;
pub use relying_party::CeremonyError;
use relying_party::{RelyingParty, Verified};

/// The longest name a passkey may be given.
pub const NAME_MAX_CHARS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The hub's issuer is not on a domain name; browsers refuse passkeys there.
    #[error("passkeys are not available at this hub's address")]
    Unsupported,
    /// The ceremony is unknown, expired, answered already, or another browser's.
    #[error("the passkey request expired")]
    Expired,
    /// The answer failed a check, or names no passkey of a user who may sign in.
    #[error("the passkey was not accepted")]
    Refused,
    /// The counter did not move forward: a cloned authenticator, possibly.
    #[error("the passkey's signature counter went backwards")]
    CounterRegressed,
    #[error("too many failed passkey attempts")]
    Throttled { retry_after: std::time::Duration },
    /// An empty name, or one that is too long.
    #[error("a passkey needs a name of at most {NAME_MAX_CHARS} characters")]
    InvalidName,
    /// The authenticator's credential is registered already (to this user or another).
    #[error("this passkey is registered already")]
    AlreadyRegistered,
    #[error("no such passkey")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("a stored passkey cannot be read")]
    Corrupt(#[source] CeremonyError),
}

impl From<StoreError> for PasskeyError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(_) => PasskeyError::AlreadyRegistered,
            other => PasskeyError::Store(other),
        }
    }
}

/// A passkey as its user and administrators see it.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Backup-eligible: the authenticator may sync it to the user's other devices.
    pub synced: bool,
}

/// Options for the browser's WebAuthn call, and the ceremony id to answer with.
pub struct Challenge {
    pub ceremony: String,
    pub options: Value,
}

/// A verified assertion: whose passkey, and what it proved (`domain::sign_in` turns it
/// into `amr` and `acr`).
#[derive(Debug, Clone)]
pub struct Proof {
    pub user: User,
    pub passkey: Summary,
    pub user_verified: bool,
}

/// The passkeys of the hub's users, with what checking them needs.
pub struct Passkeys<'a> {
    pub store: &'a Store,
    pub sessions: &'a SessionStore,
    pub throttle: &'a LoginThrottle,
    pub issuer: &'a Url,
}

impl Passkeys<'_> {
    fn relying_party(&self) -> Result<RelyingParty, PasskeyError> {
        RelyingParty::for_issuer(self.issuer).map_err(|_| PasskeyError::Unsupported)
    }

    /// Whether passkeys can be used at the hub's address at all.
    pub fn supported(&self) -> bool {
        self.relying_party().is_ok()
    }

    pub async fn list(&self, user_id: Uuid) -> Result<Vec<Summary>, StoreError> {
        Ok(self.store.passkeys_of(user_id).await?.iter().map(summary).collect())
    }

    pub async fn has_any(&self, user_id: Uuid) -> Result<bool, StoreError> {
        self.store.has_passkey(user_id).await
    }

    /// Options to create a passkey for `user`, to be called `name`.
    pub async fn begin_registration(&self, user: &User, name: &str, browser: &str) -> Result<Challenge, PasskeyError> {
        let name = parse_name(name)?;
        let existing: Vec<String> = self.store.passkeys_of(user.id).await?.into_iter().map(|p| p.credential).collect();
        let display_name = user.name.as_deref().unwrap_or(&user.username);
        let (options, state) = self
            .relying_party()?
            .start_registration(user.id, &user.username, display_name, &existing)
            .map_err(PasskeyError::Corrupt)?;
        let ceremony =
            ceremony::keep(self.sessions, browser, Purpose::Register { user_id: user.id, name, state }).await?;
        Ok(Challenge { ceremony, options })
    }

    /// Checks the browser's answer to `begin_registration` and stores the new passkey.
    pub async fn finish_registration(
        &self,
        user: &User,
        browser: &str,
        ceremony: &str,
        answer: &str,
    ) -> Result<Summary, PasskeyError> {
        let Some(Purpose::Register { user_id, name, state }) = ceremony::take(self.sessions, ceremony, browser).await?
        else {
            return Err(PasskeyError::Expired);
        };
        if user_id != user.id {
            return Err(PasskeyError::Expired);
        }
        let created = self.relying_party()?.finish_registration(answer, &state).map_err(|error| {
            tracing::info!(user = %user.id, %error, "passkey registration refused");
            PasskeyError::Refused
        })?;
        let stored = StoredPasskey {
            id: Uuid::new_v4(),
            user_id: user.id,
            name,
            credential_id: created.credential_id,
            credential: created.credential,
            sign_count: created.sign_count,
            backup_eligible: created.backup_eligible,
            backup_state: created.backup_state,
            created_at: Utc::now(),
            last_used_at: None,
        };
        self.store.insert_passkey(&stored).await?;
        Ok(summary(&stored))
    }

    /// Options for a sign-in with any passkey the authenticator holds for the hub.
    pub async fn begin_sign_in(&self, browser: &str, interaction: &str) -> Result<Challenge, PasskeyError> {
        let (options, state) = self.relying_party()?.start_discoverable().map_err(PasskeyError::Corrupt)?;
        let purpose = Purpose::SignIn { interaction: interaction.to_owned(), state };
        Ok(Challenge { ceremony: ceremony::keep(self.sessions, browser, purpose).await?, options })
    }

    /// Options for `user_id`'s second factor: an assertion of one of their passkeys.
    pub async fn begin_second_factor(
        &self,
        user_id: Uuid,
        browser: &str,
        interaction: &str,
    ) -> Result<Challenge, PasskeyError> {
        let credentials: Vec<String> =
            self.store.passkeys_of(user_id).await?.into_iter().map(|p| p.credential).collect();
        if credentials.is_empty() {
            return Err(PasskeyError::NotFound);
        }
        let (options, state) = self.relying_party()?.start_for_user(&credentials).map_err(PasskeyError::Corrupt)?;
        let purpose = Purpose::SecondFactor { interaction: interaction.to_owned(), user_id, state };
        Ok(Challenge { ceremony: ceremony::keep(self.sessions, browser, purpose).await?, options })
    }

    /// Checks an answer to `begin_sign_in` or `begin_second_factor` (for `expected_user`)
    /// in the pending request `interaction`.
    pub async fn finish_assertion(
        &self,
        browser: &str,
        interaction: &str,
        expected_user: Option<Uuid>,
        ceremony: &str,
        answer: &str,
        address: &str,
    ) -> Result<Proof, PasskeyError> {
        let (for_interaction, wanted_user, state) = match ceremony::take(self.sessions, ceremony, browser).await? {
            Some(Purpose::SignIn { interaction, state }) => (interaction, None, state),
            Some(Purpose::SecondFactor { interaction, user_id, state }) => (interaction, Some(user_id), state),
            _ => return Err(PasskeyError::Expired),
        };
        if for_interaction != interaction || wanted_user != expected_user {
            return Err(PasskeyError::Expired);
        }
        // A malformed answer names no passkey, and counts as a failure like any other.
        let (credential_id, handle) = RelyingParty::identify(answer).unwrap_or_default();
        let stored = match credential_id.is_empty() {
            true => None,
            false => self.store.find_passkey_by_credential(&credential_id).await?,
        };
        // Which user the attempt counts against: the passkey's, or (unknown) the handle's.
        let key = throttle_key(stored.as_ref().map(|p| p.user_id).or(handle));
        if let Throttled::Wait(retry_after) = self.throttle.check(&key, address).await? {
            return Err(PasskeyError::Throttled { retry_after });
        }
        let outcome = self.verify(stored, handle, expected_user, state, answer).await;
        match outcome {
            Ok(proof) => {
                self.throttle.succeeded(&key, address).await?;
                Ok(proof)
            }
            Err(error @ (PasskeyError::Refused | PasskeyError::CounterRegressed)) => {
                self.throttle.failed(&key, address).await?;
                Err(error)
            }
            Err(other) => Err(other),
        }
    }

    async fn verify(
        &self,
        stored: Option<StoredPasskey>,
        handle: Option<Uuid>,
        expected_user: Option<Uuid>,
        state: relying_party::Assertion,
        answer: &str,
    ) -> Result<Proof, PasskeyError> {
        let stored = stored.ok_or(PasskeyError::Refused)?;
        // The handle the authenticator keeps must be the passkey's user; the second factor
        // must be the signed-in user's.
        if handle.is_some_and(|handle| handle != stored.user_id) || expected_user.is_some_and(|u| u != stored.user_id) {
            return Err(PasskeyError::Refused);
        }
        let user = self.store.find_user(stored.user_id).await?.filter(|user| !user.disabled);
        let user = user.ok_or(PasskeyError::Refused)?;
        let verified = match self.relying_party()?.finish_assertion(answer, state, &stored.credential) {
            Ok(verified) => verified,
            Err(CeremonyError::CounterRegressed) => {
                tracing::warn!(user = %user.id, passkey = %stored.id, "passkey counter went backwards: possibly cloned");
                return Err(PasskeyError::CounterRegressed);
            }
            Err(error) => {
                tracing::info!(user = %user.id, passkey = %stored.id, %error, "passkey assertion refused");
                return Err(PasskeyError::Refused);
            }
        };
        if verified.credential_id != stored.credential_id {
            return Err(PasskeyError::Refused);
        }
        self.record_use(&stored, &verified).await?;
        let mut passkey = summary(&stored);
        passkey.synced = verified.backup_eligible;
        passkey.last_used_at = Some(Utc::now());
        Ok(Proof { user, passkey, user_verified: verified.user_verified })
    }

    /// Keeps the assertion's counter and flags; an assertion accepted meanwhile with the
    /// same counter (a replayed or cloned one) loses.
    async fn record_use(&self, stored: &StoredPasskey, verified: &Verified) -> Result<(), PasskeyError> {
        let used = PasskeyUse {
            credential: &verified.updated_credential,
            sign_count: verified.sign_count,
            backup_state: verified.backup_state,
            backup_eligible: verified.backup_eligible,
            at: Utc::now(),
        };
        match self.store.use_passkey(stored.id, stored.sign_count, &used).await? {
            true => Ok(()),
            false if verified.sign_count > 0 => {
                tracing::warn!(user = %stored.user_id, passkey = %stored.id, "passkey counter raced: possibly cloned");
                Err(PasskeyError::CounterRegressed)
            }
            // No counter to compare, and the row is gone: removed meanwhile.
            false => Err(PasskeyError::Refused),
        }
    }

    pub async fn rename(&self, user_id: Uuid, id: Uuid, name: &str) -> Result<String, PasskeyError> {
        let name = parse_name(name)?;
        match self.store.rename_passkey(user_id, id, &name).await? {
            true => Ok(name),
            false => Err(PasskeyError::NotFound),
        }
    }

    pub async fn remove(&self, user_id: Uuid, id: Uuid) -> Result<Summary, PasskeyError> {
        let removed = self.store.delete_passkey(user_id, id).await?;
        removed.as_ref().map(summary).ok_or(PasskeyError::NotFound)
    }
}

/// A name as typed: trimmed, not empty, at most `NAME_MAX_CHARS`, no control characters.
pub fn parse_name(name: &str) -> Result<String, PasskeyError> {
    let name = name.trim();
    let fits = !name.is_empty() && name.chars().count() <= NAME_MAX_CHARS;
    match fits && !name.chars().any(char::is_control) {
        true => Ok(name.to_owned()),
        false => Err(PasskeyError::InvalidName),
    }
}

/// Whether a session may add or remove a passkey. Once an account has a second factor, a
/// session that proved only a password cannot add one (which would then pass as the
/// second factor) nor take one away; a first passkey needs only the signed-in session, as
/// a first TOTP enrolment does.
pub fn may_change_factors(session_proved_second_factor: bool, has_second_factor: bool) -> bool {
    session_proved_second_factor || !has_second_factor
}

/// The throttle's key for passkey assertions, apart from passwords and TOTP codes.
fn throttle_key(user_id: Option<Uuid>) -> String {
    match user_id {
        Some(id) => format!("passkey:{id}"),
        None => "passkey:unknown".to_owned(),
    }
}

fn summary(stored: &StoredPasskey) -> Summary {
    Summary {
        id: stored.id,
        name: stored.name.clone(),
        created_at: stored.created_at,
        last_used_at: stored.last_used_at,
        synced: stored.backup_eligible,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Laptop  ").unwrap(), "Laptop");
        assert!(matches!(parse_name("   "), Err(PasskeyError::InvalidName)));
        assert!(matches!(parse_name(&"x".repeat(NAME_MAX_CHARS + 1)), Err(PasskeyError::InvalidName)));
        assert_eq!(parse_name(&"é".repeat(NAME_MAX_CHARS)).unwrap().chars().count(), NAME_MAX_CHARS);
        assert!(matches!(parse_name("a\u{7}b"), Err(PasskeyError::InvalidName)));
    }

    #[test]
    fn a_password_alone_cannot_change_the_factors_of_an_account_that_has_one() {
        assert!(may_change_factors(false, false), "the first factor");
        assert!(!may_change_factors(false, true), "a stolen password adds no passkey");
        assert!(may_change_factors(true, true));
    }

    #[test]
    fn a_conflict_is_a_passkey_registered_already() {
        assert!(matches!(PasskeyError::from(StoreError::Conflict("passkey")), PasskeyError::AlreadyRegistered));
    }
}
