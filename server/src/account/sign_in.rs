//! Who is at the account page. The page reads the browser's SSO session; a browser
//! without one (or one that must prove itself again before a sensitive change) is sent
//! through `/authorize` as the built-in client `hub-account`, so the sign-in is the one
//! flow with all its steps. The code comes back to `/account/callback`, which spends it
//! (checking `state`, the browser, PKCE and the session it was issued in) and returns to
//! the page the person was on.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::User;
use crate::domain::pkce::CodeChallenge;
use crate::http::cookies::{self, Cookie};
use crate::http::{extract, page};
use crate::manage::built_in::ACCOUNT_CLIENT_ID;
use crate::oidc::code::{self, Redemption};
use crate::oidc::paths;
use crate::secrets::{constant_time_eq, random_token};
use crate::session::browser::BrowserSession;
use crate::session::{SessionError, Space};
use crate::state::AppState;

/// A change that could lock the person out or let someone else in (removing the second
/// factor, setting a first password, unlinking) needs a sign-in this recent.
pub const RECENT: Duration = Duration::from_secs(10 * 60);

/// The signed-in person and their session, with the browser binding their forms use.
pub struct SignedIn {
    pub user: User,
    pub session: BrowserSession,
    pub browser: String,
}

impl SignedIn {
    /// Whether the person signed in within `RECENT`.
    pub fn is_recent(&self) -> bool {
        chrono::Utc::now().timestamp() - self.session.auth_time <= RECENT.as_secs() as i64
    }
}

/// The person signed in in this browser, or the response that sends them to sign in and
/// come back to `return_to` (a path of the account page).
pub async fn require(state: &AppState, req: &Request, return_to: &str) -> Result<SignedIn, Response> {
    let (browser, fresh) = match cookies::browser_id(req, &state.settings) {
        Ok(found) => found,
        Err(error) => return Err(page::internal_error(state, &error)),
    };
    let session = match cookies::session(state, req).await {
        Ok(session) => session,
        Err(error) => return Err(page::internal_error(state, &error)),
    };
    let Some(session) = session.filter(|_| !fresh) else {
        return Err(send_to_sign_in(state, &browser, fresh, return_to, false).await);
    };
    let user = match state.store.find_user(session.user_id).await {
        Ok(Some(user)) if !user.disabled => user,
        Ok(_) => return Err(send_to_sign_in(state, &browser, fresh, return_to, false).await),
        Err(error) => return Err(page::internal_error(state, &error)),
    };
    // Whoever has a second factor proves it before changing their account: else a stolen
    // password would be enough to remove it. The sign-in asks for it (`acr_values=2`).
    if !session.second_factor {
        match state.has_second_factor(user.id).await {
            Ok(true) => return Err(send_to_sign_in(state, &browser, fresh, return_to, false).await),
            Ok(false) => {}
            Err(error) => return Err(page::internal_error(state, &error)),
        }
    }
    Ok(SignedIn { user, session, browser })
}

/// `signed_in` (of `require`), if the sign-in is recent; else the person signs in again.
pub async fn recent(state: &AppState, signed_in: SignedIn, return_to: &str) -> Result<SignedIn, Response> {
    if signed_in.is_recent() {
        return Ok(signed_in);
    }
    Err(send_to_sign_in(state, &signed_in.browser, false, return_to, true).await)
}

/// What the callback needs of a sign-in it started.
#[derive(Debug, Serialize, Deserialize)]
struct Started {
    browser: String,
    verifier: String,
    return_to: String,
}

async fn send_to_sign_in(state: &AppState, browser: &str, fresh: bool, return_to: &str, again: bool) -> Response {
    match start(state, browser, return_to, again).await {
        Ok(location) => {
            let mut response = page::see_other(&location);
            if fresh {
                cookies::set(&mut response, &state.settings, Cookie::Browser, browser, None);
            }
            response
        }
        Err(error) => page::internal_error(state, &error),
    }
}

async fn start(state: &AppState, browser: &str, return_to: &str, again: bool) -> Result<String, StartError> {
    let state_param = random_token()?;
    let verifier = random_token()?;
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let started = Started { browser: browser.to_owned(), verifier, return_to: return_to.to_owned() };
    let ttl = crate::config::Settings::secs(state.settings.interaction_ttl_secs);
    state.sessions.put(Space::AccountSignIn, &state_param, &started, ttl).await?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", ACCOUNT_CLIENT_ID)
        .append_pair("redirect_uri", &state.settings.endpoint(paths::ACCOUNT_CALLBACK))
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("state", &state_param)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        // Voluntary: a user with a second factor is asked for it, anyone else is not.
        .append_pair("acr_values", "2");
    if again {
        query.append_pair("prompt", "login");
    }
    Ok(format!("{}?{}", state.settings.endpoint(paths::AUTHORIZE), query.finish()))
}

#[derive(Debug, thiserror::Error)]
enum StartError {
    #[error(transparent)]
    Store(#[from] SessionError),
    #[error(transparent)]
    Random(#[from] crate::secrets::SecretError),
}

/// `GET /account/callback`: the end of the account page's sign-in.
#[handler]
pub async fn callback(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let expired = || {
        page::error(
            state,
            StatusCode::BAD_REQUEST,
            "Sign-in expired",
            "This sign-in is no longer valid. Please open your account page again.",
        )
    };
    if params.get("error") == Some("access_denied") {
        return page::error(state, StatusCode::FORBIDDEN, "Not signed in", "The sign-in was cancelled.");
    }
    let (Some(state_param), Some(code_value)) = (params.get("state"), params.get("code")) else { return expired() };
    let started = match state.sessions.take::<Started>(Space::AccountSignIn, state_param).await {
        Ok(Some(started)) => started,
        Ok(None) => return expired(),
        Err(error) => return page::internal_error(state, &error),
    };
    let browser = cookies::read(req, &state.settings, Cookie::Browser).unwrap_or_default();
    if !constant_time_eq(started.browser.as_bytes(), browser.as_bytes()) {
        return expired();
    }
    let remember = crate::config::Settings::secs(state.settings.authorization_code_ttl_secs);
    let issued = match code::redeem(&state.sessions, code_value, remember).await {
        Ok(Redemption::Fresh(issued)) => issued,
        Ok(_) => return expired(),
        Err(error) => return page::internal_error(state, &error),
    };
    let pkce = issued.code_challenge.as_ref().is_some_and(|c: &CodeChallenge| c.is_satisfied_by(&started.verifier));
    let session = match cookies::session(state, req).await {
        Ok(session) => session,
        Err(error) => return page::internal_error(state, &error),
    };
    let same_session = session.is_some_and(|session| session.sid == issued.sid);
    if issued.client_id != ACCOUNT_CLIENT_ID || !pkce || !same_session {
        tracing::warn!("account sign-in callback with a code of another client, request or session");
        return expired();
    }
    page::see_other(&state.settings.endpoint(safe_return(&started.return_to)))
}

/// Only the account page's own paths are returned to.
fn safe_return(return_to: &str) -> &str {
    let own = return_to.starts_with(paths::ACCOUNT) && !return_to.contains("//") && !return_to.contains('\\');
    if own { return_to } else { paths::ACCOUNT }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_account_paths_are_returned_to() {
        assert_eq!(safe_return("/account/second-factor"), "/account/second-factor");
        assert_eq!(safe_return("https://evil.example/"), "/account");
        assert_eq!(safe_return("/account//evil.example"), "/account");
        assert_eq!(safe_return("/admin/"), "/account");
    }
}
