//! Linking an upstream from the account page (issue 13, item 3): the person signs in at
//! the upstream (oidc-provider), and that identity is linked to them, never by e-mail
//! alone; one already someone else's is refused; unlinking leaves at least one way in.

use e2e::Browser;
use reqwest::StatusCode;
use serde_json::json;

use super::{Federation, drive_until, signed_in_browser};
use crate::account::{PASSWORD, form_with, open_account, post};

/// Presses "Link Corp SSO" on the account page and signs in at the upstream as
/// `upstream_user`; the page the hub answers with at the end.
async fn link_corp(fed: &Federation, browser: &Browser, username: &str, upstream_user: &str) -> e2e::Page {
    let page = open_account(&fed.hub, browser, username, PASSWORD).await;
    let form = form_with(&page, &fed.hub.url("/account/upstreams/link"), "Link Corp SSO");
    let sent = browser.submit(&form, &[]).await;
    let upstream = sent.location().expect("to the upstream");
    assert!(upstream.starts_with(&fed.upstream.issuer), "{upstream}");
    assert!(upstream.contains("prompt=login"), "a fresh sign-in at the upstream: {upstream}");
    let upstream_issuer = fed.upstream.issuer.clone();
    let back =
        drive_until(browser, &upstream_issuer, &upstream, upstream_user, |l| !l.starts_with(&upstream_issuer)).await;
    // The hub's callback, then (when linked) the account page.
    let mut page = browser.get(&back.location().expect("back to the hub")).await;
    while let Some(location) = page.location().filter(|l| l.starts_with(&fed.hub.url("/account"))) {
        page = browser.get(&location).await;
    }
    page
}

#[tokio::test]
async fn an_upstream_is_linked_from_the_account_page_and_signs_in_as_that_user() {
    let fed = Federation::start(json!({ "allow_signup": false })).await;
    let bob = fed.hub.add_user("bob", PASSWORD, &[]);
    fed.hub.add_user("dave", PASSWORD, &[]);
    let app = fed.app(json!({})).await;

    let browser = Browser::new();
    let linked = link_corp(&fed, &browser, "bob", "carol").await;
    assert!(linked.body.contains("The sign-in is linked"), "{}", linked.body);
    assert!(linked.body.contains("Unlink Corp SSO"), "listed, and unlinkable: bob has a password");
    let links = fed.admin.get(&format!("/users/{bob}/upstream-identities")).await.ok(StatusCode::OK);
    assert_eq!(links[0]["subject"], "carol", "{links}");
    let events = fed.admin.get("/audit-events?action=account.upstream_link").await.ok(StatusCode::OK);
    assert_eq!(events["items"][0]["actor"], "user:bob");

    // The upstream's carol now signs in as bob.
    let (_, claims) = signed_in_browser(&fed, &app, "carol").await;
    assert_eq!(claims["sub"], bob);

    // Dave cannot take carol's upstream identity, even signing in there as carol.
    let refused = link_corp(&fed, &Browser::new(), "dave", "carol").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("linked to another hub account"), "{}", refused.body);

    let page = open_account(&fed.hub, &browser, "bob", PASSWORD).await;
    let unlinked = post(&fed.hub, &browser, &page, "/account/upstreams", &[]).await;
    assert!(unlinked.body.contains("The sign-in is unlinked"), "{}", unlinked.body);
    let links = fed.admin.get(&format!("/users/{bob}/upstream-identities")).await.ok(StatusCode::OK);
    assert_eq!(links.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_only_way_in_cannot_be_unlinked() {
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({})).await;
    // Erin exists only upstream: her first sign-in creates her, without a password.
    let (browser, _) = signed_in_browser(&fed, &app, "erin").await;
    let page = open_account(&fed.hub, &browser, "erin", "").await;
    assert!(page.body.contains("Your only way to sign in"), "{}", page.body);
    assert!(!page.body.contains("Unlink Corp SSO"));
    let erin = fed.user_id("erin").await;
    let links = fed.admin.get(&format!("/users/{erin}/upstream-identities")).await.ok(StatusCode::OK);
    let link = links[0]["id"].as_str().unwrap();
    let csrf = page.input("csrf_token").expect("a CSRF token");
    let forced = browser.post_form(&fed.hub.url("/account/upstreams"), &[("csrf_token", &csrf), ("link", link)]).await;
    assert_eq!(forced.status, StatusCode::CONFLICT, "{}", forced.body);
    assert!(forced.body.contains("only way you can sign in"));
    let links = fed.admin.get(&format!("/users/{erin}/upstream-identities")).await.ok(StatusCode::OK);
    assert_eq!(links.as_array().unwrap().len(), 1);
}
