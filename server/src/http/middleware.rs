//! Headers every response carries: no sniffing, no framing, no referrer, no caching
//! unless a handler opted in (token, userinfo and page responses must never be cached),
//! and with an https issuer, HSTS (RFC 6797): browsers then never try plain http again.
//! And the scope in which a request's pages find their language (`crate::i18n`).

use poem::http::HeaderValue;
use poem::http::header::{
    CACHE_CONTROL, CONNECTION, PRAGMA, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Request, Response};

use crate::state::AppState;

pub async fn security_headers<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    // A body over the limit is refused unread; the connection cannot carry another request.
    let oversized = req
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|length| length > super::extract::FORM_LIMIT);
    let https = req.data::<AppState>().is_some_and(|state| state.settings.issuer.scheme() == "https");
    let mut response = next.call(req).await?.into_response();
    let headers = response.headers_mut();
    if oversized {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if https {
        // A year, as browsers' preload lists ask; not includeSubDomains: the hub may not
        // speak for its domain's other hosts.
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    }
    Ok(response)
}

/// How long the language switch's choice is remembered.
const LANGUAGE_COOKIE_SECS: u64 = 365 * 24 * 3600;

/// Opens the request's language scope (`crate::i18n`): the cookie of the language switch,
/// or this request's `lang` (which then sets the cookie), and `Accept-Language`.
pub async fn language<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let Some(state) = req.data::<AppState>().cloned() else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let available = state.templates.catalogues().codes();
    let switched = (req.method() == poem::http::Method::GET)
        .then(|| query_value(req.original_uri().query(), crate::i18n::SWITCH_PARAMETER))
        .flatten()
        .and_then(|asked| crate::i18n::negotiate::matching(available, &asked).map(str::to_owned));
    let remembered = super::cookies::read(&req, &state.settings, super::cookies::Cookie::Language)
        .and_then(|code| crate::i18n::negotiate::matching(available, &code).map(str::to_owned));
    let accepted = req.header("accept-language").map(crate::i18n::negotiate::accepted).unwrap_or_default();
    // The switch links back to this page; a path a browser would read as another host's
    // (`//evil.example/…`) gets no switch.
    let here = (req.method() == poem::http::Method::GET)
        .then(|| without_switch(req.original_uri()))
        .filter(|here| here.starts_with('/') && !here.starts_with("//") && !here.contains('\\'));
    let language =
        crate::i18n::RequestLanguage { chosen: switched.clone().or(remembered), accepted, asked: Vec::new(), here };
    let mut response = crate::i18n::scope(language, next.call(req)).await?.into_response();
    if let Some(code) = switched {
        super::cookies::set(
            &mut response,
            &state.settings,
            super::cookies::Cookie::Language,
            &code,
            Some(LANGUAGE_COOKIE_SECS),
        );
    }
    Ok(response)
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

/// The request's path and query, without the switch's parameter.
fn without_switch(uri: &poem::http::Uri) -> String {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .filter(|(key, _)| key != crate::i18n::SWITCH_PARAMETER)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        return uri.path().to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    format!("{}?{query}", uri.path())
}
