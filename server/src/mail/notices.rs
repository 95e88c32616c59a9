//! The notice that follows a change to an account (a new password, a removed factor …),
//! so that a person whose account was taken over hears of it. Sent only to a verified
//! address: an unverified one may be anyone's.

use super::{Change, Letter, Mailer};
use crate::domain::User;

/// Tells `user` of `change`, made from `address`, where the hub sends e-mail.
pub fn notify(mailer: Option<&Mailer>, user: &User, change: Change, address: &str) {
    let (Some(mailer), Some(email)) = (mailer, &user.email) else { return };
    if user.email_verified {
        notify_at(mailer, email, user, change, address);
    }
}

/// As `notify`, to an address the user had until now (after a change of address).
pub fn notify_at(mailer: &Mailer, email: &str, user: &User, change: Change, address: &str) {
    let letter = Letter::Changed { username: user.username.clone(), change, address: address.to_owned() };
    mailer.send(email, user.claims.locale.as_deref(), letter);
}
