//! `GET|POST /login`: the password form and the "Continue with …" links of the Social
//! Login Keys. A correct password ends the step as a sign-in; a wrong one shows the page
//! again. The page also says why a sign-in at an upstream did not complete, and offers a
//! passkey (`interaction::passkeys::sign_in`) where the hub's address allows one.

use crate::telemetry::metrics::{self, SignInMethod, SignInOutcome};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use crate::accounts::{self, LoginError};
use crate::domain::audit::{Actor, AuditRecord};
use crate::http::csrf::{self, Purpose};
use crate::http::page::{LoginLink, LoginPage, PasskeyForm, PasskeyPurpose};
use crate::http::{extract, page};
use crate::oidc::authorize::{self, Caller, Interaction, Notice, Outcome, SignIn};
use crate::oidc::{ErrorCode, paths};
use crate::session::browser::Authentication;
use crate::state::AppState;

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    match authorize::interaction(state, req, params.get("interaction"), Caller::LoginPage).await {
        Ok(mut interaction) => {
            let notice = match authorize::take_notice(state, &mut interaction).await {
                Ok(notice) => notice,
                Err(error) => return page::internal_error(state, error.as_ref()),
            };
            let (status, error) = match &notice {
                Some(notice) => (notice_status(notice), Some(notice.message.as_str())),
                None => (StatusCode::OK, None),
            };
            let username = interaction.pending.request.login_hint.clone().unwrap_or_default();
            render(state, status, &interaction, &username, error).await
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
    let interaction = match authorize::interaction(state, req, params.get("interaction"), Caller::LoginPage).await {
        Ok(interaction) => interaction,
        Err(response) => return response,
    };
    if !csrf::verify(state, &interaction.browser, Purpose::Login, params.get("csrf_token")) {
        return page::csrf_refused(state, "Please reload the sign-in page and try again.");
    }
    let client_id = interaction.pending.request.client_id.clone();
    match authorize::sign_in_options(state, &client_id).await {
        Ok(options) if !options.password => {
            let message = "This application signs you in through its identity provider only.";
            return render(state, StatusCode::FORBIDDEN, &interaction, "", Some(message)).await;
        }
        Ok(_) => {}
        Err(error) => return page::internal_error(state, error.as_ref()),
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
                tracing::info!(%client_id, %address, "sign-in failed");
                metrics::sign_in(SignInMethod::Password, SignInOutcome::Failure);
                let mut record = failed_login(&client_id, &address, "invalid username or password");
                if let Some(id) = known_user {
                    record = record.user(id);
                }
                state.audit(record).await;
                let message = "Invalid username or password.";
                return render(state, StatusCode::UNAUTHORIZED, &interaction, username, Some(message)).await;
            }
            Err(LoginError::Throttled { retry_after }) => {
                tracing::warn!(%client_id, %address, "sign-in throttled");
                metrics::sign_in(SignInMethod::Password, SignInOutcome::Throttled);
                state.audit(failed_login(&client_id, &address, "throttled: too many failed attempts")).await;
                let (seconds, message) = page::wait_in_words(retry_after);
                let mut page =
                    render(state, StatusCode::TOO_MANY_REQUESTS, &interaction, username, Some(&message)).await;
                page.headers_mut().insert(poem::http::header::RETRY_AFTER, seconds.into());
                return page;
            }
            Err(error) => return page::internal_error(state, &error),
        };

    tracing::info!(%client_id, user = %user.id, %address, "signed in");
    metrics::sign_in(SignInMethod::Password, SignInOutcome::Success);
    let actor = Actor::User { id: user.id, username: user.username.clone() };
    let record = AuditRecord::new("login.password", actor).user(user.id).client(&client_id).address(&address);
    state.audit(record).await;
    let authentication = Authentication { user_id: user.id, amr: vec!["pwd".to_owned()], ..Authentication::default() };
    authorize::resume(state, req, interaction, Outcome::SignedIn(SignIn { authentication, address })).await
}

/// The audit record of a refused sign-in; the username typed is not in it (it may be a
/// mistyped password).
fn failed_login(client_id: &str, address: &str, why: &str) -> AuditRecord {
    AuditRecord::new("login.password", Actor::Anonymous).failed().client(client_id).address(address).detail(why)
}

/// A sign-in refused by the hub's policy is forbidden; an upstream that failed is a bad
/// gateway.
fn notice_status(notice: &Notice) -> StatusCode {
    match notice.code {
        ErrorCode::AccessDenied => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// The sign-in page: the password form where the client allows it, and a "Continue with
/// …" link for each Social Login Key the client's users may use.
async fn render(
    state: &AppState,
    status: StatusCode,
    interaction: &Interaction,
    username: &str,
    error: Option<&str>,
) -> Response {
    let request = &interaction.pending.request;
    let options = match authorize::sign_in_options(state, &request.client_id).await {
        Ok(options) => options,
        Err(error) => return page::internal_error(state, error.as_ref()),
    };
    // Passkeys sign in at the hub, as passwords do: not for an IdP-only client.
    let passkey = (options.password && state.passkeys().supported()).then(|| PasskeyForm {
        options: state.settings.endpoint(paths::PASSKEY_SIGN_IN_OPTIONS),
        action: state.settings.endpoint(paths::PASSKEY_SIGN_IN),
        purpose: PasskeyPurpose::SignIn,
    });
    let links = options.keys.into_iter().map(|key| LoginLink {
        href: state.settings.endpoint_with(&paths::Upstream::of(&key.slug).start, "interaction", &interaction.id),
        display_name: key.display_name,
        icon: key.icon,
    });
    let login = LoginPage {
        action: state.settings.endpoint(paths::LOGIN),
        // The pending request is bound to this browser, so its id is the CSRF binding.
        csrf_token: csrf::token(state, &interaction.browser, Purpose::Login),
        interaction: interaction.id.clone(),
        username: username.to_owned(),
        error: error.map(str::to_owned),
        client_name: request.client_name.clone(),
        password_login: options.password,
        social_login_keys: links.collect(),
        reset_href: (options.password && state.mailer.is_some()).then(|| state.settings.endpoint(paths::ACCOUNT_RESET)),
        sign_up_href: (options.password && state.settings.self_registration)
            .then(|| state.settings.endpoint(paths::ACCOUNT_SIGN_UP)),
        passkey,
    };
    page::render_scripted(state, status, &login)
}
