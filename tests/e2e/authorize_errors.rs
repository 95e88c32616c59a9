//! The authorization endpoint's refusals (error page or error redirect with state and iss) and its response modes (query, fragment, form_post).

use e2e::rp::{AppClient, app_client, discover};
use e2e::{Browser, ClientCredentials, Page, TestHub};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthType, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT};

const STATE: &str = "af0ifjsldkj";

struct Setup {
    hub: TestHub,
    creds: ClientCredentials,
    client: AppClient,
    endpoint: String,
}

/// A hub with alice and a consent-free confidential client.
async fn setup() -> Setup {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let secret = creds.client_secret.as_deref();
    let client = app_client(&hub.issuer, &creds.client_id, secret, REDIRECT, AuthType::BasicAuth).await;
    let endpoint = discover(&hub.issuer).await.authorization_endpoint().url().to_string();
    Setup { hub, creds, client, endpoint }
}

impl Setup {
    /// A valid request for the client, as pairs to break one at a time.
    fn params(&self) -> Vec<(String, String)> {
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        [
            ("response_type", "code"),
            ("client_id", &self.creds.client_id),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", STATE),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .to_vec()
    }

    fn url(&self, params: &[(String, String)]) -> String {
        let mut url = url::Url::parse(&self.endpoint).unwrap();
        url.query_pairs_mut().extend_pairs(params);
        url.into()
    }

    /// The valid request with `name` set to `value` (`None`: left out).
    fn url_with(&self, name: &str, value: Option<&str>) -> String {
        let mut params = self.params();
        params.retain(|(key, _)| key != name);
        if let Some(value) = value {
            params.push((name.to_owned(), value.to_owned()));
        }
        self.url(&params)
    }

    /// Signs alice in on a fresh browser with `extra` parameters; returns what the login
    /// POST answered (the authorization response) and the PKCE verifier.
    async fn sign_in(&self, extra: &[(&str, &str)]) -> (Page, CsrfToken, PkceCodeVerifier) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for (name, value) in extra {
            request = request.add_extra_param(*name, *value);
        }
        let (url, state, _) = request.url();
        (Browser::new().sign_in(url.as_str(), "alice", PASSWORD).await, state, verifier)
    }

    async fn exchange(&self, code: &str, verifier: PkceCodeVerifier) {
        e2e::rp::exchange_code(&self.client, code, verifier).await.expect("the delivered code exchanges");
    }
}

fn borrowed(params: &[(String, String)]) -> Vec<(&str, &str)> {
    params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// An HTML error page for the person at the browser: 400, and no redirect anywhere.
fn assert_error_page(page: &Page, case: &str) {
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{case}: {}", page.body);
    assert!(page.headers.get("location").is_none(), "{case}: must not redirect, got {:?}", page.location());
    let content_type = page.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{case}: {content_type}");
    assert!(!page.body.contains(REDIRECT), "{case}: the page must not offer a way back to the client");
}

/// An error sent back to the registered redirect URI with the request's state and our iss.
fn assert_error_redirect(hub: &TestHub, page: &Page, error: &str, case: &str) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{case}: {}", page.body);
    let location = page.location().expect("a Location");
    let in_query_or_fragment =
        location.starts_with(&format!("{REDIRECT}?")) || location.starts_with(&format!("{REDIRECT}#"));
    assert!(in_query_or_fragment, "{case}: {location}");
    let params = page.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some(error), "{case}: {params:?}");
    assert_eq!(params.get("state").map(String::as_str), Some(STATE), "{case}");
    assert_eq!(params.get("iss"), Some(&hub.issuer), "{case}: RFC 9207 iss");
    assert!(!params.contains_key("code"), "{case}");
}

#[tokio::test]
async fn unknown_clients_and_unregistered_redirect_uris_get_an_error_page_not_a_redirect() {
    let s = setup().await;
    let browser = Browser::new();
    let page = browser.get(&s.url_with("client_id", Some("no-such-client"))).await;
    assert_error_page(&page, "unknown client");
    assert!(page.body.contains("not registered"), "{}", page.body);
    assert_error_page(&browser.get(&s.url_with("client_id", None)).await, "no client_id");

    for redirect in [
        "https://attacker.example/callback",
        "http://127.0.0.1:9/callback/",
        "http://127.0.0.1:9/callback?next=https://attacker.example",
        "http://127.0.0.1:9/Callback",
        "http://localhost:9/callback",
    ] {
        assert_error_page(&browser.get(&s.url_with("redirect_uri", Some(redirect))).await, redirect);
    }
    assert_error_page(&browser.get(&s.url_with("redirect_uri", None)).await, "no redirect_uri");

    // The same over POST, and even when other parameters are bad too.
    let mut params = s.params();
    params.retain(|(k, _)| k != "redirect_uri");
    params.push(("redirect_uri".into(), "https://attacker.example/callback".into()));
    params.push(("request_uri".into(), "https://attacker.example/request.jwt".into()));
    let page = browser.post_form(&s.endpoint, &borrowed(&params)).await;
    assert_error_page(&page, "POST with an unregistered redirect_uri");
}

#[tokio::test]
async fn response_type_errors_go_back_to_the_client_with_state_and_iss() {
    let s = setup().await;
    let browser = Browser::new();
    // A missing required parameter is invalid_request (RFC 6749 §4.1.2.1).
    let page = browser.get(&s.url_with("response_type", None)).await;
    assert_error_redirect(&s.hub, &page, "invalid_request", "no response_type");
    for response_type in ["token", "code code", "id_token code x"] {
        let page = browser.get(&s.url_with("response_type", Some(response_type))).await;
        assert_error_redirect(&s.hub, &page, "unsupported_response_type", response_type);
    }
    // Known to the hub, not registered by this client (OIDC Core §3: each client only its own).
    for response_type in ["id_token", "code id_token", "token code"] {
        let page = browser.get(&s.url_with("response_type", Some(response_type))).await;
        assert_error_redirect(&s.hub, &page, "unauthorized_client", response_type);
        let location = page.location().unwrap();
        assert!(
            location.contains('#') && !location.contains("?error"),
            "tokens' errors go in the fragment: {location}"
        );
    }
}

#[tokio::test]
async fn pkce_accepts_only_s256() {
    let s = setup().await;
    let browser = Browser::new();
    let page = browser.get(&s.url_with("code_challenge_method", Some("plain"))).await;
    assert_error_redirect(&s.hub, &page, "invalid_request", "plain");
    // Without a method the challenge would be plain (RFC 7636 §4.3): refused as well.
    let page = browser.get(&s.url_with("code_challenge_method", None)).await;
    assert_error_redirect(&s.hub, &page, "invalid_request", "no method");
}

#[tokio::test]
async fn a_repeated_parameter_gets_an_error_page() {
    let s = setup().await;
    for name in ["state", "client_id", "redirect_uri"] {
        let mut params = s.params();
        let value = params.iter().find(|(k, _)| k == name).unwrap().1.clone();
        params.push((name.to_owned(), value));
        let page = Browser::new().get(&s.url(&params)).await;
        assert_error_page(&page, name);
    }
}

#[tokio::test]
async fn form_post_delivers_an_auto_submitting_form() {
    let s = setup().await;
    let (page, state, verifier) = s.sign_in(&[("response_mode", "form_post")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.headers.get("location").is_none());
    assert_eq!(page.form_action().as_deref(), Some(REDIRECT), "the form posts to the redirect URI");
    assert!(page.body.contains(r#"method="post""#));
    let fields: std::collections::HashMap<_, _> = page.hidden_inputs().into_iter().collect();
    assert_eq!(fields.get("state"), Some(state.secret()));
    assert_eq!(fields.get("iss"), Some(&s.hub.issuer));
    assert!(!fields.contains_key("error"), "{fields:?}");

    // It submits itself, with the one script the Content-Security-Policy allows.
    let csp = page.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).expect("a CSP");
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a script nonce");
    assert!(page.body.contains(&format!(r#"<script nonce="{nonce}">"#)), "{}", page.body);
    assert!(page.body.contains(".submit()"));

    s.exchange(&fields["code"], verifier).await;
}

#[tokio::test]
async fn fragment_mode_puts_the_response_in_the_fragment() {
    let s = setup().await;
    let (page, state, verifier) = s.sign_in(&[("response_mode", "fragment")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = url::Url::parse(&page.location().unwrap()).unwrap();
    assert_eq!(location.as_str().split('#').next(), Some(REDIRECT), "nothing in the query");
    let fragment: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(location.fragment().expect("a fragment").as_bytes()).into_owned().collect();
    assert_eq!(fragment.get("state"), Some(state.secret()));
    assert_eq!(fragment.get("iss"), Some(&s.hub.issuer));
    s.exchange(&fragment["code"], verifier).await;

    // Errors travel the same way.
    let mut params = s.params();
    params.retain(|(k, _)| k != "code_challenge_method");
    params
        .extend([("code_challenge_method", "plain"), ("response_mode", "fragment")].map(|(k, v)| (k.into(), v.into())));
    let page = Browser::new().get(&s.url(&params)).await;
    let location = url::Url::parse(&page.location().expect("an error redirect")).unwrap();
    assert!(location.query().is_none(), "{location}");
    assert!(location.fragment().unwrap_or_default().contains("error=invalid_request"), "{location}");
}

#[tokio::test]
async fn malformed_posts_to_authorize_get_400_not_500() {
    let s = setup().await;
    let mut params = s.params();
    params.push(("padding".into(), "a".repeat(65 * 1024)));
    // On a connection of its own: the hub refuses the body unread and then closes the
    // connection without `Connection: close`, so a request reusing it would fail.
    let page = Browser::new().post_form(&s.endpoint, &borrowed(&params)).await;
    assert_error_page(&page, "a body over 64 KiB");

    let browser = Browser::new();

    let response = browser
        .http
        .post(&s.endpoint)
        .header("content-type", "application/json")
        .body(serde_json::json!({ "client_id": s.creds.client_id }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());

    // A well-formed POST works like the GET.
    let page = browser.post_form(&s.endpoint, &borrowed(&s.params())).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(page.location().unwrap().contains("/login?"), "{:?}", page.location());
}
