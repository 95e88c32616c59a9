//! `GET|POST /logout` (OpenID Connect RP-Initiated Logout 1.0): ask the user to confirm,
//! end the SSO session, then return to a registered `post_logout_redirect_uri` or show
//! that the user is signed out. Never redirects to an address the client did not register.
//! A session that came from an upstream continues at its Social Login Key's sign-out
//! (which may sign out at the upstream too) before going on; the way on is kept under a
//! take-once token, so it never comes from a request.

use std::time::Duration;

use poem::http::{Method, StatusCode};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde::{Deserialize, Serialize};

use crate::domain::Client;
use crate::http::cookies::Cookie;
use crate::http::csrf;
use crate::http::page::{FormField, LoggedOutPage, LogoutPage};
use crate::http::{cookies, extract, page};
use crate::oidc::paths;
use crate::secrets::random_token;
use crate::session::{SessionError, Space};
use crate::state::AppState;

/// How long a person may take at an upstream's sign-out page.
const CONTINUATION_TTL: Duration = Duration::from_secs(600);

/// Where a sign-out goes once the hub's part is done: to the sign-out of the Social Login
/// Key the session came from, in the browser that signed out, then where the app asked.
#[derive(Debug, Serialize, Deserialize)]
pub struct Continuation {
    /// The Social Login Key whose sign-out continues it.
    pub slug: String,
    /// The browser that signed out (see `http::cookies::Cookie::Browser`).
    browser: String,
    /// The app's post-logout redirect (with its `state`), if it asked for one.
    pub then: Option<String>,
}

impl Continuation {
    pub fn belongs_to(&self, browser: &str) -> bool {
        crate::secrets::constant_time_eq(self.browser.as_bytes(), browser.as_bytes())
    }
}

/// Parameters carried from the confirmation page to the POST that performs the logout.
const CARRIED: &[&str] = &["client_id", "post_logout_redirect_uri", "state", "id_token_hint"];

#[handler]
pub async fn endpoint(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::request_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let client = match logout_client(state, &params).await {
        Ok(client) => client,
        Err(response) => return response,
    };
    let redirect = params.get("post_logout_redirect_uri");
    if let Some(uri) = redirect
        && !client.as_ref().is_some_and(|c| c.has_post_logout_redirect_uri(uri))
    {
        return page::error(
            state,
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            "The application asked to return to an address it has not registered for sign-out.",
        );
    }
    let (browser_id, new_browser) = match cookies::browser_id(req, &state.settings) {
        Ok(found) => found,
        Err(error) => return page::internal_error(state, &error),
    };
    let session_cookie = cookies::read(req, &state.settings, Cookie::Session);

    if req.method() == Method::POST && params.has("csrf_token") {
        if !csrf::verify(state, &browser_id, csrf::Purpose::Logout, params.get("csrf_token")) {
            return page::csrf_refused(state, "Please try signing out again.");
        }
        let mut upstream = None;
        if let Some(cookie) = &session_cookie {
            // Its apps are told in the background (Back-Channel Logout 1.0).
            match crate::sso::end_by_cookie(state, cookie).await {
                Ok(ended) => upstream = ended.upstream,
                Err(error) => return page::internal_error(state, &error),
            }
        }
        let then = redirect.and_then(|uri| return_url(uri, params.get("state")));
        let next = match upstream {
            Some(upstream) => {
                let continuation = Continuation { slug: upstream.key, browser: browser_id.clone(), then: then.clone() };
                match continue_at(state, continuation).await {
                    Ok(url) => Some(url),
                    // The hub's part is done: go on without the upstream's.
                    Err(error) => {
                        tracing::warn!(error = %crate::telemetry::ErrorChain(&error), "upstream sign-out skipped");
                        then
                    }
                }
            }
            None => then,
        };
        let mut response = match next {
            Some(url) => page::see_other(&url),
            None => page::render(state, StatusCode::OK, &LoggedOutPage {}),
        };
        cookies::clear(&mut response, &state.settings, Cookie::Session);
        tracing::info!(client_id = client.as_ref().map(|c| c.client_id.as_str()), "signed out");
        return response;
    }

    let username = match cookies::session(state, req).await {
        Ok(Some(session)) => state.store.find_user(session.user_id).await.ok().flatten().map(|u| u.username),
        Ok(None) => None,
        Err(error) => return page::internal_error(state, &error),
    };
    let fields = CARRIED.iter().filter_map(|name| {
        params.get(name).map(|value| FormField { name: (*name).to_owned(), value: value.to_owned() })
    });
    let confirm = LogoutPage {
        action: state.settings.endpoint(paths::END_SESSION),
        csrf_token: csrf::token(state, &browser_id, csrf::Purpose::Logout),
        client_name: client.as_ref().map(|c| c.client_name.clone()),
        username,
        fields: fields.collect(),
    };
    let mut response = page::render(state, StatusCode::OK, &confirm);
    if new_browser {
        cookies::set(&mut response, &state.settings, Cookie::Browser, &browser_id, None);
    }
    response
}

/// The client the logout is for: named by `client_id`, or by the audience of
/// `id_token_hint` (which must be ours; it may have expired).
async fn logout_client(state: &AppState, params: &extract::Params) -> Result<Option<Client>, Response> {
    let bad = |message: &str| page::error(state, StatusCode::BAD_REQUEST, "Invalid sign-out request", message);
    let hinted = match params.get("id_token_hint") {
        Some(hint) => Some(
            crate::oidc::id_token_hint::verify(state, hint)
                .await
                .ok_or_else(|| bad("id_token_hint is not an ID token issued by this hub."))?
                .aud,
        ),
        None => None,
    };
    let client_id = match (params.get("client_id"), hinted.as_deref()) {
        (Some(named), Some(hinted)) if named != hinted => {
            return Err(bad("client_id does not match id_token_hint."));
        }
        (Some(named), _) => Some(named.to_owned()),
        (None, hinted) => hinted.map(str::to_owned),
    };
    let Some(client_id) = client_id else {
        return Ok(None);
    };
    match state.store.find_client(&client_id).await {
        Ok(Some(stored)) => Ok(Some(stored.client)),
        Ok(None) => Err(bad("The application that sent you here is not registered with this hub.")),
        Err(error) => Err(page::internal_error(state, &error)),
    }
}

/// The client's registered address (validated as an absolute URL at registration), with
/// the client's `state`.
fn return_url(uri: &str, state_param: Option<&str>) -> Option<String> {
    let mut url = url::Url::parse(uri).ok()?;
    if let Some(value) = state_param {
        url.query_pairs_mut().append_pair("state", value);
    }
    Some(url.into())
}

/// Keeps the way on under a new token; returns the sign-out path of its Social Login Key,
/// which continues with the token.
async fn continue_at(state: &AppState, continuation: Continuation) -> Result<String, SessionError> {
    let token = random_token().map_err(|e| SessionError::Unavailable(Box::new(e)))?;
    state.sessions.put(Space::SignOut, &token, &continuation, CONTINUATION_TTL).await?;
    Ok(state.settings.endpoint_with(&paths::Upstream::of(&continuation.slug).sign_out, "state", &token))
}

/// The way on kept under `token`, left in place (the upstream's sign-out comes back with it).
pub async fn peek_continuation(state: &AppState, token: &str) -> Result<Option<Continuation>, SessionError> {
    state.sessions.get(Space::SignOut, token).await
}

/// The way on kept under `token`, taken once.
pub async fn take_continuation(state: &AppState, token: &str) -> Result<Option<Continuation>, SessionError> {
    state.sessions.take(Space::SignOut, token).await
}
