//! Static files of the pages, built into the binary: the stylesheet, and the script of
//! the passkey forms (the pages' CSP allows scripts from the hub only, none inline).

use poem::{IntoResponse, Response, handler};

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
