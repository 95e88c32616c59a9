//! An authorization request waiting for the user: validated once at `/authorize`, kept in
//! the session store while the user signs in and consents, bound to the browser that
//! started it, and taken back up by `resume` after each step.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::claims_request::AcrRequest;
use crate::domain::pkce::CodeChallenge;
use crate::domain::{Prompt, ResponseMode, ResponseType, ScopeSet};
use crate::oidc::ErrorCode;
use crate::secrets::{constant_time_eq, random_token};
use crate::session::{SessionError, SessionStore, Space};

/// What the app asked for, as it passed every check (OIDC Core §3.1.2.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    /// What the response carries; requests saved before the hub knew other flows are
    /// code flow requests.
    #[serde(default = "code_flow")]
    pub response_type: ResponseType,
    pub client_id: String,
    pub client_name: String,
    /// The client registered itself (RFC 7591): the consent page says so.
    #[serde(default)]
    pub unverified_client: bool,
    pub target: Recipient,
    pub scope: ScopeSet,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub prompt: Vec<Prompt>,
    pub max_age: Option<u64>,
    pub login_hint: Option<String>,
    /// The languages the app asks the pages to be in (`ui_locales`), most wanted first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales: Option<String>,
    /// The Social Login Key named by `idp_hint` (or `kc_idp_hint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_hint: Option<String>,
    /// The `sub` of a valid `id_token_hint`: the session must be this user's.
    pub expected_subject: Option<String>,
    /// User claims the `claims` parameter asks for in the ID token.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_token_claims: Vec<String>,
    /// What `acr_values` or a claims request for `acr` asks of the sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<AcrRequest>,
}

fn code_flow() -> ResponseType {
    ResponseType::Code
}

impl AuthorizationRequest {
    pub fn prompts(&self, prompt: Prompt) -> bool {
        self.prompt.contains(&prompt)
    }
}

/// Who hears the answer: the app at its redirect URI, or a device that polls the token
/// endpoint for it (RFC 8628). Untagged, so requests saved as redirects still read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Recipient {
    Redirect(ResponseTarget),
    Device(DeviceTarget),
}

/// The device authorization a request started from the user-code page answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceTarget {
    /// The device code's digest (`oidc::device`), never the code.
    pub device: String,
}

/// Where and how the app's response goes. Only built after the client and its redirect
/// URI were verified.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseTarget {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub state: Option<String>,
}

/// A request between two steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingAuthorization {
    #[serde(flatten)]
    pub request: AuthorizationRequest,
    /// The browser binding id (see `http::cookies::Cookie::Browser`).
    pub browser: String,
    #[serde(default)]
    pub progress: Progress,
}

/// What has happened to the request so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    /// The SSO session created by signing in during this request: that session
    /// satisfies `prompt=login` and `max_age`, another one does not.
    pub signed_in_sid: Option<String>,
    /// The user who answered the consent page during this request.
    pub consented_by: Option<Uuid>,
    /// The step the request waits for; a page of another step refuses it.
    pub awaiting: Option<Awaiting>,
    /// Why the last sign-in failed, for the login page to say once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
}

/// The step a pending request waits for. A sign-in also says where its failure goes:
/// back to the login page (the person chose the way in and may choose another), or back
/// to the app as an OAuth error (the login page was skipped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Awaiting {
    /// A sign-in on the login page, or at an upstream chosen there.
    LoginPage,
    /// The sign-in at this Social Login Key, where the flow sent the browser straight.
    Upstream(String),
    /// A code of the user's second factor.
    SecondFactor,
    /// The enrolment of a second factor the user must have.
    SecondFactorEnrolment,
    Consent,
}

/// Who asks for a pending request: the page or sign-in method about to work on it.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    LoginPage,
    /// The sign-in at the Social Login Key with this slug (start or callback).
    Upstream(&'a str),
    SecondFactorPage,
    EnrolmentPage,
    ConsentPage,
}

impl Awaiting {
    /// Whether `caller` may work on a request waiting for this step.
    pub fn admits(&self, caller: Caller<'_>) -> bool {
        match (self, caller) {
            (Awaiting::LoginPage, Caller::LoginPage | Caller::Upstream(_)) => true,
            (Awaiting::Upstream(slug), Caller::Upstream(asked)) => slug == asked,
            (Awaiting::SecondFactor, Caller::SecondFactorPage) => true,
            (Awaiting::SecondFactorEnrolment, Caller::EnrolmentPage) => true,
            (Awaiting::Consent, Caller::ConsentPage) => true,
            _ => false,
        }
    }
}

/// A failed sign-in, as the login page shows it (never a secret or an upstream's detail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub code: ErrorCode,
    pub message: String,
}

impl PendingAuthorization {
    pub fn new(request: AuthorizationRequest, browser: String) -> Self {
        Self { request, browser, progress: Progress::default() }
    }

    pub fn belongs_to(&self, browser: &str) -> bool {
        constant_time_eq(self.browser.as_bytes(), browser.as_bytes())
    }
}

/// Saves the request under `id`, or under a new id; returns the id.
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

/// The request is answered: it cannot be resumed again.
pub async fn forget(store: &SessionStore, id: &str) -> Result<(), SessionError> {
    store.delete(Space::Interaction, id).await
}
