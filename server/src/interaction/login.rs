//! `GET|POST /login`: the password form and the "Continue with …" links of the Social
//! Login Keys. A successful password login starts a fresh SSO session and resumes the
//! authorization request (`super::complete_sign_in`).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::json;

use crate::accounts::{self, LoginError};
use crate::domain::audit::{Actor, AuditRecord};
use crate::federation::routing;
use crate::http::csrf::{self, Purpose};
use crate::http::{extract, page};
use crate::oidc::authorize::pending::{PendingAuthorization, Step};
use crate::oidc::paths;
use crate::session::browser::Authentication;
use crate::state::AppState;

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    match super::pending_for(state, req, params.get("interaction"), Step::Login).await {
        Ok((id, _, pending)) => {
            let username = pending.login_hint.clone().unwrap_or_default();
            render(state, StatusCode::OK, &id, &pending, &username, None).await
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
    let (id, browser, pending) = match super::pending_for(state, req, params.get("interaction"), Step::Login).await {
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
    match routing::options(state, &pending.client_id).await {
        Ok(options) if !options.password => {
            let message = "This application signs you in through its identity provider only.";
            return render(state, StatusCode::FORBIDDEN, &id, &pending, "", Some(message)).await;
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
                tracing::info!(client_id = %pending.client_id, %address, "sign-in failed");
                let mut record = failed_login(&pending, &address, "invalid username or password");
                if let Some(id) = known_user {
                    record = record.user(id);
                }
                state.audit(record).await;
                let message = "Invalid username or password.";
                return render(state, StatusCode::UNAUTHORIZED, &id, &pending, username, Some(message)).await;
            }
            Err(LoginError::Throttled) => {
                tracing::warn!(client_id = %pending.client_id, %address, "sign-in throttled");
                state.audit(failed_login(&pending, &address, "throttled: too many failed attempts")).await;
                let message = "Too many failed attempts. Please wait a few minutes and try again.";
                return render(state, StatusCode::TOO_MANY_REQUESTS, &id, &pending, username, Some(message)).await;
            }
            Err(error) => return page::internal_error(state, &error),
        };

    tracing::info!(client_id = %pending.client_id, user = %user.id, %address, "signed in");
    let actor = Actor::User { id: user.id, username: user.username.clone() };
    let record = AuditRecord::new("login.password", actor).user(user.id).client(&pending.client_id).address(&address);
    state.audit(record).await;
    let authentication = Authentication { user_id: user.id, amr: vec!["pwd".to_owned()], ..Authentication::default() };
    super::complete_sign_in(state, req, &id, pending, super::SignedIn { user, authentication, address }).await
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

/// The sign-in page: the password form where the client allows it, and a "Continue with
/// …" link for each Social Login Key the client's users may use.
pub async fn render(
    state: &AppState,
    status: StatusCode,
    interaction: &str,
    pending: &PendingAuthorization,
    username: &str,
    error: Option<&str>,
) -> Response {
    let options = match routing::options(state, &pending.client_id).await {
        Ok(options) => options,
        Err(error) => return page::internal_error(state, error.as_ref()),
    };
    let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("interaction", interaction).finish();
    let keys: Vec<_> = options
        .keys
        .iter()
        .map(|key| {
            json!({
                "display_name": key.display_name,
                "href": format!("{}?{query}", state.settings.endpoint(&paths::Upstream::of(&key.slug).start)),
                "icon": key.icon,
            })
        })
        .collect();
    let context = json!({
        "action": state.settings.endpoint(paths::LOGIN),
        // The pending request is bound to this browser, so its id is the CSRF binding.
        "csrf_token": csrf::token(state, &pending.browser, Purpose::Login),
        "interaction": interaction,
        "username": username,
        "error": error,
        "client_name": pending.client_name,
        "password_login": options.password,
        "social_login_keys": keys,
    });
    page::render(state, status, "login.html", &context)
}
