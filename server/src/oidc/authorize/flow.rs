//! Where an authorization request goes next: to the login page, to the consent page, or
//! back to the client with a code. Called by `/authorize` and again by the interaction
//! pages after each step, so every path through the flow passes the same decisions.

use chrono::Utc;
use poem::Response;
use uuid::Uuid;

use super::pending::{self, PendingAuthorization, Step};
use super::respond;
use crate::domain::{Prompt, User};
use crate::oidc::code::{self, AuthorizationCode};
use crate::oidc::{ErrorCode, OAuthError, paths};
use crate::session::browser::BrowserSession;
use crate::state::AppState;

pub enum Next {
    /// Send the browser to this interaction page (login or consent).
    Interact(String),
    /// The final authorization response, success or error.
    Respond(Response),
}

pub type FlowResult = Result<Next, Box<dyn std::error::Error + Send + Sync>>;

/// The HTTP answer to a step: a redirect to the next page, the final response, or an
/// error page for our own failures.
pub fn into_response(state: &AppState, step: FlowResult) -> Response {
    match step {
        Ok(Next::Interact(location)) => crate::http::page::see_other(&location),
        Ok(Next::Respond(response)) => response,
        Err(error) => crate::http::page::internal_error(state, error.as_ref()),
    }
}

/// Decides and performs the next step for `pending`, saved under `interaction_id`.
pub async fn advance(
    state: &AppState,
    interaction_id: Option<&str>,
    pending: PendingAuthorization,
    session: Option<&BrowserSession>,
) -> FlowResult {
    let user = match session {
        Some(session) => state.store.find_user(session.user_id).await?.filter(|u| !u.disabled),
        None => None,
    };
    let (session, user) = match (session, user) {
        (Some(session), Some(user)) if !needs_login(&pending, session, &user) => (session, user),
        _ if pending.prompts(Prompt::None) => {
            return fail(state, interaction_id, &pending, ErrorCode::LoginRequired).await;
        }
        _ => return interact(state, interaction_id, pending, Step::Login).await,
    };

    if needs_consent(state, &pending, &user).await? {
        if pending.prompts(Prompt::None) {
            return fail(state, interaction_id, &pending, ErrorCode::ConsentRequired).await;
        }
        return interact(state, interaction_id, pending, Step::Consent).await;
    }

    let code = AuthorizationCode {
        client_id: pending.client_id.clone(),
        redirect_uri: pending.target.redirect_uri.clone(),
        user_id: user.id,
        scope: pending.scope.clone(),
        nonce: pending.nonce.clone(),
        code_challenge: pending.code_challenge.clone(),
        auth_time: session.auth_time,
        amr: session.amr.clone(),
        acr: session.acr.clone(),
        sid: session.sid.clone(),
        grant_id: Uuid::new_v4(),
    };
    let ttl = crate::config::Settings::secs(state.settings.authorization_code_ttl_secs);
    let value = code::issue(&state.sessions, &code, ttl).await?;
    // Back-channel logout tells each client that took part when the session ends.
    state.store.record_session_client(&session.sid, &pending.client_id).await?;
    if let Some(id) = interaction_id {
        pending::finish(&state.sessions, id).await?;
    }
    tracing::info!(client_id = %pending.client_id, user = %user.id, "authorization code issued");
    Ok(Next::Respond(respond::success(state, &pending.target, vec![("code", value)])))
}

/// The user must (re-)authenticate unless they did during this request, or their
/// session satisfies `prompt`, `max_age` and `id_token_hint`.
fn needs_login(pending: &PendingAuthorization, session: &BrowserSession, user: &User) -> bool {
    // Signed in during this request, in this very session: the login page already held
    // the user to `id_token_hint`, and the sign-in is as fresh as it gets.
    if pending.authenticated_sid.as_deref() == Some(session.sid.as_str()) {
        return false;
    }
    let too_old = pending
        .max_age
        .is_some_and(|max_age| Utc::now().timestamp() - session.auth_time > i64::try_from(max_age).unwrap_or(i64::MAX));
    let other_user = pending.expected_subject.as_ref().is_some_and(|sub| *sub != user.subject());
    pending.prompts(Prompt::Login) || pending.prompts(Prompt::SelectAccount) || too_old || other_user
}

async fn needs_consent(
    state: &AppState,
    pending: &PendingAuthorization,
    user: &User,
) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    let client = state.store.find_client(&pending.client_id).await?.map(|stored| stored.client);
    let Some(client) = client else {
        return Err("client vanished during authorization".into());
    };
    if client.skip_authorization || pending.consented_by == Some(user.id) {
        return Ok(false);
    }
    if pending.prompts(Prompt::Consent) {
        return Ok(true);
    }
    let granted = state.store.granted_scopes(user.id, &client.client_id, Utc::now()).await?;
    Ok(!granted.is_some_and(|granted| pending.scope.is_subset(&granted)))
}

async fn interact(state: &AppState, id: Option<&str>, mut pending: PendingAuthorization, step: Step) -> FlowResult {
    let ttl = crate::config::Settings::secs(state.settings.interaction_ttl_secs);
    pending.awaiting = Some(step);
    let id = pending::save(&state.sessions, id, &pending, ttl).await?;
    if step == Step::Login
        && let Some(slug) = crate::federation::routing::upstream_for(state, &pending).await?
    {
        // The login page is skipped: the upstream is the way in.
        return match crate::federation::flow::begin(state, &id, &pending, &slug, true).await {
            Ok(url) => Ok(Next::Interact(url)),
            Err(failure) => {
                tracing::warn!(key = %slug, ?failure, "could not start the upstream sign-in");
                let description = failure.message();
                fail_with(state, Some(&id), &pending, failure.error_code(), &description).await
            }
        };
    }
    let page = match step {
        Step::Login => paths::LOGIN,
        Step::Consent => paths::CONSENT,
    };
    let mut url = format!("{}?", state.settings.endpoint(page));
    url.push_str(&url::form_urlencoded::Serializer::new(String::new()).append_pair("interaction", &id).finish());
    Ok(Next::Interact(url))
}

/// Ends the request with an error sent to the client.
pub async fn fail(state: &AppState, id: Option<&str>, pending: &PendingAuthorization, code: ErrorCode) -> FlowResult {
    let description = match code {
        ErrorCode::LoginRequired => "the user is not signed in",
        ErrorCode::ConsentRequired => "the user has not consented",
        ErrorCode::AccessDenied => "the user denied the request",
        _ => "the request could not be completed",
    };
    fail_with(state, id, pending, code, description).await
}

/// Ends the request with an error and this description sent to the client.
pub async fn fail_with(
    state: &AppState,
    id: Option<&str>,
    pending: &PendingAuthorization,
    code: ErrorCode,
    description: &str,
) -> FlowResult {
    if let Some(id) = id {
        pending::finish(&state.sessions, id).await?;
    }
    Ok(Next::Respond(respond::error(state, &pending.target, &OAuthError::new(code, description.to_owned()))))
}
