//! The second factor at the HTTP level: a strict client's redirect never carries a code
//! after a password alone, `prompt=none` cannot reach the second-factor page, wrong codes
//! are throttled like passwords, and a user removed from a client's groups cannot refresh.
//! The codes come from `e2e::totp`, written from RFC 6238, never from the hub's own code.

use e2e::rp::{code_flow_url, error_code};
use e2e::{Browser, Page, TestHub};
use openidconnect::OAuth2TokenResponse;
use reqwest::StatusCode;

use super::{PASSWORD, REDIRECT, client_for_group, hub_with_strict_client, request};

/// Follows the redirect after the password to the enrolment page, reads the key the page
/// shows, and confirms it with a current code; the response to that (a redirect to the app).
async fn enrol_over_http(browser: &Browser, after_password: &Page) -> (String, Page) {
    let location = after_password.location().expect("a redirect");
    assert!(location.contains("/login/second-factor/enrol"), "sent to enrolment, not to the app: {location}");
    let enrolment = browser.get(&location).await;
    assert_eq!(enrolment.status, StatusCode::OK, "{}", enrolment.body);
    assert!(enrolment.body.contains(r#"src="data:image/png;base64,"#), "the QR code is a data: image");
    assert_eq!(enrolment.body.matches("<li><code>").count(), 10, "ten recovery codes");
    let key = enrolment.body.split(r#"<code id="totp-secret">"#).nth(1).and_then(|rest| rest.split('<').next());
    let key = key.expect("the key in text").to_owned();
    let done = browser.submit(&enrolment, &[("code", &e2e::totp::code_now(&key, 0))]).await;
    (key, done)
}

#[tokio::test]
async fn a_strict_client_never_gets_a_code_for_a_password_alone() {
    crate::backend();
    let (hub, client) = hub_with_strict_client(&[]).await;
    let browser = Browser::new();
    let after_password = browser.sign_in(&request(&client).url, "alice", PASSWORD).await;
    assert_eq!(after_password.status, StatusCode::SEE_OTHER);
    assert!(!after_password.location().unwrap().starts_with(REDIRECT), "no code for a password alone");

    // The password-only session does not satisfy the client silently either.
    let silent = browser.get(&format!("{}&prompt=none", code_flow_url(&client))).await;
    let params = silent.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("interaction_required"), "{params:?}");
    assert!(!params.contains_key("code"));

    let (_, done) = enrol_over_http(&browser, &after_password).await;
    assert!(done.location().unwrap().starts_with(REDIRECT), "{}", done.body);
    assert!(done.redirect_params().contains_key("code"));
    // Raised once, the session serves the strict client silently.
    let silent = browser.get(&format!("{}&prompt=none", code_flow_url(&client))).await;
    assert!(silent.redirect_params().contains_key("code"), "{:?}", silent.redirect_params());
    assert!(!hub.log_text().contains("panicked"));
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    crate::backend();
    let (hub, client) = hub_with_strict_client(&[("HUB_LOGIN_THROTTLE_PER_ACCOUNT", "2")]).await;
    let first = Browser::new();
    let after_password = first.sign_in(&request(&client).url, "alice", PASSWORD).await;
    let (key, _) = enrol_over_http(&first, &after_password).await;

    let browser = Browser::new();
    let after_password = browser.sign_in(&request(&client).url, "alice", PASSWORD).await;
    let location = after_password.location().unwrap();
    assert!(location.contains("/login/second-factor?"), "{location}");
    let page = browser.get(&location).await;
    assert!(page.body.contains(r#"<label for="code">Code</label>"#) && page.body.contains(">Verify</button>"));
    let right = e2e::totp::code_now(&key, 1);
    let wrong = if right == "000000" { "111111" } else { "000000" };
    // Two free failures, as for passwords; the third sets a delay before the next attempt.
    for _ in 0..3 {
        let refused = browser.submit(&page, &[("code", wrong)]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    }
    let throttled = browser.submit(&page, &[("code", &right)]).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "even the right code waits: {}", throttled.body);
    assert!(throttled.headers.get("retry-after").is_some());
    assert!(throttled.body.contains("Too many failed attempts"));
    assert!(!hub.log_text().contains(&right), "codes are never logged");
}

#[tokio::test]
async fn a_user_removed_from_the_clients_groups_cannot_refresh() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("bob", PASSWORD, &["--group", "ops"]);
    let client = client_for_group(&hub, "ops").await;
    let request = request(&client);
    let browser = Browser::new();
    let signed_in = browser.sign_in(&request.url, "bob", PASSWORD).await;
    let code = signed_in.redirect_params().remove("code").expect("a member gets a code");
    let tokens = e2e::rp::exchange_code(&client, &code, request.verifier).await.expect("code exchange");
    let refresh = tokens.refresh_token().expect("a refresh token").clone();
    let refreshed = client.exchange_refresh_token(&refresh).unwrap().request_async(&e2e::rp::http_client()).await;
    let refresh = refreshed.expect("a member refreshes").refresh_token().expect("rotated").clone();

    let (ok, _, err) = hub.cli(&["user", "groups", "bob", "--remove", "ops"], None);
    assert!(ok, "{err}");
    // The running hub caches users for up to 5 s.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let refused = client.exchange_refresh_token(&refresh).unwrap().request_async(&e2e::rp::http_client()).await;
    assert_eq!(error_code(&refused.expect_err("no longer a member")), "invalid_grant");
}
