//! Federated sign-in and identity: first sign-in, linking by verified e-mail, refusals, groups, upstream faults.

use e2e::Browser;
use e2e::browser::Page;
use openidconnect::{OAuth2TokenResponse, TokenResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    Federation, REDIRECT, chrono_now, continue_with_corp, drive_until, finish, refused_at_login_page, request,
    sign_in_via_login_page,
};

#[tokio::test]
async fn first_sign_in_creates_the_user_and_the_next_finds_the_same_one() {
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({})).await;

    let (first, info) = sign_in_via_login_page(&fed, &app, "alice").await;
    let alice = fed.user_id("alice").await;
    assert_eq!(first["sub"], alice, "the hub's own subject, not the upstream's");
    assert_eq!(info["email"], "alice@corp.example.com");
    assert_eq!(info["preferred_username"], "alice");
    assert!(first.get("sid").is_some());

    let (second, _) = sign_in_via_login_page(&fed, &app, "alice").await;
    assert_eq!(second["sub"], alice, "the same hub user every time");

    // Both sign-ins are in the metrics: at the upstream, by key, and as sign-ins.
    let (_, metrics) = crate::observability::scrape(&fed.hub.url("/metrics")).await;
    let value = |name: &str, labels: &[(&str, &str)]| crate::observability::value(&metrics, name, labels);
    assert_eq!(value("hub_upstream_calls_total", &[("key", "corp"), ("outcome", "success")]), 2.0);
    assert_eq!(value("hub_upstream_call_duration_seconds_count", &[("key", "corp")]), 2.0);
    assert_eq!(value("hub_sign_ins_total", &[("method", "upstream"), ("outcome", "success")]), 2.0);

    let links = fed.admin.get(&format!("/users/{alice}/upstream-identities")).await.ok(StatusCode::OK);
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0]["social_login_key"], "corp");
    assert_eq!(links[0]["issuer"], fed.upstream.issuer.as_str());
    assert_eq!(links[0]["subject"], "alice");
    let user = fed.admin.get(&format!("/users/{alice}")).await.ok(StatusCode::OK);
    assert_eq!(user["has_password"], false, "an upstream user has no hub password");
    assert_eq!(user["email_verified"], false, "the key does not trust the upstream's e-mail");

    let audit = fed.admin.get("/audit-events?action=upstream.").await.ok(StatusCode::OK);
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["upstream.signup"], "one sign-up, and the second sign-in is no new link");
    let unlinks = fed.admin.get("/audit-events?action=upstream.unlink").await.ok(StatusCode::OK);
    assert_eq!(unlinks["total"], 0);

    // Unlinked, the identity is new again: it signs up anew, under a name qualified by
    // the key (the first account's unverified address proves nothing and blocks nothing).
    let link = links[0]["id"].as_str().unwrap();
    fed.admin.delete(&format!("/users/{alice}/upstream-identities/{link}")).await.ok(StatusCode::NO_CONTENT);
    let (third, _) = sign_in_via_login_page(&fed, &app, "alice").await;
    assert_ne!(third["sub"], alice);
    assert_eq!(third["sub"], fed.user_id("alice-corp").await);
}

#[tokio::test]
async fn a_verified_email_links_an_existing_user_only_where_the_key_trusts_it() {
    let fed = Federation::start(json!({ "trust_email": true, "allow_signup": false })).await;
    let app = fed.app(json!({})).await;
    let verified = |email: &'static str| ["--email", email, "--email-verified"];
    let bob = fed.hub.add_user("bob", "bob's password 1", &verified("bob@corp.example.com"));

    let (claims, _) = sign_in_via_login_page(&fed, &app, "bob").await;
    assert_eq!(claims["sub"], bob, "linked by the verified address");
    let audit = fed.admin.get("/audit-events?action=upstream.link").await.ok(StatusCode::OK);
    assert_eq!(audit["total"], 1);

    // Unverified at the upstream: no link, and no sign-up on this key.
    fed.hub.add_user("carol", "carol's password", &verified("carol@corp.example.com"));
    fed.upstream.set_account("carol", json!({ "email_verified": false })).await;
    let refused = refused_at_login_page(&fed, &app, "carol").await;
    assert!(refused.contains("does not create new ones"), "{refused}");

    // Two hub users with the address: an explicit error, not a pick.
    fed.hub.add_user("dan1", "dan's password 1", &verified("dan@corp.example.com"));
    fed.hub.add_user("dan2", "dan's password 2", &verified("DAN@corp.example.com"));
    let refused = refused_at_login_page(&fed, &app, "dan").await;
    assert!(refused.contains("More than one hub account"), "{refused}");

    // An administrator's account is never linked by e-mail.
    fed.hub.add_user(
        "erin",
        "erin's password",
        &["--email", "erin@corp.example.com", "--email-verified", "--group", "admins"],
    );
    let refused = refused_at_login_page(&fed, &app, "erin").await;
    assert!(refused.contains("administrator"), "{refused}");

    // A hub address nobody verified proves nothing: no link (anyone could have typed it).
    fed.hub.add_user("quinn", "quinn's password", &["--email", "quinn@corp.example.com"]);
    let refused = refused_at_login_page(&fed, &app, "quinn").await;
    assert!(refused.contains("does not create new ones"), "{refused}");

    // Nobody with the address, sign-up off: told why.
    let refused = refused_at_login_page(&fed, &app, "frank").await;
    assert!(refused.contains("does not create new ones"), "{refused}");
    let failures = fed.admin.get("/audit-events?action=login.upstream&outcome=failure").await.ok(StatusCode::OK);
    assert_eq!(failures["total"], 5);
}

#[tokio::test]
async fn groups_are_mapped_namespaced_and_synced_on_every_sign_in() {
    let fed = Federation::start(json!({
        "groups_claim": "groups",
        "group_mapping": { "engineering": "staff" },
    }))
    .await;
    let app = fed.app(json!({})).await;
    fed.upstream.set_account("gina", json!({ "groups": ["engineering", "ops", "admins"], "name": "Gina G" })).await;
    let (_, info) = sign_in_via_login_page(&fed, &app, "gina").await;
    assert_eq!(info["groups"], json!(["corp:admins", "corp:ops", "staff"]), "mapped, else namespaced; never admins");
    assert_eq!(info["name"], "Gina G");

    // A membership granted in the hub is the hub's: the upstream's sync leaves it alone.
    let gina = fed.user_id("gina").await;
    fed.admin.post("/groups", json!({ "name": "wiki-editors" })).await.ok(StatusCode::CREATED);
    let user = fed.admin.get(&format!("/users/{gina}")).await.ok(StatusCode::OK);
    let mut groups: Vec<Value> = user["groups"].as_array().unwrap().clone();
    groups.push(json!("wiki-editors"));
    let update = json!({ "username": "gina", "groups": groups, "disabled": false, "email": user["email"], "email_verified": false });
    fed.admin.put(&format!("/users/{gina}"), update).await.ok(StatusCode::OK);

    fed.upstream.set_account("gina", json!({ "groups": ["ops"], "name": "Gina Green" })).await;
    let (_, info) = sign_in_via_login_page(&fed, &app, "gina").await;
    assert_eq!(info["groups"], json!(["corp:ops", "wiki-editors"]), "synced: upstream groups follow, the hub's stay");
    assert_eq!(info["name"], "Gina Green", "the profile is synced too");

    let admins = fed.admin.get("/users?group=admins").await.ok(StatusCode::OK);
    assert_eq!(admins["total"], 0, "no upstream makes anyone an admin");
}

#[tokio::test]
async fn upstream_failures_end_on_a_clear_page_or_as_an_oauth_error() {
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({ "grant_types": ["authorization_code", "refresh_token"] })).await;
    sign_in_via_login_page(&fed, &app, "kim").await;

    // Each fault a broken or hostile upstream could produce: refused, never a 500.
    for fault in ["tamper", "alg-none", "unpublished-key", "token-error", "huge-token"] {
        fed.upstream.set_fault(fault, json!({})).await;
        let browser = Browser::new();
        let req = request(&app, &[]);
        let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
        let page = continue_with_corp(&browser, &fed.upstream, &login, "kim").await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{fault}: {}", page.body);
        assert!(page.body.contains("Signing in with Corp SSO failed"), "{fault}: {}", page.body);
    }
    // A key rotated at the upstream: the unknown kid makes the hub fetch the JWKS again,
    // once the hub's minimum interval between two fetches (2 s) has passed.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    fed.upstream.set_fault("rotated-key", json!({})).await;
    let (claims, _) = sign_in_via_login_page(&fed, &app, "kim").await;
    assert_eq!(claims["sub"], fed.user_id("kim").await);

    // The upstream's amr and acr reach the app.
    fed.upstream.set_fault("claims", json!({ "amr": ["hwk", "pin"], "acr": "urn:corp:loa:high" })).await;
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, "kim").await;
    let code = page.redirect_params().remove("code").expect("a code");
    let tokens = e2e::rp::exchange_code(&app, &code, req.verifier).await.expect("code exchange");
    let claims = e2e::rp::jwt_claims(&tokens.id_token().unwrap().to_string());
    assert_eq!(claims["amr"], json!(["hwk", "pin"]));
    assert_eq!(claims["acr"], "urn:corp:loa:high");
    // …and stay in the ID tokens issued on refresh.
    let refreshed = app
        .exchange_refresh_token(tokens.refresh_token().expect("a refresh token"))
        .unwrap()
        .request_async(&e2e::rp::http_client())
        .await
        .expect("refresh");
    let claims = e2e::rp::jwt_claims(&refreshed.id_token().expect("an ID token on refresh").to_string());
    assert_eq!((claims["acr"].as_str(), claims["amr"].clone()), (Some("urn:corp:loa:high"), json!(["hwk", "pin"])));
    fed.upstream.set_fault("none", json!({})).await;

    // A replayed callback, a forged state, a callback in another browser.
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let interaction = login.input("interaction").unwrap();
    let start = fed.hub.url(&format!("/upstream/corp/start?interaction={interaction}"));
    let callback_prefix = fed.hub.url("/upstream/corp/callback");
    let at_callback =
        drive_until(&browser, &fed.upstream.issuer, &start, "kim", |l| l.starts_with(&callback_prefix)).await;
    let callback = at_callback.location().unwrap();
    let elsewhere = Browser::new().get(&callback).await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST, "another browser: {}", elsewhere.body);
    let replay = browser.get(&callback).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "the state was taken once: {}", replay.body);
    let forged = browser.get(&fed.hub.url("/upstream/corp/callback?code=x&state=forged")).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);

    // Refused at the upstream: back on the login page, or, when routed there, to the app.
    let browser = Browser::new();
    let req = request(&app, &[("idp_hint", "corp")]);
    let mut page = browser.get(&req.url).await;
    while let Some(location) = page.location().filter(|l| !l.starts_with(REDIRECT)) {
        page = browser.get(&location).await;
        if page.url.contains("/interaction/") && page.status == StatusCode::OK {
            let uid = page.url.rsplit('/').next().unwrap().to_owned();
            page = browser.get(&format!("{}/interaction/{uid}/abort", fed.upstream.issuer)).await;
        }
    }
    let params = page.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"), "{params:?}");

    // An upstream that is down (never reached, so nothing is cached).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down_key = json!({ "slug": "gone", "display_name": "Gone", "kind": "oidc",
        "issuer": format!("http://127.0.0.1:{closed}"), "client_id": "hub", "enabled": true });
    fed.admin.post("/social-login-keys", down_key).await.ok(StatusCode::CREATED);
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let interaction = login.input("interaction").unwrap();
    let down = fed.page_at(&browser, &fed.hub.url(&format!("/upstream/gone/start?interaction={interaction}"))).await;
    assert_eq!(down.status, StatusCode::BAD_GATEWAY, "{}", down.body);
    assert!(down.body.contains("Gone is not answering"), "{}", down.body);
    // Said once: the same page again is the plain login page.
    let again = browser.get(&fed.hub.url(&format!("/login?interaction={interaction}"))).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(!again.body.contains("Gone is not answering"), "{}", again.body);
    // The same request, with its upstream shown as failed, still signs in another way.
    let page = continue_with_corp(&browser, &fed.upstream, &down, "kim").await;
    finish(&fed.hub, &app, req, &page).await;
    assert!(!fed.hub.log_text().contains("panicked"));
}

#[tokio::test]
async fn a_person_signs_in_through_the_upstream_in_chromium() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        dir.join("node_modules/playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "playwright-core or Chromium is missing: run tests/run (it installs both)"
    );
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({})).await;
    let mut sub = None;
    for _ in 0..2 {
        let req = request(&app, &[]);
        let url = req.url.clone();
        let output = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || {
                std::process::Command::new("node")
                    .current_dir(&dir)
                    .args(["federated-login.mjs", &url, REDIRECT, "Corp SSO", "olga"])
                    .output()
                    .expect("node runs")
            }
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "the browser run failed:\n{}\n{stdout}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
        let redirect = report["redirect"].as_str().unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("location", redirect.parse().unwrap());
        let page = Page { url: REDIRECT.into(), status: StatusCode::SEE_OTHER, headers, body: String::new() };
        let (claims, _) = finish(&fed.hub, &app, req, &page).await;
        // A fresh browser each time: the same hub user every time.
        let this = claims["sub"].as_str().unwrap().to_owned();
        assert_eq!(*sub.get_or_insert_with(|| this.clone()), this);
    }
    assert_eq!(sub.unwrap(), fed.user_id("olga").await);
}

#[tokio::test]
async fn the_upstream_must_name_itself_and_honour_max_age() {
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({})).await;
    let callback = fed.hub.url("/upstream/corp/callback");

    // oidc-provider advertises RFC 9207: a response without `iss` is not from it.
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let start = fed.hub.url(&format!("/upstream/corp/start?interaction={}", login.input("interaction").unwrap()));
    let at_callback = drive_until(&browser, &fed.upstream.issuer, &start, "tom", |l| l.starts_with(&callback)).await;
    let mut stripped = url::Url::parse(&at_callback.location().unwrap()).unwrap();
    let kept: Vec<(String, String)> = stripped.query_pairs().into_owned().filter(|(name, _)| name != "iss").collect();
    stripped.query_pairs_mut().clear().extend_pairs(kept);
    let page = fed.page_at(&browser, stripped.as_str()).await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    let failures = fed.admin.get("/audit-events?action=login.upstream&outcome=failure").await.ok(StatusCode::OK);
    assert!(failures["items"][0]["detail"].as_str().unwrap().contains("no iss"), "{failures}");

    // max_age reaches the upstream, whose fresh sign-in satisfies it…
    let browser = Browser::new();
    let req = request(&app, &[("max_age", "60")]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, "tom").await;
    let (claims, _) = finish(&fed.hub, &app, req, &page).await;
    assert_eq!(claims["sub"], fed.user_id("tom").await);

    // …and an upstream that answers with an older sign-in is refused.
    let an_hour_ago = chrono_now() - 3600;
    fed.upstream.set_fault("claims", json!({ "auth_time": an_hour_ago })).await;
    let browser = Browser::new();
    let req = request(&app, &[("max_age", "60")]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, "tom").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    // Without max_age, the same answer is fine.
    let (claims, _) = sign_in_via_login_page(&fed, &app, "tom").await;
    assert_eq!(claims["auth_time"], an_hour_ago, "the upstream's auth_time is the session's");
}
