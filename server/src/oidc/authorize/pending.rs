//! An authorization request waiting for the user: validated once at `/authorize`, kept in
//! the session store while the user signs in and consents, bound to the browser that
//! started it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::respond::ResponseTarget;
use crate::domain::pkce::CodeChallenge;
use crate::domain::{Prompt, ScopeSet};
use crate::secrets::{constant_time_eq, random_token};
use crate::session::{SessionError, SessionStore, Space};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingAuthorization {
    pub client_id: String,
    pub client_name: String,
    pub target: ResponseTarget,
    pub scope: ScopeSet,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub prompt: Vec<Prompt>,
    pub max_age: Option<u64>,
    pub login_hint: Option<String>,
    /// The `sub` of a valid `id_token_hint`: the session must be this user's.
    pub expected_subject: Option<String>,
    /// The browser binding id (see `http::cookies::BROWSER`).
    pub browser: String,
    /// The user authenticated during this request (satisfies `prompt=login`, `max_age`).
    pub authenticated: bool,
    /// The user answered the consent page during this request.
    pub consented: bool,
}

impl PendingAuthorization {
    pub fn belongs_to(&self, browser: &str) -> bool {
        constant_time_eq(self.browser.as_bytes(), browser.as_bytes())
    }

    pub fn prompts(&self, prompt: Prompt) -> bool {
        self.prompt.contains(&prompt)
    }
}

pub async fn save(
    store: &SessionStore,
    id: Option<&str>,
    pending: &PendingAuthorization,
    ttl: Duration,
) -> Result<String, SessionError> {
    let id = match id {
        Some(id) => id.to_owned(),
        None => random_token().map_err(|e| SessionError::Unavailable(Box::new(e)))?,
    };
    store.put(Space::Interaction, &id, pending, ttl).await?;
    Ok(id)
}

pub async fn load(store: &SessionStore, id: &str) -> Result<Option<PendingAuthorization>, SessionError> {
    store.get(Space::Interaction, id).await
}

pub async fn finish(store: &SessionStore, id: &str) -> Result<(), SessionError> {
    store.delete(Space::Interaction, id).await
}
