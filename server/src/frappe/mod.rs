//! Frappe compatibility (SPEC §4): a Frappe app server whose Social Login Key has provider
//! "Frappe" and the hub's URL as its base URL ("Frappe Server URL") signs its users in
//! through the hub, unmodified. Frappe appends the authorization and token paths to that
//! base URL and joins the profile path to the host's root (`urljoin` with a leading
//! slash), so with an issuer that has a path they are served both at the root and under
//! the issuer. Each is the hub's own endpoint, under the same client rules, in Frappe's
//! request and answer shapes; `HUB_FRAPPE_ENDPOINTS=false` leaves them out.

mod endpoints;
mod profile;

use poem::Route;

use crate::http::methods;
use crate::oidc::token;

pub const AUTHORIZE: &str = "/api/method/frappe.integrations.oauth2.authorize";
pub const GET_TOKEN: &str = "/api/method/frappe.integrations.oauth2.get_token";
pub const OPENID_PROFILE: &str = "/api/method/frappe.integrations.oauth2.openid_profile";
pub const INTROSPECT_TOKEN: &str = "/api/method/frappe.integrations.oauth2.introspect_token";
pub const REVOKE_TOKEN: &str = "/api/method/frappe.integrations.oauth2.revoke_token";
pub const OPENID_CONFIGURATION: &str = "/api/method/frappe.integrations.oauth2.openid_configuration";

/// `routes` with Frappe's paths added.
pub fn mount(routes: Route) -> Route {
    routes
        .at(AUTHORIZE, methods::pages().get(endpoints::authorize))
        // The token endpoint itself: Frappe's request and answer are RFC 6749's.
        .at(GET_TOKEN, methods::oauth().post(token::post))
        .at(OPENID_PROFILE, methods::oauth().get(endpoints::openid_profile).post(endpoints::openid_profile))
        .at(INTROSPECT_TOKEN, methods::oauth().post(endpoints::introspect_token))
        .at(REVOKE_TOKEN, methods::oauth().post(endpoints::revoke_token))
        .at(OPENID_CONFIGURATION, methods::oauth().get(endpoints::openid_configuration))
}
