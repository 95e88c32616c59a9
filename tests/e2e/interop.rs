//! Interop with app servers written independently of this repository: npm's
//! `openid-client` (OpenID-certified) signs alice in through the hub, validating the ID
//! token and RFC 9207 `iss`, then calls userinfo, refreshes, introspects and revokes, and
//! runs the device grant as a CLI would; a Flask API protected by Flask-OIDC 2.x's
//! `accept_token` introspects the tokens it gets, with each client authentication it has.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use e2e::TestHub;

const REDIRECT: &str = "http://127.0.0.1:9/openid-client/callback";

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop/openid-client")
}

#[tokio::test]
async fn openid_client_signs_in_validates_refreshes_introspects_and_revokes() {
    crate::backend();
    let dir = script_dir();
    assert!(
        dir.join("node_modules/openid-client").exists(),
        "openid-client is not installed: run tests/run (it runs `npm ci` in {})",
        dir.display()
    );
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", "correct horse battery", &["--email", "alice@example.com"]);
    let creds = hub.add_client(&["--name", "Node app", "--redirect-uri", REDIRECT]);
    let secret = creds.client_secret.expect("confidential client");

    let issuer = hub.issuer.clone();
    let client_id = creds.client_id.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(&dir)
            .args(["login.mjs", &issuer, &client_id, &secret, REDIRECT, "alice", "correct horse battery"])
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "openid-client failed:\n{stderr}\n{stdout}\nhub log:\n{}", hub.log_text());

    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON from login.mjs");
    assert_eq!(result["sub"], alice.as_str());
    assert_eq!(result["iss"], hub.issuer.as_str());
    assert_eq!(result["email"], "alice@example.com");
    assert_eq!(result["preferred_username"], "alice");
    assert_eq!(result["refreshed"], true, "a rotated refresh token");
    assert_eq!(result["introspected"]["active"], true);
    assert_eq!(result["introspected"]["sub"], alice.as_str());
    assert_eq!(result["introspected"]["client_id"], creds.client_id.as_str());
    assert_eq!(result["revoked_access_token_active"], false, "RFC 7009: a revoked access token");
    assert_eq!(result["refresh_token_active_after_access_revoked"], true, "the grant outlives one access token");
    assert_eq!(result["access_token_active_after_grant_revoked"], false, "revoking the refresh token ends the grant");
}

/// A CLI on openid-client starts the device grant (RFC 8628) as a public client and
/// polls, while alice enters its user code on the hub's page in a browser and signs in.
#[tokio::test]
async fn openid_client_runs_the_device_grant_while_the_user_signs_in_in_a_browser() {
    crate::backend();
    let dir = script_dir();
    assert!(dir.join("node_modules/openid-client").exists(), "openid-client is not installed: run tests/run");
    let hub = TestHub::spawn_with(&[("HUB_DEVICE_POLL_INTERVAL_SECS", "1")]).await;
    let alice = hub.add_user("alice", crate::code_flow::PASSWORD, &["--email", "alice@example.com"]);
    let cli = hub.add_client(&[
        "--name",
        "Hub CLI",
        "--public",
        "--grant-type",
        "urn:ietf:params:oauth:grant-type:device_code",
        "--grant-type",
        "refresh_token",
    ]);

    let mut node = Command::new("node")
        .current_dir(&dir)
        .args(["device.mjs", &hub.issuer, &cli.client_id])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let stdout = node.stdout.take().expect("piped");
    let (lines, mut printed) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).for_each(|l| drop(lines.send(l))));
    let mut next_line = async || {
        let line = tokio::time::timeout(Duration::from_secs(60), printed.recv()).await.ok().flatten();
        serde_json::from_str::<serde_json::Value>(&line.unwrap_or_default()).ok()
    };

    let Some(device) = next_line().await else {
        let output = node.wait_with_output().expect("node ends");
        panic!("device.mjs printed no user code:\n{}", String::from_utf8_lossy(&output.stderr));
    };
    assert_eq!(device["verification_uri"], hub.url("/device"), "{device}");
    let user_code = device["user_code"].as_str().expect("a user code");
    let done = crate::device::sign_in_on_the_page(&hub, &e2e::Browser::new(), user_code, "allow").await;
    assert!(done.body.contains("You can return to your device"), "{}", done.body);

    let result = next_line().await;
    let output = tokio::task::spawn_blocking(move || node.wait_with_output()).await.unwrap().expect("node ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "openid-client failed:\n{stderr}\nhub log:\n{}", hub.log_text());
    let result = result.expect("device.mjs printed its tokens");
    assert_eq!(result["sub"], alice.as_str(), "{result}");
    assert_eq!(result["iss"], hub.issuer.as_str());
    assert_eq!(result["aud"], cli.client_id.as_str());
    assert_eq!(result["amr"], serde_json::json!(["pwd"]));
    assert_eq!(result["email"], "alice@example.com");
    assert_eq!(result["refreshed"], true, "a rotated refresh token");
}

/// Flask-OIDC 2.x as a resource server (`@oidc.accept_token`): it introspects each bearer
/// token at the hub (RFC 7662) and lets through only active ones. It authenticates there
/// as the API's own client, with either method it has: client_secret_post and
/// client_secret_basic (its `bearer` setting crashes inside Flask-OIDC 2.4.0).
#[tokio::test]
async fn flask_oidc_accepts_live_tokens_and_refuses_revoked_ones_with_client_secret_post() {
    flask_oidc_accepts_live_tokens_and_refuses_revoked_ones("client_secret_post").await;
}

#[tokio::test]
async fn flask_oidc_accepts_live_tokens_and_refuses_revoked_ones_with_client_secret_basic() {
    flask_oidc_accepts_live_tokens_and_refuses_revoked_ones("client_secret_basic").await;
}

async fn flask_oidc_accepts_live_tokens_and_refuses_revoked_ones(auth_method: &str) {
    crate::backend();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop/flask-oidc");
    let python = dir.join(".venv/bin/python");
    assert!(python.exists(), "Flask-OIDC is not installed: run tests/run (it makes {})", python.display());
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", crate::code_flow::PASSWORD, &["--email", "alice@example.com"]);
    let app = hub.add_client(&["--name", "Wiki", "--redirect-uri", crate::code_flow::REDIRECT, "--skip-authorization"]);
    let api = hub.add_client(&[
        "--name",
        "API",
        "--redirect-uri",
        "https://api.example/unused",
        "--auth-method",
        auth_method,
    ]);
    let client = e2e::rp::app_client(
        &hub.issuer,
        &app.client_id,
        app.client_secret.as_deref(),
        crate::code_flow::REDIRECT,
        openidconnect::AuthType::BasicAuth,
    )
    .await;
    use openidconnect::OAuth2TokenResponse;
    let live = crate::code_flow::alice_tokens(&hub, &e2e::Browser::new(), &client, false).await.0;
    let revoked = crate::code_flow::alice_tokens(&hub, &e2e::Browser::new(), &client, false).await.0;
    let status = e2e::rp::http_client()
        .post(hub.url("/revoke"))
        .basic_auth(&app.client_id, app.client_secret.as_deref())
        .form(&[("token", revoked.access_token().secret().as_str())])
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success());

    let args = [
        "accept_token.py".to_owned(),
        "--auth-method".to_owned(),
        auth_method.to_owned(),
        "--".to_owned(),
        hub.issuer.clone(),
        api.client_id.clone(),
        api.client_secret.clone().expect("a confidential resource server"),
        live.access_token().secret().clone(),
        revoked.access_token().secret().clone(),
        "not-a-token".to_owned(),
    ];
    let output = tokio::task::spawn_blocking(move || Command::new(python).current_dir(&dir).args(&args).output())
        .await
        .unwrap()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "Flask-OIDC failed:\n{}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    let answers: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON from accept_token.py");
    assert_eq!(answers[0]["status"], 200, "a live token: {answers}");
    assert_eq!(answers[0]["body"]["sub"], alice.as_str());
    assert_eq!(answers[1]["status"], 401, "a revoked token: {answers}");
    assert_eq!(answers[2]["status"], 401, "not a token: {answers}");
}
