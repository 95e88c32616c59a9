//! Signing in at an upstream (SPEC §5): `GET /upstream/{slug}/start` sends the browser to
//! the upstream with `state`, `nonce` and PKCE; `GET /upstream/{slug}/callback` takes the
//! flow state once, exchanges the code, validates what came back and finds the hub user.
//! Both end by handing the app's authorization request back to the flow
//! (`oidc::authorize::resume`): signed in, or failed with the reason, which the flow
//! shows on the login page or, when the login page was skipped, sends to the app.

use crate::telemetry::metrics::{self, SignInMethod, SignInOutcome};
use std::time::Duration;

use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

use super::UpstreamError;
use super::identity;
use super::linking::{self, LinkError};
use super::metadata::{self, ResolvedUpstream};
use super::upstream_client::{Asked, UpstreamClient};
use crate::domain::Prompt;
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::social_login_key::SocialLoginKey;
use crate::http::{cookies, extract, page};
use crate::oidc::authorize::{self, Caller, Interaction, Outcome, PendingAuthorization, SignIn};
use crate::oidc::{ErrorCode, OAuthError, paths};
use crate::secrets::constant_time_eq;
use crate::session::Space;
use crate::session::browser::{Authentication, UpstreamLogin};
use crate::state::AppState;

/// How long a person may take at the upstream, at most.
const FLOW_TTL: Duration = Duration::from_secs(600);

/// One sign-in at an upstream in flight, under its `state`, taken once by the callback.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct FlowState {
    pub slug: String,
    /// The pending authorization request it will resume (empty when linking).
    pub interaction: String,
    /// The browser that started it; the callback must come back to the same one.
    pub browser: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// A signed-in user linking this upstream to their account (`link_account`), not a
    /// sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_to: Option<uuid::Uuid>,
}

/// "Continue with …" on the login page, or the flow sending the browser straight here.
#[handler]
pub async fn start(req: &Request, Path(slug): Path<String>, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let found = authorize::interaction(state, req, params.get("interaction"), Caller::Upstream(&slug)).await;
    let interaction = match found {
        Ok(interaction) => interaction,
        Err(response) => return response,
    };
    match begin(state, &interaction, &slug).await {
        Ok(url) => page::see_other(&url),
        Err(failure) => fail(state, req, interaction, failure).await,
    }
}

/// Starts the sign-in at the key `slug`; returns where to send the browser.
async fn begin(state: &AppState, interaction: &Interaction, slug: &str) -> Result<String, Failure> {
    let pending = &interaction.pending;
    let usable = usable_key(state, pending, slug).await?;
    let key = &usable.key;
    let upstream = metadata::resolve(&state.outbound, key).await.map_err(|e| Failure::upstream(key, e))?;
    let client = upstream_client(state, &usable, &upstream);
    let request = &pending.request;
    let asked = Asked {
        login_hint: request.login_hint.as_deref(),
        fresh_login: request.prompts(Prompt::Login) || request.prompts(Prompt::SelectAccount),
        max_age: request.max_age,
    };
    let authorization = client.authorization_request(&asked).map_err(|e| Failure::upstream(key, e))?;
    let flow_state = FlowState {
        slug: key.slug.clone(),
        interaction: interaction.id.clone(),
        browser: pending.browser.clone(),
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        link_to: None,
    };
    let ttl = FLOW_TTL.min(crate::config::Settings::secs(state.settings.interaction_ttl_secs));
    state.sessions.put(Space::UpstreamFlow, &authorization.state, &flow_state, ttl).await.map_err(Failure::internal)?;
    tracing::info!(key = %key.slug, client_id = %request.client_id, "upstream sign-in started");
    Ok(authorization.url)
}

/// Where the upstream sends the browser back (the redirect URI registered there).
#[handler]
pub async fn callback(req: &Request, Path(slug): Path<String>, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let expired = || authorize::expired(state);
    let Some(state_param) = params.get("state") else { return expired() };
    // Taken once: a replayed callback finds nothing.
    let flow_state = match state.sessions.take::<FlowState>(Space::UpstreamFlow, state_param).await {
        Ok(Some(found)) => found,
        Ok(None) => return expired(),
        Err(error) => return page::internal_error(state, &error),
    };
    let browser = cookies::read(req, &state.settings, cookies::Cookie::Browser).unwrap_or_default();
    if flow_state.slug != slug || !constant_time_eq(flow_state.browser.as_bytes(), browser.as_bytes()) {
        tracing::warn!(key = %slug, "upstream callback from another browser or for another key");
        return expired();
    }
    if let Some(user_id) = flow_state.link_to {
        return super::link_account::complete(state, req, &params, flow_state, user_id).await;
    }
    let found = authorize::interaction(state, req, Some(&flow_state.interaction), Caller::Upstream(&slug)).await;
    let interaction = match found {
        Ok(interaction) => interaction,
        Err(response) => return response,
    };
    match identify(state, req, &params, flow_state, &interaction.pending).await {
        Ok(sign_in) => authorize::resume(state, req, interaction, Outcome::SignedIn(sign_in)).await,
        Err(failure) => fail(state, req, interaction, failure).await,
    }
}

/// The callback's work: the upstream's answer, validated, mapped and linked to a user.
async fn identify(
    state: &AppState,
    req: &Request,
    params: &extract::Params,
    flow_state: FlowState,
    pending: &PendingAuthorization,
) -> Result<SignIn, Failure> {
    let usable = usable_key(state, pending, &flow_state.slug).await?;
    let key = &usable.key;
    let (identity, upstream) = upstream_identity(state, &usable, params, &flow_state).await?;
    if upstream.openid
        && let Some(max_age) = pending.request.max_age
    {
        check_max_age(max_age, identity.auth_time).map_err(|e| Failure::upstream(key, e))?;
    }
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let (user, outcome) = match linking::resolve(state, key, &identity, &address).await {
        Ok(found) => found,
        Err(LinkError::Refused(refusal)) => {
            return Err(Failure::Refused { key: key.slug.clone(), reason: refusal.to_string() });
        }
        Err(LinkError::Store(error)) => return Err(Failure::internal(error)),
    };
    tracing::info!(key = %key.slug, user = %user.id, ?outcome, "signed in at upstream");
    metrics::sign_in(SignInMethod::Upstream, SignInOutcome::Success);
    let actor = Actor::User { id: user.id, username: user.username.clone() };
    let record = AuditRecord::new("login.upstream", actor)
        .user(user.id)
        .client(&pending.request.client_id)
        .target(format!("social-login-key:{}", key.slug))
        .address(&address);
    state.audit(record).await;
    // Only a key trusted to say so can vouch for a second factor (issue 13); then the
    // session says so in the hub's words too (`mfa`, and acr 2 where the upstream named none).
    let second_factor =
        key.trust_mfa && crate::domain::sign_in::asserts_second_factor(&identity.amr, identity.acr.as_deref());
    let mut amr = identity.amr.clone();
    if second_factor && !amr.iter().any(|method| method == "mfa") {
        amr.push("mfa".to_owned());
    }
    let acr = match (&identity.acr, second_factor) {
        (None, true) => Some(crate::domain::sign_in::SECOND_FACTOR_ACR.to_owned()),
        (acr, _) => acr.clone(),
    };
    let authentication = Authentication {
        user_id: user.id,
        auth_time: identity.auth_time,
        amr,
        acr,
        second_factor,
        upstream: Some(UpstreamLogin {
            key: key.slug.clone(),
            subject: identity.subject.clone(),
            sid: identity.sid.clone(),
        }),
    };
    Ok(SignIn { authentication, address })
}

/// What the upstream's answer at the callback says: checked (`iss`, an error), the code
/// exchanged and the ID token or userinfo validated, mapped to an identity.
pub(super) async fn upstream_identity(
    state: &AppState,
    usable: &UsableKey,
    params: &extract::Params,
    flow_state: &FlowState,
) -> Result<(identity::MappedIdentity, ResolvedUpstream), Failure> {
    let key = &usable.key;
    let upstream = metadata::resolve(&state.outbound, key).await.map_err(|e| Failure::upstream(key, e))?;
    // RFC 9207 (mix-up defence): a response that names an issuer must name this one, and
    // an upstream that says it always names itself must have done so.
    match params.get("iss") {
        Some(iss) if upstream.issuer_template.is_none() && iss != upstream.issuer => {
            let error = UpstreamError::Invalid(format!("the response names the issuer {iss}, not {}", upstream.issuer));
            return Err(Failure::upstream(key, error));
        }
        None if upstream.names_itself => {
            let error = UpstreamError::Invalid("the response has no iss, which this upstream always sends".into());
            return Err(Failure::upstream(key, error));
        }
        _ => {}
    }
    if let Some(error) = params.get("error") {
        let refused = UpstreamError::Refused {
            error: error.chars().take(64).collect(),
            description: params.get("error_description").map(|d| d.chars().take(256).collect()),
        };
        return Err(Failure::upstream(key, refused));
    }
    let Some(code) = params.get("code") else {
        return Err(Failure::upstream(key, UpstreamError::Invalid("the response has neither code nor error".into())));
    };
    let client = upstream_client(state, usable, &upstream);
    let started = std::time::Instant::now();
    let answer = client.complete(&state.outbound, code, &flow_state.pkce_verifier, &flow_state.nonce).await;
    metrics::upstream_call(&key.slug, answer.is_ok(), started.elapsed());
    let answer = answer.map_err(|e| Failure::upstream(key, e))?;
    let identity = identity::map(key, &upstream.issuer, &answer.claims).map_err(|e| Failure::upstream(key, e))?;
    Ok((identity, upstream))
}

/// The app asked for a sign-in no older than `max_age`, and the upstream was asked the
/// same: its ID token must say when the person signed in (OIDC Core §3.1.2.1), and that
/// must be recent enough.
fn check_max_age(max_age: u64, auth_time: Option<i64>) -> Result<(), UpstreamError> {
    const SKEW_SECS: i64 = 60;
    let Some(auth_time) = auth_time else {
        return Err(UpstreamError::Invalid("max_age was asked, and the ID token has no auth_time".into()));
    };
    let age = chrono::Utc::now().timestamp() - auth_time;
    if age > i64::try_from(max_age).unwrap_or(i64::MAX).saturating_add(SKEW_SECS) {
        return Err(UpstreamError::Invalid(format!(
            "the upstream's sign-in is {age} s old, more than max_age {max_age}"
        )));
    }
    Ok(())
}

/// The key, if it may be used for this request: it exists, is enabled, and the client's
/// policy allows it.
async fn usable_key(state: &AppState, pending: &PendingAuthorization, slug: &str) -> Result<UsableKey, Failure> {
    let not_offered = || Failure::Refused {
        key: slug.to_owned(),
        reason: "This sign-in option is not available for this application.".into(),
    };
    let stored = state.store.find_social_login_key(slug).await.map_err(Failure::internal)?;
    let stored = stored.filter(|stored| stored.key.enabled).ok_or_else(not_offered)?;
    let client = state.store.find_client(&pending.request.client_id).await.map_err(Failure::internal)?;
    let client = client.ok_or_else(not_offered)?.client;
    if !client.allows_social_login_key(slug) {
        return Err(not_offered());
    }
    let secret = super::client_secret(&state.master, &stored).map_err(Failure::Internal)?;
    Ok(UsableKey { key: stored.key, secret })
}

/// A key this request may use, with its client secret opened.
pub(super) struct UsableKey {
    pub key: SocialLoginKey,
    pub secret: Option<String>,
}

pub(super) fn upstream_client<'a>(
    state: &AppState,
    usable: &'a UsableKey,
    upstream: &'a ResolvedUpstream,
) -> UpstreamClient<'a> {
    let redirect_uri = state.settings.endpoint(&paths::Upstream::of(&usable.key.slug).callback);
    UpstreamClient::new(&usable.key, upstream, usable.secret.clone(), redirect_uri)
}

/// Why a sign-in at an upstream did not complete.
#[derive(Debug)]
pub enum Failure {
    /// The upstream failed or misbehaved; the detail is for the log and the audit.
    Upstream {
        key: String,
        display_name: String,
        error: UpstreamError,
    },
    /// The hub's policy refused the identity; the reason is for the person.
    Refused {
        key: String,
        reason: String,
    },
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl Failure {
    pub(super) fn upstream(key: &SocialLoginKey, error: UpstreamError) -> Self {
        Failure::Upstream { key: key.slug.clone(), display_name: key.display_name.clone(), error }
    }

    pub(super) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Failure::Internal(Box::new(error))
    }

    /// What the person is told; never a secret, never an upstream's internals.
    pub fn message(&self) -> String {
        match self {
            Failure::Upstream { display_name, error: UpstreamError::Refused { error, .. }, .. }
                if error == "access_denied" =>
            {
                format!("{provider} did not sign you in: access was denied or cancelled.", provider = display_name)
            }
            Failure::Upstream { display_name, error: UpstreamError::Unavailable(_), .. } => {
                format!("{provider} is not answering at the moment. Please try again later.", provider = display_name)
            }
            Failure::Upstream { display_name, .. } => {
                format!(
                    "Signing in with {provider} failed. The administrator can find the details in the hub's log.",
                    provider = display_name
                )
            }
            Failure::Refused { reason, .. } => reason.clone(),
            Failure::Internal(_) => "The hub could not complete the sign-in. Please try again.".into(),
        }
    }

    fn error_code(&self) -> ErrorCode {
        match self {
            Failure::Refused { .. } | Failure::Upstream { error: UpstreamError::Refused { .. }, .. } => {
                ErrorCode::AccessDenied
            }
            Failure::Upstream { error: UpstreamError::Unavailable(_), .. } => ErrorCode::TemporarilyUnavailable,
            _ => ErrorCode::ServerError,
        }
    }
}

/// Ends a failed sign-in: logged and audited, then handed back to the flow, which shows
/// the reason on the login page or sends it to the app.
async fn fail(state: &AppState, req: &Request, interaction: Interaction, failure: Failure) -> Response {
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let client_id = interaction.pending.request.client_id.clone();
    metrics::sign_in(SignInMethod::Upstream, SignInOutcome::Failure);
    let (key, detail) = match &failure {
        Failure::Upstream { key, error, .. } => (key.clone(), error.to_string()),
        Failure::Refused { key, reason } => (key.clone(), reason.clone()),
        Failure::Internal(error) => {
            // Our own failure: logged here, and the person or the app told as for any other.
            tracing::error!(%client_id, error = %crate::telemetry::ErrorChain(error.as_ref()), "upstream sign-in failed");
            let error = OAuthError::new(failure.error_code(), failure.message());
            return authorize::resume(state, req, interaction, Outcome::Failed(error)).await;
        }
    };
    tracing::warn!(key = %key, %client_id, %detail, "upstream sign-in failed");
    let record = AuditRecord::new("login.upstream", Actor::Anonymous)
        .failed()
        .client(&client_id)
        .target(format!("social-login-key:{key}"))
        .address(&address)
        .detail(detail.chars().take(500).collect::<String>());
    state.audit(record).await;
    let error = OAuthError::new(failure.error_code(), failure.message());
    authorize::resume(state, req, interaction, Outcome::Failed(error)).await
}
