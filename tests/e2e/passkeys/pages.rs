//! The passkey pages without a browser's authenticator: what works without JavaScript
//! (the list, rename and remove forms, the no-JS message), the script served by the hub
//! under the pages' CSP, the options a ceremony starts with, and refused answers: back to
//! the login page with the reason, throttled like passwords, never a 500.

use e2e::rp::code_flow_url;
use e2e::{Browser, TestHub};
use reqwest::StatusCode;
use serde_json::Value;

use super::{Setup, setup};
use crate::second_factor::PASSWORD;

/// A well-formed answer of a credential the hub never registered.
const FORGED: &str = r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","extensions":{},"response":{"authenticatorData":"AAAA","clientDataJSON":"AAAA","signature":"AAAA","userHandle":null}}"#;

fn csp(page: &e2e::Page) -> String {
    page.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_account_page_works_without_javascript_and_refuses_what_it_must() {
    crate::backend();
    let Setup { hub, lax, strict: _ } = setup(&[]).await;
    let browser = Browser::new();
    let signed_in = browser.sign_in(&code_flow_url(&lax), "alice", PASSWORD).await;
    assert!(signed_in.redirect_params().contains_key("code"), "{:?}", signed_in.location());

    let page = browser.get(&hub.url("/account/passkeys")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("You have no passkeys yet.") && page.body.contains("<noscript>"), "{}", page.body);
    assert!(page.body.contains(">Add a passkey</button>"));
    let policy = csp(&page);
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "{policy}");
    let script = browser.get(&hub.url("/static/passkey.js")).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(script.body.contains("navigator.credentials.create"));

    // Without the script, "Add a passkey" explains itself; a name too long is refused.
    let csrf = page.input("csrf_token").unwrap();
    let url = hub.url("/account/passkeys");
    let no_js = browser.post_form(&url, &[("csrf_token", &csrf), ("operation", "add"), ("name", "Laptop")]).await;
    assert_eq!(no_js.status, StatusCode::BAD_REQUEST);
    assert!(no_js.body.contains("needs JavaScript"), "{}", no_js.body);
    let options = hub.url("/account/passkeys/options");
    let too_long = browser.post_form(&options, &[("csrf_token", &csrf), ("name", &"x".repeat(65))]).await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST, "{}", too_long.body);
    let started = browser.post_form(&options, &[("csrf_token", &csrf), ("name", "Laptop")]).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let started: Value = serde_json::from_str(&started.body).unwrap();
    assert_eq!(started["publicKey"]["rp"]["id"], "localhost", "the RP id is the issuer's host");
    assert_eq!(started["publicKey"]["authenticatorSelection"]["residentKey"], "required");
    // A forged registration is refused, and the ceremony is gone after one answer.
    let forged =
        [("csrf_token", csrf.as_str()), ("operation", "add"), ("ceremony", started["ceremony"].as_str().unwrap())];
    let refused = browser.post_form(&url, &[forged.as_slice(), &[("credential", FORGED)]].concat()).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert!(refused.body.contains("no passkey was added"), "{}", refused.body);
    let again = browser.post_form(&url, &[forged.as_slice(), &[("credential", FORGED)]].concat()).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "expired: {}", again.body);

    let unknown = uuid::Uuid::new_v4().to_string();
    let rename = [("csrf_token", csrf.as_str()), ("operation", "rename"), ("passkey", &unknown), ("name", "Phone")];
    assert_eq!(browser.post_form(&url, &rename).await.status, StatusCode::NOT_FOUND);
    let no_csrf = browser.post_form(&url, &[("operation", "remove"), ("passkey", &unknown)]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert_eq!(Browser::new().get(&url).await.status, StatusCode::UNAUTHORIZED, "signed in only");
    assert!(!hub.log_text().contains("panicked"));
}

#[tokio::test]
async fn forged_passkey_answers_go_back_to_the_login_page_and_are_throttled() {
    crate::backend();
    let Setup { hub, lax, strict: _ } = setup(&[("HUB_LOGIN_THROTTLE_PER_ACCOUNT", "2")]).await;
    let browser = Browser::new();
    let start = browser.get(&code_flow_url(&lax)).await;
    let login = browser.get(&start.location().unwrap()).await;
    assert!(login.body.contains(">Sign in with a passkey</button>"), "{}", login.body);
    assert!(login.body.contains(">Password</label>"), "the password form stays");
    assert!(csp(&login).contains("script-src 'self'"));
    let (csrf, interaction) = (login.input("csrf_token").unwrap(), login.input("interaction").unwrap());
    let fields = [("csrf_token", csrf.as_str()), ("interaction", interaction.as_str())];

    let mut statuses = Vec::new();
    for _ in 0..4 {
        let options = browser.post_form(&hub.url("/login/passkey/options"), &fields).await;
        assert_eq!(options.status, StatusCode::OK, "{}", options.body);
        let options: Value = serde_json::from_str(&options.body).unwrap();
        assert_eq!(options["publicKey"]["userVerification"], "required");
        let ceremony = options["ceremony"].as_str().unwrap();
        let answer = [fields.as_slice(), &[("ceremony", ceremony), ("credential", FORGED)]].concat();
        let answered = browser.post_form(&hub.url("/login/passkey"), &answer).await;
        statuses.push(answered.status);
        if answered.status == StatusCode::SEE_OTHER {
            let back = browser.get(&answered.location().unwrap()).await;
            assert_eq!(back.status, StatusCode::FORBIDDEN);
            assert!(back.body.contains("not accepted"), "the login page says why: {}", back.body);
        }
    }
    assert_eq!(statuses[..3], [StatusCode::SEE_OTHER; 3], "{statuses:?}");
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let no_csrf = browser.post_form(&hub.url("/login/passkey/options"), &[("interaction", &interaction)]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert!(!hub.log_text().contains("panicked"));
}

#[tokio::test]
async fn a_hub_at_an_ip_address_offers_no_passkey() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", crate::second_factor::REDIRECT]);
    let client = e2e::rp::app_client(
        &hub.issuer,
        &creds.client_id,
        creds.client_secret.as_deref(),
        crate::second_factor::REDIRECT,
        openidconnect::AuthType::BasicAuth,
    )
    .await;
    let browser = Browser::new();
    let start = browser.get(&code_flow_url(&client)).await;
    let login = browser.get(&start.location().unwrap()).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(!login.body.contains("passkey"), "browsers refuse an IP address as the RP id");
}
