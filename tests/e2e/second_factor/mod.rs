//! The second factor (issue 13) through Chromium: enrolment from the QR page's key, sign-in
//! with a code from an independent TOTP library (npm `otpauth`), a replayed code refused, a
//! recovery code, and the ID token's `amr`/`acr` as the `openidconnect` crate reads them.

mod account;
mod http;

use e2e::rp::{AppClient, app_client, jwt_claims};
use e2e::{AdminApi, TestHub};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthType, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse};
use reqwest::StatusCode;
use serde_json::Value;

/// Nothing listens there: the browser script intercepts it. Not port 9, which Chromium
/// refuses (ERR_UNSAFE_PORT) before interception on some redirects.
pub const REDIRECT: &str = "http://127.0.0.1:59999/callback";
pub const PASSWORD: &str = "correct horse battery";

/// Runs `tests/browser/second-factor.mjs` with these arguments; its JSON report.
pub async fn chromium(args: Vec<String>) -> Value {
    browser_script("second-factor.mjs", args).await
}

/// Runs a script of `tests/browser` with these arguments; its JSON report.
pub async fn browser_script(script: &'static str, args: Vec<String>) -> Value {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        dir.join("node_modules/otpauth").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "otpauth or Chromium is missing: run npm ci --prefix tests/browser"
    );
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node").current_dir(&dir).arg(script).args(&args).output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the browser run failed:\n{}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(stdout.trim()).expect("one JSON line")
}

/// An authorization request of the code flow, and what its answer is checked with.
pub struct Request {
    pub url: String,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
}

pub fn request(client: &AppClient) -> Request {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    Request { url: url.into(), nonce, verifier }
}

/// The app's side of a redirect with a code: the exchange, and the ID token's claims.
pub async fn exchange(client: &AppClient, request: Request, redirect: &str) -> Value {
    let url = url::Url::parse(redirect).unwrap();
    let code = url.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned());
    let code = code.unwrap_or_else(|| panic!("a code in {redirect}"));
    let tokens = e2e::rp::exchange_code(client, &code, request.verifier).await.expect("code exchange");
    let id_token = tokens.id_token().expect("an ID token");
    id_token.claims(&client.id_token_verifier(), &request.nonce).expect("the ID token verifies");
    jwt_claims(&id_token.to_string())
}

/// A hub with alice, and a first-party client that requires a second factor.
pub async fn hub_with_strict_client(settings: &[(&str, &str)]) -> (TestHub, AppClient) {
    let hub = TestHub::spawn_with(settings).await;
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&[
        "--name",
        "Payroll",
        "--redirect-uri",
        REDIRECT,
        "--skip-authorization",
        "--require-second-factor",
    ]);
    let client =
        app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    (hub, client)
}

/// A first-party client only members of `group` may use.
pub async fn client_for_group(hub: &TestHub, group: &str) -> AppClient {
    let creds = hub.add_client(&[
        "--name",
        "Ops board",
        "--redirect-uri",
        REDIRECT,
        "--skip-authorization",
        "--allowed-group",
        group,
    ]);
    app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await
}

fn args(mode: &str, request: &Request, extra: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = [mode, &request.url, REDIRECT, "alice", PASSWORD].map(str::to_owned).into();
    args.extend(extra.map(str::to_owned));
    args
}

pub fn amr(claims: &Value) -> Vec<&str> {
    claims["amr"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[tokio::test]
async fn enrolment_sign_in_replay_and_recovery_code_in_chromium() {
    crate::backend();
    let (hub, client) = hub_with_strict_client(&[]).await;
    let admin = AdminApi::new(&hub);

    // The password leads to the enrolment; confirming it is this sign-in's second factor.
    let first = request(&client);
    let enrolled = chromium(args("enrol", &first, None)).await;
    let claims = exchange(&client, first, enrolled["redirect"].as_str().unwrap()).await;
    assert_eq!(amr(&claims), ["pwd", "otp", "mfa"], "RFC 8176 amr: {claims}");
    assert_eq!(claims["acr"], "2", "password and a second factor");
    let key = enrolled["key"].as_str().unwrap().to_owned();
    let codes: Vec<String> =
        enrolled["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10, "{enrolled}");

    let users = admin.get("/users?search=alice").await.ok(StatusCode::OK);
    let id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let factor = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    assert_eq!(factor["enrolled"], true);
    assert_eq!(factor["recovery_codes_left"], 10);

    // A later sign-in asks for a code; used once, it is refused in another browser.
    let second = request(&client);
    let replay = chromium(args("replay", &second, Some(&key))).await;
    assert!(replay["refused"].as_str().unwrap().contains("used already"), "{replay}");
    let claims = exchange(&client, second, replay["redirect"].as_str().unwrap()).await;
    assert_eq!(amr(&claims), ["pwd", "otp", "mfa"]);

    // A recovery code works once.
    let third = request(&client);
    let recovered = chromium(args("recovery", &third, Some(&codes[3]))).await;
    let claims = exchange(&client, third, recovered["redirect"].as_str().unwrap()).await;
    assert_eq!(claims["acr"], "2");
    let factor = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    assert_eq!(factor["recovery_codes_left"], 9, "the code is used up");

    // The administrator's reset: audited, and the next sign-in enrols anew.
    admin.delete(&format!("/users/{id}/second-factors")).await.ok(StatusCode::NO_CONTENT);
    let factor = admin.get(&format!("/users/{id}/second-factors")).await.ok(StatusCode::OK);
    assert_eq!(factor["enrolled"], false);
    admin.delete(&format!("/users/{id}/second-factors")).await.ok(StatusCode::NO_CONTENT);
    let events = admin.get("/audit-events?action=second_factor.reset").await.ok(StatusCode::OK);
    assert_eq!(events["total"], 1, "a repeated reset changes nothing: {events}");
    let fourth = request(&client);
    let password_only = chromium(args("password", &fourth, None)).await;
    assert_eq!(password_only["redirect"], Value::Null, "no code for a password alone: {password_only}");
    assert_eq!(password_only["heading"], "Set up two-step verification");
    assert!(!hub.log_text().contains("panicked"));
}

#[tokio::test]
async fn a_group_restricted_client_refuses_others_in_chromium() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &["--group", "guests"]);
    let client = client_for_group(&hub, "ops").await;
    let refused = chromium(args("password", &request(&client), None)).await;
    let redirect = refused["redirect"].as_str().unwrap_or_else(|| panic!("back at the app: {refused}"));
    let redirect = url::Url::parse(redirect).unwrap();
    let error = redirect.query_pairs().find(|(k, _)| k == "error").map(|(_, v)| v.into_owned());
    assert_eq!(error.as_deref(), Some("access_denied"), "{redirect}");
    assert!(!redirect.query_pairs().any(|(k, _)| k == "code"));
}
