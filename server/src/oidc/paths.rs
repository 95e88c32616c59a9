//! Every path the hub serves, relative to the issuer. The router and the discovery
//! document both read them from here, so they cannot disagree.

pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const JWKS: &str = "/jwks.json";
pub const AUTHORIZE: &str = "/authorize";
pub const TOKEN: &str = "/token";
pub const USERINFO: &str = "/userinfo";
pub const END_SESSION: &str = "/logout";
/// Interaction pages that `/authorize` sends the browser to.
pub const LOGIN: &str = "/login";
pub const CONSENT: &str = "/consent";
pub const STATIC: &str = "/static";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";

/// Where an upstream sends the browser back after sign-in; one per Social Login Key.
pub fn upstream_callback(slug: &str) -> String {
    format!("/upstream/{slug}/callback")
}
