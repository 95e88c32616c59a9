//! The pages a person sees during an authorization request: sign-in and consent. Each
//! step ends by handing the request back to `oidc::authorize::flow`; a sign-in, by
//! password or at an upstream, ends in `complete_sign_in`.

pub mod consent;
pub mod login;

use poem::Request;
use poem::Response;
use poem::http::StatusCode;

use crate::accounts::sessions;
use crate::domain::User;
use crate::http::cookies::Cookie;
use crate::http::{cookies, page};
use crate::oidc::ErrorCode;
use crate::oidc::authorize::pending::{self, PendingAuthorization, Step};
use crate::oidc::authorize::{flow, lifetimes};
use crate::session::browser::Authentication;
use crate::state::AppState;

/// A person who has just proved who they are.
pub struct SignedIn {
    pub user: User,
    pub authentication: Authentication,
    /// Where they signed in from.
    pub address: String,
}

/// Starts a fresh SSO session for the person (a new id, so a planted one is worthless,
/// replacing any session the browser had) and resumes the authorization request.
pub async fn complete_sign_in(
    state: &AppState,
    req: &Request,
    id: &str,
    mut pending: PendingAuthorization,
    signed_in: SignedIn,
) -> Response {
    if let Some(old) = cookies::read(req, &state.settings, Cookie::Session) {
        match sessions::sign_out(&state.store, &state.sessions, &old).await {
            Ok(ended) => crate::oidc::backchannel_logout::notify(state, ended),
            Err(error) => return page::internal_error(state, &error),
        }
    }
    let origin = sessions::Origin { address: &signed_in.address, user_agent: req.header("user-agent") };
    let started =
        sessions::sign_in(&state.store, &state.sessions, lifetimes(state), signed_in.authentication, origin).await;
    let (cookie, session) = match started {
        Ok(started) => started,
        Err(error) => return page::internal_error(state, &error),
    };
    // The app asked for a particular user (id_token_hint); someone else signing in ends
    // the request (OIDC Core §3.1.2.1), though their session stands.
    let step = if pending.expected_subject.as_ref().is_some_and(|sub| *sub != signed_in.user.subject()) {
        flow::fail(state, Some(id), &pending, ErrorCode::LoginRequired).await
    } else {
        pending.authenticated_sid = Some(session.sid.clone());
        flow::advance(state, Some(id), pending, Some(&session)).await
    };
    let mut response = flow::into_response(state, step);
    cookies::set(&mut response, &state.settings, Cookie::Session, &cookie, None);
    response
}

/// The pending request named by `interaction`, if it exists and was started by this
/// browser; otherwise the page to show instead.
pub async fn pending_for(
    state: &AppState,
    req: &Request,
    interaction: Option<&str>,
    step: Step,
) -> Result<(String, String, PendingAuthorization), Response> {
    let expired = || {
        page::error(
            state,
            StatusCode::BAD_REQUEST,
            "Sign-in expired",
            "This sign-in request has expired or was already completed. Please return to the application and start again.",
        )
    };
    let Some(id) = interaction else {
        return Err(expired());
    };
    let browser = match cookies::browser_id(req, &state.settings) {
        Ok((browser, false)) => browser,
        Ok((_, true)) => return Err(expired()),
        Err(error) => return Err(page::internal_error(state, &error)),
    };
    match pending::load(&state.sessions, id).await {
        Ok(Some(pending)) if pending.belongs_to(&browser) && pending.awaiting == Some(step) => {
            Ok((id.to_owned(), browser, pending))
        }
        Ok(_) => Err(expired()),
        Err(error) => Err(page::internal_error(state, &error)),
    }
}

/// Human descriptions of the scopes on the consent page.
pub fn describe_scope(scope: &str) -> String {
    match scope {
        "openid" => "Confirm who you are".into(),
        "profile" => "See your name and username".into(),
        "email" => "See your e-mail address".into(),
        "phone" => "See your phone number".into(),
        "address" => "See your postal address".into(),
        "groups" => "See the groups you belong to".into(),
        "offline_access" => "Keep access while you are away".into(),
        other => format!("Use the \u{201c}{other}\u{201d} permission"),
    }
}
