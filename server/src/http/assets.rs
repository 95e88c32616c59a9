//! Static files of the pages: the stylesheet, built into the binary.

use poem::{IntoResponse, Response, handler};

#[handler]
pub fn stylesheet() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header("cache-control", "public, max-age=86400")
        .body(crate::templates::STYLESHEET)
        .into_response()
}
