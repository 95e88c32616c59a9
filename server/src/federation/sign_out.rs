//! Signing out through the chain (RP-Initiated Logout 1.0, the hub as RP). When a hub
//! session that came from an upstream ends at the hub's `/logout`, the browser comes to
//! `GET /upstream/{slug}/sign-out` with the token of the way on. If the key says so and
//! the upstream has an end-session endpoint, the browser goes on there, with the token as
//! `state`, and comes back to `GET /upstream/logged-out`; otherwise it goes on at once.
//! Only the browser that signed out at the hub, for the key its session came from, is
//! sent to the upstream (no page can sign anyone out there), and the way on (the app's
//! already-checked post-logout redirect) is taken once, so the return address can never
//! come from the request.

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};

use super::metadata;
use crate::http::cookies::{self, Cookie};
use crate::http::page::LoggedOutPage;
use crate::http::{extract, page};
use crate::oidc::end_session::{peek_continuation, take_continuation};
use crate::oidc::paths;
use crate::state::AppState;

/// `GET /upstream/{slug}/sign-out?state=…`: on to the upstream's sign-out, or onwards.
#[handler]
pub async fn sign_out(req: &Request, Path(slug): Path<String>, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let Some(token) = params.get("state") else { return signed_out(state) };
    let browser = cookies::read(req, &state.settings, Cookie::Browser).unwrap_or_default();
    match peek_continuation(state, token).await {
        Ok(Some(continuation)) if continuation.slug == slug && continuation.belongs_to(&browser) => {}
        Ok(_) => return signed_out(state),
        Err(error) => return page::internal_error(state, &error),
    }
    match at_upstream(state, &slug, token).await {
        Some(url) => page::see_other(&url),
        None => go_on(state, token, &browser).await,
    }
}

/// `GET /upstream/logged-out?state=…`: back from the upstream's sign-out.
#[handler]
pub async fn logged_out(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let browser = cookies::read(req, &state.settings, Cookie::Browser).unwrap_or_default();
    match params.get("state") {
        Some(token) => go_on(state, token, &browser).await,
        None => signed_out(state),
    }
}

/// The upstream's end-session URL, if the key asks to sign out there and has one.
async fn at_upstream(state: &AppState, slug: &str, token: &str) -> Option<String> {
    let key = match state.store.find_social_login_key(slug).await {
        Ok(Some(stored)) if stored.key.end_upstream_session => stored.key,
        Ok(_) => return None,
        Err(error) => {
            tracing::warn!(key = %slug, error = %crate::telemetry::ErrorChain(&error), "upstream sign-out skipped");
            return None;
        }
    };
    let endpoint = match metadata::resolve(&state.outbound, &key).await {
        Ok(resolved) => resolved.end_session_endpoint?,
        Err(error) => {
            tracing::warn!(key = %key.slug, %error, "upstream sign-out skipped");
            return None;
        }
    };
    let mut url = url::Url::parse(&endpoint).ok()?;
    url.query_pairs_mut()
        .append_pair("client_id", &key.client_id)
        .append_pair("post_logout_redirect_uri", &state.settings.endpoint(paths::UPSTREAM_LOGGED_OUT))
        .append_pair("state", token);
    tracing::info!(key = %key.slug, "sign-out continues at the upstream");
    Some(url.into())
}

/// Where the sign-out goes on, kept under `token`: the app's address, or the hub's page.
async fn go_on(state: &AppState, token: &str, browser: &str) -> Response {
    match take_continuation(state, token).await {
        Ok(Some(continuation)) if continuation.belongs_to(browser) => match continuation.then {
            Some(then) => page::see_other(&then),
            None => signed_out(state),
        },
        // Forged, replayed, expired or another browser's: the hub's own page, never a redirect.
        Ok(_) => signed_out(state),
        Err(error) => page::internal_error(state, &error),
    }
}

fn signed_out(state: &AppState) -> Response {
    page::render(state, StatusCode::OK, &LoggedOutPage {})
}
