//! An authorization request waiting for the user: validated once at `/authorize`, kept in
//! the session store while the user signs in and consents, bound to the browser that
//! started it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    /// The Social Login Key named by `idp_hint` (or `kc_idp_hint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_hint: Option<String>,
    /// The `sub` of a valid `id_token_hint`: the session must be this user's.
    pub expected_subject: Option<String>,
    /// The browser binding id (see `http::cookies::Cookie::Browser`).
    pub browser: String,
    /// The SSO session created by signing in during this request: that session
    /// satisfies `prompt=login` and `max_age`, another one does not.
    pub authenticated_sid: Option<String>,
    /// The user who answered the consent page during this request.
    pub consented_by: Option<Uuid>,
    /// The page the request is waiting for; the other page refuses it.
    pub awaiting: Option<Step>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Login,
    Consent,
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
