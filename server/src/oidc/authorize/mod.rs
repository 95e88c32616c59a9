//! `GET|POST /authorize` (OIDC Core §3.1.2): parse, check, remember the request, then
//! let `flow` decide between login, consent and the response.

mod checks;
pub mod flow;
pub mod pending;
pub mod respond;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use crate::http::cookies::Cookie;
use crate::http::{cookies, extract, page};
use crate::session::browser;
use crate::state::AppState;
use checks::AuthorizeError;
use pending::PendingAuthorization;

#[handler]
pub async fn endpoint(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::request_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let request = match checks::validate(state, &params).await {
        Ok(request) => request,
        Err(AuthorizeError::Render { title, message }) => {
            return page::error(state, StatusCode::BAD_REQUEST, title, &message);
        }
        Err(AuthorizeError::Redirect { target, error }) => {
            return respond::error(state, &target, &error);
        }
        Err(AuthorizeError::Internal(error)) => return page::internal_error(state, error.as_ref()),
    };
    let (browser_id, new_browser) = match cookies::browser_id(req, &state.settings) {
        Ok(found) => found,
        Err(error) => return page::internal_error(state, &error),
    };
    let session = match cookies::read(req, &state.settings, Cookie::Session) {
        Some(cookie) => match browser::resume(&state.sessions, lifetimes(state), &cookie).await {
            Ok(session) => session,
            Err(error) => return page::internal_error(state, &error),
        },
        None => None,
    };
    let pending = PendingAuthorization {
        client_id: request.client.client_id.clone(),
        client_name: request.client.client_name.clone(),
        target: request.target,
        scope: request.scope,
        nonce: request.nonce,
        code_challenge: request.code_challenge,
        prompt: request.prompt,
        max_age: request.max_age,
        login_hint: request.login_hint,
        idp_hint: request.idp_hint,
        expected_subject: request.expected_subject,
        browser: browser_id.clone(),
        authenticated_sid: None,
        consented_by: None,
        awaiting: None,
    };
    let mut response = flow::into_response(state, flow::advance(state, None, pending, session.as_ref()).await);
    if new_browser {
        cookies::set(&mut response, &state.settings, Cookie::Browser, &browser_id, None);
    }
    response
}

pub fn lifetimes(state: &AppState) -> browser::Lifetimes {
    browser::Lifetimes {
        idle: crate::config::Settings::secs(state.settings.session_idle_ttl_secs),
        absolute: crate::config::Settings::secs(state.settings.session_absolute_ttl_secs),
    }
}
