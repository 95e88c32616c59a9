//! Headers every response carries: no sniffing, no framing, no referrer, no caching
//! unless a handler opted in (token, userinfo and page responses must never be cached),
//! and with an https issuer, HSTS (RFC 6797): browsers then never try plain http again.

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
