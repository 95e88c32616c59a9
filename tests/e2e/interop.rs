//! Interop with an app server written independently of this repository: npm's
//! `openid-client` (OpenID-certified) signs alice in through the hub, validating the ID
//! token and RFC 9207 `iss`, then calls userinfo, refreshes, introspects and revokes.

use std::path::PathBuf;
use std::process::Command;

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
