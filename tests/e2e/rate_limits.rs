//! Rate limits on the endpoints machines call (README "Running in production"): the token,
//! introspection and device authorization endpoints count requests per address and per
//! authenticated client, the device page counts wrong user codes per address, each refusal
//! is a 429 with `Retry-After`, and a stranger naming an app's `client_id` never spends
//! that app's allowance. With Redis, every instance counts together.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::rp::{JsonReply, http_client};
use e2e::{Browser, ClientCredentials, TestHub};
use reqwest::StatusCode;

use crate::device::{device_authorization, enter_code, post_as};

/// Windows are aligned to the clock; an hour-long one is not crossed by a test that waits
/// until it is clear of the window's end.
const WINDOW: (&str, &str) = ("HUB_RATE_LIMIT_WINDOW_SECS", "3600");
const PROXY: (&str, &str) = ("HUB_TRUST_FORWARDED_FOR", "true");

async fn clear_of_the_window_end(window_secs: u64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let left = window_secs - now % window_secs;
    if left < 30 {
        tokio::time::sleep(Duration::from_secs(left + 1)).await;
    }
}

/// `client_credentials` as `client` from `address` (behind the hub's trusted proxy).
async fn token_request(hub: &TestHub, client: &ClientCredentials, secret: &str, address: &str) -> JsonReply {
    let request = http_client()
        .post(hub.url("/token"))
        .header("x-forwarded-for", address)
        .basic_auth(&client.client_id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "reports.read")]);
    JsonReply::read(request.send().await.expect("POST /token")).await
}

fn service(hub: &TestHub, name: &str) -> ClientCredentials {
    hub.add_client(&["--name", name, "--grant-type", "client_credentials", "--scope", "reports.read"])
}

fn assert_rate_limited(reply: &JsonReply, window_secs: u64, case: &str) {
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{case}: {}", reply.json);
    assert_eq!(reply.error(), "temporarily_unavailable", "{case}");
    let retry_after: u64 = reply.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!((1..=window_secs).contains(&retry_after), "{case}: Retry-After {retry_after}");
}

#[tokio::test]
async fn the_token_endpoint_limits_each_client_and_each_address_and_strangers_spend_only_their_own() {
    crate::backend();
    clear_of_the_window_end(3600).await;
    let hub = TestHub::spawn_with(&[
        WINDOW,
        PROXY,
        ("HUB_TOKEN_REQUESTS_PER_CLIENT", "4"),
        ("HUB_TOKEN_REQUESTS_PER_ADDRESS", "10"),
    ])
    .await;
    let billing = service(&hub, "Billing");
    let reports = service(&hub, "Reports");
    let secret = billing.client_secret.clone().unwrap();

    // A stranger guessing Billing's secret is refused as a client, counted as an address.
    for attempt in 1..=10 {
        let guess = token_request(&hub, &billing, "not-the-secret", "198.51.100.9").await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED, "guess {attempt}: {}", guess.json);
    }
    let guess = token_request(&hub, &billing, "not-the-secret", "198.51.100.9").await;
    assert_rate_limited(&guess, 3600, "the stranger's address is past its limit");

    // Billing still has its whole allowance, from its own address.
    for request in 1..=4 {
        let reply = token_request(&hub, &billing, &secret, "192.0.2.1").await;
        assert_eq!(reply.status, StatusCode::OK, "request {request}: {}", reply.json);
    }
    assert_rate_limited(&token_request(&hub, &billing, &secret, "192.0.2.1").await, 3600, "Billing past its limit");
    // From another address too: the limit is the client's.
    assert_rate_limited(&token_request(&hub, &billing, &secret, "192.0.2.2").await, 3600, "Billing elsewhere");
    // Another client at the same address has its own.
    let other = token_request(&hub, &reports, reports.client_secret.as_deref().unwrap(), "192.0.2.1").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.json);
}

#[tokio::test]
async fn introspection_limits_each_resource_server() {
    crate::backend();
    clear_of_the_window_end(3600).await;
    let hub = TestHub::spawn_with(&[WINDOW, ("HUB_INTROSPECTION_REQUESTS_PER_CLIENT", "3")]).await;
    let api = service(&hub, "API");
    let secret = api.client_secret.clone().unwrap();
    let issued = token_request(&hub, &api, &secret, "127.0.0.1").await;
    let token = issued.json["access_token"].as_str().expect("a token").to_owned();
    let form = [("token", token.as_str())];
    let introspect = || post_as(&hub, "/introspect", &api, &form);
    for request in 1..=3 {
        let reply = introspect().await;
        assert_eq!(reply.status, StatusCode::OK, "request {request}: {}", reply.json);
        assert_eq!(reply.json["active"], true);
    }
    assert_rate_limited(&introspect().await, 3600, "past the resource server's limit");
}

#[tokio::test]
async fn device_authorization_and_wrong_user_codes_are_limited_per_address() {
    crate::backend();
    clear_of_the_window_end(3600).await;
    let hub = TestHub::spawn_with(&[
        WINDOW,
        PROXY,
        ("HUB_DEVICE_REQUESTS_PER_ADDRESS", "2"),
        ("HUB_DEVICE_USER_CODE_FAILURES_PER_ADDRESS", "3"),
        ("HUB_LOGIN_THROTTLE_WINDOW_SECS", "3600"),
    ])
    .await;
    let tv = hub.add_client(&["--name", "TV app", "--grant-type", "device_code"]);
    let first = device_authorization(&hub, &tv, &[("scope", "openid")]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let user_code = first.json["user_code"].as_str().unwrap().to_owned();
    assert_eq!(device_authorization(&hub, &tv, &[("scope", "openid")]).await.status, StatusCode::OK);
    assert_rate_limited(&device_authorization(&hub, &tv, &[("scope", "openid")]).await, 3600, "a third device");

    // Three wrong codes from one address are told so; then even the right one waits.
    let guesser = Browser::at_address("203.0.113.5");
    for typed in ["BCDF-GHJK", "CDFG-HJKL", "DFGH-JKLM"] {
        let page = enter_code(&hub, &guesser, typed).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{typed}: {}", page.body);
    }
    let refused = enter_code(&hub, &guesser, &user_code).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    assert!(refused.body.contains("Too many codes that did not work"), "{}", refused.body);
    let retry_after: u64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert!(!refused.body.contains("TV app"), "no confirmation page past the limit");

    // The person at the TV, elsewhere, enters it and sees the app to confirm.
    let owner = Browser::at_address("192.0.2.44");
    let confirm = enter_code(&hub, &owner, &user_code).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(confirm.body.contains("TV app"));
}

#[tokio::test]
async fn with_redis_every_instance_counts_together() {
    let backend = crate::backend();
    if backend.redis_url.is_none() || backend.database_url.is_none() {
        eprintln!("skipped: shared rate limits need HUB_TEST_DATABASE_URL and HUB_TEST_REDIS_URL");
        return;
    }
    clear_of_the_window_end(3600).await;
    let first = TestHub::spawn_with(&[WINDOW, ("HUB_TOKEN_REQUESTS_PER_CLIENT", "3")]).await;
    let second = first.spawn_replica().await;
    let billing = service(&first, "Billing");
    let secret = billing.client_secret.clone().unwrap();
    assert_eq!(token_request(&first, &billing, &secret, "127.0.0.1").await.status, StatusCode::OK);
    assert_eq!(token_request(&second, &billing, &secret, "127.0.0.1").await.status, StatusCode::OK);
    assert_eq!(token_request(&first, &billing, &secret, "127.0.0.1").await.status, StatusCode::OK);
    assert_rate_limited(&token_request(&second, &billing, &secret, "127.0.0.1").await, 3600, "the replica knows");
}
