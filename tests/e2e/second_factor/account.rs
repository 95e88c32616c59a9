//! Enrolling of one's own accord at `/account/second-factor`, and the rules that then ask
//! for it: an administrator who enrolled is asked at every sign-in (the default of
//! `HUB_ADMINS_REQUIRE_SECOND_FACTOR`), and an app may ask for it with `acr_values=2`.

use e2e::rp::{app_client, code_flow_url};
use e2e::{Browser, TestHub};
use openidconnect::AuthType;
use reqwest::StatusCode;

use super::{PASSWORD, REDIRECT};

#[tokio::test]
async fn an_administrator_who_enrols_is_asked_at_every_sign_in() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("root", PASSWORD, &["--group", "admins"]);
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let client =
        app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;

    // Not enrolled: the rule never locks an administrator out.
    let browser = Browser::new();
    let signed_in = browser.sign_in(&code_flow_url(&client), "root", PASSWORD).await;
    assert!(signed_in.redirect_params().contains_key("code"), "{:?}", signed_in.location());

    // The account page enrols; its form is the enrolment's, without a flow behind it.
    let page = browser.get(&hub.url("/account/second-factor")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let key = page.body.split(r#"<code id="totp-secret">"#).nth(1).and_then(|rest| rest.split('<').next()).unwrap();
    let wrong = browser.submit(&page, &[("code", "12345")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    let done = browser.submit(&wrong, &[("code", &e2e::totp::code_now(key, 0))]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Two-step verification is now on"), "{}", done.body);
    assert!(done.body.contains(r#"<strong id="recovery-codes-left">10</strong>"#));
    assert_eq!(Browser::new().get(&hub.url("/account/second-factor")).await.status, StatusCode::UNAUTHORIZED);

    // Enrolled, an administrator is asked after the password, for any client.
    let fresh = Browser::new();
    let after_password = fresh.sign_in(&code_flow_url(&client), "root", PASSWORD).await;
    let location = after_password.location().unwrap();
    assert!(location.contains("/login/second-factor?"), "{location}");

    // Anyone else is not, unless the app asks with acr_values=2 and they have one.
    let alice = Browser::new();
    let signed_in = alice.sign_in(&format!("{}&acr_values=2", code_flow_url(&client)), "alice", PASSWORD).await;
    assert!(signed_in.redirect_params().contains_key("code"), "voluntary, not enrolled: {:?}", signed_in.location());
    let asked = Browser::new();
    let location = asked.sign_in(&format!("{}&acr_values=2", code_flow_url(&client)), "root", PASSWORD).await;
    assert!(location.location().unwrap().contains("/login/second-factor?"));
}
