//! `GET|POST /login`: the password form. A successful login starts a fresh SSO session
//! (a new id, so a planted one is worthless) and resumes the authorization request.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::json;

use crate::accounts::{self, LoginError, sessions};
use crate::domain::audit::{Actor, AuditRecord};
use crate::http::cookies::Cookie;
use crate::http::csrf::{self, Purpose};
use crate::http::{cookies, extract, page};
use crate::oidc::ErrorCode;
use crate::oidc::authorize::flow;
use crate::oidc::authorize::lifetimes;
use crate::oidc::authorize::pending::{PendingAuthorization, Step};
use crate::oidc::paths;
use crate::state::AppState;

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    match super::pending_for(state, req, params.get("interaction"), Step::Login).await {
        Ok((id, browser, pending)) => {
            let username = pending.login_hint.clone().unwrap_or_default();
            form(state, StatusCode::OK, &id, &browser, &pending, &username, None)
        }
        Err(response) => response,
    }
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::form_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (id, browser, mut pending) = match super::pending_for(state, req, params.get("interaction"), Step::Login).await
    {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !csrf::verify(state, &browser, Purpose::Login, params.get("csrf_token")) {
        return page::error(
            state,
            StatusCode::FORBIDDEN,
            "Request expired",
            "Please reload the sign-in page and try again.",
        );
    }
    let username = params.get("username").unwrap_or_default().trim();
    let password = params.get("password").unwrap_or_default();
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let user =
        match accounts::authenticate(&state.store, &state.passwords, &state.throttle, username, password, &address)
            .await
        {
            Ok(user) => user,
            Err(LoginError::InvalidCredentials { known_user }) => {
                tracing::info!(client_id = %pending.client_id, %address, "sign-in failed");
                let mut record = failed_login(&pending, &address, "invalid username or password");
                if let Some(id) = known_user {
                    record = record.user(id);
                }
                state.audit(record).await;
                let message = "Invalid username or password.";
                return form(state, StatusCode::UNAUTHORIZED, &id, &browser, &pending, username, Some(message));
            }
            Err(LoginError::Throttled) => {
                tracing::warn!(client_id = %pending.client_id, %address, "sign-in throttled");
                state.audit(failed_login(&pending, &address, "throttled: too many failed attempts")).await;
                let message = "Too many failed attempts. Please wait a few minutes and try again.";
                return form(state, StatusCode::TOO_MANY_REQUESTS, &id, &browser, &pending, username, Some(message));
            }
            Err(error) => return page::internal_error(state, &error),
        };

    if let Some(old) = cookies::read(req, &state.settings, Cookie::Session)
        && let Err(error) = sessions::sign_out(&state.store, &state.sessions, &old).await
    {
        return page::internal_error(state, &error);
    }
    let origin = sessions::Origin { address: &address, user_agent: req.header("user-agent") };
    let amr = vec!["pwd".to_owned()];
    let (cookie, session) =
        match sessions::sign_in(&state.store, &state.sessions, lifetimes(state), user.id, amr, origin).await {
            Ok(started) => started,
            Err(error) => return page::internal_error(state, &error),
        };
    tracing::info!(client_id = %pending.client_id, user = %user.id, %address, "signed in");
    let actor = Actor::User { id: user.id, username: user.username.clone() };
    let record = AuditRecord::new("login.password", actor).user(user.id).client(&pending.client_id).address(&address);
    state.audit(record).await;
    // The app asked for a particular user (id_token_hint); someone else signing in ends
    // the request (OIDC Core §3.1.2.1), though their session stands.
    let step = if pending.expected_subject.as_ref().is_some_and(|sub| *sub != user.subject()) {
        flow::fail(state, Some(&id), &pending, ErrorCode::LoginRequired).await
    } else {
        pending.authenticated_sid = Some(session.sid.clone());
        flow::advance(state, Some(&id), pending, Some(&session)).await
    };
    let mut response = flow::into_response(state, step);
    cookies::set(&mut response, &state.settings, Cookie::Session, &cookie, None);
    response
}

/// The audit record of a refused sign-in; the username typed is not in it (it may be a
/// mistyped password).
fn failed_login(pending: &PendingAuthorization, address: &str, why: &str) -> AuditRecord {
    AuditRecord::new("login.password", Actor::Anonymous)
        .failed()
        .client(&pending.client_id)
        .address(address)
        .detail(why)
}

fn form(
    state: &AppState,
    status: StatusCode,
    interaction: &str,
    browser: &str,
    pending: &PendingAuthorization,
    username: &str,
    error: Option<&str>,
) -> Response {
    let context = json!({
        "action": state.settings.endpoint(paths::LOGIN),
        "csrf_token": csrf::token(state, browser, Purpose::Login),
        "interaction": interaction,
        "username": username,
        "error": error,
        "client_name": pending.client_name,
        // Federation fills this with the enabled Social Login Keys.
        "social_login_keys": Vec::<serde_json::Value>::new(),
    });
    page::render(state, status, "login.html", &context)
}
