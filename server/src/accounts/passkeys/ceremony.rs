//! A WebAuthn ceremony between the options the page fetched and the browser's answer:
//! kept in the session store under a random id for `CEREMONY_TTL`, bound to the browser
//! (and the pending authorization request, or the user) it was started for, and taken
//! once, so an answer can be checked only against the challenge it was made for, once.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::relying_party::{Assertion, CEREMONY_TTL, Registration};
use crate::secrets::{constant_time_eq, random_token};
use crate::session::{SessionError, SessionStore, Space};

/// What the ceremony is for.
#[derive(Serialize, Deserialize)]
pub enum Purpose {
    /// A new passkey of this user, to be called `name`.
    Register { user_id: Uuid, name: String, state: Registration },
    /// A passwordless sign-in in this pending authorization request.
    SignIn { interaction: String, state: Assertion },
    /// This user's second factor in this pending authorization request.
    SecondFactor { interaction: String, user_id: Uuid, state: Assertion },
}

#[derive(Serialize, Deserialize)]
struct Stored {
    browser: String,
    purpose: Purpose,
}

/// Keeps a ceremony started in `browser`; the id the page answers with.
pub async fn keep(sessions: &SessionStore, browser: &str, purpose: Purpose) -> Result<String, SessionError> {
    let id = random_token().map_err(|error| SessionError::Unavailable(Box::new(error)))?;
    let stored = Stored { browser: browser.to_owned(), purpose };
    sessions.put(Space::PasskeyCeremony, &id, &stored, CEREMONY_TTL).await?;
    Ok(id)
}

/// Takes the ceremony `id` if it exists and was started in `browser`. Taken either way:
/// a second answer (or one from another browser) finds nothing.
pub async fn take(sessions: &SessionStore, id: &str, browser: &str) -> Result<Option<Purpose>, SessionError> {
    if id.is_empty() {
        return Ok(None);
    }
    let stored: Option<Stored> = sessions.take(Space::PasskeyCeremony, id).await?;
    Ok(stored.filter(|stored| constant_time_eq(stored.browser.as_bytes(), browser.as_bytes())).map(|s| s.purpose))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::passkeys::relying_party::RelyingParty;

    #[tokio::test]
    async fn a_ceremony_is_taken_once_and_only_by_its_browser() {
        let sessions = SessionStore::in_memory();
        let hub = RelyingParty::for_issuer(&url::Url::parse("http://localhost:8080").unwrap()).unwrap();
        let (_, state) = hub.start_discoverable().unwrap();
        let id = keep(&sessions, "browser-a", Purpose::SignIn { interaction: "i1".into(), state }).await.unwrap();
        assert!(take(&sessions, &id, "browser-b").await.unwrap().is_none(), "another browser's");
        assert!(take(&sessions, &id, "browser-a").await.unwrap().is_none(), "taken by the attempt above");

        let (_, state) = hub.start_discoverable().unwrap();
        let id = keep(&sessions, "browser-a", Purpose::SignIn { interaction: "i1".into(), state }).await.unwrap();
        assert!(matches!(take(&sessions, &id, "browser-a").await.unwrap(), Some(Purpose::SignIn { .. })));
        assert!(take(&sessions, &id, "browser-a").await.unwrap().is_none(), "once");
        assert!(take(&sessions, "", "browser-a").await.unwrap().is_none());
    }
}
