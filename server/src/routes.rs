//! Every route the hub serves, in one table: the OpenID Provider, the pages of its
//! authorization flow, federation, the admin API and UI, static files and health. Mounted
//! under the issuer's path (Frappe's paths at the host's root) and wrapped in the headers
//! every response carries.

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem::middleware::Cors;
use poem::{EndpointExt, Route};

use crate::http::{assets, health, methods, middleware, observe};
use crate::interaction::{consent, device, login, passkeys, second_factor};
use crate::oidc::{
    authorize, device_authorization, discovery, end_session, introspection, jwks, par, paths, revocation, token,
    userinfo,
};
use crate::state::AppState;
use crate::{account, admin, admin_ui, federation, frappe, registration};

pub fn routes(state: AppState) -> BoxEndpoint<'static> {
    let admin = admin::endpoints();
    let endpoints = Route::new()
        // The OpenID Provider (SPEC §4).
        .at(paths::DISCOVERY, methods::oauth().get(discovery::get).with(cors()))
        .at(paths::JWKS, methods::oauth().get(jwks::get).with(cors()))
        .at(paths::AUTHORIZE, methods::pages().get(authorize::endpoint).post(authorize::endpoint))
        .at(paths::TOKEN, methods::oauth().post(token::post).with(cors()))
        .at(paths::USERINFO, methods::oauth().get(userinfo::endpoint).post(userinfo::endpoint).with(cors()))
        .at(paths::PAR, methods::oauth().post(par::post).with(cors()))
        .at(paths::DEVICE_AUTHORIZATION, methods::oauth().post(device_authorization::post))
        .at(paths::INTROSPECTION, methods::oauth().post(introspection::post))
        .at(paths::REVOCATION, methods::oauth().post(revocation::post).with(cors()))
        .at(paths::END_SESSION, methods::pages().get(end_session::endpoint).post(end_session::endpoint))
        // Apps registering and managing themselves (RFC 7591, RFC 7592).
        .at(paths::REGISTRATION, methods::oauth().post(registration::register).with(cors()))
        .at(
            paths::REGISTRATION_CLIENT,
            methods::oauth().get(registration::read).put(registration::replace).delete(registration::delete),
        )
        // The steps of the authorization flow that a person sees (SPEC §7).
        .at(paths::LOGIN, methods::pages().get(login::get).post(login::post))
        .at(paths::SECOND_FACTOR, methods::pages().get(second_factor::verify::get).post(second_factor::verify::post))
        .at(
            paths::SECOND_FACTOR_ENROLMENT,
            methods::pages().get(second_factor::enrol::get).post(second_factor::enrol::post),
        )
        .at(
            paths::ACCOUNT_SECOND_FACTOR,
            methods::pages().get(second_factor::account::get).post(second_factor::account::post),
        )
        .at(paths::PASSKEY_SIGN_IN_OPTIONS, methods::pages().post(passkeys::sign_in::options))
        .at(paths::PASSKEY_SIGN_IN, methods::pages().post(passkeys::sign_in::post))
        .at(paths::SECOND_FACTOR_PASSKEY_OPTIONS, methods::pages().post(passkeys::second_factor::options))
        .at(paths::SECOND_FACTOR_PASSKEY, methods::pages().post(passkeys::second_factor::post))
        .at(paths::ENROLMENT_PASSKEY_OPTIONS, methods::pages().post(passkeys::enrol::options))
        .at(paths::ENROLMENT_PASSKEY, methods::pages().post(passkeys::enrol::post))
        .at(paths::ACCOUNT_PASSKEYS, methods::pages().get(passkeys::account::get).post(passkeys::account::post))
        .at(paths::ACCOUNT_PASSKEYS_OPTIONS, methods::pages().post(passkeys::account::options))
        .at(paths::CONSENT, methods::pages().get(consent::get).post(consent::post))
        .at(paths::DEVICE, methods::pages().get(device::get).post(device::post))
        // The account page and recovery by e-mail (SPEC §7a).
        .at(paths::ACCOUNT, methods::pages().get(account::overview::get))
        .at(paths::ACCOUNT_CALLBACK, methods::pages().get(account::sign_in::callback))
        .at(paths::ACCOUNT_PROFILE, methods::pages().post(account::forms::profile))
        .at(paths::ACCOUNT_EMAIL, methods::pages().post(account::forms::email))
        .at(paths::ACCOUNT_PASSWORD, methods::pages().post(account::forms::password))
        .at(paths::ACCOUNT_SESSIONS, methods::pages().post(account::forms::sessions))
        .at(paths::ACCOUNT_CONSENTS, methods::pages().post(account::forms::consents))
        .at(paths::ACCOUNT_UPSTREAMS, methods::pages().post(account::forms::upstreams))
        .at(paths::ACCOUNT_UPSTREAMS_LINK, methods::pages().post(account::forms::link_upstream))
        .at(paths::ACCOUNT_SECOND_FACTOR_REMOVE, methods::pages().post(account::forms::remove_second_factor))
        .at(
            paths::ACCOUNT_RESET,
            methods::pages().get(account::recovery::reset_form).post(account::recovery::reset_request),
        )
        .at(
            format!("{}/:token", paths::ACCOUNT_LINK),
            methods::pages().get(account::recovery::link_form).post(account::recovery::link_follow),
        )
        .at(
            paths::ACCOUNT_SIGN_UP,
            methods::pages().get(account::recovery::sign_up_form).post(account::recovery::sign_up),
        )
        // The hub as a relying party to upstreams (SPEC §5).
        .at(paths::UPSTREAM_START, methods::pages().get(federation::flow::start))
        .at(paths::UPSTREAM_CALLBACK, methods::pages().get(federation::flow::callback))
        .at(paths::UPSTREAM_BACKCHANNEL_LOGOUT, methods::oauth().post(federation::logout::backchannel))
        .at(paths::UPSTREAM_SIGN_OUT, methods::pages().get(federation::sign_out::sign_out))
        .at(paths::UPSTREAM_LOGGED_OUT, methods::pages().get(federation::sign_out::logged_out))
        // The admin API, its OpenAPI document and its docs (SPEC §6).
        .nest(admin::API_BASE, admin.api)
        .at(admin::DOCUMENT_PATH, admin.document)
        .nest(admin::DOCS_PATH, admin.docs)
        // The admin UI, a single-page app on the admin API.
        .at(admin_ui::BASE, methods::pages().get(admin_ui::redirect_to_root))
        .at(format!("{}/", admin_ui::BASE), methods::pages().get(admin_ui::index))
        .at(format!("{}/*path", admin_ui::BASE), methods::pages().get(admin_ui::asset))
        // The pages' stylesheet and passkey script, and health for load balancers and orchestrators.
        .at(format!("{}/hub.css", paths::STATIC), methods::pages().get(assets::stylesheet))
        .at(format!("{}/passkey.js", paths::STATIC), methods::pages().get(assets::passkey_script))
        .at(format!("{}/site.css", paths::STATIC), methods::pages().get(assets::site_stylesheet))
        .at(format!("{}/logo", paths::STATIC), methods::pages().get(assets::site_logo))
        .at(paths::HEALTHZ, methods::oauth().get(health::healthz))
        .at(paths::READYZ, methods::oauth().get(health::readyz));
    // Metrics on the main listener only when asked for: they say how busy the hub is.
    let endpoints = match state.settings.metrics {
        true => endpoints.at(paths::METRICS, methods::oauth().get(observe::prometheus)),
        false => endpoints,
    };
    let base = state.settings.issuer.path().trim_end_matches('/').to_owned();
    let frappe = state.settings.frappe_endpoints;
    let root = match (base.is_empty(), frappe) {
        (true, true) => frappe::mount(endpoints),
        (true, false) => endpoints,
        // Frappe joins some of its paths to its "Base URL" (which may be the issuer) and
        // the rest to the host's root: both are served.
        (false, true) => frappe::mount(Route::new().nest(base, frappe::mount(endpoints))),
        (false, false) => Route::new().nest(base, endpoints),
    };
    root.around(admin::problems)
        .around(methods::unknown_paths)
        .around(middleware::security_headers)
        .around(observe::access_log)
        .data(state)
        .boxed()
}

/// The listener of `HUB_METRICS_LISTEN`: the metrics and nothing else.
pub fn metrics_only(state: AppState) -> BoxEndpoint<'static> {
    Route::new()
        .at(paths::METRICS, methods::oauth().get(observe::prometheus))
        .around(methods::unknown_paths)
        .data(state)
        .boxed()
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
