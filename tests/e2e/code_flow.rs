//! The authorization code flow as stock OIDC clients run it.

use e2e::rp::{app_client, http_client};
use e2e::{Browser, TestHub};
use openidconnect::core::{CoreAuthenticationFlow, CoreTokenResponse, CoreUserInfoClaims};
use openidconnect::{
    AccessTokenHash, AuthType, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, Scope, TokenResponse,
};
use reqwest::StatusCode;

pub const REDIRECT: &str = "http://127.0.0.1:9/callback";
pub const PASSWORD: &str = "correct horse battery";

/// Signs alice in through `client` and returns the code from the redirect.
pub async fn authorize(
    hub: &TestHub,
    browser: &Browser,
    client: &e2e::rp::AppClient,
    consent: bool,
) -> (String, Nonce, openidconnect::PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("groups".into()))
        .set_pkce_challenge(challenge)
        .url();
    let mut page = browser.sign_in(url.as_str(), "alice", PASSWORD).await;
    if consent {
        page = browser.answer_consent(&page, "allow").await;
    }
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = page.location().unwrap();
    assert!(location.starts_with(REDIRECT), "redirected to the app: {location}");
    let params = page.redirect_params();
    assert_eq!(params.get("state"), Some(csrf.secret()), "state comes back");
    assert_eq!(params.get("iss").map(String::as_str), Some(hub.issuer.as_str()), "RFC 9207 iss");
    (params["code"].clone(), nonce, verifier)
}

/// Signs alice in through `client` and exchanges the code: the tokens an app holds after
/// a login, and the nonce their ID token must carry.
pub async fn alice_tokens(
    hub: &TestHub,
    browser: &Browser,
    client: &e2e::rp::AppClient,
    consent: bool,
) -> (CoreTokenResponse, Nonce) {
    let (code, nonce, verifier) = authorize(hub, browser, client, consent).await;
    let tokens = e2e::rp::exchange_code(client, &code, verifier).await.expect("code exchange");
    (tokens, nonce)
}

async fn full_flow(auth: AuthType, auth_method: &str) {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user(
        "alice",
        PASSWORD,
        &["--email", "alice@example.com", "--name", "Alice Liddell", "--group", "staff"],
    );
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--auth-method", auth_method]);
    let client = app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, auth).await;
    let browser = Browser::new();

    let (code, nonce, verifier) = authorize(&hub, &browser, &client, true).await;
    let tokens = e2e::rp::exchange_code(&client, &code, verifier).await.expect("code exchange");

    let id_token = tokens.id_token().expect("an ID token");
    let verifier = client.id_token_verifier();
    let claims = id_token.claims(&verifier, &nonce).expect("ID token verifies: signature, iss, aud, exp, nonce");
    assert_eq!(claims.subject().as_str(), alice);
    assert!(claims.auth_time().is_some(), "auth_time");
    let at_hash = claims.access_token_hash().expect("at_hash");
    let expected = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(*at_hash, expected, "at_hash matches the access token");
    assert_eq!(claims.email().map(|e| e.as_str()), Some("alice@example.com"));
    assert!(tokens.refresh_token().is_some(), "clients with the refresh_token grant get one");

    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http_client())
        .await
        .expect("userinfo");
    assert_eq!(userinfo.subject().as_str(), alice);
    assert_eq!(userinfo.preferred_username().map(|u| u.as_str()), Some("alice"));
    assert_eq!(userinfo.email().map(|e| e.as_str()), Some("alice@example.com"));
}

#[tokio::test]
async fn confidential_client_with_client_secret_basic() {
    full_flow(AuthType::BasicAuth, "client_secret_basic").await;
}

#[tokio::test]
async fn confidential_client_with_client_secret_post() {
    full_flow(AuthType::RequestBody, "client_secret_post").await;
}

#[tokio::test]
async fn public_client_with_pkce_and_without() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&["--name", "SPA", "--redirect-uri", REDIRECT, "--public"]);
    assert!(creds.client_secret.is_none(), "public clients have no secret");
    let client = app_client(&hub.issuer, &creds.client_id, None, REDIRECT, AuthType::RequestBody).await;
    let browser = Browser::new();

    let (code, nonce, verifier) = authorize(&hub, &browser, &client, true).await;
    let tokens = e2e::rp::exchange_code(&client, &code, verifier)
        .await
        .expect("public client exchanges its code with the verifier");
    tokens.id_token().unwrap().claims(&client.id_token_verifier(), &nonce).expect("valid ID token");

    // Without a code_challenge the request is refused, back at the redirect URI.
    let (url, _, _) =
        client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random).url();
    let page = browser.get(url.as_str()).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let params = page.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("invalid_request"), "{params:?}");
}

/// RFC 8252 §7.3: a native app listens on whatever loopback port it got, so its
/// registered loopback IP redirect URI matches on any port, and nothing else may differ.
#[tokio::test]
async fn a_native_apps_loopback_redirect_uri_matches_on_any_port() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&["--name", "CLI app", "--redirect-uri", "http://127.0.0.1/callback", "--public"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let client = app_client(&hub.issuer, &creds.client_id, None, &redirect, AuthType::RequestBody).await;
    let browser = Browser::new();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let page = browser.sign_in(url.as_str(), "alice", PASSWORD).await;
    let page = browser.answer_consent(&page, "allow").await;
    let location = page.location().unwrap();
    assert!(location.starts_with(&format!("{redirect}?")), "back on the app's own port: {location}");
    let code = page.redirect_params().remove("code").expect("a code");
    let tokens = e2e::rp::exchange_code(&client, &code, verifier).await.expect("the code exchange names the same URI");
    tokens.id_token().unwrap().claims(&client.id_token_verifier(), &nonce).expect("valid ID token");

    // Another path, scheme or host is another redirect URI: an error page, no redirect.
    for other in [
        format!("http://127.0.0.1:{port}/other"),
        format!("https://127.0.0.1:{port}/callback"),
        format!("http://localhost:{port}/callback"),
    ] {
        let client = app_client(&hub.issuer, &creds.client_id, None, &other, AuthType::RequestBody).await;
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let (url, _, _) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let page = browser.get(url.as_str()).await;
        assert_eq!((page.status, page.location()), (StatusCode::BAD_REQUEST, None), "{other}: {}", page.body);
    }
}

#[tokio::test]
async fn skip_authorization_client_never_shows_consent() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&["--name", "Intranet", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let client =
        app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    let browser = Browser::new();
    // `authorize(.., consent = false)` asserts the login leads straight back to the app.
    let (code, _, verifier) = authorize(&hub, &browser, &client, false).await;
    e2e::rp::exchange_code(&client, &code, verifier).await.expect("code exchange");
}

#[tokio::test]
async fn consent_is_remembered_and_deny_returns_access_denied() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT]);
    let client =
        app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;

    // Deny: the app hears access_denied, with its state and our iss.
    let browser = Browser::new();
    let (url, csrf, _) =
        client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random).url();
    let after_login = browser.sign_in(url.as_str(), "alice", PASSWORD).await;
    let denied = browser.answer_consent(&after_login, "deny").await;
    let params = denied.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(params.get("state"), Some(csrf.secret()));
    assert!(!params.contains_key("code"));

    // Allow once; the next request for the same scopes goes straight through.
    authorize(&hub, &Browser::new(), &client, true).await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("groups".into()))
        .set_pkce_challenge(challenge)
        .url();
    let again = Browser::new().sign_in(url.as_str(), "alice", PASSWORD).await;
    assert!(again.redirect_params().contains_key("code"), "remembered consent: {:?}", again.location());
}
