//! CSRF tokens for every form (SPEC §7, §8): an HMAC of the browser's binding id and the
//! form's purpose under a key derived from the master key. Stateless, so any instance can
//! check a token another instance issued; useless in any other browser.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::secrets::constant_time_eq;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    Login,
    Consent,
    Logout,
    /// The device grant's user-code page.
    Device,
    /// The second-factor pages: a code after the password, and enrolment.
    SecondFactor,
    /// The account page's forms, and the pages of e-mailed links.
    Account,
    /// A signed-in user's own passkeys: add, rename, remove.
    AccountPasskeys,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Login => b"login",
            Purpose::Consent => b"consent",
            Purpose::Logout => b"logout",
            Purpose::Device => b"device",
            Purpose::SecondFactor => b"second-factor",
            Purpose::Account => b"account",
            Purpose::AccountPasskeys => b"account-passkeys",
        }
    }
}

pub fn token(state: &AppState, browser_id: &str, purpose: Purpose) -> String {
    URL_SAFE_NO_PAD.encode(state.master.mac(&[b"csrf", browser_id.as_bytes(), purpose.label()]))
}

pub fn verify(state: &AppState, browser_id: &str, purpose: Purpose, presented: Option<&str>) -> bool {
    let expected = token(state, browser_id, purpose);
    presented.is_some_and(|presented| constant_time_eq(expected.as_bytes(), presented.as_bytes()))
}
