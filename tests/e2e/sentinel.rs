//! Redis high availability (SPEC §8a): with `HUB_REDIS_URL` naming three sentinels, the
//! hub finds the primary through them. When the primary is killed in the middle of
//! sign-ins, the sentinels promote the replica and the hub carries on with it, by itself;
//! a sign-in that meets the failover is a 503 to retry, never a 500; and a session the
//! replica had before the primary died is still there.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use e2e::rp::{AppClient, app_client, code_flow_url};
use e2e::services::OwnSentinels;
use e2e::{Browser, TestHub};
use openidconnect::AuthType;
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT, alice_tokens};

/// One sign-in with a new browser: the status of the first step that did not go on, or
/// 303 when the login page sent the browser back to the app with a code.
async fn sign_in(client: &AppClient) -> StatusCode {
    let browser = Browser::new();
    let start = browser.get(&code_flow_url(client)).await;
    let Some(login_url) = start.location().filter(|_| start.status == StatusCode::SEE_OTHER) else {
        return start.status;
    };
    let login = browser.get(&login_url).await;
    if login.status != StatusCode::OK {
        return login.status;
    }
    let done = browser.submit(&login, &[("username", "alice"), ("password", PASSWORD)]).await;
    match done.location() {
        Some(location) if location.starts_with(REDIRECT) && done.redirect_params().contains_key("code") => done.status,
        _ if done.status == StatusCode::SEE_OTHER => StatusCode::INTERNAL_SERVER_ERROR,
        _ => done.status,
    }
}

#[tokio::test]
async fn the_hub_follows_a_sentinel_failover_and_keeps_what_the_replica_had() {
    crate::backend();
    let Some(mut redis) = OwnSentinels::start() else {
        eprintln!("SKIPPED: /usr/bin/redis-server or /usr/bin/redis-cli is not installed");
        return;
    };
    let hub = TestHub::spawn_with(&[("HUB_REDIS_URL", &redis.url())]).await;
    hub.add_user("alice", PASSWORD, &[]);
    let wiki = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let client = Arc::new(
        app_client(&hub.issuer, &wiki.client_id, wiki.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await,
    );

    // Alice's session is written to the primary, and has reached the replica.
    let alice = Browser::new();
    alice_tokens(&hub, &alice, &client, false).await;
    assert_eq!(OwnSentinels::cli(redis.primary, &["WAIT", "1", "2000"]).trim(), "1", "replicated");

    // Sign-ins go on all along.
    let running = Arc::new(AtomicBool::new(true));
    let load = {
        let (running, client) = (running.clone(), client.clone());
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            while running.load(Ordering::SeqCst) {
                outcomes.push((Instant::now(), sign_in(&client).await));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            outcomes
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let killed = Instant::now();
    redis.kill_primary();
    let replica = redis.replica;
    let redis = tokio::task::spawn_blocking(move || {
        redis.wait_until(Duration::from_secs(30), "the sentinels promote the replica", |set| {
            set.primary_now() == Some(replica)
        });
        redis
    })
    .await
    .unwrap();
    let promoted = killed.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    running.store(false, Ordering::SeqCst);
    let outcomes = load.await.unwrap();

    // Every sign-in either went through or was a 503 to retry; the last ones went through.
    let failed: Vec<_> = outcomes.iter().filter(|(_, status)| *status != StatusCode::SEE_OTHER).collect();
    for (at, status) in &failed {
        assert_eq!(
            *status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{:?} after the kill",
            at.saturating_duration_since(killed)
        );
    }
    let after_promotion: Vec<_> = outcomes.iter().filter(|(at, _)| *at > killed + promoted).collect();
    assert!(!after_promotion.is_empty(), "sign-ins ran after the promotion");
    let last_failure = failed.iter().map(|(at, _)| at.saturating_duration_since(killed)).max();
    eprintln!(
        "failover: the replica was promoted {promoted:?} after the kill; {} of {} sign-ins met it (503); \
         the last failure {last_failure:?} after the kill",
        failed.len(),
        outcomes.len()
    );
    for attempt in 1..=3 {
        assert_eq!(sign_in(&client).await, StatusCode::SEE_OTHER, "sign-in {attempt} on the new primary");
    }

    // Alice is still signed in: her session came over with the replica.
    let again = alice.get(&code_flow_url(&client)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let location = again.location().unwrap();
    assert!(location.starts_with(REDIRECT), "straight back to the app, no login page: {location}");
    assert!(again.redirect_params().contains_key("code"));
    assert_eq!(redis.primary_now(), Some(replica));
}
