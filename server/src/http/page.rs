//! HTML responses: a page rendered from its typed context with the hub's
//! Content-Security-Policy, and the error page every HTML endpoint falls back to.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};

use crate::state::AppState;
pub use crate::templates::{
    AccountPasskeysPage, AccountSecondFactorPage, ConsentPage, DeviceConfirmPage, DeviceDonePage, DevicePage,
    EnrolmentPage, ErrorPage, FormField, FormPostPage, LoggedOutPage, LoginLink, LoginPage, LogoutPage, Page,
    PasskeyEnrolment, PasskeyForm, PasskeyPurpose, PasskeyRow, SecondFactorPage,
};

/// No script and no third-party anything; pages work without JavaScript (SPEC §7).
const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'; base-uri 'none'";

/// Pages that offer passkeys: the hub's own script (never an inline one), which fetches
/// the ceremony's options from the hub.
const CSP_WITH_SCRIPT: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
    img-src 'self' data: https:; frame-ancestors 'none'; base-uri 'none'";

pub fn render<P: Page>(state: &AppState, status: StatusCode, page: &P) -> Response {
    render_with_csp(state, status, page, CSP.to_owned())
}

/// As `render`, for a page that loads the hub's own scripts.
pub fn render_scripted<P: Page>(state: &AppState, status: StatusCode, page: &P) -> Response {
    render_with_csp(state, status, page, CSP_WITH_SCRIPT.to_owned())
}

pub fn render_with_csp<P: Page>(state: &AppState, status: StatusCode, page: &P, csp: String) -> Response {
    let language = crate::i18n::current(state.templates.catalogues());
    match state.templates.render_in(page, &language) {
        Ok(html) => Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8")
            .header("content-security-policy", csp)
            .body(html)
            .into_response(),
        Err(error) => {
            let template = P::TEMPLATE;
            tracing::error!(template, error = %crate::telemetry::ErrorChain(&error), "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be rendered.").into_response()
        }
    }
}

/// An error shown to the person at the browser, never redirected anywhere.
pub fn error(state: &AppState, status: StatusCode, title: &str, message: &str) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    tracing::info!(%request_id, status = status.as_u16(), title, message, "error page");
    render(state, status, &ErrorPage { title: title.to_owned(), message: message.to_owned(), request_id })
}

/// Parameters that could not be read (repeated, too large, wrong content type).
pub fn bad_parameters(state: &AppState, error: &super::extract::ParamsError) -> Response {
    self::error(state, StatusCode::BAD_REQUEST, "Invalid request", &error.to_string())
}

/// A form whose CSRF token is missing, of another browser, or too old.
pub fn csrf_refused(state: &AppState, what_to_do: &str) -> Response {
    self::error(state, StatusCode::FORBIDDEN, "Request expired", what_to_do)
}

/// For failures of our own: logs the cause under the page's reference. The database or
/// the session store out of reach is a 503 that says to retry, with `Retry-After`.
pub fn internal_error(state: &AppState, cause: &(dyn std::error::Error + 'static)) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    if crate::outage::report(cause).is_some() {
        tracing::warn!(%request_id, error = %crate::telemetry::ErrorChain(cause), "unavailable");
        let page = ErrorPage {
            title: "Temporarily unavailable".into(),
            message: "The hub cannot complete this request right now. Please try again in a few seconds.".into(),
            request_id,
        };
        let mut response = render(state, StatusCode::SERVICE_UNAVAILABLE, &page);
        response.headers_mut().insert(poem::http::header::RETRY_AFTER, crate::outage::RETRY_AFTER_SECS.into());
        return response;
    }
    tracing::error!(%request_id, error = %crate::telemetry::ErrorChain(cause), "internal error");
    let page = ErrorPage {
        title: "Something went wrong".into(),
        message: "The hub could not complete this request. Please try again.".into(),
        request_id,
    };
    render(state, StatusCode::INTERNAL_SERVER_ERROR, &page)
}

/// A page refusing an attempt for now: 429 with `Retry-After`, and the wait in words.
pub fn too_many_attempts<P: Page>(
    state: &AppState,
    retry_after: std::time::Duration,
    page: impl FnOnce(String) -> P,
) -> Response {
    let (seconds, message) = wait_in_words(retry_after);
    with_retry_after(render(state, StatusCode::TOO_MANY_REQUESTS, &page(message)), seconds)
}

/// A refusal page that says, in `Retry-After`, how many seconds to wait.
pub fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    response.headers_mut().insert(poem::http::header::RETRY_AFTER, seconds.into());
    response
}

/// The whole seconds to wait, and the wait in words.
pub fn wait_in_words(retry_after: std::time::Duration) -> (u64, String) {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    let message = match seconds {
        0..=59 => format!("Too many failed attempts. Please wait {seconds} s and try again."),
        _ => {
            let minutes = seconds.div_ceil(60);
            format!("Too many failed attempts. Please wait {minutes} min and try again.")
        }
    };
    (seconds, message)
}

/// `303 See Other`, so a POSTed form is followed by a GET.
pub fn see_other(location: &str) -> Response {
    Response::builder().status(StatusCode::SEE_OTHER).header("location", location).finish()
}
