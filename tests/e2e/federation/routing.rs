//! Routing a sign-in to an upstream: idp_hint, login_hint domains and the client's upstream policy.

use e2e::Browser;
use reqwest::StatusCode;
use serde_json::json;

use super::{Federation, drive, finish, request};

#[tokio::test]
async fn hints_and_client_policy_route_the_sign_in() {
    let fed = Federation::start(json!({ "email_domains": ["corp.example.com"] })).await;
    let open = fed.app(json!({})).await;
    let browser = Browser::new();

    // idp_hint (and Keycloak's kc_idp_hint) skip the login page.
    for hint in ["idp_hint", "kc_idp_hint"] {
        let req = request(&open, &[(hint, "corp")]);
        let location = fed.sent_to(&browser, &req.url).await;
        assert!(location.starts_with(&format!("{}/auth?", fed.upstream.issuer)), "{hint}: {location}");
        // A request routed to an upstream is not the login page's: its failures go to the app.
        let hop = browser.get(&req.url).await.location().unwrap();
        let hop = url::Url::parse(&hop).unwrap();
        let interaction = hop.query_pairs().find(|(k, _)| k == "interaction").unwrap().1.into_owned();
        let login = browser.get(&fed.hub.url(&format!("/login?interaction={interaction}"))).await;
        assert_eq!(login.status, StatusCode::BAD_REQUEST, "{}", login.body);
        let page = drive(&Browser::new(), &fed.upstream.issuer, &req.url, "hank").await;
        finish(&fed.hub, &open, req, &page).await;
    }
    // What the app asks of the sign-in is asked of the upstream.
    let req = request(&open, &[("idp_hint", "corp"), ("prompt", "login"), ("max_age", "60")]);
    let location = fed.sent_to(&browser, &req.url).await;
    assert!(location.contains("prompt=login") && location.contains("max_age=60"), "{location}");
    // A login_hint in a served domain goes to that upstream, hint passed on.
    let req = request(&open, &[("login_hint", "ivy@corp.example.com")]);
    let location = fed.sent_to(&browser, &req.url).await;
    assert!(location.starts_with(&fed.upstream.issuer), "{location}");
    assert!(location.contains("login_hint=ivy%40corp.example.com"), "{location}");
    // Another domain, or an unknown hint, shows the login page.
    for extra in [("login_hint", "ivy@elsewhere.example"), ("idp_hint", "nope")] {
        let location = browser.get(&request(&open, &[extra]).url).await.location().unwrap();
        assert!(location.starts_with(&fed.hub.url("/login?")), "{extra:?}: {location}");
    }

    // A client that allows only another key: Corp is neither offered nor usable.
    fed.admin
        .post(
            "/social-login-keys",
            json!({ "slug": "other", "display_name": "Other", "kind": "google", "client_id": "x", "enabled": true }),
        )
        .await
        .ok(StatusCode::CREATED);
    let limited = fed.app(json!({ "allowed_social_login_keys": ["other"] })).await;
    let req = request(&limited, &[("idp_hint", "corp")]);
    let login_url = browser.get(&req.url).await.location().unwrap();
    assert!(login_url.starts_with(&fed.hub.url("/login?")), "a hint the client may not use is ignored");
    let login = browser.get(&login_url).await;
    assert!(login.body.contains("Continue with Other") && !login.body.contains("Continue with Corp"), "{}", login.body);
    let interaction = login.input("interaction").unwrap();
    let forced = fed.page_at(&browser, &fed.hub.url(&format!("/upstream/corp/start?interaction={interaction}"))).await;
    assert_eq!(forced.status, StatusCode::FORBIDDEN, "{}", forced.body);
    assert!(forced.body.contains("not available for this application"));

    // An IdP-only client goes straight to its key, and its login page has no password form.
    let idp_only = fed.app(json!({ "default_social_login_key": "corp" })).await;
    let req = request(&idp_only, &[]);
    let location = fed.sent_to(&browser, &req.url).await;
    assert!(location.starts_with(&fed.upstream.issuer), "{location}");
    let page = drive(&Browser::new(), &fed.upstream.issuer, &req.url, "jack").await;
    let (claims, _) = finish(&fed.hub, &idp_only, req, &page).await;
    assert_eq!(claims["sub"], fed.user_id("jack").await);
}
