//! The admin API as an operator's script calls it: bearer token, JSON in, JSON or RFC 9457
//! problems out. Also the admin UI's own sign-in (public client `hub-admin`, PKCE), run by
//! the `openidconnect` crate, for tests that need an administrator's access token.

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthType, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{Browser, TestHub};

/// `HUB_ADMIN_TOKEN` of every test hub.
pub const ADMIN_TOKEN: &str = "e2e-bootstrap-admin-token-0123456789abcdef";

/// A reply of the admin API, whatever its content type.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
}

impl Reply {
    /// Asserts an RFC 9457 problem with this status, and returns the fields it names.
    pub fn problem(&self, status: StatusCode) -> Vec<String> {
        assert_eq!(self.status, status, "{}", self.json);
        assert_eq!(self.content_type, "application/problem+json", "{}", self.json);
        assert_eq!(self.json["status"], status.as_u16(), "{}", self.json);
        assert!(self.json["title"].is_string() && self.json["detail"].is_string(), "{}", self.json);
        let errors = self.json["errors"].as_array().cloned().unwrap_or_default();
        errors.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect()
    }

    /// Asserts success with this status and returns the body.
    pub fn ok(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.json);
        self.json
    }
}

pub struct AdminApi {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl AdminApi {
    /// With the bootstrap token.
    pub fn new(hub: &TestHub) -> Self {
        Self::with_token(hub, Some(ADMIN_TOKEN))
    }

    pub fn with_token(hub: &TestHub, token: Option<&str>) -> Self {
        Self { http: crate::rp::http_client(), base: hub.url("/admin/api/v1"), token: token.map(str::to_owned) }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    /// A POST without a body: an action on a resource (rotate, retire, test).
    pub async fn action(&self, path: &str) -> Reply {
        self.send(Method::POST, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::read(request.send().await.expect("admin API request")).await
    }

    /// Sends raw bytes with a content type, for malformed input.
    pub async fn raw(&self, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let mut request =
            self.http.request(method, format!("{}{path}", self.base)).header("content-type", content_type);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        Self::read(request.body(body).send().await.expect("admin API request")).await
    }

    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"))
        };
        Reply { status, content_type, headers, json }
    }
}

/// Signs `username` in to the admin UI's client as the UI does (authorization code with
/// PKCE, public client) and returns the access token.
pub async fn admin_ui_token(hub: &TestHub, browser: &Browser, username: &str, password: &str) -> String {
    let redirect = hub.url("/admin/");
    let client = crate::rp::app_client(&hub.issuer, "hub-admin", None, &redirect, AuthType::RequestBody).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, _nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .url();
    // Already signed in: the hub answers at once; otherwise through the login page.
    let start = browser.get(url.as_str()).await;
    let location = start.location().expect("authorize redirects");
    let done =
        if location.starts_with(&redirect) { start } else { browser.sign_in(url.as_str(), username, password).await };
    let location = done.location().unwrap_or_default();
    assert!(location.starts_with(&redirect), "signed in to the admin UI (no consent): {location} {}", done.body);
    let params = done.redirect_params();
    assert_eq!(params.get("state"), Some(csrf.secret()));
    let tokens = crate::rp::exchange_code(&client, &params["code"], verifier).await.expect("admin UI code exchange");
    tokens.access_token().secret().clone()
}
