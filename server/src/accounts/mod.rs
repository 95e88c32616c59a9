//! Local accounts: password checks that cost the same for known and unknown users, and
//! throttling of failed logins per account and per address (SPEC §8), the second
//! factor (TOTP and recovery codes), passkeys (WebAuthn), and the single-use links the
//! hub e-mails.

pub mod links;
pub mod passkeys;
pub mod password;
pub mod second_factor;
mod throttle;
mod totp;

pub use passkeys::{PasskeyError, Passkeys};
pub use password::{PasswordError, Passwords};
pub use second_factor::{Proof, SecondFactorError, SecondFactors};
pub use throttle::{LoginThrottle, Throttled};
pub use totp::Provisioning;

use crate::domain::User;
use crate::session::SessionError;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown user, wrong password, no password, or a disabled user: one answer for all.
    /// The id of a known user is kept for the audit log, never shown.
    #[error("invalid username or password")]
    InvalidCredentials { known_user: Option<uuid::Uuid> },
    /// Too many failures from this address (at this account): try again after the wait.
    #[error("too many failed sign-in attempts")]
    Throttled { retry_after: std::time::Duration },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

/// Whether `email` is verified for exactly one user, so that it can name that user to an
/// app that finds accounts by address alone (a Frappe site, or an app reading the `email`
/// of its logout tokens). The hub lets several users hold one address; such apps must not
/// be told it, or one user would be signed in as another. Compared without case.
pub async fn email_names_one_user(store: &Store, email: &str) -> Result<bool, StoreError> {
    Ok(store.users_with_email(email, true, 2).await?.len() == 1)
}

/// Checks a username and password. The password hash is computed whether or not the user
/// exists, so response time does not reveal which usernames are taken.
pub async fn authenticate(
    store: &Store,
    passwords: &Passwords,
    throttle: &LoginThrottle,
    username: &str,
    password: &str,
    address: &str,
) -> Result<User, LoginError> {
    if let Throttled::Wait(retry_after) = throttle.check(username, address).await? {
        return Err(LoginError::Throttled { retry_after });
    }
    let found = store.find_user_for_login(username).await?;
    let hash = found.as_ref().and_then(|f| f.password_hash.clone());
    let matches = passwords.verify(password, hash).await?;
    match found {
        Some(found) if matches && !found.disabled => {
            throttle.succeeded(username, address).await?;
            // Loaded only now, so a known username costs the same as an unknown one
            // until the password is right.
            store.find_user(found.id).await?.ok_or(LoginError::InvalidCredentials { known_user: Some(found.id) })
        }
        found => {
            throttle.failed(username, address).await?;
            Err(LoginError::InvalidCredentials { known_user: found.map(|f| f.id) })
        }
    }
}
