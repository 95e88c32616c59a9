//! The language of a page's request (`crate::i18n`): the language switch's cookie, or
//! this request's `lang` (which then sets the cookie), and `Accept-Language`. Opened
//! around the routes a browser opens (`methods::pages`) and the page of an unknown path;
//! the protocol's endpoints never pay for it.

use std::future::Future;

use poem::http::Method;
use poem::{IntoResponse, Request, Response};

use crate::i18n::RequestLanguage;
use crate::state::AppState;

/// How long the language switch's choice is remembered.
const LANGUAGE_COOKIE_SECS: u64 = 365 * 24 * 3600;

/// What `req` says of its reader's language, and the language its `lang` switched to.
pub fn of(state: &AppState, req: &Request) -> (RequestLanguage, Option<String>) {
    let available = state.templates.catalogues().codes();
    let get = req.method() == Method::GET;
    let switched = get
        .then(|| query_value(req.original_uri().query(), crate::i18n::SWITCH_PARAMETER))
        .flatten()
        .and_then(|asked| crate::i18n::negotiate::matching(available, &asked).map(str::to_owned));
    let remembered = super::cookies::read(req, &state.settings, super::cookies::Cookie::Language)
        .and_then(|code| crate::i18n::negotiate::matching(available, &code).map(str::to_owned));
    let accepted = req.header("accept-language").map(crate::i18n::negotiate::accepted).unwrap_or_default();
    // The switch links back to this page; a path a browser would read as another host's
    // (`//evil.example/…`) gets no switch.
    let here = get
        .then(|| without_switch(req.original_uri()))
        .filter(|here| here.starts_with('/') && !here.starts_with("//") && !here.contains('\\'));
    let language = RequestLanguage { chosen: switched.clone().or(remembered), accepted, asked: Vec::new(), here };
    (language, switched)
}

/// Answers `req` with `page` in the reader's language; a switch is remembered in its cookie.
pub async fn in_language<F, Fut>(state: &AppState, req: Request, page: F) -> poem::Result<Response>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = poem::Result<Response>>,
{
    let (language, switched) = of(state, &req);
    let mut response = crate::i18n::scope(language, page(req)).await?.into_response();
    if let Some(code) = switched {
        let cookie = super::cookies::Cookie::Language;
        super::cookies::set(&mut response, &state.settings, cookie, &code, Some(LANGUAGE_COOKIE_SECS));
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
