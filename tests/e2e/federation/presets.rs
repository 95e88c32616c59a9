//! Upstream kinds beyond plain OIDC: GitHub-shaped OAuth 2.0, another hub, HS256 signing, generic OAuth 2.0.

use e2e::admin::AdminApi;
use e2e::{Browser, TestHub};
use reqwest::StatusCode;
use serde_json::json;

use super::{
    Federation, REDIRECT, continue_with_corp, drive, finish, hub_session_alive, register_app, request,
    signed_in_browser, user_id,
};

#[tokio::test]
async fn an_oauth2_upstream_shaped_like_github_signs_in_without_an_id_token() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    let github = e2e::github::Github::start("Iv1.hub", "github-secret").await;
    let octocat = e2e::github::GithubAccount {
        id: 583231,
        login: "octocat".into(),
        name: "The Octocat".into(),
        emails: vec![
            ("octocat@users.noreply.github.com".into(), false, true),
            ("octo@corp.example.com".into(), true, true),
        ],
    };
    github.sign_in_as(octocat.clone());
    // The preset's endpoints, moved to the stand-in; everything else is the preset's.
    let key = json!({
        "slug": "github",
        "display_name": "GitHub",
        "kind": "github",
        "authorization_endpoint": format!("{}/login/oauth/authorize", github.base),
        "token_endpoint": format!("{}/login/oauth/access_token", github.base),
        "userinfo_endpoint": format!("{}/user", github.base),
        "client_id": "Iv1.hub",
        "client_secret": "github-secret",
        "enabled": true,
        "allow_signup": true,
        "trust_email": true,
    });
    let created = admin.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
    assert_eq!(created["scopes"], json!(["read:user", "user:email"]));
    assert_eq!(created["username_claim"], "login");
    let app = register_app(&hub, &admin, json!({})).await;

    // The stand-in approves at once, as GitHub does for an app already authorised.
    let sign_in = || async {
        let browser = Browser::new();
        let req = request(&app, &[("idp_hint", "github")]);
        let page = drive(&browser, &github.base, &req.url, "unused").await;
        finish(&hub, &app, req, &page).await
    };
    let (claims, info) = sign_in().await;
    let user = user_id(&admin, "octocat").await;
    assert_eq!(claims["sub"], user);
    assert_eq!(info["email"], "octo@corp.example.com", "the verified primary address from /user/emails");
    assert_eq!(info["email_verified"], true, "verified at GitHub, and the key trusts it");
    assert_eq!(info["name"], "The Octocat");
    let links = admin.get(&format!("/users/{user}/upstream-identities")).await.ok(StatusCode::OK);
    // The endpoints moved (as for a GitHub Enterprise server): identities are keyed by
    // where the tokens come from, not by github.com, whose ids they would collide with.
    assert_eq!(links[0]["issuer"], github.base.as_str());
    assert_eq!(links[0]["subject"], "583231", "GitHub's numeric id is the subject");
    assert!(claims.get("amr").is_none(), "GitHub states no authentication method");

    let (again, _) = sign_in().await;
    assert_eq!(again["sub"], user, "the same hub user every time");

    // Another GitHub account whose primary address is not verified: no e-mail link to
    // the hub user who has it, and since a hub user holds the address, no sign-up either.
    hub.add_user("pat", "pat's password", &["--email", "pat@corp.example.com", "--email-verified"]);
    github.sign_in_as(e2e::github::GithubAccount {
        id: 7,
        login: "pat-gh".into(),
        name: "Pat".into(),
        emails: vec![("pat@corp.example.com".into(), true, false)],
    });
    let browser = Browser::new();
    let req = request(&app, &[("idp_hint", "github")]);
    let page = drive(&browser, &github.base, &req.url, "unused").await;
    let params = page.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"), "{params:?}");
}

#[tokio::test]
async fn a_hub_signs_in_through_another_hub() {
    crate::backend();
    // The upstream hub, on another host name (its cookies are its own), with a user.
    let upstream = TestHub::spawn_at("localhost", &[]).await;
    let nina = upstream.add_user(
        "nina",
        "nina's password 1",
        &["--email", "nina@corp.example.com", "--email-verified", "--name", "Nina N", "--group", "staff"],
    );
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    // At the upstream hub, the downstream hub is a confidential client like any app.
    let redirect = hub.url("/upstream/corp-hub/callback");
    let creds = upstream.add_client(&["--name", "Downstream hub", "--redirect-uri", &redirect, "--skip-authorization"]);
    let key = json!({
        "slug": "corp-hub",
        "display_name": "Corp Hub",
        "kind": "hub",
        "issuer": upstream.issuer,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "scopes": ["openid", "profile", "email", "groups"],
        "enabled": true,
        "allow_signup": true,
        "trust_email": true,
        "groups_claim": "groups",
    });
    admin.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
    let app = register_app(&hub, &admin, json!({})).await;

    // The app → this hub → the upstream hub's own login page → back through both.
    let browser = Browser::new();
    let req = request(&app, &[("idp_hint", "corp-hub")]);
    let mut page = browser.get(&req.url).await;
    while let Some(location) = page.location().filter(|l| !l.starts_with(REDIRECT)) {
        page = browser.get(&location).await;
        if page.url.starts_with(&upstream.url("/login")) && page.status == StatusCode::OK {
            page = browser.submit(&page, &[("username", "nina"), ("password", "nina's password 1")]).await;
        }
    }
    let (claims, info) = finish(&hub, &app, req, &page).await;
    let here = user_id(&admin, "nina").await;
    assert_eq!(claims["sub"], here, "this hub's user");
    assert_ne!(here, nina, "a user of its own, linked to the upstream hub's");
    assert_eq!(claims["amr"], json!(["pwd"]), "the upstream hub's password sign-in, carried through");
    assert_eq!(info["email"], "nina@corp.example.com");
    assert_eq!(info["email_verified"], true);
    assert_eq!(info["name"], "Nina N");
    assert_eq!(info["groups"], json!(["corp-hub:staff"]));
    let links = admin.get(&format!("/users/{here}/upstream-identities")).await.ok(StatusCode::OK);
    assert_eq!(links[0]["issuer"], upstream.issuer.as_str());
    assert_eq!(links[0]["subject"], nina.as_str());
}

/// Frappe and django-oauth-toolkit sign ID tokens with the client secret (HS256): the
/// hub checks them with its secret at the upstream, and so the upstream's logout tokens.
#[tokio::test]
async fn an_upstream_that_signs_with_the_client_secret_is_verified_with_it() {
    let fed = Federation::start_signing("HS256", json!({})).await;
    let receiver = e2e::backchannel::LogoutReceiver::start().await;
    let app = fed.app(json!({ "backchannel_logout_uri": receiver.uri })).await;
    let (browser, claims) = signed_in_browser(&fed, &app, "ruth").await;
    assert_eq!(claims["sub"], fed.user_id("ruth").await);
    let confirm = browser.get(&format!("{}/session/end", fed.upstream.issuer)).await;
    browser.submit(&confirm, &[("logout", "yes")]).await;
    assert_eq!(
        receiver.wait_for(1, std::time::Duration::from_secs(10)).await.len(),
        1,
        "the HS256 logout token was accepted"
    );
    assert!(!hub_session_alive(&browser, &app).await);

    // A token changed after its MAC was computed does not verify.
    fed.upstream.set_fault("tamper", json!({})).await;
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, "ruth").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
}

/// A generic OAuth 2.0 provider: explicit endpoints, its own client authentication, and a
/// claim mapping from its userinfo JSON (here the GitHub-shaped stand-in's).
#[tokio::test]
async fn a_generic_oauth2_upstream_is_read_through_its_claim_mapping() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    let provider = e2e::github::Github::start("generic-client", "generic-secret").await;
    provider.sign_in_as(e2e::github::GithubAccount {
        id: 4242,
        login: "sam".into(),
        name: "Sam Smith".into(),
        emails: vec![("sam@corp.example.com".into(), true, true)],
    });
    let key = json!({
        "slug": "intranet",
        "display_name": "Intranet",
        "kind": "oauth2",
        "authorization_endpoint": format!("{}/login/oauth/authorize", provider.base),
        "token_endpoint": format!("{}/login/oauth/access_token", provider.base),
        "userinfo_endpoint": format!("{}/user", provider.base),
        "token_endpoint_auth_method": "client_secret_post",
        "client_id": "generic-client",
        "client_secret": "generic-secret",
        "scopes": ["profile"],
        "username_claim": "login",
        "claim_mapping": { "sub": "id", "picture": "avatar_url" },
        "enabled": true,
        "allow_signup": true,
    });
    admin.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
    let app = register_app(&hub, &admin, json!({})).await;
    let req = request(&app, &[("idp_hint", "intranet")]);
    let page = drive(&Browser::new(), &provider.base, &req.url, "unused").await;
    let (claims, info) = finish(&hub, &app, req, &page).await;
    let sam = user_id(&admin, "sam").await;
    assert_eq!(claims["sub"], sam);
    assert_eq!(info["name"], "Sam Smith");
    assert_eq!(info["picture"], "https://avatars.githubusercontent.com/u/4242", "mapped from avatar_url");
    let links = admin.get(&format!("/users/{sam}/upstream-identities")).await.ok(StatusCode::OK);
    assert_eq!(links[0]["subject"], "4242", "mapped from id");
    assert_eq!(links[0]["issuer"], provider.base.as_str(), "no issuer configured: the token endpoint's origin");
}
