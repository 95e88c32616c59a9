//! An administrator sees a user's passkeys with their second factor (admin API and CLI)
//! and removes one: the user's sessions end and the removal is audited with the
//! administrator as the actor.

use e2e::AdminApi;
use reqwest::StatusCode;

use super::{NAME, Setup, alice_id, chromium, events, setup};
use crate::second_factor::request;

#[tokio::test]
async fn an_administrator_lists_and_removes_a_users_passkey() {
    crate::backend();
    let Setup { hub, lax, strict: _ } = setup(&[]).await;
    let admin = AdminApi::new(&hub);
    let report = chromium("register", &[&request(&lax)], &[]).await;
    assert_eq!(report["registered"], serde_json::json!([NAME]), "{report}");

    let id = alice_id(&admin).await;
    let factors = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    let passkey = &factors["passkeys"][0];
    assert_eq!(passkey["name"], NAME, "{factors}");
    assert!(passkey["created_at"].is_string() && passkey.get("last_used_at").is_none(), "{factors}");
    assert!(passkey.get("credential").is_none(), "never the credential");
    let passkey_id = passkey["id"].as_str().unwrap().to_owned();
    let sessions = admin.get(&format!("/sessions?user_id={id}")).await.ok(StatusCode::OK);
    assert!(sessions["items"].as_array().is_some_and(|s| !s.is_empty()), "{sessions}");
    // The CLI lists it the same way, and refuses to remove one the user does not have.
    let (ok, listed, err) = hub.cli(&["user", "second-factor", "alice"], None);
    assert!(ok, "{err}");
    assert!(listed.contains(&format!("passkey {passkey_id} \"{NAME}\": device-bound")), "{listed}");
    let unknown = uuid::Uuid::new_v4().to_string();
    let (ok, _, err) = hub.cli(&["user", "second-factor", "alice", "--remove-passkey", &unknown], None);
    assert!(!ok && err.contains("passkey"), "{err}");

    // Another user's id, or an unknown passkey: 404, nothing removed.
    let other = uuid::Uuid::new_v4();
    admin.delete(&format!("/users/{other}/second-factors/passkeys/{passkey_id}")).await.ok(StatusCode::NOT_FOUND);
    admin.delete(&format!("/users/{id}/second-factors/passkeys/{other}")).await.ok(StatusCode::NOT_FOUND);

    admin.delete(&format!("/users/{id}/second-factors/passkeys/{passkey_id}")).await.ok(StatusCode::NO_CONTENT);
    let factors = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    assert_eq!(factors["passkeys"], serde_json::json!([]), "{factors}");
    admin.delete(&format!("/users/{id}/second-factors/passkeys/{passkey_id}")).await.ok(StatusCode::NOT_FOUND);
    let sessions = admin.get(&format!("/sessions?user_id={id}")).await.ok(StatusCode::OK);
    assert_eq!(sessions["items"], serde_json::json!([]), "the user's sessions ended: {sessions}");

    let removed = events(&admin, "passkey.remove").await;
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(removed[0]["actor"], "admin-token");
    assert_eq!(removed[0]["target"], format!("passkey:{passkey_id}"));
    assert_eq!(removed[0]["detail"], NAME);
}
