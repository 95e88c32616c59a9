//! The admin web UI (SPEC §6): the single-page app built from `admin-ui/` into
//! `admin-ui/dist/`, embedded in the binary and served at `/admin/`. It signs in through
//! the hub as the public client `hub-admin`, which the hub registers for itself here.

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{IntoResponse, Response, Route, get, handler};
use rust_embed::RustEmbed;

use crate::admin::ADMIN_UI_CLIENT_ID;
use crate::domain::user::ADMINS_GROUP;
use crate::domain::{Client, GrantType, IdTokenAlg, ResponseType, ScopeSet, TokenEndpointAuthMethod};
use crate::state::AppState;
use crate::store::StoreError;

#[derive(RustEmbed)]
#[folder = "../admin-ui/dist"]
struct Assets;

pub const BASE: &str = "/admin";

/// The UI's pages may run only their own scripts and talk only to the hub; icons of
/// upstreams may come from anywhere over https.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
    connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the UI's routes to the hub's.
pub fn mount(route: Route) -> Route {
    route.at(BASE, get(redirect_to_root)).at(format!("{BASE}/"), get(index)).at(format!("{BASE}/*path"), get(asset))
}

#[handler]
fn redirect_to_root() -> Response {
    // Relative, so it works under any issuer path.
    Response::builder().status(StatusCode::FOUND).header(header::LOCATION, "admin/").finish()
}

#[handler]
fn index() -> Response {
    serve("index.html")
}

#[handler]
fn asset(Path(path): Path<String>) -> Response {
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

/// Registers (or brings up to date) the admin UI's client and makes sure the `admins`
/// group exists. Runs at every start, so a changed issuer updates the redirect URI.
pub async fn register(state: &AppState) -> Result<(), StoreError> {
    let root = format!("{}{BASE}/", state.issuer());
    let client = Client {
        client_id: ADMIN_UI_CLIENT_ID.to_owned(),
        client_name: "Hub admin".to_owned(),
        redirect_uris: vec![root.clone()],
        post_logout_redirect_uris: vec![root],
        grant_types: vec![GrantType::AuthorizationCode],
        response_types: vec![ResponseType::Code],
        token_endpoint_auth_method: TokenEndpointAuthMethod::None,
        id_token_signed_response_alg: IdTokenAlg::RS256,
        backchannel_logout_uri: None,
        scope: ScopeSet::parse("openid profile").unwrap_or_default(),
        skip_authorization: true,
        allowed_social_login_keys: Vec::new(),
        default_social_login_key: None,
    };
    match state.store.create_client(&client, None).await {
        Err(StoreError::Conflict(_)) => state.store.update_client(&client, Some(None)).await?,
        other => other?,
    }
    if state.store.find_group_by_name(ADMINS_GROUP).await?.is_none() {
        match state.store.create_group(ADMINS_GROUP, Some("Members may use the admin API and UI".into())).await {
            Err(StoreError::Conflict(_)) => {}
            other => {
                other?;
            }
        }
    }
    Ok(())
}
