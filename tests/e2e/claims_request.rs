//! The `claims` request parameter and `acr` (OIDC Core §5.5, §3.1.2.1): the `openidconnect`
//! crate asks for single claims in the ID token and at userinfo, and for an
//! authentication context; the ID tokens it validates (on the code exchange and on
//! refresh) carry what was asked, and an essential `acr` the hub cannot meet fails.

use e2e::rp::{AppClient, JsonReply, app_client, exchange_code, http_client, jwt_claims};
use e2e::{Browser, TestHub};
use openidconnect::core::{CoreAuthenticationFlow, CoreTokenResponse};
use openidconnect::{AuthType, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::code_flow::{PASSWORD, REDIRECT};

struct Setup {
    hub: TestHub,
    client: AppClient,
    secret: String,
    alice: String,
}

async fn setup() -> Setup {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user(
        "alice",
        PASSWORD,
        &["--email", "alice@example.com", "--email-verified", "--name", "Alice Liddell", "--group", "staff"],
    );
    let creds = hub.add_client(&["--name", "Claims app", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let secret = creds.client_secret.expect("a confidential client");
    let client = app_client(&hub.issuer, &creds.client_id, Some(&secret), REDIRECT, AuthType::BasicAuth).await;
    Setup { hub, client, secret, alice }
}

impl Setup {
    /// Alice signs in for scope openid and `extra` parameters: the redirect's parameters
    /// and, with a code, the tokens and the ID token's claims (checked by the crate).
    async fn sign_in(&self, extra: &[(&str, &str)]) -> Result<(CoreTokenResponse, Value), String> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for (name, value) in extra {
            request = request.add_extra_param(*name, *value);
        }
        let (url, _, nonce) = request.url();
        let mut params = Browser::new().sign_in(url.as_str(), "alice", PASSWORD).await.redirect_params();
        let Some(code) = params.remove("code") else {
            return Err(params.remove("error").unwrap_or_else(|| format!("neither code nor error: {params:?}")));
        };
        let tokens = exchange_code(&self.client, &code, verifier).await.expect("code exchange");
        let id_token = tokens.extra_fields().id_token().expect("an ID token");
        id_token.claims(&self.client.id_token_verifier(), &nonce).expect("a valid ID token");
        let claims = jwt_claims(&id_token.to_string());
        Ok((tokens, claims))
    }
}

#[tokio::test]
async fn claims_asked_for_the_id_token_and_userinfo_are_released_there() {
    let s = setup().await;
    let claims = json!({
        "id_token": { "email": { "essential": true }, "name": null },
        "userinfo": { "groups": null },
    });
    let (tokens, id_token) = s.sign_in(&[("claims", &claims.to_string())]).await.expect("a code");
    assert_eq!(id_token["email"], json!("alice@example.com"), "asked for in the ID token: {id_token}");
    assert_eq!(id_token["name"], json!("Alice Liddell"));
    assert_eq!(id_token["acr"], json!("1"), "the hub's own sign-in: one factor");
    // A claim asks for its scope: the token response says what was granted.
    let granted = tokens.scopes().expect("scope in the response").iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for scope in ["openid", "email", "profile", "groups"] {
        assert!(granted.iter().any(|g| g == scope), "{scope} in {granted:?}");
    }
    let userinfo =
        http_client().get(s.hub.url("/userinfo")).bearer_auth(tokens.access_token().secret()).send().await.unwrap();
    let userinfo = JsonReply::read(userinfo).await;
    assert_eq!(userinfo.json["groups"], json!(["staff"]), "{}", userinfo.json);

    // Refreshed ID tokens carry the requested claims too (OIDC Core §12.2).
    let refresh_token = tokens.refresh_token().expect("a refresh token").secret().clone();
    let refreshed: Value = http_client()
        .post(s.hub.url("/token"))
        .basic_auth(s.client.client_id().as_str(), Some(&s.secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refreshed_id_token = refreshed["id_token"].as_str().unwrap_or_else(|| panic!("{refreshed}"));
    assert_eq!(jwt_claims(refreshed_id_token)["email"], json!("alice@example.com"));
}

#[tokio::test]
async fn an_essential_acr_the_hub_cannot_meet_fails_and_a_voluntary_one_does_not() {
    let s = setup().await;
    let (_, id_token) = s.sign_in(&[("acr_values", "2 1")]).await.expect("voluntary acr_values never stop a request");
    assert_eq!(id_token["acr"], json!("1"));

    let met = json!({ "id_token": { "acr": { "essential": true, "values": ["1"] } } });
    let (_, id_token) = s.sign_in(&[("claims", &met.to_string())]).await.expect("an acr the hub meets");
    assert_eq!(id_token["acr"], json!("1"));

    let unmet = json!({ "id_token": { "acr": { "essential": true, "value": "urn:example:mfa" } } });
    let error = s.sign_in(&[("claims", &unmet.to_string())]).await.expect_err("no code");
    assert_eq!(error, "unmet_authentication_requirements");
}

#[tokio::test]
async fn a_sub_asked_for_by_value_must_be_the_user_who_signs_in() {
    let s = setup().await;
    let bob = s.hub.add_user("bob", PASSWORD, &[]);
    let asking_for = |sub: &str| json!({ "id_token": { "sub": { "value": sub } } }).to_string();
    let (_, id_token) = s.sign_in(&[("claims", &asking_for(&s.alice))]).await.expect("alice asked for, alice signs in");
    assert_eq!(id_token["sub"], json!(s.alice));
    let error = s.sign_in(&[("claims", &asking_for(&bob))]).await.expect_err("bob asked for, alice signs in");
    assert_eq!(error, "login_required", "OIDC Core §5.5.1: never a positive answer for another user");
}

#[tokio::test]
async fn a_malformed_claims_parameter_is_refused() {
    let s = setup().await;
    for bad in ["not json", r#"{"userinfo":{"email":true}}"#, r#"{"id_token":[]}"#] {
        let url = format!(
            "{}?response_type=code&client_id={}&redirect_uri={REDIRECT}&scope=openid&state=s&claims={}",
            s.hub.url("/authorize"),
            s.client.client_id().as_str(),
            urlencoding(bad)
        );
        let page = Browser::new().get(&url).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{bad}: {}", page.body);
        assert_eq!(page.redirect_params().get("error").map(String::as_str), Some("invalid_request"), "{bad}");
    }
}

fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
