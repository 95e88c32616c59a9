//! Passkeys (issue 13) through Chromium's virtual authenticator (`tests/browser/passkey.mjs`):
//! registration at `/account/passkeys`, a passwordless sign-in and a passkey as the second
//! factor, each code exchanged by the `openidconnect` crate and its ID token's `amr`/`acr`
//! checked; rename and remove (a removed passkey signs no one in); a cloned credential
//! behind the registered one's counter refused; an administrator's removal; the audit log.
//! The hub runs at `localhost`: browsers refuse an IP address as a WebAuthn RP id.

mod admin;
mod again;
mod pages;

use e2e::rp::{AppClient, app_client};
use e2e::{AdminApi, TestHub};
use openidconnect::AuthType;
use reqwest::StatusCode;
use serde_json::Value;

use crate::second_factor::{PASSWORD, REDIRECT, Request, amr, browser_script, exchange, request};

pub const NAME: &str = "Work laptop";

/// A hub at `localhost` with alice, an app without a second-factor rule (`lax`) and one
/// that requires a second factor (`strict`).
pub struct Setup {
    pub hub: TestHub,
    pub lax: AppClient,
    pub strict: AppClient,
}

pub async fn setup(settings: &[(&str, &str)]) -> Setup {
    let hub = TestHub::spawn_at("localhost", settings).await;
    hub.add_user("alice", PASSWORD, &[]);
    let client = |name: &str, strict: bool| {
        let mut args = vec!["--name", name, "--redirect-uri", REDIRECT, "--skip-authorization"];
        if strict {
            args.push("--require-second-factor");
        }
        hub.add_client(&args)
    };
    let (lax, strict) = (client("Wiki", false), client("Payroll", true));
    let issuer = hub.issuer.clone();
    let app = |creds: e2e::ClientCredentials| {
        let issuer = issuer.clone();
        async move {
            app_client(&issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await
        }
    };
    let (lax, strict) = (app(lax).await, app(strict).await);
    Setup { hub, lax, strict }
}

/// Runs `passkey.mjs` in `mode` through these authorization requests (`--synced` among
/// `flags` makes the authenticator's credentials backup-eligible).
pub async fn chromium(mode: &str, requests: &[&Request], flags: &[&str]) -> Value {
    let mut args: Vec<String> = [mode, REDIRECT, "alice", PASSWORD, NAME].map(str::to_owned).into();
    args.extend(requests.iter().map(|request| request.url.clone()));
    args.extend(flags.iter().map(|flag| (*flag).to_owned()));
    browser_script("passkey.mjs", args).await
}

/// As `chromium`, pausing before the last attempt: `act` changes something at the hub
/// while the browser (and its authenticator) wait.
pub async fn chromium_pausing<F: std::future::Future<Output = ()>>(
    mode: &str,
    requests: &[&Request],
    act: impl FnOnce() -> F,
) -> Value {
    let dir = std::env::temp_dir().join(format!("passkey-pause-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let pause = format!("--pause={}", dir.display());
    let run = tokio::spawn({
        let (mode, requests): (String, Vec<String>) =
            (mode.to_owned(), requests.iter().map(|r| r.url.clone()).collect());
        async move {
            let mut args: Vec<String> = [mode.as_str(), REDIRECT, "alice", PASSWORD, NAME].map(str::to_owned).into();
            args.extend(requests);
            args.push(pause);
            browser_script("passkey.mjs", args).await
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !dir.join("paused").exists() {
        assert!(!run.is_finished(), "the browser run ended before its pause");
        assert!(std::time::Instant::now() < deadline, "the browser never paused");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    act().await;
    std::fs::write(dir.join("resume"), b"").unwrap();
    let report = run.await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    report
}

pub async fn alice_id(admin: &AdminApi) -> String {
    let users = admin.get("/users?search=alice").await.ok(StatusCode::OK);
    users["items"][0]["id"].as_str().unwrap().to_owned()
}

pub async fn events(admin: &AdminApi, action: &str) -> Vec<Value> {
    let events = admin.get(&format!("/audit-events?action={action}")).await.ok(StatusCode::OK);
    events["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_registered_passkey_signs_in_without_a_password_and_counts_as_two_factors() {
    crate::backend();
    let Setup { hub, lax, strict } = setup(&[]).await;
    let admin = AdminApi::new(&hub);
    let (first, second) = (request(&lax), request(&strict));
    let report = chromium("passwordless", &[&first, &second], &[]).await;
    assert_eq!(report["registered"], serde_json::json!([NAME]), "{report}");

    let password = exchange(&lax, first, report["first"].as_str().unwrap()).await;
    assert_eq!(amr(&password), ["pwd"]);
    // No password, and a client that requires a second factor is satisfied: a passkey
    // that verified its user is two factors (a device-bound key: hwk).
    let claims = exchange(&strict, second, report["redirect"].as_str().unwrap()).await;
    assert_eq!(amr(&claims), ["hwk", "user", "mfa"], "RFC 8176 amr: {claims}");
    assert_eq!(claims["acr"], "2", "{claims}");
    assert_eq!(claims["sub"], password["sub"], "the same user");

    let id = alice_id(&admin).await;
    let factors = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    let passkeys = factors["passkeys"].as_array().unwrap();
    assert_eq!(passkeys.len(), 1, "{factors}");
    assert_eq!(passkeys[0]["name"], NAME);
    assert_eq!(passkeys[0]["synced"], false);
    assert!(passkeys[0]["last_used_at"].is_string(), "the sign-in is recorded: {factors}");
    assert_eq!(factors["enrolled"], false, "no TOTP");

    let registered = events(&admin, "passkey.register").await;
    assert_eq!(registered.len(), 1, "{registered:?}");
    assert_eq!(registered[0]["actor"], "user:alice");
    assert!(registered[0]["address"].as_str().is_some_and(|a| !a.is_empty()), "{registered:?}");
    let signed_in = events(&admin, "login.passkey").await;
    assert_eq!(signed_in.len(), 1, "{signed_in:?}");
    assert_eq!(signed_in[0]["outcome"], "success", "{signed_in:?}");
    assert!(!hub.log_text().contains("panicked"));
}

#[tokio::test]
async fn a_synced_passkey_is_the_second_factor_of_a_user_without_totp() {
    crate::backend();
    let Setup { hub, lax, strict } = setup(&[]).await;
    let admin = AdminApi::new(&hub);
    let (first, second) = (request(&lax), request(&strict));
    // After the password, the strict client's rule offers the passkey, never a TOTP enrolment.
    let report = chromium("second-factor", &[&first, &second], &["--synced"]).await;
    let claims = exchange(&strict, second, report["redirect"].as_str().unwrap()).await;
    assert_eq!(amr(&claims), ["pwd", "swk", "user", "mfa"], "a synced key is swk: {claims}");
    assert_eq!(claims["acr"], "2");
    let verified = events(&admin, "login.second_factor").await;
    assert_eq!(verified.len(), 1, "{verified:?}");
    assert!(verified[0]["detail"].as_str().unwrap().contains(NAME), "{verified:?}");
    let id = alice_id(&admin).await;
    let factors = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    assert_eq!(factors["passkeys"][0]["synced"], true, "{factors}");
}

/// The enrolment a client's rule asks for offers a passkey beside the app; one created there,
/// after the password, is that sign-in's second factor and the next one's.
#[tokio::test]
async fn a_passkey_created_at_the_required_enrolment_is_the_second_factor() {
    crate::backend();
    let Setup { hub, lax: _, strict } = setup(&[]).await;
    let admin = AdminApi::new(&hub);
    let (first, second) = (request(&strict), request(&strict));
    let report = chromium("enrol", &[&first, &second], &[]).await;
    let enrolled = exchange(&strict, first, report["first"].as_str().unwrap()).await;
    assert_eq!(amr(&enrolled), ["pwd", "hwk", "mfa"], "made after the password: {enrolled}");
    assert_eq!(enrolled["acr"], "2", "{enrolled}");
    let next = exchange(&strict, second, report["redirect"].as_str().unwrap()).await;
    assert_eq!(amr(&next), ["pwd", "hwk", "user", "mfa"], "{next}");

    let id = alice_id(&admin).await;
    let factors = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    assert_eq!(factors["passkeys"][0]["name"], NAME, "{factors}");
    assert_eq!(factors["enrolled"], false, "the app's enrolment left unconfirmed: {factors}");
    assert_eq!(hub.count_rows("second_factors").await, 0, "the app's unconfirmed enrolment is forgotten");
    let registered = events(&admin, "passkey.register").await;
    assert_eq!(registered.len(), 1, "{registered:?}");
    assert_eq!(registered[0]["client_id"], strict.client_id().as_str(), "{registered:?}");
}

#[tokio::test]
async fn a_renamed_then_removed_passkey_no_longer_signs_in() {
    crate::backend();
    let Setup { hub, lax, strict: _ } = setup(&[]).await;
    let admin = AdminApi::new(&hub);
    let (first, second, third) = (request(&lax), request(&lax), request(&lax));
    let report = chromium("manage", &[&first, &second, &third], &[]).await;
    assert_eq!(report["renamed"], serde_json::json!([format!("{NAME} (renamed)")]), "{report}");
    assert_eq!(report["after_removal"], serde_json::json!([]), "{report}");
    assert!(report["refused"].as_str().unwrap().contains("not accepted"), "{report}");

    let renamed = events(&admin, "passkey.rename").await;
    assert_eq!(renamed.len(), 1, "{renamed:?}");
    let removed = events(&admin, "passkey.remove").await;
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(removed[0]["actor"], "user:alice");
    assert!(removed[0]["address"].as_str().is_some_and(|a| !a.is_empty()), "{removed:?}");
    let refused = events(&admin, "login.passkey").await;
    assert!(refused.iter().any(|event| event["outcome"] == "failure"), "{refused:?}");
}

#[tokio::test]
async fn a_credential_behind_the_registered_counter_is_refused_as_a_clone() {
    crate::backend();
    let Setup { hub, lax, strict: _ } = setup(&[]).await;
    let (first, second, third) = (request(&lax), request(&lax), request(&lax));
    let report = chromium("clone", &[&first, &second, &third], &[]).await;
    assert!(report["counter_before"].as_u64().unwrap() > 0, "{report}");
    assert!(report["refused"].as_str().unwrap().contains("copy"), "{report}");
    assert!(hub.log_text().contains("possibly cloned"), "logged");
}
