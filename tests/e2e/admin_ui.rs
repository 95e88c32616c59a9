//! The admin UI in a real browser: Debian's Chromium, driven by `playwright-core`
//! (`tests/browser/admin-ui.mjs`). An administrator signs in through the hub's login
//! page and works through the UI; a user outside `admins` is refused. What the UI did is
//! then checked through the admin API, independently of what the page showed.

use std::path::PathBuf;
use std::process::Command;

use e2e::{AdminApi, Browser, TestHub};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT};

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser")
}

#[tokio::test]
async fn an_administrator_manages_the_hub_from_the_admin_ui() {
    crate::backend();
    let dir = script_dir();
    assert!(
        dir.join("node_modules/playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "playwright-core or Chromium is missing: run tests/run (it installs both)"
    );
    let hub = TestHub::spawn().await;
    hub.add_user("root", PASSWORD, &["--group", "admins"]);
    let plain = hub.add_user("plain", PASSWORD, &[]);
    // The plain user has a session of their own, for the administrator to revoke.
    let app = hub.add_client(&["--name", "App", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let authorize = format!(
        "{}?response_type=code&client_id={}&redirect_uri={REDIRECT}&scope=openid&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        hub.url("/authorize"),
        app.client_id
    );
    let signed_in = Browser::new().sign_in(&authorize, "plain", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    let api = AdminApi::new(&hub);
    let sessions = api.get(&format!("/sessions?user_id={plain}")).await.ok(StatusCode::OK);
    let plain_sid = sessions["items"][0]["sid"].as_str().expect("the plain user's session").to_owned();

    let issuer = hub.issuer.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(&dir)
            .args(["admin-ui.mjs", &issuer, "root", PASSWORD, "plain", PASSWORD])
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the browser run failed:\n{stderr}\n{stdout}\nhub log:\n{}", hub.log_text());
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line from admin-ui.mjs");
    assert_eq!(report["refused_non_admin"], true, "{report}");

    // What the UI did, as the API sees it.
    let key = api.get("/social-login-keys/corp").await.ok(StatusCode::OK);
    assert_eq!((key["display_name"].as_str(), key["has_client_secret"].as_bool()), (Some("Corp SSO"), Some(true)));
    let client_id = report["client_id"].as_str().expect("the client the UI created");
    let client = api.get(&format!("/clients/{client_id}")).await.ok(StatusCode::OK);
    assert_eq!(client["client_name"], "Browser test app");
    // The Django stack filled in its URIs from the app's base URL.
    assert_eq!(client["redirect_uris"], serde_json::json!(["http://127.0.0.1:9/oidc/callback/"]), "{client}");
    assert_eq!(client["backchannel_logout_uri"], "http://127.0.0.1:9/backchannel-logout", "{client}");
    let username = report["user"].as_str().expect("the user the UI created");
    let users = api.get(&format!("/users?search={username}")).await.ok(StatusCode::OK);
    assert_eq!(users["total"], 1, "{users}");
    // (The plain user's refused sign-in at the end started a new session of theirs.)
    let sessions = api.get(&format!("/sessions?user_id={plain}")).await.ok(StatusCode::OK);
    let live: Vec<&str> = sessions["items"].as_array().unwrap().iter().filter_map(|s| s["sid"].as_str()).collect();
    assert!(!live.contains(&plain_sid.as_str()), "the session the administrator revoked has ended: {sessions}");
    let rotations = api.get(&format!("/audit-events?action=client.rotate_secret&client_id={client_id}")).await;
    assert_eq!(rotations.ok(StatusCode::OK)["items"][0]["actor"], "user:root", "the rotation, by the administrator");
}
