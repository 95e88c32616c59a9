//! HTTP as each endpoint speaks it: a method a route does not serve is a 405 with `Allow`
//! in the route's own form (an OAuth error, the error page, a problem for the admin API),
//! a path the hub does not serve is the error page for a browser and a problem for the
//! rest, two credentials in one request are refused, and an https issuer sends HSTS.

use e2e::{Browser, TestHub};
use reqwest::{Method, StatusCode};

async fn send(hub: &TestHub, method: Method, path: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new().request(method, hub.url(path)).header("accept", accept).send().await.unwrap()
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> &'r str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn a_method_a_route_does_not_serve_is_a_405_with_allow_in_the_routes_own_form() {
    crate::backend();
    let hub = TestHub::spawn().await;
    for (method, path, allow) in [
        (Method::GET, "/token", "POST"),
        (Method::DELETE, "/introspect", "POST"),
        (Method::PATCH, "/userinfo", "GET, POST, HEAD"),
        (Method::POST, "/.well-known/openid-configuration", "GET, HEAD"),
    ] {
        let response = send(&hub, method.clone(), path, "*/*").await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(header(&response, "allow"), allow, "{method} {path}");
        assert_eq!(header(&response, "content-type"), "application/json");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{body}");
    }
    let page = send(&hub, Method::PUT, "/authorize", "text/html").await;
    assert_eq!((page.status(), header(&page, "allow")), (StatusCode::METHOD_NOT_ALLOWED, "GET, POST, HEAD"));
    assert!(header(&page, "content-type").starts_with("text/html"));
    let admin = send(&hub, Method::DELETE, "/admin/api/v1/clients", "*/*").await;
    assert_eq!((admin.status(), header(&admin, "allow")), (StatusCode::METHOD_NOT_ALLOWED, "GET, POST"));
    assert_eq!(header(&admin, "content-type"), "application/problem+json");
    // HEAD is GET without the body.
    let head = send(&hub, Method::HEAD, "/jwks.json", "*/*").await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(&head, "content-type"), "application/jwk-set+json");
}

#[tokio::test]
async fn a_path_the_hub_does_not_serve_is_a_page_for_a_browser_and_a_problem_for_the_rest() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let page = Browser::new().http.get(hub.url("/no/such/page")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("Page not found"));
    let api = send(&hub, Method::GET, "/no/such/endpoint", "application/json").await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&api, "content-type"), "application/problem+json");
    let problem: serde_json::Value = api.json().await.unwrap();
    assert_eq!(problem["status"], 404, "{problem}");
    // A route's own 404 is its own: an unknown client at the registration endpoint.
    let unknown = send(&hub, Method::GET, "/register/nobody", "*/*").await;
    assert_ne!(header(&unknown, "content-type"), "application/problem+json");
}

#[tokio::test]
async fn two_authorization_headers_are_two_credentials_and_refused() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let client = hub.add_client(&["--name", "Service", "--grant-type", "client_credentials"]);
    let secret = client.client_secret.expect("confidential");
    let basic = |id: &str, secret: &str| {
        use base64::Engine;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
    };
    let response = reqwest::Client::new()
        .post(hub.url("/token"))
        .header("authorization", basic(&client.client_id, &secret))
        .header("authorization", basic("someone-else", "guess"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "RFC 6749 §2.3: one authentication per request");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{body}");
}

#[tokio::test]
async fn an_https_issuer_sends_hsts_and_a_plain_http_one_does_not() {
    crate::backend();
    let https = TestHub::spawn_with_issuer(|port| format!("https://127.0.0.1:{port}"), &[]).await;
    let response = reqwest::get(https.direct(&https.url("/jwks.json")).replacen("https:", "http:", 1)).await.unwrap();
    assert_eq!(header(&response, "strict-transport-security"), "max-age=31536000");
    let http = TestHub::spawn().await;
    let response = reqwest::get(http.url("/jwks.json")).await.unwrap();
    assert!(response.headers().get("strict-transport-security").is_none());
}
