//! The pages a person sees during an authorization request: sign-in and consent. Each
//! step ends by handing the request back to `oidc::authorize::flow`.

pub mod consent;
pub mod login;

use poem::Request;
use poem::Response;
use poem::http::StatusCode;

use crate::http::{cookies, page};
use crate::oidc::authorize::pending::{self, PendingAuthorization, Step};
use crate::state::AppState;

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
