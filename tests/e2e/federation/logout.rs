//! Federated logout: back-channel logout from the upstream, its logout tokens, and signing out through it.

use e2e::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Federation, chrono_now, hub_session_alive, request, signed_in_browser, unsigned};

#[tokio::test]
async fn signing_out_at_the_upstream_ends_the_hub_session_and_tells_the_app() {
    let fed = Federation::start(json!({})).await;
    let receiver = e2e::backchannel::LogoutReceiver::start().await;
    let app = fed.app(json!({ "backchannel_logout_uri": receiver.uri })).await;
    let discovery: Value =
        reqwest::get(fed.hub.url("/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    assert_eq!(discovery["backchannel_logout_supported"], true);
    assert_eq!(discovery["backchannel_logout_session_supported"], true);

    let (browser, claims) = signed_in_browser(&fed, &app, "lena").await;
    assert!(hub_session_alive(&browser, &app).await);

    // At the upstream: its own logout page, "Yes, sign me out".
    let confirm = browser.get(&format!("{}/session/end", fed.upstream.issuer)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    browser.submit(&confirm, &[("logout", "yes")]).await;

    let tokens = receiver.wait_for(1, std::time::Duration::from_secs(10)).await;
    assert_eq!(tokens.len(), 1, "the app is told once");
    let logout = e2e::backchannel::verify_hub_logout_token(&fed.hub.issuer, &tokens[0]).await;
    assert_eq!(logout["sid"], claims["sid"], "the session the app's ID token named");
    assert_eq!(logout["sub"], claims["sub"]);
    assert_eq!(logout["aud"], claims["aud"]);
    assert!(logout["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(logout.get("nonce").is_none());
    assert!(!hub_session_alive(&browser, &app).await, "the hub session ended with the upstream's");

    let lena = fed.user_id("lena").await;
    let sessions = fed.admin.get(&format!("/sessions?user_id={lena}")).await.ok(StatusCode::OK);
    assert_eq!(sessions["total"], 0, "{sessions}");
    let audit = fed.admin.get("/audit-events?action=logout.backchannel").await.ok(StatusCode::OK);
    assert_eq!(audit["total"], 1);
}

#[tokio::test]
async fn upstream_logout_tokens_are_validated_and_accepted_once() {
    let fed = Federation::start(json!({})).await;
    let receiver = e2e::backchannel::LogoutReceiver::start().await;
    let app = fed.app(json!({ "backchannel_logout_uri": receiver.uri })).await;
    let (browser, _) = signed_in_browser(&fed, &app, "mona").await;
    let endpoint = fed.hub.url("/upstream/corp/backchannel-logout");
    let post = |token: String| {
        let endpoint = endpoint.clone();
        async move {
            let response = reqwest::Client::new().post(endpoint).form(&[("logout_token", token)]).send().await.unwrap();
            let status = response.status();
            let no_store = response.headers().get("cache-control").and_then(|v| v.to_str().ok()) == Some("no-store");
            let body = response.text().await.unwrap();
            (status, no_store, body)
        }
    };
    // Each of these is refused with 400, and the session stays.
    let now = chrono_now();
    let sub = json!("mona");
    let refused = [
        ("wrong audience", fed.upstream.logout_token(json!({ "sub": sub, "aud": "someone-else" }), true).await),
        ("a nonce", fed.upstream.logout_token(json!({ "sub": sub, "nonce": "n" }), true).await),
        ("no event", fed.upstream.logout_token(json!({ "sub": sub, "events": {} }), true).await),
        ("neither sid nor sub", fed.upstream.logout_token(json!({}), true).await),
        ("no jti", fed.upstream.logout_token(json!({ "sub": sub, "jti": null }), true).await),
        ("no exp", fed.upstream.logout_token(json!({ "sub": sub, "exp": null }), true).await),
        (
            "an old iat",
            fed.upstream.logout_token(json!({ "sub": sub, "iat": now - 3600, "exp": now + 60 }), true).await,
        ),
        ("expired", fed.upstream.logout_token(json!({ "sub": sub, "iat": now - 300, "exp": now - 200 }), true).await),
        ("an unpublished key", fed.upstream.logout_token(json!({ "sub": sub }), false).await),
        ("another issuer", fed.upstream.logout_token(json!({ "sub": sub, "iss": "https://evil.example" }), true).await),
        ("unsigned", unsigned(&fed.upstream.logout_token(json!({ "sub": sub }), true).await)),
        ("not a JWT", "garbage".to_owned()),
    ];
    for (what, token) in refused {
        let (status, no_store, body) = post(token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert!(no_store, "{what}: no-store");
        assert!(body.contains("invalid_request"), "{what}: {body}");
    }
    assert!(hub_session_alive(&browser, &app).await, "no refused token ended the session");
    assert!(receiver.tokens().is_empty());

    // A valid token naming the user by `sub` ends their sessions from this upstream; the
    // same token again is a replay.
    let valid = fed.upstream.logout_token(json!({ "sub": "mona" }), true).await;
    let (status, no_store, body) = post(valid.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(no_store);
    assert!(!hub_session_alive(&browser, &app).await);
    assert_eq!(receiver.wait_for(1, std::time::Duration::from_secs(10)).await.len(), 1);
    let (status, _, body) = post(valid).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a replay: {body}");
    assert!(body.contains("already used"), "{body}");
}

#[tokio::test]
async fn signing_out_of_the_hub_continues_at_the_upstream_and_comes_back_to_the_app() {
    const SIGNED_OUT: &str = "http://127.0.0.1:9/signed-out";
    let fed = Federation::start(json!({ "end_upstream_session": true })).await;
    let key = fed.admin.get("/social-login-keys/corp").await.ok(StatusCode::OK);
    assert_eq!(key["post_logout_redirect_uri"], fed.hub.url("/upstream/logged-out"));
    let app = fed.app(json!({ "post_logout_redirect_uris": [SIGNED_OUT] })).await;
    let (browser, claims) = signed_in_browser(&fed, &app, "pia").await;
    let client_id = claims["aud"].as_str().unwrap().to_owned();

    // The hub's own confirmation, then on to the upstream's end-session endpoint.
    let logout =
        format!("{}?client_id={client_id}&post_logout_redirect_uri={SIGNED_OUT}&state=bye", fed.hub.url("/logout"));
    let confirm = browser.get(&logout).await;
    let to_upstream = browser.submit(&confirm, &[]).await;
    // The hop through the key's sign-out sends only this browser on to the upstream: the
    // same link in another browser, or a made-up one, ends on the hub's own page.
    let hop = to_upstream.location().unwrap();
    assert!(hop.starts_with(&fed.hub.url("/upstream/corp/sign-out?state=")), "{hop}");
    for stranger in [hop.clone(), fed.hub.url("/upstream/corp/sign-out?state=forged")] {
        let page = Browser::new().get(&stranger).await;
        assert_eq!((page.status, page.location()), (StatusCode::OK, None), "{stranger}: {}", page.body);
    }
    let location = fed.past_the_hub(&browser, to_upstream).await;
    assert!(location.starts_with(&format!("{}/session/end?", fed.upstream.issuer)), "{location}");
    assert!(!hub_session_alive(&browser, &app).await, "the hub session has ended already");

    // The upstream's confirmation, then back through the hub to the app's address.
    let upstream_confirm = browser.get(&location).await;
    let mut page = browser.submit(&upstream_confirm, &[("logout", "yes")]).await;
    while let Some(next) = page.location().filter(|l| !l.starts_with(SIGNED_OUT)) {
        page = browser.get(&next).await;
    }
    assert_eq!(page.location().as_deref(), Some(format!("{SIGNED_OUT}?state=bye").as_str()));

    // Signed out at the upstream too: its login form is back.
    let req = request(&app, &[("idp_hint", "corp")]);
    let mut page = browser.get(&req.url).await;
    while let Some(next) = page.location() {
        page = browser.get(&next).await;
    }
    assert!(page.body.contains("name=\"login\""), "the upstream asks for the login again: {}", page.body);

    // A forged or replayed way back ends on the hub's own page, never a redirect.
    let forged = Browser::new().get(&fed.hub.url("/upstream/logged-out?state=forged")).await;
    assert_eq!(forged.status, StatusCode::OK);
    assert!(forged.location().is_none());
}
