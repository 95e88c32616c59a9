//! `GET|POST /login`: the password form. A successful login starts a fresh SSO session
//! (a new id, so a planted one is worthless) and resumes the authorization request.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::json;

use crate::accounts::{self, LoginError};
use crate::http::csrf::{self, Purpose};
use crate::http::{cookies, extract, page};
use crate::oidc::authorize::flow::{self, Next};
use crate::oidc::authorize::{lifetimes, pending::PendingAuthorization};
use crate::oidc::paths;
use crate::session::browser;
use crate::state::AppState;

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => {
            return page::error(state, StatusCode::BAD_REQUEST, "Invalid request", &error.to_string());
        }
    };
    match super::pending_for(state, req, params.get("interaction")).await {
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
        Err(error) => {
            return page::error(state, StatusCode::BAD_REQUEST, "Invalid request", &error.to_string());
        }
    };
    let (id, browser, mut pending) = match super::pending_for(state, req, params.get("interaction")).await {
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
            Err(LoginError::InvalidCredentials) => {
                tracing::info!(client_id = %pending.client_id, %address, "sign-in failed");
                let message = "Invalid username or password.";
                return form(state, StatusCode::UNAUTHORIZED, &id, &browser, &pending, username, Some(message));
            }
            Err(LoginError::Throttled) => {
                tracing::warn!(client_id = %pending.client_id, %address, "sign-in throttled");
                let message = "Too many failed attempts. Please wait a few minutes and try again.";
                return form(state, StatusCode::TOO_MANY_REQUESTS, &id, &browser, &pending, username, Some(message));
            }
            Err(error) => return page::internal_error(state, &error),
        };

    if let Some(old) = extract::cookie(req, cookies::SESSION)
        && let Err(error) = browser::end(&state.sessions, &old).await
    {
        return page::internal_error(state, &error);
    }
    let (cookie, session) = match browser::start(&state.sessions, lifetimes(state), user.id, vec!["pwd".into()]).await {
        Ok(started) => started,
        Err(error) => return page::internal_error(state, &error),
    };
    tracing::info!(client_id = %pending.client_id, user = %user.id, %address, "signed in");
    pending.authenticated = true;
    let mut response = match flow::advance(state, Some(&id), pending, Some(&session)).await {
        Ok(Next::Interact(location)) => page::see_other(&location),
        Ok(Next::Respond(response)) => response,
        Err(error) => page::internal_error(state, error.as_ref()),
    };
    cookies::set(&mut response, &state.settings, cookies::SESSION, &cookie, None);
    response
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
