//! Authentication requests that depend on the SSO session: prompt=none|login, max_age, login_hint, failed logins and their throttling.

use std::time::Duration;

use e2e::rp::{AppClient, app_client};
use e2e::{Browser, Page, TestHub};
use openidconnect::core::{CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreResponseType};
use openidconnect::{
    AuthType, AuthorizationRequest, CsrfToken, LoginHint, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope,
    TokenResponse,
};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT};

type Request<'a> = AuthorizationRequest<'a, CoreAuthDisplay, CoreAuthPrompt, CoreResponseType>;

struct Setup {
    hub: TestHub,
    alice: String,
    client: AppClient,
}

/// A hub with alice and a client that asks for consent.
async fn setup(settings: &[(&str, &str)]) -> Setup {
    crate::backend();
    let hub = TestHub::spawn_with(settings).await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT]);
    let secret = creds.client_secret.as_deref();
    let client = app_client(&hub.issuer, &creds.client_id, secret, REDIRECT, AuthType::BasicAuth).await;
    Setup { hub, alice, client }
}

/// An authentication request as the app builds it.
struct Authn {
    url: String,
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
}

impl Setup {
    /// A request for openid plus `scopes`, adjusted by `customize`.
    fn request(&self, scopes: &[&str], customize: impl FnOnce(Request<'_>) -> Request<'_>) -> Authn {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let request = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge);
        let (url, state, nonce) = customize(request).url();
        Authn { url: url.into(), state, nonce, verifier }
    }

    /// Signs alice in for `scopes` and allows them: the browser then has a session and
    /// the consent is remembered. Returns the ID token's auth_time.
    async fn sign_in_and_consent(&self, browser: &Browser, scopes: &[&str]) -> i64 {
        let authn = self.request(scopes, |r| r);
        let page = browser.sign_in(&authn.url, "alice", PASSWORD).await;
        let page = browser.answer_consent(&page, "allow").await;
        self.exchange(&authn, &page).await
    }

    /// Checks a successful authorization response and exchanges its code; returns the
    /// ID token's auth_time.
    async fn exchange(&self, authn: &Authn, page: &Page) -> i64 {
        let params = assert_redirect(page, &self.hub);
        assert_eq!(params.get("state"), Some(authn.state.secret()));
        let code = params.get("code").unwrap_or_else(|| panic!("a code: {params:?}"));
        let verifier = PkceCodeVerifier::new(authn.verifier.secret().clone());
        let tokens = e2e::rp::exchange_code(&self.client, code, verifier).await.expect("code exchange");
        let claims = tokens.id_token().unwrap().claims(&self.client.id_token_verifier(), &authn.nonce).unwrap();
        assert_eq!(claims.subject().as_str(), self.alice);
        claims.auth_time().expect("auth_time").timestamp()
    }
}

/// The parameters of a redirect back to the app, which must carry our iss.
fn assert_redirect(page: &Page, hub: &TestHub) -> std::collections::HashMap<String, String> {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = page.location().unwrap();
    assert!(location.starts_with(REDIRECT), "expected the app, got {location}");
    let params = page.redirect_params();
    assert_eq!(params.get("iss"), Some(&hub.issuer));
    params
}

fn assert_error(page: &Page, hub: &TestHub, authn: &Authn, error: &str) {
    let params = assert_redirect(page, hub);
    assert_eq!(params.get("error").map(String::as_str), Some(error), "{params:?}");
    assert_eq!(params.get("state"), Some(authn.state.secret()));
    assert!(!params.contains_key("code"));
}

/// Follows an authorize response to the login page and returns it.
async fn login_page(browser: &Browser, authorize: &Page) -> Page {
    assert_eq!(authorize.status, StatusCode::SEE_OTHER, "{}", authorize.body);
    let location = authorize.location().unwrap();
    assert!(location.contains("/login?"), "expected the login page, got {location}");
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(">Password</label>"));
    page
}

fn sets_session_cookie(page: &Page) -> bool {
    page.headers.get_all("set-cookie").iter().any(|v| v.to_str().unwrap_or_default().starts_with("hub_session="))
}

#[tokio::test]
async fn prompt_none_without_a_session_is_login_required() {
    let s = setup(&[]).await;
    let authn = s.request(&[], |r| r.add_prompt(CoreAuthPrompt::None));
    let page = Browser::new().get(&authn.url).await;
    assert_error(&page, &s.hub, &authn, "login_required");
}

#[tokio::test]
async fn prompt_none_with_a_session_and_consent_returns_a_code() {
    let s = setup(&[]).await;
    let browser = Browser::new();
    s.sign_in_and_consent(&browser, &["email"]).await;
    let authn = s.request(&["email"], |r| r.add_prompt(CoreAuthPrompt::None));
    let page = browser.get(&authn.url).await;
    s.exchange(&authn, &page).await;
}

#[tokio::test]
async fn prompt_none_without_consent_for_every_scope_is_consent_required() {
    let s = setup(&[]).await;
    let browser = Browser::new();
    s.sign_in_and_consent(&browser, &["profile"]).await;
    let authn = s.request(&["profile", "email"], |r| r.add_prompt(CoreAuthPrompt::None));
    let page = browser.get(&authn.url).await;
    assert_error(&page, &s.hub, &authn, "consent_required");

    // Without prompt=none the same request asks for consent, not for a login.
    let authn = s.request(&["profile", "email"], |r| r);
    let page = browser.get(&authn.url).await;
    assert!(page.location().is_some_and(|l| l.contains("/consent?")), "{:?}", page.location());
}

#[tokio::test]
async fn prompt_login_asks_for_the_password_again() {
    let s = setup(&[]).await;
    let browser = Browser::new();
    let first = s.sign_in_and_consent(&browser, &[]).await;

    // The session alone would do...
    let authn = s.request(&[], |r| r);
    s.exchange(&authn, &browser.get(&authn.url).await).await;
    // ...but prompt=login shows the login form again.
    let authn = s.request(&[], |r| r.add_prompt(CoreAuthPrompt::Login));
    let login = login_page(&browser, &browser.get(&authn.url).await).await;
    let page = browser.submit(&login, &[("username", "alice"), ("password", PASSWORD)]).await;
    assert!(sets_session_cookie(&page), "a new session");
    assert!(s.exchange(&authn, &page).await >= first);
}

#[tokio::test]
async fn max_age_zero_forces_a_fresh_login() {
    let s = setup(&[]).await;
    let browser = Browser::new();
    let first = s.sign_in_and_consent(&browser, &[]).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // A generous max_age is satisfied by the session.
    let authn = s.request(&[], |r| r.set_max_age(Duration::from_secs(3600)));
    assert_eq!(s.exchange(&authn, &browser.get(&authn.url).await).await, first);

    let authn = s.request(&[], |r| r.set_max_age(Duration::ZERO));
    let login = login_page(&browser, &browser.get(&authn.url).await).await;
    let page = browser.submit(&login, &[("username", "alice"), ("password", PASSWORD)]).await;
    let second = s.exchange(&authn, &page).await;
    assert!(second > first, "auth_time {second} must be newer than {first}");
}

#[tokio::test]
async fn login_hint_prefills_the_username() {
    let s = setup(&[]).await;
    let browser = Browser::new();
    let authn = s.request(&[], |r| r.set_login_hint(LoginHint::new("alice".into())));
    let login = login_page(&browser, &browser.get(&authn.url).await).await;
    assert_eq!(login.input("username").as_deref(), Some("alice"));

    // The hint is text, never markup.
    let hostile = r#""><script>alert(1)</script>"#;
    let authn = s.request(&[], |r| r.set_login_hint(LoginHint::new(hostile.into())));
    let login = login_page(&browser, &browser.get(&authn.url).await).await;
    assert_eq!(login.input("username").as_deref(), Some(hostile));
    assert!(!login.body.contains("<script>alert"), "{}", login.body);
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_401() {
    let s = setup(&[]).await;
    let browser = Browser::new();
    let authn = s.request(&[], |r| r);
    let page = browser.sign_in(&authn.url, "alice", "not the password").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
    assert!(page.body.contains("Invalid username or password"), "{}", page.body);
    assert_eq!(page.input("username").as_deref(), Some("alice"), "the username is kept");
    assert!(!sets_session_cookie(&page), "no session for a failed login");
    assert!(page.location().is_none());

    // The same form still works with the right password.
    let page = browser.submit(&page, &[("username", "alice"), ("password", PASSWORD)]).await;
    let page = browser.answer_consent(&page, "allow").await;
    s.exchange(&authn, &page).await;
}
