//! The UserInfo endpoint: bearer header (GET) and form (POST) tokens, refusal of tampered or wrong tokens, and claims released by scope.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::rp::{AppClient, JsonReply, app_client, discover, http_client};
use e2e::{Browser, TestHub};
use openidconnect::core::{CoreAuthenticationFlow, CoreTokenResponse, CoreUserInfoClaims};
use openidconnect::{AuthType, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, Scope, SubjectIdentifier};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT};

pub(crate) struct Setup {
    /// Runs as long as the setup lives.
    pub(crate) hub: TestHub,
    pub(crate) alice: String,
    pub(crate) client: AppClient,
    endpoint: String,
}

/// A hub with alice (verified e-mail) and a consent-free client.
pub(crate) async fn setup() -> Setup {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user(
        "alice",
        PASSWORD,
        &["--email", "alice@example.com", "--email-verified", "--name", "Alice Liddell", "--group", "staff"],
    );
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let secret = creds.client_secret.as_deref();
    let client = app_client(&hub.issuer, &creds.client_id, secret, REDIRECT, AuthType::BasicAuth).await;
    let endpoint = discover(&hub.issuer).await.userinfo_endpoint().expect("userinfo endpoint").url().to_string();
    Setup { hub, alice, client, endpoint }
}

impl Setup {
    /// Alice's tokens for openid plus `scopes`.
    pub(crate) async fn tokens(&self, scopes: &[&str]) -> CoreTokenResponse {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _, _) = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        let page = Browser::new().sign_in(url.as_str(), "alice", PASSWORD).await;
        let code = page.redirect_params().remove("code").unwrap_or_else(|| panic!("a code: {page:?}"));
        e2e::rp::exchange_code(&self.client, &code, verifier).await.expect("code exchange")
    }

    /// Alice's claims as the app's library asks for them: GET with the Authorization header.
    pub(crate) async fn user_info(&self, tokens: &CoreTokenResponse) -> CoreUserInfoClaims {
        self.client
            .user_info(tokens.access_token().clone(), Some(SubjectIdentifier::new(self.alice.clone())))
            .unwrap()
            .request_async(&http_client())
            .await
            .expect("userinfo over GET")
    }

    pub(crate) async fn get(&self, bearer: &str) -> JsonReply {
        JsonReply::read(http_client().get(&self.endpoint).bearer_auth(bearer).send().await.unwrap()).await
    }

    async fn post_form(&self, access_token: &str) -> JsonReply {
        let request = http_client().post(&self.endpoint).form(&[("access_token", access_token)]);
        JsonReply::read(request.send().await.unwrap()).await
    }
}

/// A 401 whose RFC 6750 challenge says `invalid_token`.
fn assert_invalid_token(reply: &JsonReply, case: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{case}: {}", reply.json);
    assert_eq!(reply.error(), "invalid_token", "{case}");
    let challenge = reply.header("www-authenticate").unwrap_or_else(|| panic!("{case}: no WWW-Authenticate"));
    assert!(challenge.starts_with("Bearer ") && challenge.contains(r#"error="invalid_token""#), "{case}: {challenge}");
}

#[tokio::test]
async fn bearer_header_on_get_and_form_token_on_post_both_work() {
    let s = setup().await;
    let tokens = s.tokens(&["email"]).await;

    let claims = s.user_info(&tokens).await;
    assert_eq!(claims.email().map(|e| e.as_str()), Some("alice@example.com"));

    // RFC 6750 §2.2: the token in a form body.
    let reply = s.post_form(tokens.access_token().secret()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["sub"], s.alice.as_str());
    assert_eq!(reply.json["email"], "alice@example.com");
    assert_eq!(reply.header("cache-control"), Some("no-store"));

    // No token at all: a 401 with a bare Bearer challenge, no error code (RFC 6750 §3.1).
    let response = http_client().get(&s.endpoint).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(challenge.starts_with("Bearer ") && !challenge.contains("error="), "{challenge}");
}

#[tokio::test]
async fn tampered_or_forged_tokens_are_invalid_token() {
    let s = setup().await;
    let tokens = s.tokens(&[]).await;
    let token = tokens.access_token().secret();
    assert_eq!(s.get(token).await.status, StatusCode::OK, "the untouched token works");
    let [header, payload, signature]: [&str; 3] = token.split('.').collect::<Vec<_>>().try_into().unwrap();

    // One character of the signature changed (in the middle, where every bit counts).
    let mut flipped = signature.as_bytes().to_vec();
    let middle = flipped.len() / 2;
    flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
    let bad_signature = format!("{header}.{payload}.{}", String::from_utf8(flipped).unwrap());

    // Claims rewritten (a wider scope) under the original signature.
    let mut claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["scope"] = "openid profile email phone address groups".into();
    let bad_payload = format!("{header}.{}.{signature}", URL_SAFE_NO_PAD.encode(claims.to_string()));

    // No signature at all.
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
    let unsigned = format!("{none_header}.{payload}.");

    for (case, forged) in
        [("signature", bad_signature), ("payload", bad_payload), ("alg none", unsigned), ("garbage", "x.y.z".into())]
    {
        assert_invalid_token(&s.get(&forged).await, case);
        assert_invalid_token(&s.post_form(&forged).await, case);
    }
}

#[tokio::test]
async fn an_id_token_is_not_an_access_token() {
    let s = setup().await;
    let tokens = s.tokens(&["email"]).await;
    let id_token = tokens.extra_fields().id_token().expect("an ID token").to_string();
    assert_invalid_token(&s.get(&id_token).await, "ID token as bearer");
}

#[tokio::test]
async fn a_token_in_both_header_and_form_is_invalid_request() {
    let s = setup().await;
    let tokens = s.tokens(&[]).await;
    let token = tokens.access_token().secret();
    let response = http_client()
        .post(&s.endpoint)
        .bearer_auth(token)
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    let reply = JsonReply::read(response).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.json);
    assert_eq!(reply.error(), "invalid_request");
}

#[tokio::test]
async fn claims_follow_the_granted_scopes() {
    let s = setup().await;
    let keys = |reply: &JsonReply| {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        let mut keys: Vec<String> = reply.json.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };

    let only_openid = s.get(s.tokens(&[]).await.access_token().secret()).await;
    assert_eq!(keys(&only_openid), ["sub"]);
    assert_eq!(only_openid.json["sub"], s.alice.as_str());

    let email = s.get(s.tokens(&["email"]).await.access_token().secret()).await;
    assert_eq!(keys(&email), ["email", "email_verified", "sub"]);
    assert_eq!(email.json["email"], "alice@example.com");
    assert_eq!(email.json["email_verified"], true);

    let profile = s.get(s.tokens(&["profile", "groups"]).await.access_token().secret()).await;
    assert_eq!(profile.json["preferred_username"], "alice");
    assert_eq!(profile.json["name"], "Alice Liddell");
    assert_eq!(profile.json["groups"], serde_json::json!(["staff"]));
    assert!(profile.json.get("email").is_none(), "no e-mail without the email scope");
}
