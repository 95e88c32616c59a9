//! Static files of the pages, built into the binary: the stylesheet, and the script of
//! the passkey forms (the pages' CSP allows scripts from the hub only, none inline); and
//! the operator's own stylesheet and logo (`templates::Branding`), when configured.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{IntoResponse, Response, handler};

use crate::state::AppState;

#[handler]
pub fn stylesheet() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header("cache-control", "public, max-age=86400")
        .body(crate::templates::STYLESHEET)
        .into_response()
}

#[handler]
pub fn passkey_script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header("cache-control", "public, max-age=3600")
        .body(crate::templates::PASSKEY_SCRIPT)
        .into_response()
}

#[handler]
pub fn site_stylesheet(Data(state): Data<&AppState>) -> Response {
    match &state.templates.branding().stylesheet {
        Some(css) => Response::builder()
            .content_type("text/css; charset=utf-8")
            .header("cache-control", "public, max-age=3600")
            .body(css.clone())
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The logo. An SVG opened on its own gets a CSP that runs nothing in it.
#[handler]
pub fn site_logo(Data(state): Data<&AppState>) -> Response {
    match &state.templates.branding().logo {
        Some((image, content_type)) => Response::builder()
            .content_type(*content_type)
            .header("cache-control", "public, max-age=3600")
            .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
            .body(image.clone())
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
