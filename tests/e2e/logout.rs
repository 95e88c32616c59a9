//! RP-Initiated Logout: the confirmation page with its CSRF token, ending the SSO session, and returning only to registered post-logout redirect URIs.

use e2e::rp::{AppClient, app_client, http_client};
use e2e::{Browser, Page, TestHub};
use openidconnect::core::{CoreAuthPrompt, CoreAuthenticationFlow, CoreIdToken};
use openidconnect::{
    AuthType, ClientId, CsrfToken, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout,
};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT};

const SIGNED_OUT: &str = "http://127.0.0.1:9/signed-out";

struct Setup {
    /// Runs as long as the setup lives.
    _hub: TestHub,
    client_id: String,
    client: AppClient,
    end_session: String,
}

/// A hub with alice and a consent-free client that registered `SIGNED_OUT` for logout.
async fn setup() -> Setup {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&[
        "--name",
        "Wiki",
        "--redirect-uri",
        REDIRECT,
        "--post-logout-redirect-uri",
        SIGNED_OUT,
        "--skip-authorization",
    ]);
    let secret = creds.client_secret.as_deref();
    let client = app_client(&hub.issuer, &creds.client_id, secret, REDIRECT, AuthType::BasicAuth).await;
    let metadata =
        ProviderMetadataWithLogout::discover_async(IssuerUrl::new(hub.issuer.clone()).unwrap(), &http_client())
            .await
            .expect("discovery");
    let end_session = metadata.additional_metadata().end_session_endpoint.clone().expect("end_session_endpoint");
    Setup { _hub: hub, client_id: creds.client_id, client, end_session: end_session.url().to_string() }
}

impl Setup {
    /// Signs alice in on `browser`; returns her ID token and the session cookie's value.
    async fn sign_in(&self, browser: &Browser) -> (CoreIdToken, String) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _, _) = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let page = browser.sign_in(url.as_str(), "alice", PASSWORD).await;
        let session = cookie(&page, "hub_session").expect("the login starts a session");
        let code = page.redirect_params().remove("code").unwrap_or_else(|| panic!("a code: {page:?}"));
        let tokens = e2e::rp::exchange_code(&self.client, &code, verifier).await.expect("code exchange");
        (tokens.extra_fields().id_token().expect("an ID token").clone(), session)
    }

    /// A prompt=none request: with an SSO session it returns a code, without one
    /// login_required. `cookie`: send this session cookie instead of the browser's jar.
    async fn silent_authorize(&self, browser: &Browser, cookie: Option<&str>) -> Result<(), String> {
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let (url, _, _) = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .add_prompt(CoreAuthPrompt::None)
            .url();
        let mut request = browser.http.get(url.as_str());
        if let Some(session) = cookie {
            request = request.header("cookie", format!("hub_session={session}"));
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(REDIRECT), "{location}");
        let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
        match (params.get("code"), params.get("error")) {
            (Some(_), None) => Ok(()),
            (None, Some(error)) => Err(error.clone()),
            _ => panic!("neither code nor error: {location}"),
        }
    }

    fn logout_url(&self, id_token: Option<&CoreIdToken>, redirect: &str, state: &str) -> String {
        let mut request = LogoutRequest::from(openidconnect::EndSessionUrl::new(self.end_session.clone()).unwrap())
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(redirect.to_owned()).unwrap())
            .set_state(CsrfToken::new(state.to_owned()));
        request = match id_token {
            Some(token) => request.set_id_token_hint(token),
            None => request.set_client_id(ClientId::new(self.client_id.clone())),
        };
        request.http_get_url().into()
    }
}

/// The value a response sets for cookie `name`.
fn cookie(page: &Page, name: &str) -> Option<String> {
    page.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|header| {
        let pair = header.split(';').next()?;
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

fn assert_confirmation_page(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.location().is_none());
    assert!(page.body.contains(">Sign out</button>"), "{}", page.body);
    assert!(page.input("csrf_token").is_some_and(|t| t.len() >= 32), "a CSRF token");
}

#[tokio::test]
async fn the_logout_page_asks_for_confirmation() {
    let s = setup().await;
    let browser = Browser::new();
    let page = browser.get(&s.end_session).await;
    assert_confirmation_page(&page);
    assert_eq!(page.form_action().as_deref(), Some(s.end_session.as_str()));

    s.sign_in(&browser).await;
    let page = browser.get(&s.logout_url(None, SIGNED_OUT, "s1")).await;
    assert_confirmation_page(&page);
    assert!(page.body.contains("Wiki") && page.body.contains("alice"), "names the app and the user: {}", page.body);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_returns_to_the_registered_uri() {
    let s = setup().await;
    let browser = Browser::new();
    let (id_token, session) = s.sign_in(&browser).await;
    assert_eq!(s.silent_authorize(&browser, None).await, Ok(()), "signed in");
    assert_eq!(s.silent_authorize(&Browser::new(), Some(&session)).await, Ok(()), "the cookie is the session");

    let confirm = browser.get(&s.logout_url(Some(&id_token), SIGNED_OUT, "bye")).await;
    assert_confirmation_page(&confirm);
    let done = browser.submit(&confirm, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location().as_deref(), Some(format!("{SIGNED_OUT}?state=bye").as_str()));
    assert_eq!(cookie(&done, "hub_session").as_deref(), Some(""), "the session cookie is cleared");

    assert_eq!(s.silent_authorize(&browser, None).await, Err("login_required".into()));
    // The session ended on the server too, not only in this browser.
    assert_eq!(s.silent_authorize(&Browser::new(), Some(&session)).await, Err("login_required".into()));
}

#[tokio::test]
async fn an_unregistered_post_logout_redirect_uri_gets_an_error_page() {
    let s = setup().await;
    let browser = Browser::new();
    let (id_token, _) = s.sign_in(&browser).await;
    let cases = [
        ("attacker", s.logout_url(Some(&id_token), "https://attacker.example/", "x")),
        ("login redirect URI", s.logout_url(None, REDIRECT, "x")),
        ("prefix", s.logout_url(None, &format!("{SIGNED_OUT}/more"), "x")),
        ("no client", format!("{}?post_logout_redirect_uri={SIGNED_OUT}", s.end_session)),
    ];
    for (case, url) in cases {
        let page = browser.get(&url).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{case}: {}", page.body);
        assert!(page.location().is_none(), "{case}: no redirect");
        assert!(!page.body.contains(">Sign out</button>"), "{case}");
    }

    // Submitting the form with the address swapped fails the same way, and signs nobody out.
    let confirm = browser.get(&s.logout_url(None, SIGNED_OUT, "x")).await;
    let mut fields = confirm.hidden_inputs();
    for (name, value) in &mut fields {
        if name == "post_logout_redirect_uri" {
            *value = "https://attacker.example/".into();
        }
    }
    assert!(fields.iter().any(|(name, _)| name == "csrf_token"));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = browser.post_form(&confirm.form_action().unwrap(), &fields).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.location().is_none());
    assert_eq!(s.silent_authorize(&browser, None).await, Ok(()), "still signed in");
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_does_not_sign_out() {
    let s = setup().await;
    let browser = Browser::new();
    s.sign_in(&browser).await;
    let fields = [("client_id", s.client_id.as_str()), ("post_logout_redirect_uri", SIGNED_OUT)];

    // No token: only the confirmation page again.
    let page = browser.post_form(&s.end_session, &fields).await;
    assert_confirmation_page(&page);
    assert_eq!(s.silent_authorize(&browser, None).await, Ok(()), "still signed in");

    // A wrong token, or one issued to another browser: refused.
    let elsewhere = Browser::new().get(&s.end_session).await.input("csrf_token").unwrap();
    for token in ["forged", elsewhere.as_str()] {
        let mut with_token = fields.to_vec();
        with_token.push(("csrf_token", token));
        let page = browser.post_form(&s.end_session, &with_token).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert!(page.location().is_none());
        assert_eq!(s.silent_authorize(&browser, None).await, Ok(()), "still signed in");
    }
}

/// Back-Channel Logout 1.0, the hub as OP: a session that ends by signing out, or by an
/// administrator's revoke, is reported to each app that took part in it.
#[tokio::test]
async fn ending_a_session_tells_the_apps_that_took_part_on_their_back_channel() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", PASSWORD, &[]);
    let receiver = e2e::backchannel::LogoutReceiver::start().await;
    let admin = e2e::AdminApi::new(&hub);
    let created = admin
        .post(
            "/clients",
            serde_json::json!({
                "client_name": "Wiki",
                "redirect_uris": [REDIRECT],
                "post_logout_redirect_uris": [SIGNED_OUT],
                "skip_authorization": true,
                "backchannel_logout_uri": receiver.uri,
            }),
        )
        .await
        .ok(StatusCode::CREATED);
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str();
    let client = app_client(&hub.issuer, &client_id, secret, REDIRECT, AuthType::BasicAuth).await;
    let sign_in = |browser: Browser| {
        let client = &client;
        async move {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let (url, _, nonce) = client
                .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
                .set_pkce_challenge(challenge)
                .url();
            let page = browser.sign_in(url.as_str(), "alice", PASSWORD).await;
            let code = page.redirect_params().remove("code").expect("a code");
            let tokens = e2e::rp::exchange_code(client, &code, verifier).await.expect("code exchange");
            let id_token = tokens.extra_fields().id_token().expect("an ID token").clone();
            id_token.claims(&client.id_token_verifier(), &nonce).expect("a valid ID token");
            (browser, id_token)
        }
    };
    let (first, first_token) = sign_in(Browser::new()).await;
    sign_in(Browser::new()).await;
    let sids: Vec<String> = {
        let sessions = admin.get(&format!("/sessions?user_id={alice}")).await.ok(StatusCode::OK);
        sessions["items"].as_array().unwrap().iter().map(|s| s["sid"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(sids.len(), 2);
    let first_sid = e2e::rp::jwt_claims(&first_token.to_string())["sid"].as_str().expect("sid").to_owned();

    let confirm = first.get(&format!("{}/logout?client_id={client_id}", hub.issuer)).await;
    first.submit(&confirm, &[]).await;
    let tokens = receiver.wait_for(1, std::time::Duration::from_secs(10)).await;
    assert_eq!(tokens.len(), 1, "signing out tells the app");
    let claims = e2e::backchannel::verify_hub_logout_token(&hub.issuer, &tokens[0]).await;
    assert_eq!(claims["sid"], first_sid.as_str());
    assert_eq!(claims["sub"], alice.as_str());
    assert_eq!(claims["aud"], client_id.as_str());

    let other = sids.iter().find(|sid| **sid != first_sid).unwrap();
    admin.delete(&format!("/sessions/{other}")).await.ok(StatusCode::NO_CONTENT);
    let tokens = receiver.wait_for(2, std::time::Duration::from_secs(10)).await;
    assert_eq!(tokens.len(), 2, "an administrator's revoke tells the app");
    assert_eq!(e2e::backchannel::verify_hub_logout_token(&hub.issuer, &tokens[1]).await["sid"], other.as_str());
}
