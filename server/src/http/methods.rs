//! The methods each route serves, and the answer to any other: 405 with `Allow` (RFC 9110
//! §15.5.6) in the form the endpoint speaks, an OAuth error (RFC 6749 §5.2's JSON) for
//! the protocol's endpoints, the error page for the pages people see. Poem's own method
//! router answers in plain text and names no methods. Also the answer to a path the hub
//! does not serve at all: the error page for a browser, a problem (RFC 9457) for the rest.

use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::error::NotFoundError;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use serde_json::json;

use super::page;
use crate::state::AppState;

/// What a route's errors look like.
#[derive(Clone, Copy)]
enum Speaks {
    OAuth,
    Pages,
}

pub struct Methods {
    speaks: Speaks,
    routes: Vec<(Method, BoxEndpoint<'static>)>,
}

/// A route of the protocol: its errors are OAuth's JSON.
pub fn oauth() -> Methods {
    Methods { speaks: Speaks::OAuth, routes: Vec::new() }
}

/// A route a browser opens: its errors are pages.
pub fn pages() -> Methods {
    Methods { speaks: Speaks::Pages, routes: Vec::new() }
}

impl Methods {
    pub fn get(self, endpoint: impl Endpoint + 'static) -> Self {
        self.on(Method::GET, endpoint)
    }

    pub fn post(self, endpoint: impl Endpoint + 'static) -> Self {
        self.on(Method::POST, endpoint)
    }

    pub fn put(self, endpoint: impl Endpoint + 'static) -> Self {
        self.on(Method::PUT, endpoint)
    }

    pub fn delete(self, endpoint: impl Endpoint + 'static) -> Self {
        self.on(Method::DELETE, endpoint)
    }

    fn on(mut self, method: Method, endpoint: impl Endpoint + 'static) -> Self {
        self.routes.push((method, endpoint.map_to_response().boxed()));
        self
    }

    fn allow(&self) -> String {
        let mut methods: Vec<&str> = self.routes.iter().map(|(method, _)| method.as_str()).collect();
        if methods.contains(&"GET") {
            methods.push("HEAD");
        }
        methods.join(", ")
    }

    fn not_allowed(&self, req: &Request) -> Response {
        let allow = self.allow();
        let mut response = match (self.speaks, req.data::<AppState>()) {
            (Speaks::Pages, Some(state)) => page::error(
                state,
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
                "This page cannot be opened this way. Go back and try again.",
            ),
            _ => oauth_error(StatusCode::METHOD_NOT_ALLOWED, &format!("use {allow}")),
        };
        if let Ok(value) = HeaderValue::from_str(&allow) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        response
    }
}

impl Endpoint for Methods {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        match (self.speaks, req.data::<AppState>().cloned()) {
            (Speaks::Pages, Some(state)) => super::language::in_language(&state, req, |req| self.dispatch(req)).await,
            _ => self.dispatch(req).await,
        }
    }
}

impl Methods {
    async fn dispatch(&self, req: Request) -> poem::Result<Response> {
        let head = req.method() == Method::HEAD;
        let wanted = if head { Method::GET } else { req.method().clone() };
        let Some((_, endpoint)) = self.routes.iter().find(|(method, _)| *method == wanted) else {
            return Ok(self.not_allowed(&req));
        };
        let mut response = endpoint.call(req).await?;
        if head {
            response.set_body(());
        }
        Ok(response)
    }
}

fn oauth_error(status: StatusCode, description: &str) -> Response {
    let body = json!({ "error": "invalid_request", "error_description": description });
    Response::builder().status(status).content_type("application/json").body(body.to_string())
}

/// Wraps the router: a path it has no route for gets the error page when a browser asked
/// (it accepts HTML), and a problem otherwise. Routes' own 404 answers pass untouched.
pub async fn unknown_paths<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let browser = req.header("accept").is_some_and(|accept| accept.contains("text/html"));
    // Only a browser's request may need the page (machines on the hot paths never do).
    let state = if browser { req.data::<AppState>().cloned() } else { None };
    let language = state.as_ref().map(|state| super::language::of(state, &req).0);
    match next.call(req).await {
        Err(error) if error.is::<NotFoundError>() => Ok(match (state, language) {
            (Some(state), Some(language)) => {
                let page = async {
                    page::error(
                        &state,
                        StatusCode::NOT_FOUND,
                        "Page not found",
                        "There is no page at this address. Check the link, or go back to the app you came from.",
                    )
                };
                crate::i18n::scope(language, page).await
            }
            _ => {
                let problem = json!({
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "the hub serves nothing at this path; its endpoints are in /.well-known/openid-configuration",
                });
                Response::builder()
                    .status(StatusCode::NOT_FOUND)
                    .content_type("application/problem+json")
                    .body(problem.to_string())
            }
        }),
        other => other.map(IntoResponse::into_response),
    }
}
