//! Reading requests the way OAuth requires: form bodies with a size limit and no repeated
//! parameters (RFC 6749 §3.1), cookies, bearer and basic credentials, the client address.

use std::collections::HashMap;
use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::http::Method;
use poem::{Body, Request};

/// Larger bodies are refused: no OAuth request needs more.
pub const FORM_LIMIT: usize = 64 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamsError {
    #[error("parameter {0} is repeated")]
    Repeated(String),
    #[error("request body is larger than {FORM_LIMIT} bytes")]
    TooLarge,
    #[error("request body must be application/x-www-form-urlencoded")]
    ContentType,
    #[error("request body could not be read")]
    Unreadable,
    #[error("parameter {0} contains control characters")]
    ControlCharacters(String),
}

/// NUL and other control characters have no place in any OAuth parameter, and some
/// databases refuse them; tab, CR and LF are allowed (multi-line values are harmless).
fn has_control_characters(value: &str) -> bool {
    value.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}

/// Request parameters, each present at most once. Empty values count as absent
/// (RFC 6749 §3.1: "parameters sent without a value MUST be treated as if they were
/// omitted").
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(encoded: &[u8]) -> Result<Self, ParamsError> {
        let mut map = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            if has_control_characters(&name) || has_control_characters(&value) {
                return Err(ParamsError::ControlCharacters(name.escape_debug().to_string()));
            }
            if map.insert(name.to_string(), value.to_string()).is_some() {
                return Err(ParamsError::Repeated(name.escape_debug().to_string()));
            }
        }
        map.retain(|_, value: &mut String| !value.is_empty());
        Ok(Self(map))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// These parameters with `overrides` in place of theirs and `removed` taken out (a
    /// request object's members supersede the query's, OIDC Core §6.1). Values with
    /// control characters are refused here as in `parse`.
    pub fn merged(
        &self,
        overrides: impl IntoIterator<Item = (String, String)>,
        removed: &[&str],
    ) -> Result<Self, ParamsError> {
        let mut map = self.0.clone();
        for (name, value) in overrides {
            if has_control_characters(&name) || has_control_characters(&value) {
                return Err(ParamsError::ControlCharacters(name.escape_debug().to_string()));
            }
            map.insert(name, value);
        }
        map.retain(|name, value| !value.is_empty() && !removed.contains(&name.as_str()));
        Ok(Self(map))
    }
}

/// Query parameters of a GET, or the form body of a POST.
pub async fn request_params(req: &Request, body: Body) -> Result<Params, ParamsError> {
    if req.method() == Method::POST { form_params(req, body).await } else { query_params(req) }
}

pub fn query_params(req: &Request) -> Result<Params, ParamsError> {
    Params::parse(req.uri().query().unwrap_or_default().as_bytes())
}

pub async fn form_params(req: &Request, body: Body) -> Result<Params, ParamsError> {
    let content_type = req.header("content-type").unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(ParamsError::ContentType);
    }
    if req.header("content-length").and_then(|v| v.parse::<usize>().ok()).is_some_and(|len| len > FORM_LIMIT) {
        return Err(ParamsError::TooLarge);
    }
    let bytes = body.into_bytes_limit(FORM_LIMIT).await.map_err(|e| match e {
        poem::error::ReadBodyError::PayloadTooLarge => ParamsError::TooLarge,
        _ => ParamsError::Unreadable,
    })?;
    Params::parse(&bytes)
}

pub fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// An `Authorization` header that is not what the endpoint accepts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("malformed Authorization header")]
pub struct MalformedAuthorization;

/// The one `Authorization` header, if any: two are two credentials in one request, which
/// RFC 6749 §2.3 forbids (and which proxies may not agree on the order of).
fn authorization(req: &Request) -> Result<Option<&str>, MalformedAuthorization> {
    let mut headers = req.headers().get_all(poem::http::header::AUTHORIZATION).iter();
    match (headers.next(), headers.next()) {
        (None, _) => Ok(None),
        (Some(header), None) => header.to_str().map(Some).map_err(|_| MalformedAuthorization),
        (Some(_), Some(_)) => Err(MalformedAuthorization),
    }
}

/// `Authorization: Bearer <token>`; `Err` for another scheme or a malformed header.
pub fn bearer_token(req: &Request) -> Result<Option<String>, MalformedAuthorization> {
    let Some(header) = authorization(req)? else {
        return Ok(None);
    };
    let (scheme, token) = header.split_once(' ').ok_or(MalformedAuthorization)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(MalformedAuthorization);
    }
    Ok(Some(token.trim().to_owned()))
}

/// Whether the request authenticates with HTTP Basic (an `invalid_client` answer then
/// carries a `WWW-Authenticate: Basic` challenge, RFC 6749 §5.2).
pub fn uses_basic(req: &Request) -> bool {
    req.header("authorization")
        .and_then(|header| header.split_once(' '))
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
}

/// `Authorization: Basic` credentials, form-urlencoded inside as RFC 6749 §2.3.1 requires.
pub fn basic_credentials(req: &Request) -> Result<Option<(String, String)>, MalformedAuthorization> {
    let Some(header) = authorization(req)? else {
        return Ok(None);
    };
    let (scheme, encoded) = header.split_once(' ').ok_or(MalformedAuthorization)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(MalformedAuthorization);
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| MalformedAuthorization)?;
    let text = String::from_utf8(decoded).map_err(|_| MalformedAuthorization)?;
    let (id, secret) = text.split_once(':').ok_or(MalformedAuthorization)?;
    if has_control_characters(id) || has_control_characters(secret) {
        return Err(MalformedAuthorization);
    }
    let unescape = |s: &str| {
        let value = url::form_urlencoded::parse(format!("v={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
        value.filter(|v| !has_control_characters(v)).ok_or(MalformedAuthorization)
    };
    Ok(Some((unescape(id)?, unescape(secret)?)))
}

/// The client's address: the socket peer, or the nearest `X-Forwarded-For` entry when the
/// operator says a proxy sets it.
pub fn client_address(req: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(forwarded) = req.header("x-forwarded-for")
        && let Some(last) = forwarded.rsplit(',').next()
        && let Ok(ip) = last.trim().parse::<IpAddr>()
    {
        return ip.to_string();
    }
    match req.remote_addr().as_socket_addr() {
        Some(addr) => addr.ip().to_string(),
        None => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused_and_empty_ones_ignored() {
        assert_eq!(Params::parse(b"a=1&a=2").unwrap_err(), ParamsError::Repeated("a".into()));
        let params = Params::parse(b"a=1&b=&c=%20x").unwrap();
        assert_eq!(params.get("a"), Some("1"));
        assert!(!params.has("b"));
        assert_eq!(params.get("c"), Some(" x"));
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(matches!(Params::parse(b"client_id=%00"), Err(ParamsError::ControlCharacters(_))));
        assert!(matches!(Params::parse(b"a%01=1"), Err(ParamsError::ControlCharacters(_))));
        assert!(Params::parse(b"state=line%0Anext").is_ok());
        let req = Request::builder().header("authorization", format!("Basic {}", STANDARD.encode("a%00:b"))).finish();
        assert!(basic_credentials(&req).is_err());
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let req = Request::builder()
            .header("authorization", format!("Basic {}", STANDARD.encode("my%3Aclient:p%40ss+word")))
            .finish();
        assert_eq!(basic_credentials(&req).unwrap(), Some(("my:client".into(), "p@ss word".into())));
        let bad = Request::builder().header("authorization", "Basic !!!").finish();
        assert!(basic_credentials(&bad).is_err());
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let req = Request::builder().header("cookie", "a_b=1; a=2; empty=").finish();
        assert_eq!(cookie(&req, "a").as_deref(), Some("2"));
        assert_eq!(cookie(&req, "empty"), None);
        assert_eq!(cookie(&req, "b"), None);
    }
}
