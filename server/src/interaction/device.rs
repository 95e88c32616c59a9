//! `GET|POST /device`: the user-code page of the device grant (RFC 8628 §3.3). The person
//! types the code their device shows, or follows the device's link that carries it
//! (`?user_code=`, §3.3.1). The page then names the app and shows the code again, to be
//! compared with the device before anything happens (§5.4: a code that someone sent is
//! a phishing attempt). "Continue" takes the code and hands it to `oidc::authorize`,
//! which signs the person in and asks for consent as for any app. A code that is not
//! valid is an error on the page; issue 12 adds per-address limits on such failures.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use crate::domain::client::ClientOrigin;
use crate::domain::user_code::UserCode;
use crate::http::cookies::{self, Cookie};
use crate::http::csrf::{self, Purpose};
use crate::http::page::{DeviceConfirmPage, DevicePage};
use crate::http::{extract, page};
use crate::oidc::device::{self, Found};
use crate::oidc::{authorize, paths};
use crate::state::AppState;

const INVALID: &str =
    "That code is not valid, has expired or was already used. Check the code on your device and try again.";

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (browser, new_browser) = match cookies::browser_id(req, &state.settings) {
        Ok(found) => found,
        Err(error) => return page::internal_error(state, &error),
    };
    let mut response = match params.get("user_code") {
        Some(typed) => look_up(state, &browser, typed).await,
        None => entry(state, &browser, StatusCode::OK, "", None),
    };
    // The form's CSRF token is bound to the browser.
    if new_browser {
        cookies::set(&mut response, &state.settings, Cookie::Browser, &browser, None);
    }
    response
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::form_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let browser = match cookies::browser_id(req, &state.settings) {
        Ok((browser, false)) => Some(browser),
        Ok((_, true)) => None,
        Err(error) => return page::internal_error(state, &error),
    };
    let Some(browser) = browser.filter(|b| csrf::verify(state, b, Purpose::Device, params.get("csrf_token"))) else {
        return page::csrf_refused(state, "Please reload the page and enter the code again.");
    };
    let typed = params.get("user_code").unwrap_or_default();
    match params.get("step") {
        Some("confirm") => confirm(state, req, &browser, typed).await,
        _ => look_up(state, &browser, typed).await,
    }
}

/// The confirmation page for a live code; the code stays unused until "Continue".
async fn look_up(state: &AppState, browser: &str, typed: &str) -> Response {
    let Some(code) = UserCode::parse(typed) else { return invalid(state, browser, typed) };
    let found = match device::find(&state.sessions, &code).await {
        Ok(Some(found)) => found,
        Ok(None) => return invalid(state, browser, typed),
        Err(error) => return page::internal_error(state, &error),
    };
    confirmation(state, browser, &code, &found).await
}

/// "Continue" on the confirmation page: the code is used up, and the sign-in begins.
async fn confirm(state: &AppState, req: &Request, browser: &str, typed: &str) -> Response {
    let Some(code) = UserCode::parse(typed) else { return invalid(state, browser, typed) };
    match device::confirm(&state.sessions, &code).await {
        Ok(Some(found)) => {
            tracing::info!(client_id = %found.authorization.client_id, "user code confirmed");
            authorize::begin_device(state, req, found).await
        }
        Ok(None) => invalid(state, browser, typed),
        Err(error) => page::internal_error(state, &error),
    }
}

async fn confirmation(state: &AppState, browser: &str, code: &UserCode, found: &Found) -> Response {
    let client = match state.store.find_client(&found.authorization.client_id).await {
        Ok(Some(stored)) => stored.client,
        Ok(None) => return invalid(state, browser, code.as_str()),
        Err(error) => return page::internal_error(state, &error),
    };
    let context = DeviceConfirmPage {
        action: state.settings.endpoint(paths::DEVICE),
        csrf_token: csrf::token(state, browser, Purpose::Device),
        user_code: code.display(),
        client_name: client.client_name,
        unverified: client.origin == ClientOrigin::Registration,
    };
    page::render(state, StatusCode::OK, &context)
}

fn entry(state: &AppState, browser: &str, status: StatusCode, user_code: &str, error: Option<&str>) -> Response {
    let context = DevicePage {
        action: state.settings.endpoint(paths::DEVICE),
        csrf_token: csrf::token(state, browser, Purpose::Device),
        user_code: user_code.to_owned(),
        error: error.map(str::to_owned),
    };
    page::render(state, status, &context)
}

/// The form again, with what was typed and why it did not work (never logged: a code).
fn invalid(state: &AppState, browser: &str, typed: &str) -> Response {
    tracing::info!("user code refused");
    let typed: String = typed.chars().take(32).collect();
    entry(state, browser, StatusCode::BAD_REQUEST, &typed, Some(INVALID))
}
