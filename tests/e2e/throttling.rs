//! Failed sign-ins are throttled as README "Running in production" says: failures are
//! counted, never attempts; past the free ones, each attempt from that address at that
//! account waits longer; an address that fails at many accounts is refused for a while;
//! and a stranger guessing elsewhere never locks the owner out.

use std::time::Duration;

use e2e::{Browser, TestHub};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT};

struct Site {
    /// Kept running for the test's length.
    _hub: TestHub,
    client: e2e::rp::AppClient,
}

async fn site(settings: &[(&str, &str)]) -> Site {
    crate::backend();
    let hub = TestHub::spawn_with(settings).await;
    hub.add_user("alice", PASSWORD, &[]);
    let client = e2e::rp::first_party_app(&hub, REDIRECT).await;
    Site { _hub: hub, client }
}

impl Site {
    /// The hub's login page for a fresh authorization request.
    async fn login_page(&self, browser: &Browser) -> e2e::Page {
        let start = browser.get(&e2e::rp::code_flow_url(&self.client)).await;
        browser.get(&start.location().expect("to the login page")).await
    }

    async fn try_password(&self, browser: &Browser, username: &str, password: &str) -> e2e::Page {
        let login = self.login_page(browser).await;
        browser.submit(&login, &[("username", username), ("password", password)]).await
    }
}

fn signed_in(page: &e2e::Page) -> bool {
    page.status == StatusCode::SEE_OTHER && page.location().is_some_and(|l| l.starts_with(REDIRECT))
}

#[tokio::test]
async fn past_the_free_failures_each_attempt_waits_and_the_wait_ends() {
    let site = site(&[("HUB_LOGIN_THROTTLE_PER_ACCOUNT", "3")]).await;
    let browser = Browser::new();
    for attempt in 1..=4 {
        let page = site.try_password(&browser, "alice", &format!("wrong {attempt}")).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "failure {attempt} is counted, not refused: {}", page.body);
    }
    let refused = site.try_password(&browser, "alice", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    assert_eq!(refused.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    assert!(refused.body.contains("Too many failed attempts. Please wait 1 s"), "{}", refused.body);
    assert!(refused.location().is_none());

    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(signed_in(&site.try_password(&browser, "alice", PASSWORD).await), "the wait is over");
    // The success cleared the failures: three are free again.
    for attempt in 1..=3 {
        let page = site.try_password(&Browser::new(), "alice", &format!("wrong again {attempt}")).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_stranger_guessing_from_elsewhere_never_locks_the_owner_out() {
    let site = site(&[("HUB_LOGIN_THROTTLE_PER_ACCOUNT", "3"), ("HUB_TRUST_FORWARDED_FOR", "true")]).await;
    let stranger = Browser::at_address("203.0.113.9");
    let mut refused = 0;
    for attempt in 1..=10 {
        if site.try_password(&stranger, "alice", &format!("guess {attempt}")).await.status
            == StatusCode::TOO_MANY_REQUESTS
        {
            refused += 1;
        }
    }
    assert!(refused > 0, "the stranger is slowed down");
    let owner = Browser::at_address("198.51.100.7");
    assert!(signed_in(&site.try_password(&owner, "alice", PASSWORD).await), "the owner signs in at once");
}

#[tokio::test]
async fn correct_sign_ins_at_once_are_never_refused() {
    let site = site(&[("HUB_LOGIN_THROTTLE_PER_ACCOUNT", "3")]).await;
    let pages = futures_util::future::join_all((0..20).map(|_| async {
        let browser = Browser::new();
        site.try_password(&browser, "alice", PASSWORD).await
    }))
    .await;
    let refused = pages.iter().filter(|page| !signed_in(page)).count();
    assert_eq!(refused, 0, "{:?}", pages.iter().map(|p| p.status).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_address_failing_at_many_accounts_is_refused_for_a_while() {
    let site = site(&[("HUB_LOGIN_THROTTLE_PER_ADDRESS", "3"), ("HUB_TRUST_FORWARDED_FOR", "true")]).await;
    let sprayer = Browser::at_address("203.0.113.50");
    for username in ["bob", "carol", "dave"] {
        assert_eq!(site.try_password(&sprayer, username, "Summer2026!").await.status, StatusCode::UNAUTHORIZED);
    }
    let refused = site.try_password(&sprayer, "alice", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("900"), "the window");
    assert!(signed_in(&site.try_password(&Browser::at_address("198.51.100.7"), "alice", PASSWORD).await));
}
