//! What stops a registered passkey between two sign-ins in the same browser: its user
//! disabled, or an administrator removing it. Either way the next attempt is refused on
//! the login page and no code reaches the app.

use e2e::AdminApi;
use reqwest::StatusCode;
use serde_json::json;

use super::{Setup, alice_id, chromium_pausing, setup};
use crate::second_factor::request;

/// Signs in with a passkey, lets `act` change alice at the hub, and checks that the same
/// passkey is then refused.
async fn refused_after<F: std::future::Future<Output = ()>>(act: impl FnOnce(AdminApi, String) -> F) {
    crate::backend();
    let Setup { hub, lax, strict: _ } = setup(&[]).await;
    let (first, second, third) = (request(&lax), request(&lax), request(&lax));
    let report = chromium_pausing("twice", &[&first, &second, &third], || async {
        let admin = AdminApi::new(&hub);
        let id = alice_id(&admin).await;
        act(admin, id).await;
    })
    .await;
    assert!(report["redirect"].is_string(), "the first sign-in, before: {report}");
    assert!(report["second"]["refused"].as_str().unwrap_or_default().contains("not accepted"), "{report}");
    assert!(report["second"].get("redirect").is_none(), "{report}");
}

#[tokio::test]
async fn a_disabled_users_passkey_signs_no_one_in() {
    refused_after(|admin, id| async move {
        let disable = json!({ "username": "alice", "email_verified": false, "groups": [], "disabled": true });
        admin.put(&format!("/users/{id}"), disable).await.ok(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_passkey_an_administrator_removed_signs_no_one_in() {
    refused_after(|admin, id| async move {
        let factors = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
        let passkey = factors["passkeys"][0]["id"].as_str().unwrap().to_owned();
        admin.delete(&format!("/users/{id}/second-factors/passkeys/{passkey}")).await.ok(StatusCode::NO_CONTENT);
    })
    .await;
}
