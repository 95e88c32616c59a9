//! Outages (SPEC §8): with its Redis or its PostgreSQL killed, every endpoint answers at
//! once with 503 and `Retry-After` (`temporarily_unavailable` where OAuth has an error
//! for it, the error page for a browser, a problem for the admin API), never a 500 and
//! never a hang; started again, the hub heals by itself. Each test runs its own instance
//! on a free port (tests/src/services.rs).

use std::time::{Duration, Instant};

use e2e::rp::{AppClient, app_client};
use e2e::services::{OwnPostgres, OwnRedis};
use e2e::{Browser, ClientCredentials, TestHub};
use openidconnect::core::CoreTokenResponse;
use openidconnect::{AuthType, OAuth2TokenResponse};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT};

/// A request that takes longer than this hangs, as far as these tests are concerned.
const HANG: Duration = Duration::from_secs(5);

struct Signed {
    creds: ClientCredentials,
    client: AppClient,
    tokens: CoreTokenResponse,
}

async fn alice_signed_in(hub: &TestHub) -> Signed {
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let client =
        app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    let (tokens, _) = crate::code_flow::alice_tokens(hub, &Browser::new(), &client, false).await;
    Signed { creds, client, tokens }
}

/// Every answer while the hub's store is down: 503 with `Retry-After`, quickly.
async fn assert_unavailable(what: &str, request: reqwest::RequestBuilder) -> reqwest::Response {
    let started = Instant::now();
    let response = request.timeout(HANG).send().await.unwrap_or_else(|e| panic!("{what}: no answer ({e})"));
    eprintln!("{what}: {} in {:?}", response.status(), started.elapsed());
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{what}");
    assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("5"), "{what}");
    response
}

async fn assert_oauth_unavailable(what: &str, request: reqwest::RequestBuilder) {
    let body: serde_json::Value = assert_unavailable(what, request).await.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{what}: {body}");
}

/// The token endpoint (refresh grant), userinfo, the authorization endpoint and readiness.
async fn assert_every_endpoint_unavailable(hub: &TestHub, signed: &Signed) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let refresh_token = signed.tokens.refresh_token().expect("a refresh token").secret();
    let refresh = http
        .post(hub.url("/token"))
        .basic_auth(&signed.creds.client_id, signed.creds.client_secret.as_deref())
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]);
    assert_oauth_unavailable("POST /token", refresh).await;
    let userinfo = http.get(hub.url("/userinfo")).bearer_auth(signed.tokens.access_token().secret());
    assert_unavailable("GET /userinfo", userinfo).await;
    let url = e2e::rp::code_flow_url(&signed.client);
    let page = assert_unavailable("GET /authorize", http.get(&url)).await;
    assert!(page.text().await.unwrap().contains("Temporarily unavailable"));
    assert_unavailable("GET /readyz", http.get(hub.url("/readyz"))).await;
}

/// Until the hub is ready again, then a whole sign-in and a refresh work.
async fn assert_healed(hub: &TestHub, signed: &Signed) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !reqwest::get(hub.url("/readyz")).await.is_ok_and(|r| r.status() == StatusCode::OK) {
        assert!(Instant::now() < deadline, "the hub did not heal within 30 s:\n{}", hub.log_text());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (tokens, _) = crate::code_flow::alice_tokens(hub, &Browser::new(), &signed.client, false).await;
    let refreshed = signed
        .client
        .exchange_refresh_token(tokens.refresh_token().expect("a refresh token"))
        .expect("a token endpoint")
        .request_async(&e2e::rp::http_client())
        .await;
    assert!(refreshed.is_ok(), "{refreshed:?}");
}

#[tokio::test]
async fn with_redis_killed_every_endpoint_answers_503_at_once_and_the_hub_heals() {
    crate::backend();
    let Some(mut redis) = OwnRedis::start() else {
        eprintln!("SKIPPED: /usr/bin/redis-server is not installed");
        return;
    };
    let redis_url = redis.url();
    let hub = TestHub::spawn_with(&[("HUB_REDIS_URL", &redis_url), ("HUB_METRICS", "true")]).await;
    let signed = alice_signed_in(&hub).await;
    redis.stop();
    assert_every_endpoint_unavailable(&hub, &signed).await;
    redis.start_again();
    assert_healed(&hub, &signed).await;
    assert_counted_unavailable(&hub, "session_store").await;
}

/// The 503s were counted in the metrics, under the store that was down.
async fn assert_counted_unavailable(hub: &TestHub, store: &str) {
    let (_, text) = crate::observability::scrape(&hub.url("/metrics")).await;
    let counted = crate::observability::value(&text, "hub_unavailable_total", &[("store", store)]);
    assert!(counted >= 3.0, "503s for the {store} counted: {counted}");
}

#[tokio::test]
async fn with_postgres_killed_every_endpoint_answers_503_at_once_and_the_hub_heals() {
    crate::backend();
    let Some(mut postgres) = OwnPostgres::start() else {
        eprintln!("SKIPPED: PostgreSQL's server binaries (and a postgres user to run them) are not installed");
        return;
    };
    let database_url = postgres.url();
    let master_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let settings =
        [("HUB_DATABASE_URL", database_url.as_str()), ("HUB_MASTER_KEY", master_key), ("HUB_METRICS", "true")];
    let hub = TestHub::spawn_with(&settings).await;
    let signed = alice_signed_in(&hub).await;
    postgres.stop();
    // Clients and users are cached for 5 s: past that, every request needs the database.
    tokio::time::sleep(Duration::from_millis(5500)).await;
    assert_every_endpoint_unavailable(&hub, &signed).await;
    let admin = reqwest::Client::new().get(hub.url("/admin/api/v1/clients")).bearer_auth(e2e::ADMIN_TOKEN);
    let problem = assert_unavailable("GET /admin/api/v1/clients", admin).await;
    assert_eq!(problem.headers()["content-type"], "application/problem+json");
    postgres.start_again();
    assert_healed(&hub, &signed).await;
    assert_counted_unavailable(&hub, "database").await;
}
