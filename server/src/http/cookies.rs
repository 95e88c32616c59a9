//! The hub's cookies: the SSO session and the browser binding, both HttpOnly and
//! SameSite=Lax, Secure unless the issuer is plain http on loopback (SPEC §3, §4). Where
//! they are Secure and cover the whole host they carry the `__Host-` prefix, so a sibling
//! subdomain cannot plant one.

use poem::http::HeaderValue;
use poem::{Request, Response};

use crate::config::Settings;

#[derive(Debug, Clone, Copy)]
pub enum Cookie {
    /// The SSO session id.
    Session,
    /// A random id per browser: binds interactions and CSRF tokens to the browser that
    /// started them.
    Browser,
    /// The language the person chose at the pages' switch.
    Language,
}

/// Path every cookie is scoped to: the issuer's path.
fn path(settings: &Settings) -> String {
    let path = settings.issuer.path().trim_end_matches('/');
    if path.is_empty() { "/".into() } else { path.to_owned() }
}

fn name(settings: &Settings, cookie: Cookie) -> String {
    let base = match cookie {
        Cookie::Session => "hub_session",
        Cookie::Browser => "hub_browser",
        Cookie::Language => "hub_lang",
    };
    if settings.cookie_secure() && path(settings) == "/" { format!("__Host-{base}") } else { base.to_owned() }
}

pub fn read(req: &Request, settings: &Settings, cookie: Cookie) -> Option<String> {
    super::extract::cookie(req, &name(settings, cookie))
}

/// `max_age` None: a browser-session cookie; Some(0): delete.
pub fn set(response: &mut Response, settings: &Settings, cookie: Cookie, value: &str, max_age: Option<u64>) {
    let mut header = format!("{}={value}; Path={}; HttpOnly; SameSite=Lax", name(settings, cookie), path(settings));
    if settings.cookie_secure() {
        header.push_str("; Secure");
    }
    if let Some(seconds) = max_age {
        header.push_str(&format!("; Max-Age={seconds}"));
    }
    if let Ok(value) = HeaderValue::from_str(&header) {
        response.headers_mut().append("set-cookie", value);
    }
}

pub fn clear(response: &mut Response, settings: &Settings, cookie: Cookie) {
    set(response, settings, cookie, "", Some(0));
}

/// The live SSO session behind the request's session cookie, if any.
pub async fn session(
    state: &crate::state::AppState,
    req: &Request,
) -> Result<Option<crate::session::browser::BrowserSession>, crate::session::SessionError> {
    match read(req, &state.settings, Cookie::Session) {
        Some(cookie) => crate::sso::current(state, &cookie).await,
        None => Ok(None),
    }
}

/// The browser's binding id, and whether it was just made (then the response must set it).
pub fn browser_id(req: &Request, settings: &Settings) -> Result<(String, bool), crate::secrets::SecretError> {
    match read(req, settings, Cookie::Browser).filter(|v| v.len() == 43) {
        Some(existing) => Ok((existing, false)),
        None => Ok((crate::secrets::random_token()?, true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(issuer: &str) -> Settings {
        Settings { issuer: url::Url::parse(issuer).unwrap(), ..Settings::default() }
    }

    #[test]
    fn secure_host_wide_cookies_are_host_prefixed() {
        let mut response = Response::default();
        set(&mut response, &settings("https://id.example.com"), Cookie::Session, "v", None);
        let header = response.headers().get("set-cookie").unwrap().to_str().unwrap();
        assert_eq!(header, "__Host-hub_session=v; Path=/; HttpOnly; SameSite=Lax; Secure");

        let mut response = Response::default();
        set(&mut response, &settings("http://127.0.0.1:8080"), Cookie::Browser, "v", Some(0));
        let header = response.headers().get("set-cookie").unwrap().to_str().unwrap();
        assert_eq!(header, "hub_browser=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    }
}
