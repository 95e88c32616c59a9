//! Delivering an authorization response, success or error, to a verified redirect URI:
//! in the query, in the fragment, or as an auto-submitted form (form_post). Every
//! response carries `iss` (RFC 9207).

use poem::Response;
use poem::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::ResponseMode;
use crate::http::page;
use crate::oidc::OAuthError;
use crate::state::AppState;

/// Where and how the response goes. Only built after the client and its redirect URI
/// were verified.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseTarget {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub state: Option<String>,
}

pub fn success(state: &AppState, target: &ResponseTarget, params: Vec<(&'static str, String)>) -> Response {
    deliver(state, target, params)
}

pub fn error(state: &AppState, target: &ResponseTarget, error: &OAuthError) -> Response {
    let mut params = vec![("error", error.code.as_str().to_owned())];
    if let Some(description) = &error.description {
        params.push(("error_description", description.to_string()));
    }
    deliver(state, target, params)
}

fn deliver(state: &AppState, target: &ResponseTarget, mut params: Vec<(&'static str, String)>) -> Response {
    if let Some(value) = &target.state {
        params.push(("state", value.clone()));
    }
    params.push(("iss", state.issuer().to_owned()));
    match target.mode {
        ResponseMode::FormPost => form_post(state, &target.redirect_uri, &params),
        ResponseMode::Query | ResponseMode::Fragment => {
            let Ok(mut url) = url::Url::parse(&target.redirect_uri) else {
                return page::error(
                    state,
                    StatusCode::BAD_REQUEST,
                    "Invalid redirect",
                    "The redirect URI is not a URL.",
                );
            };
            if target.mode == ResponseMode::Query {
                url.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
            } else {
                let fragment = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())))
                    .finish();
                url.set_fragment(Some(&fragment));
            }
            page::see_other(url.as_str())
        }
    }
}

/// OAuth 2.0 Form Post Response Mode: a page that posts the parameters to the client. The
/// one script is allowed by a per-response nonce; without JavaScript a button remains.
fn form_post(state: &AppState, action: &str, params: &[(&'static str, String)]) -> Response {
    let nonce = crate::secrets::random_token().unwrap_or_default();
    let fields: Vec<_> = params.iter().map(|(name, value)| json!({ "name": name, "value": value })).collect();
    let csp = format!("default-src 'none'; script-src 'nonce-{nonce}'; frame-ancestors 'none'; base-uri 'none'");
    page::render_with_csp(
        state,
        StatusCode::OK,
        "form_post.html",
        &json!({ "action": action, "fields": fields, "script_nonce": nonce }),
        csp,
    )
}
