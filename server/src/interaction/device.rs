//! `GET|POST /device`: the user-code page of the device grant (RFC 8628 §3.3). The person
//! types the code their device shows, or follows the device's link that carries it
//! (`?user_code=`, §3.3.1). The page then names the app and shows the code again, to be
//! compared with the device before anything happens (§5.4: a code that someone sent is
//! a phishing attempt). "Continue" takes the code and hands it to `oidc::authorize`,
//! which signs the person in and asks for consent as for any app. A code that is not
//! valid is an error on the page, and counts against the address: past
//! `device_user_code_failures_per_address`, the page takes no code from there until the
//! window ends (§5.1: user codes are short enough to guess at without a limit).

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
use crate::rate_limit::{Caller, Endpoint};
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
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let mut response = match params.get("user_code") {
        Some(typed) => look_up(state, &Typing { browser: &browser, address: &address }, typed).await,
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
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let typing = Typing { browser: &browser, address: &address };
    match params.get("step") {
        Some("confirm") => confirm(state, req, &typing, typed).await,
        _ => look_up(state, &typing, typed).await,
    }
}

/// Who is typing a code: the browser its form is bound to, and the address its failures
/// count against.
struct Typing<'a> {
    browser: &'a str,
    address: &'a str,
}

/// The confirmation page for a live code; the code stays unused until "Continue".
async fn look_up(state: &AppState, typing: &Typing<'_>, typed: &str) -> Response {
    if let Some(refused) = too_many_failures(state, typing, typed).await {
        return refused;
    }
    let Some(code) = UserCode::parse(typed) else { return invalid(state, typing, typed).await };
    let found = match device::find(&state.sessions, &code).await {
        Ok(Some(found)) => found,
        Ok(None) => return invalid(state, typing, typed).await,
        Err(error) => return page::internal_error(state, &error),
    };
    confirmation(state, typing, &code, &found).await
}

/// "Continue" on the confirmation page: the code is used up, and the sign-in begins.
async fn confirm(state: &AppState, req: &Request, typing: &Typing<'_>, typed: &str) -> Response {
    if let Some(refused) = too_many_failures(state, typing, typed).await {
        return refused;
    }
    let Some(code) = UserCode::parse(typed) else { return invalid(state, typing, typed).await };
    match device::confirm(&state.sessions, &code).await {
        Ok(Some(found)) => {
            tracing::info!(client_id = %found.authorization.client_id, "user code confirmed");
            authorize::begin_device(state, req, found).await
        }
        Ok(None) => invalid(state, typing, typed).await,
        Err(error) => page::internal_error(state, &error),
    }
}

async fn confirmation(state: &AppState, typing: &Typing<'_>, code: &UserCode, found: &Found) -> Response {
    let browser = typing.browser;
    let client = match state.store.find_client(&found.authorization.client_id).await {
        Ok(Some(stored)) => stored.client,
        Ok(None) => return invalid(state, typing, code.as_str()).await,
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
/// The failure counts against the address.
async fn invalid(state: &AppState, typing: &Typing<'_>, typed: &str) -> Response {
    tracing::info!("user code refused");
    if let Err(error) = state.rate_limits.count(Endpoint::UserCodeFailures, Caller::Address(typing.address)).await {
        return page::internal_error(state, &error);
    }
    let typed: String = typed.chars().take(32).collect();
    entry(state, typing.browser, StatusCode::BAD_REQUEST, &typed, Some(INVALID))
}

/// The form with a 429, when this address has typed too many wrong codes.
async fn too_many_failures(state: &AppState, typing: &Typing<'_>, typed: &str) -> Option<Response> {
    let caller = Caller::Address(typing.address);
    let retry_after = match state.rate_limits.reached(Endpoint::UserCodeFailures, caller).await {
        Ok(verdict) => verdict.retry_after_secs()?,
        Err(error) => return Some(page::internal_error(state, &error)),
    };
    tracing::info!("user codes refused from this address for a while");
    let minutes = retry_after.div_ceil(60);
    let message = format!(
        "Too many codes that did not work were entered from your network. Please wait {minutes} min and try again."
    );
    let typed: String = typed.chars().take(32).collect();
    let mut response = entry(state, typing.browser, StatusCode::TOO_MANY_REQUESTS, &typed, Some(&message));
    response.headers_mut().insert(poem::http::header::RETRY_AFTER, retry_after.into());
    Some(response)
}
