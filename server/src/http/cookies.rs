//! The hub's cookies: the SSO session and the browser binding, both HttpOnly and
//! SameSite=Lax, Secure unless the issuer is plain http on loopback (SPEC §3, §4).

use poem::Response;
use poem::http::HeaderValue;

use crate::config::Settings;

/// The SSO session id.
pub const SESSION: &str = "hub_session";
/// A random id per browser: binds interactions and CSRF tokens to the browser that
/// started them.
pub const BROWSER: &str = "hub_browser";

/// Path every cookie is scoped to: the issuer's path.
fn path(settings: &Settings) -> String {
    let path = settings.issuer.path().trim_end_matches('/');
    if path.is_empty() { "/".into() } else { path.to_owned() }
}

/// `max_age` None: a browser-session cookie; Some(0): delete.
pub fn set(response: &mut Response, settings: &Settings, name: &str, value: &str, max_age: Option<u64>) {
    let mut cookie = format!("{name}={value}; Path={}; HttpOnly; SameSite=Lax", path(settings));
    if settings.cookie_secure() {
        cookie.push_str("; Secure");
    }
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append("set-cookie", value);
    }
}

pub fn clear(response: &mut Response, settings: &Settings, name: &str) {
    set(response, settings, name, "", Some(0));
}

/// The browser's binding id, and whether it was just made (then the response must set it).
pub fn browser_id(req: &poem::Request) -> Result<(String, bool), crate::secrets::SecretError> {
    match super::extract::cookie(req, BROWSER).filter(|v| v.len() == 43) {
        Some(existing) => Ok((existing, false)),
        None => Ok((crate::secrets::random_token()?, true)),
    }
}
