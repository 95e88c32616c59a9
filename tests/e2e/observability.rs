//! What operators see (SPEC §8a): Prometheus metrics at `/metrics` when turned on (off by
//! default, or on a listener of their own), read back with an independent parser of the
//! text format; one access-log line per request carrying the route template and the
//! client, never a code, token or secret; and JSON log lines with `HUB_LOG_FORMAT=json`.

use std::collections::HashMap;

use e2e::rp::{app_client, http_client};
use e2e::{Browser, TestHub};
use openidconnect::AuthType;
use openidconnect::OAuth2TokenResponse;
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT, alice_tokens};

/// The samples of one metric, each as its labels and value.
fn samples(text: &str, metric: &str) -> Vec<(HashMap<String, String>, f64)> {
    let lines = text.lines().map(|line| Ok(line.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("the Prometheus text format");
    scrape
        .samples
        .into_iter()
        .filter(|sample| sample.metric == metric)
        .map(|sample| {
            let value = match sample.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Gauge(v) => v,
                prometheus_parse::Value::Untyped(v) => v,
                other => panic!("{metric}: unexpected {other:?}"),
            };
            let labels = sample.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            (labels, value)
        })
        .collect()
}

/// The value of `metric` with exactly these labels among its own (0 when absent).
pub fn value(text: &str, metric: &str, labels: &[(&str, &str)]) -> f64 {
    samples(text, metric)
        .into_iter()
        .filter(|(have, _)| labels.iter().all(|(k, v)| have.get(*k).map(String::as_str) == Some(*v)))
        .map(|(_, v)| v)
        .sum()
}

pub async fn scrape(url: &str) -> (StatusCode, String) {
    let response = http_client().get(url).send().await.expect("GET /metrics");
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_count_requests_sign_ins_and_tokens_by_bounded_labels() {
    crate::backend();
    let hub = TestHub::spawn_with(&[("HUB_METRICS", "true")]).await;
    hub.add_user("alice", PASSWORD, &[]);
    let wiki = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let secret = wiki.client_secret.clone().unwrap();
    let client = app_client(&hub.issuer, &wiki.client_id, Some(&secret), REDIRECT, AuthType::BasicAuth).await;

    let browser = Browser::new();
    let (tokens, _) = alice_tokens(&hub, &browser, &client, false).await;
    let access_token = tokens.access_token().secret().clone();
    let wrong = Browser::new().sign_in(&e2e::rp::code_flow_url(&client), "alice", "wrong password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let userinfo = http_client().get(hub.url("/userinfo")).bearer_auth(&access_token).send().await.unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
    // A path with an id in it is counted under its template.
    let read = http_client().get(hub.url(&format!("/register/{}", wiki.client_id))).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::UNAUTHORIZED);

    let (status, text) = scrape(&hub.url("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    let requests = "hub_http_requests_total";
    assert_eq!(value(&text, requests, &[("method", "POST"), ("route", "/token"), ("status", "200")]), 1.0);
    assert_eq!(value(&text, requests, &[("method", "GET"), ("route", "/userinfo"), ("status", "200")]), 1.0);
    assert_eq!(value(&text, requests, &[("method", "POST"), ("route", "/login"), ("status", "401")]), 1.0);
    let sign_ins = "hub_sign_ins_total";
    assert_eq!(value(&text, sign_ins, &[("method", "password"), ("outcome", "success")]), 1.0);
    assert_eq!(value(&text, sign_ins, &[("method", "password"), ("outcome", "failure")]), 1.0);
    assert_eq!(value(&text, "hub_tokens_issued_total", &[("grant", "authorization_code")]), 1.0);
    let latency = samples(&text, "hub_http_request_duration_seconds_count");
    assert!(latency.iter().any(|(labels, count)| labels["route"] == "/token" && *count == 1.0), "{latency:?}");

    // Every route label is a template the hub serves or `unmatched`: no id, code or token.
    let routes: Vec<String> = samples(&text, requests).into_iter().map(|(labels, _)| labels["route"].clone()).collect();
    assert!(
        routes.iter().any(|route| route.starts_with("/register/") && !route.contains(&wiki.client_id)),
        "{routes:?}"
    );
    for secret_value in [&wiki.client_id, &secret, &access_token] {
        assert!(!text.contains(secret_value.as_str()), "the metrics never carry {secret_value}");
    }
}

#[tokio::test]
async fn metrics_are_off_by_default_and_can_have_a_listener_of_their_own() {
    crate::backend();
    let hub = TestHub::spawn().await;
    assert_eq!(scrape(&hub.url("/metrics")).await.0, StatusCode::NOT_FOUND, "off unless asked for");
    drop(hub);
    // The harness's readiness probes hit /healthz too; only the difference is ours.

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let hub = TestHub::spawn_with(&[("HUB_METRICS_LISTEN", &listen)]).await;
    assert_eq!(http_client().get(hub.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(scrape(&hub.url("/metrics")).await.0, StatusCode::NOT_FOUND, "not on the public listener");
    let healthz = [("route", "/healthz"), ("status", "200")];
    let (status, before) = scrape(&format!("http://{listen}/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    http_client().get(hub.url("/healthz")).send().await.unwrap();
    let (_, after) = scrape(&format!("http://{listen}/metrics")).await;
    let counted =
        value(&after, "hub_http_requests_total", &healthz) - value(&before, "hub_http_requests_total", &healthz);
    assert_eq!(counted, 1.0, "the main listener's requests, counted:\n{after}");
    assert_eq!(scrape(&format!("http://{listen}/token")).await.0, StatusCode::NOT_FOUND, "nothing else there");
}

#[tokio::test]
async fn the_access_log_has_a_line_per_request_with_the_client_and_no_secrets_and_json_when_asked() {
    crate::backend();
    let hub = TestHub::spawn_with(&[("HUB_LOG_FORMAT", "json")]).await;
    hub.add_user("alice", PASSWORD, &[]);
    let wiki = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let secret = wiki.client_secret.clone().unwrap();
    let client = app_client(&hub.issuer, &wiki.client_id, Some(&secret), REDIRECT, AuthType::BasicAuth).await;
    let (code, _, verifier) = crate::code_flow::authorize(&hub, &Browser::new(), &client, false).await;
    let tokens = e2e::rp::exchange_code(&client, &code, verifier).await.expect("code exchange");
    let refresh = tokens.refresh_token().map(|t| t.secret().clone());

    let log = hub.log_text();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let access: Vec<&serde_json::Value> = lines.iter().filter(|line| line["target"] == "access").collect();
    let token_line = access
        .iter()
        .find(|line| line["route"] == "/token" && line["method"] == "POST")
        .unwrap_or_else(|| panic!("an access line for the token request: {access:?}"));
    assert_eq!(token_line["status"], 200);
    assert_eq!(token_line["client_id"], wiki.client_id.as_str(), "the authenticated client");
    assert!(token_line["latency_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    let authorize_line = access.iter().find(|line| line["route"] == "/authorize").expect("the authorize request");
    assert_eq!(authorize_line["client_id"], wiki.client_id.as_str());
    let mut never = vec![code.clone(), secret.clone(), tokens.access_token().secret().clone(), PASSWORD.to_owned()];
    never.extend(refresh);
    for value in never {
        assert!(!log.contains(&value), "the log never carries a code, token, secret or password");
    }
}
