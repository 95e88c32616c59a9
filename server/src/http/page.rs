//! HTML responses: a page rendered from its template with the hub's Content-Security-Policy,
//! and the error page every HTML endpoint falls back to.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use crate::state::AppState;

/// No script and no third-party anything; pages work without JavaScript (SPEC §7).
const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'; base-uri 'none'";

pub fn render<C: Serialize>(state: &AppState, status: StatusCode, template: &str, context: &C) -> Response {
    render_with_csp(state, status, template, context, CSP.to_owned())
}

pub fn render_with_csp<C: Serialize>(
    state: &AppState,
    status: StatusCode,
    template: &str,
    context: &C,
    csp: String,
) -> Response {
    match state.templates.render(template, context) {
        Ok(html) => Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8")
            .header("content-security-policy", csp)
            .body(html)
            .into_response(),
        Err(error) => {
            tracing::error!(template, error = %crate::oidc::error::ErrorChain(&error), "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be rendered.").into_response()
        }
    }
}

/// An error shown to the person at the browser, never redirected anywhere.
pub fn error(state: &AppState, status: StatusCode, title: &str, message: &str) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    tracing::info!(%request_id, status = status.as_u16(), title, message, "error page");
    render(state, status, "error.html", &json!({ "title": title, "message": message, "request_id": request_id }))
}

/// Parameters that could not be read (repeated, too large, wrong content type).
pub fn bad_parameters(state: &AppState, error: &super::extract::ParamsError) -> Response {
    self::error(state, StatusCode::BAD_REQUEST, "Invalid request", &error.to_string())
}

/// For failures of our own (database down): logs the cause under the page's reference.
pub fn internal_error(state: &AppState, cause: &dyn std::error::Error) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    tracing::error!(%request_id, error = %crate::oidc::error::ErrorChain(cause), "internal error");
    render(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        "error.html",
        &json!({ "title": "Something went wrong", "message": "The hub could not complete this request. Please try again.", "request_id": request_id }),
    )
}

/// `303 See Other`, so a POSTed form is followed by a GET.
pub fn see_other(location: &str) -> Response {
    Response::builder().status(StatusCode::SEE_OTHER).header("location", location).finish()
}
