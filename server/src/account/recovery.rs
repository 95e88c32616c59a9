//! The pages of recovery by e-mail (SPEC §7a), for people who are not signed in: "Forgot
//! your password?" (`reset_*`), the page of an e-mailed link (`link_*`: shows what the link
//! does, and only its form post uses it, so a mail scanner that opens links spends
//! nothing), and self-registration (`sign_up_*`, where the deployment allows it).

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};

use crate::accounts::links::LinkPurpose;
use crate::http::cookies::{self, Cookie};
use crate::http::csrf::{self, Purpose};
use crate::http::extract::{self, Params};
use crate::http::page;
use crate::manage::ManageError;
use crate::manage::account::recovery::{self, Followed, Requested, SignUp};
use crate::oidc::paths;
use crate::state::AppState;
use crate::templates::{FieldMessage, LinkPage, ResetRequestPage, SignUpPage};

/// The browser binding the page's form is tied to; a new one is set on the response.
struct Browser {
    id: String,
    fresh: bool,
}

fn browser(state: &AppState, req: &Request) -> Result<Browser, crate::secrets::SecretError> {
    cookies::browser_id(req, &state.settings).map(|(id, fresh)| Browser { id, fresh })
}

fn with_browser(state: &AppState, browser: &Browser, mut response: Response) -> Response {
    if browser.fresh {
        cookies::set(&mut response, &state.settings, Cookie::Browser, &browser.id, None);
    }
    response
}

/// A form post of these pages: its parameters, CSRF checked, and the poster's address.
async fn posted(state: &AppState, req: &Request, body: Body) -> Result<(Params, Browser, String), Response> {
    let params = extract::form_params(req, body).await.map_err(|error| page::bad_parameters(state, &error))?;
    let browser = browser(state, req).map_err(|error| page::internal_error(state, &error))?;
    if browser.fresh || !csrf::verify(state, &browser.id, Purpose::Account, params.get("csrf_token")) {
        return Err(page::csrf_refused(state, "Please reload the page and try again."));
    }
    Ok((params, browser, extract::client_address(req, state.settings.trust_forwarded_for)))
}

fn no_mail(state: &AppState) -> Response {
    page::error(
        state,
        StatusCode::NOT_FOUND,
        "Not available",
        "This hub does not send e-mail. Please ask your administrator for help.",
    )
}

fn reset_page(state: &AppState, browser: &Browser, sent: bool, error: Option<String>) -> ResetRequestPage {
    ResetRequestPage {
        action: state.settings.endpoint(paths::ACCOUNT_RESET),
        csrf_token: csrf::token(state, &browser.id, Purpose::Account),
        sent,
        error,
    }
}

#[handler]
pub async fn reset_form(req: &Request, Data(state): Data<&AppState>) -> Response {
    if state.mailer.is_none() {
        return no_mail(state);
    }
    let browser = match browser(state, req) {
        Ok(browser) => browser,
        Err(error) => return page::internal_error(state, &error),
    };
    with_browser(state, &browser, page::render(state, StatusCode::OK, &reset_page(state, &browser, false, None)))
}

#[handler]
pub async fn reset_request(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    if state.mailer.is_none() {
        return no_mail(state);
    }
    let (params, browser, address) = match posted(state, req, body).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let identifier = params.get("identifier").unwrap_or_default();
    if identifier.trim().is_empty() || identifier.len() > 320 {
        let page = reset_page(state, &browser, false, Some("Please give your username or e-mail address.".into()));
        return page::render(state, StatusCode::BAD_REQUEST, &page);
    }
    match recovery::request_password_reset(state, identifier, &address).await {
        Ok(Requested::Accepted) => page::render(state, StatusCode::OK, &reset_page(state, &browser, true, None)),
        Ok(Requested::Throttled(wait)) => {
            page::too_many_attempts(state, wait, |message| reset_page(state, &browser, false, Some(message)))
        }
        Err(error) => failed(state, error),
    }
}

fn failed(state: &AppState, error: ManageError) -> Response {
    match error {
        ManageError::Unavailable(cause) => page::internal_error(state, &*cause),
        other => page::error(state, StatusCode::BAD_REQUEST, "Not possible", &other.to_string()),
    }
}

fn gone(state: &AppState) -> Response {
    page::error(
        state,
        StatusCode::GONE,
        "This link no longer works",
        "It was used already, it has expired, or the password has changed since it was sent. You can ask for a new one.",
    )
}

/// What a link's page calls its purpose, and the address it names.
fn described(purpose: &LinkPurpose) -> (&'static str, Option<String>) {
    match purpose {
        LinkPurpose::ResetPassword { .. } => ("reset_password", None),
        LinkPurpose::VerifyEmail { email, .. } => ("verify_email", Some(email.clone())),
        LinkPurpose::Register { email, .. } => ("register", Some(email.clone())),
    }
}

fn link_page(state: &AppState, browser: &Browser, token: &str, purpose: &LinkPurpose, username: String) -> LinkPage {
    let (purpose, email) = described(purpose);
    LinkPage {
        action: recovery::link_url(state, token),
        csrf_token: csrf::token(state, &browser.id, Purpose::Account),
        purpose,
        username,
        email,
        error: None,
        done: None,
        account_href: state.settings.endpoint(paths::ACCOUNT),
    }
}

/// The person a link is for, as its page names them.
fn username_of(purpose: &LinkPurpose, user: Option<&crate::domain::User>) -> String {
    match (purpose, user) {
        (LinkPurpose::Register { username, .. }, _) => username.clone(),
        (_, Some(user)) => user.username.clone(),
        _ => String::new(),
    }
}

#[handler]
pub async fn link_form(req: &Request, Path(token): Path<String>, Data(state): Data<&AppState>) -> Response {
    let browser = match browser(state, req) {
        Ok(browser) => browser,
        Err(error) => return page::internal_error(state, &error),
    };
    match recovery::describe(state, &token).await {
        Ok(Some((purpose, user))) => {
            let page = link_page(state, &browser, &token, &purpose, username_of(&purpose, user.as_ref()));
            with_browser(state, &browser, page::render(state, StatusCode::OK, &page))
        }
        Ok(None) => gone(state),
        Err(error) => failed(state, error),
    }
}

#[handler]
pub async fn link_follow(
    req: &Request,
    Path(token): Path<String>,
    body: Body,
    Data(state): Data<&AppState>,
) -> Response {
    let (params, browser, address) = match posted(state, req, body).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let done = |purpose: &'static str, user: &crate::domain::User, message: &str| {
        let page = LinkPage {
            action: recovery::link_url(state, &token),
            csrf_token: String::new(),
            purpose,
            username: user.username.clone(),
            email: user.email.clone(),
            error: None,
            done: Some(message.to_owned()),
            account_href: state.settings.endpoint(paths::ACCOUNT),
        };
        page::render(state, StatusCode::OK, &page)
    };
    match recovery::follow(state, &token, params.get("password"), &address).await {
        Ok(Followed::PasswordReset(user)) => {
            done("reset_password", &user, "Your new password is set. You were signed out everywhere; sign in with it.")
        }
        Ok(Followed::EmailVerified(user)) => done("verify_email", &user, "Your e-mail address is confirmed."),
        Ok(Followed::Registered(user)) => done("register", &user, "Your account is created. You can sign in now."),
        Ok(Followed::Gone) => gone(state),
        Err(ManageError::Invalid(errors)) => match recovery::describe(state, &token).await {
            Ok(Some((purpose, user))) => {
                let mut page = link_page(state, &browser, &token, &purpose, username_of(&purpose, user.as_ref()));
                page.error = errors.iter().next().map(|e| super::sentence(&e.message));
                page::render(state, StatusCode::BAD_REQUEST, &page)
            }
            Ok(None) => gone(state),
            Err(error) => failed(state, error),
        },
        Err(error) => failed(state, error),
    }
}

fn sign_up_page(state: &AppState, browser: &Browser, form: &SignUp, sent: bool) -> SignUpPage {
    SignUpPage {
        action: state.settings.endpoint(paths::ACCOUNT_SIGN_UP),
        csrf_token: csrf::token(state, &browser.id, Purpose::Account),
        username: form.username.clone(),
        email: form.email.clone(),
        name: form.name.clone().unwrap_or_default(),
        sent,
        errors: Vec::new(),
    }
}

fn no_sign_up(state: &AppState) -> Response {
    page::error(state, StatusCode::NOT_FOUND, "Not available", "Accounts here are created by an administrator.")
}

#[handler]
pub async fn sign_up_form(req: &Request, Data(state): Data<&AppState>) -> Response {
    if !state.settings.self_registration || state.mailer.is_none() {
        return no_sign_up(state);
    }
    let browser = match browser(state, req) {
        Ok(browser) => browser,
        Err(error) => return page::internal_error(state, &error),
    };
    let page = sign_up_page(state, &browser, &SignUp::default(), false);
    with_browser(state, &browser, page::render(state, StatusCode::OK, &page))
}

#[handler]
pub async fn sign_up(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    if !state.settings.self_registration || state.mailer.is_none() {
        return no_sign_up(state);
    }
    let (params, browser, address) = match posted(state, req, body).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let text = |name: &str| params.get(name).unwrap_or_default().to_owned();
    let form = SignUp {
        username: text("username"),
        email: text("email"),
        name: params.get("name").map(str::to_owned),
        password: text("password"),
    };
    match recovery::sign_up(state, form.clone(), &address).await {
        Ok(Requested::Accepted) => page::render(state, StatusCode::OK, &sign_up_page(state, &browser, &form, true)),
        Ok(Requested::Throttled(wait)) => page::too_many_attempts(state, wait, |message| {
            let mut page = sign_up_page(state, &browser, &form, false);
            page.errors.push(FieldMessage { field: "username".into(), message });
            page
        }),
        Err(ManageError::Invalid(errors)) => {
            let mut page = sign_up_page(state, &browser, &form, false);
            page.errors = errors
                .iter()
                .map(|e| FieldMessage { field: e.field.clone(), message: super::sentence(&e.message) })
                .collect();
            page::render(state, StatusCode::BAD_REQUEST, &page)
        }
        Err(error) => failed(state, error),
    }
}
