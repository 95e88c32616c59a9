//! Signing out through the chain (RP-Initiated Logout 1.0, the hub as RP): when a hub
//! session that came from an upstream ends at the hub's `/logout`, and its key says so,
//! the browser goes on to the upstream's end-session endpoint, then comes back to
//! `/upstream/logged-out` and on to where the app asked (already checked against the
//! app's registered URIs). The way back is kept under the `state` sent upstream, taken
//! once, so the return address can never come from the request.

use std::time::Duration;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::metadata;
use crate::http::{extract, page};
use crate::oidc::paths;
use crate::secrets::random_token;
use crate::session::Space;
use crate::session::browser::UpstreamLogin;
use crate::state::AppState;

/// How long a person may take at the upstream's sign-out page.
const CONTINUATION_TTL: Duration = Duration::from_secs(600);

#[derive(Debug, Serialize, Deserialize)]
struct Continuation {
    /// The app's post-logout redirect (with its `state`), if it asked for one.
    then: Option<String>,
}

/// Where to send the browser to sign out at the upstream too, if the key asks for it and
/// the upstream has an end-session endpoint. `then`: where to go afterwards.
pub async fn upstream_sign_out(state: &AppState, upstream: &UpstreamLogin, then: Option<String>) -> Option<String> {
    let key = match state.store.find_social_login_key(&upstream.key).await {
        Ok(Some(stored)) if stored.key.end_upstream_session => stored.key,
        Ok(_) => return None,
        Err(error) => {
            tracing::warn!(key = %upstream.key, error = %crate::oidc::error::ErrorChain(&error), "upstream sign-out skipped");
            return None;
        }
    };
    let endpoint = match metadata::resolve(&state.upstreams, &key).await {
        Ok(resolved) => resolved.end_session_endpoint?,
        Err(error) => {
            tracing::warn!(key = %key.slug, %error, "upstream sign-out skipped");
            return None;
        }
    };
    let token = random_token().ok()?;
    let stored = state.sessions.put(Space::UpstreamLogout, &token, &Continuation { then }, CONTINUATION_TTL).await;
    if let Err(error) = stored {
        tracing::warn!(key = %key.slug, error = %crate::oidc::error::ErrorChain(&error), "upstream sign-out skipped");
        return None;
    }
    let mut url = url::Url::parse(&endpoint).ok()?;
    url.query_pairs_mut()
        .append_pair("client_id", &key.client_id)
        .append_pair("post_logout_redirect_uri", &state.settings.endpoint(paths::UPSTREAM_LOGGED_OUT))
        .append_pair("state", &token);
    tracing::info!(key = %key.slug, "sign-out continues at the upstream");
    Some(url.into())
}

/// `GET /upstream/logged-out`: back from the upstream's sign-out.
#[handler]
pub async fn logged_out(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let continuation = match params.get("state") {
        Some(token) => match state.sessions.take::<Continuation>(Space::UpstreamLogout, token).await {
            Ok(found) => found,
            Err(error) => return page::internal_error(state, &error),
        },
        None => None,
    };
    match continuation.and_then(|c| c.then) {
        Some(then) => page::see_other(&then),
        None => page::render(state, StatusCode::OK, "logged_out.html", &json!({})),
    }
}
