//! The admin web UI (SPEC §6): the single-page app built from `admin-ui/` into
//! `admin-ui/dist/`, embedded in the binary and served at `/admin/`. It signs in through
//! the hub as the built-in public client (`manage::built_in`).

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{IntoResponse, Response, handler};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../admin-ui/dist"]
struct Assets;

pub const BASE: &str = crate::manage::built_in::ADMIN_UI_PATH;

/// The UI's pages may run only their own scripts and talk only to the hub; icons of
/// upstreams may come from anywhere over https.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
    connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[handler]
pub fn redirect_to_root() -> Response {
    // Relative, so it works under any issuer path.
    Response::builder().status(StatusCode::FOUND).header(header::LOCATION, "admin/").finish()
}

#[handler]
pub fn index() -> Response {
    serve("index.html")
}

#[handler]
pub fn asset(Path(path): Path<String>) -> Response {
    if Assets::get(&path).is_some() {
        serve(&path)
    } else if path.starts_with("api/") || path.starts_with("assets/") {
        StatusCode::NOT_FOUND.into_response()
    } else {
        // A route of the single-page app: the app itself finds its page.
        serve("index.html")
    }
}

fn serve(path: &str) -> Response {
    let Some(file) = Assets::get(path) else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("text/plain; charset=utf-8")
            .body("the admin UI is not built into this binary (see admin-ui/README.md)");
    };
    let mime = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    // Hashed asset names never change content; the page itself is always revalidated.
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    Response::builder()
        .content_type(mime)
        .header(header::CACHE_CONTROL, cache)
        .header(header::CONTENT_SECURITY_POLICY, CSP)
        .body(file.data.into_owned())
}
