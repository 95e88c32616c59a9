//! The account page and recovery by e-mail through Chromium (`tests/browser/account.mjs`):
//! every action of the page by its labels and buttons, at 390 px too, and the reset,
//! verification and sign-up links read off a real SMTP server.

use e2e::mail::MailSink;
use e2e::{AdminApi, Browser};
use reqwest::StatusCode;
use serde_json::Value;

use super::{PASSWORD, hub_with_mail};

async fn chromium(args: &[&str]) -> Value {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        dir.join("node_modules/otpauth").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "otpauth or Chromium is missing: run npm ci --prefix tests/browser"
    );
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node").current_dir(&dir).arg("account.mjs").args(&args).output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the browser run failed:\n{}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(report["csp"], serde_json::json!([]), "no CSP violation on the hub's pages: {report}");
    report
}

#[tokio::test]
async fn every_action_of_the_account_page_in_chromium() {
    crate::backend();
    let mail = MailSink::start();
    let hub = hub_with_mail(&mail, &[]).await;
    let id = hub.add_user("alice", PASSWORD, &["--email", "alice@example.test", "--email-verified"]);
    // Alice allowed an app, which the page then lists.
    super::allow_an_app(&hub, &Browser::new(), "alice").await;

    let report = chromium(&["page", &hub.issuer, "alice", PASSWORD, "a new passphrase"]).await;
    let notices: Vec<&str> = report["notices"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(
        notices,
        [
            "Your profile is saved.",
            "The app's access is revoked. It will ask again next time.",
            "The authenticator is removed.",
            "Your password is changed, and your other sessions are signed out.",
            "That session is signed out.",
        ],
        "{report}"
    );
    assert_eq!(report["revoked"], serde_json::json!(["Wiki"]));
    assert_eq!(report["second_factor_on"], true);
    assert_eq!(report["other_asked_to_sign_in"], true);
    assert_eq!(report["small_screen_overflows"], false, "the page fits 390 px");

    let admin = AdminApi::new(&hub);
    let user = admin.get(&format!("/users/{id}")).await.ok(StatusCode::OK);
    assert_eq!((user["name"].as_str(), user["nickname"].as_str()), (Some("Alice Pleasance Liddell"), Some("Al")));
    let factor = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    assert_eq!(factor["enrolled"], false, "{factor}");
    let events = admin.get(&format!("/audit-events?user_id={id}")).await.ok(StatusCode::OK);
    let actions: Vec<&str> = events["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in
        ["account.profile", "consent.revoke", "account.second_factor_remove", "account.password", "session.revoke"]
    {
        assert!(actions.contains(&expected), "{expected} audited: {actions:?}");
    }
    // The changes that matter were told to the address.
    let told: Vec<String> = mail.to("alice@example.test").into_iter().map(|m| m.body).collect();
    assert!(told.iter().any(|b| b.contains("a second factor (an authenticator app) was added")), "{told:?}");
    assert!(told.iter().any(|b| b.contains("second factor (an authenticator app) of your account was removed")));
    assert!(told.iter().any(|b| b.contains("the password of your account was changed")), "{told:?}");
}

#[tokio::test]
async fn reset_verification_and_sign_up_through_chromium_and_smtp() {
    crate::backend();
    let mail = MailSink::start();
    let hub = hub_with_mail(&mail, &[("HUB_SELF_REGISTRATION", "true")]).await;
    hub.add_user("alice", PASSWORD, &["--email", "alice@example.test"]);

    let asked = chromium(&["reset", &hub.issuer, "alice@example.test"]).await;
    assert!(asked["notice"].as_str().unwrap().starts_with("If an account matches"), "{asked}");
    let link = mail.wait_for("alice@example.test", 1).await.link();
    let reset = chromium(&["link", &link, "a brand new passphrase"]).await;
    assert_eq!(reset["heading"], "Choose a new password");
    assert!(reset["notice"].as_str().unwrap().starts_with("Your new password is set"), "{reset}");
    super::open_account(&hub, &Browser::new(), "alice", "a brand new passphrase").await;

    let signed_up = chromium(&["sign-up", &hub.issuer, "dora", "dora@example.test", PASSWORD]).await;
    assert!(signed_up["notice"].as_str().unwrap().starts_with("Check your e-mail"), "{signed_up}");
    let message = mail.wait_for("dora@example.test", 1).await;
    assert!(message.subject.contains("Finish creating your Hub account"), "{}", message.subject);
    let created = chromium(&["link", &message.link()]).await;
    assert_eq!(created["heading"], "Create your account");
    assert_eq!(created["notice"], "Your account is created. You can sign in now.");

    // A verification link from the account page, for an address not yet verified.
    let browser = Browser::new();
    let page = super::open_account(&hub, &browser, "dora", PASSWORD).await;
    let changed = super::post(&hub, &browser, &page, "/account/email", &[("email", "dora@work.example.test")]).await;
    assert!(changed.body.contains("We have sent a link"), "{}", changed.body);
    let verify = chromium(&["link", &mail.wait_for("dora@work.example.test", 1).await.link()]).await;
    assert_eq!(verify["heading"], "Confirm your address");
    assert_eq!(verify["notice"], "Your e-mail address is confirmed.");
}
