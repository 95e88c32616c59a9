//! The app's own sessions, in memory (one process; a real app keeps them in its database
//! or Redis). A session is waiting for the hub's answer, or signed in.

use std::collections::HashMap;
use std::sync::Mutex;

use openidconnect::core::CoreIdToken;
use openidconnect::{CsrfToken, Nonce, PkceCodeVerifier};

/// A sign-in sent to the hub: what its answer must match.
pub struct Pending {
    pub state: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
}

/// A signed-in user, as the ID token and userinfo described them.
#[derive(Clone)]
pub struct SignedIn {
    pub username: String,
    pub email: String,
    /// Sent back as `id_token_hint` when the user logs out.
    pub id_token: CoreIdToken,
    pub access_token: String,
    /// The hub's session, which its logout tokens name.
    pub sid: Option<String>,
}

pub enum Session {
    Pending(Pending),
    SignedIn(Box<SignedIn>),
}

#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    pub fn put(&self, id: String, session: Session) {
        self.lock().insert(id, session);
    }

    pub fn signed_in(&self, id: &str) -> Option<SignedIn> {
        match self.lock().get(id) {
            Some(Session::SignedIn(user)) => Some(SignedIn::clone(user)),
            _ => None,
        }
    }

    pub fn take(&self, id: &str) -> Option<Session> {
        self.lock().remove(id)
    }

    /// Ends every session of the hub session `sid` (a back-channel logout); how many.
    pub fn end_hub_session(&self, sid: &str) -> usize {
        let mut sessions = self.lock();
        let before = sessions.len();
        sessions.retain(|_, session| !matches!(session, Session::SignedIn(user) if user.sid.as_deref() == Some(sid)));
        before - sessions.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
