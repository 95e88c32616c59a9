//! The HTTP surface: one route table for every endpoint, mounted under the issuer's path,
//! wrapped in the headers every response carries.

pub mod cookies;
pub mod csrf;
pub mod extract;
pub mod health;
pub mod middleware;
pub mod page;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem::middleware::Cors;
use poem::web::Data;
use poem::{EndpointExt, IntoResponse, Response, Route, get, handler, post};

use crate::federation;
use crate::interaction::{consent, login};
use crate::oidc::{authorize, discovery, end_session, jwks, paths, token, userinfo};
use crate::state::AppState;

pub fn routes(state: AppState) -> BoxEndpoint<'static> {
    let endpoints = Route::new()
        .at(paths::DISCOVERY, get(discovery::get).with(cors()))
        .at(paths::JWKS, get(jwks::get).with(cors()))
        .at(paths::AUTHORIZE, get(authorize::endpoint).post(authorize::endpoint))
        .at(paths::TOKEN, post(token::post).with(cors()))
        .at(paths::USERINFO, get(userinfo::endpoint).post(userinfo::endpoint).with(cors()))
        .at(paths::END_SESSION, get(end_session::endpoint).post(end_session::endpoint))
        .at(paths::LOGIN, get(login::get).post(login::post))
        .at(paths::CONSENT, get(consent::get).post(consent::post))
        .at(paths::UPSTREAM_START, get(federation::flow::start))
        .at(paths::UPSTREAM_CALLBACK, get(federation::flow::callback))
        .at(paths::UPSTREAM_BACKCHANNEL_LOGOUT, post(federation::logout::backchannel))
        .at(paths::UPSTREAM_LOGGED_OUT, get(federation::sign_out::logged_out))
        .at(format!("{}/hub.css", paths::STATIC), get(stylesheet))
        .at(paths::HEALTHZ, get(health::healthz))
        .at(paths::READYZ, get(health::readyz));
    let endpoints = crate::admin_ui::mount(crate::admin::mount(endpoints));
    let base = state.settings.issuer.path().trim_end_matches('/').to_owned();
    let root = if base.is_empty() { endpoints } else { Route::new().nest(base, endpoints) };
    root.around(crate::admin::problems).around(middleware::security_headers).data(state).boxed()
}

/// Browser apps (public clients) call these endpoints from their own origin. No
/// credentials are ever allowed: cookies only matter to the hub's own pages.
fn cors() -> Cors {
    Cors::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(["authorization", "content-type"])
        .allow_credentials(false)
        .max_age(3600)
}

#[handler]
fn stylesheet(Data(_state): Data<&AppState>) -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header("cache-control", "public, max-age=86400")
        .body(crate::templates::STYLESHEET)
        .into_response()
}
