//! The token endpoint: refresh rotation and reuse, client_credentials, code replay and expiry, PKCE, client authentication, malformed requests and HS256 ID tokens.

use std::time::Duration;

use e2e::rp::{AppClient, JsonReply, TokenError, app_client, discover, error_code, exchange_code, http_client};
use e2e::{Browser, ClientCredentials, TestHub};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreTokenResponse};
use openidconnect::{
    AuthType, AuthorizationCode, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RefreshToken,
    ResourceOwnerPassword, ResourceOwnerUsername, Scope, TokenResponse,
};
use reqwest::StatusCode;

use crate::code_flow::{PASSWORD, REDIRECT, alice_tokens, authorize};

struct Setup {
    hub: TestHub,
    alice: String,
    creds: ClientCredentials,
    client: AppClient,
}

/// A hub (with extra `settings`) where alice can sign in to a consent-free confidential
/// client registered with `client_args`, authenticating with client_secret_basic.
async fn setup(settings: &[(&str, &str)], client_args: &[&str]) -> Setup {
    crate::backend();
    let hub = TestHub::spawn_with(settings).await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    let mut args = vec!["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"];
    args.extend_from_slice(client_args);
    let creds = hub.add_client(&args);
    let secret = creds.client_secret.as_deref();
    let client = app_client(&hub.issuer, &creds.client_id, secret, REDIRECT, AuthType::BasicAuth).await;
    Setup { hub, alice, creds, client }
}

impl Setup {
    fn secret(&self) -> &str {
        self.creds.client_secret.as_deref().expect("a confidential client")
    }

    /// A fresh authorization code for alice (each from a new browser).
    async fn code(&self) -> (String, PkceCodeVerifier) {
        let (code, _, verifier) = authorize(&self.hub, &Browser::new(), &self.client, false).await;
        (code, verifier)
    }
}

async fn refresh(client: &AppClient, token: &RefreshToken) -> Result<CoreTokenResponse, TokenError> {
    client.exchange_refresh_token(token).unwrap().request_async(&http_client()).await
}

/// The status of a userinfo request with `access_token`; a 401 must say `invalid_token`.
async fn userinfo_status(hub: &TestHub, access_token: &str) -> StatusCode {
    let endpoint = discover(&hub.issuer).await.userinfo_endpoint().expect("userinfo endpoint").url().clone();
    let response = http_client().get(endpoint).bearer_auth(access_token).send().await.expect("GET userinfo");
    if response.status() == StatusCode::UNAUTHORIZED {
        let challenge = response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(challenge.contains(r#"error="invalid_token""#), "challenge: {challenge}");
    }
    response.status()
}

/// POSTs a body the library would never send to the token endpoint.
async fn raw_token_request(
    hub: &TestHub,
    basic: Option<(&str, &str)>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> JsonReply {
    let endpoint = discover(&hub.issuer).await.token_endpoint().expect("token endpoint").url().clone();
    let mut request = http_client().post(endpoint).body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    JsonReply::read(request.send().await.expect("POST token")).await
}

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish().into_bytes()
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family() {
    let s = setup(&[], &[]).await;
    let (tokens, nonce) = alice_tokens(&s.hub, &Browser::new(), &s.client, false).await;
    let original = tokens.id_token().unwrap().claims(&s.client.id_token_verifier(), &nonce).unwrap().clone();
    let first = tokens.refresh_token().expect("a refresh token").clone();

    let second = refresh(&s.client, &first).await.expect("first refresh");
    let second_token = second.refresh_token().expect("rotation returns a new refresh token").clone();
    assert_ne!(second_token.secret(), first.secret(), "a new refresh token each time");
    // The refreshed ID token is about the same user and authentication (OIDC Core §12.2).
    let refreshed = second.id_token().expect("an ID token on refresh");
    let claims = refreshed.claims(&s.client.id_token_verifier(), |_: Option<&Nonce>| Ok(())).expect("valid ID token");
    assert_eq!(claims.subject().as_str(), s.alice);
    assert_eq!(claims.auth_time(), original.auth_time(), "auth_time is the original authentication's");

    let third = refresh(&s.client, &second_token).await.expect("second refresh");
    let newest = third.refresh_token().expect("a third refresh token").clone();
    assert!(![first.secret(), second_token.secret()].contains(&newest.secret()));
    assert_eq!(userinfo_status(&s.hub, third.access_token().secret()).await, StatusCode::OK);

    // The first token was used: presenting it again is a reuse.
    let reused = refresh(&s.client, &first).await.expect_err("a used refresh token is refused");
    assert_eq!(error_code(&reused), "invalid_grant");
    // The reuse revoked the whole family: the newest refresh token and its access token.
    let after = refresh(&s.client, &newest).await.expect_err("the newest token of the family is revoked");
    assert_eq!(error_code(&after), "invalid_grant");
    assert_eq!(userinfo_status(&s.hub, third.access_token().secret()).await, StatusCode::UNAUTHORIZED);
}

/// The claims of an RFC 9068 access token, verified with jsonwebtoken against the JWKS.
async fn verify_access_token(hub: &TestHub, token: &str) -> serde_json::Value {
    let jwks_uri = discover(&hub.issuer).await.jwks_uri().url().clone();
    let jwks: JwkSet = http_client().get(jwks_uri).send().await.unwrap().json().await.expect("JWKS");
    let header = jsonwebtoken::decode_header(token).expect("a JWT");
    assert_eq!(header.typ.as_deref(), Some("at+jwt"), "RFC 9068 typ");
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = jwks.find(header.kid.as_deref().expect("kid")).expect("the kid is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[hub.issuer.as_str()]);
    // RFC 9068 requires aud; which resource it names is the hub's choice.
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .expect("the access token verifies")
        .claims;
    for required in ["iat", "jti", "client_id"] {
        assert!(claims.get(required).is_some(), "RFC 9068 §2.2 {required}: {claims}");
    }
    claims
}

#[tokio::test]
async fn client_credentials_gives_confidential_clients_a_jwt_access_token() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let service = hub.add_client(&[
        "--name",
        "Billing",
        "--redirect-uri",
        REDIRECT,
        "--grant-type",
        "client_credentials",
        "--scope",
        "openid billing.read billing.write",
    ]);
    let client =
        app_client(&hub.issuer, &service.client_id, service.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth)
            .await;
    let tokens = client
        .exchange_client_credentials()
        .unwrap()
        .add_scope(Scope::new("billing.read".into()))
        .request_async(&http_client())
        .await
        .expect("client_credentials");
    assert!(tokens.refresh_token().is_none() && tokens.id_token().is_none(), "an access token, nothing else");
    assert_eq!(tokens.scopes().map(|s| s.iter().map(|s| s.to_string()).collect()), Some(vec!["billing.read".into()]));
    let claims = verify_access_token(&hub, tokens.access_token().secret()).await;
    assert_eq!(claims["sub"], service.client_id.as_str(), "the client is the subject");
    assert_eq!(claims["client_id"], service.client_id.as_str());
    assert_eq!(claims["scope"], "billing.read");

    // Only scopes the client was registered for; openid describes a user and is not one.
    for scope in ["admin", "openid"] {
        let error = client
            .exchange_client_credentials()
            .unwrap()
            .add_scope(Scope::new(scope.into()))
            .request_async(&http_client())
            .await
            .expect_err("a scope outside the registration");
        assert_eq!(error_code(&error), "invalid_scope", "{scope}");
    }

    // A public client may not register for the grant, nor use it.
    let (ok, _, err) = hub.cli(
        &[
            "client",
            "add",
            "--name",
            "SPA",
            "--redirect-uri",
            REDIRECT,
            "--public",
            "--grant-type",
            "client_credentials",
        ],
        None,
    );
    assert!(!ok && err.contains("cannot use client_credentials"), "{err}");
    let spa = hub.add_client(&["--name", "SPA", "--redirect-uri", REDIRECT, "--public"]);
    let spa = app_client(&hub.issuer, &spa.client_id, None, REDIRECT, AuthType::RequestBody).await;
    let error = spa.exchange_client_credentials().unwrap().request_async(&http_client()).await.unwrap_err();
    assert_eq!(error_code(&error), "unauthorized_client");

    // Nor a confidential client registered without it.
    let wiki = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT]);
    let wiki =
        app_client(&hub.issuer, &wiki.client_id, wiki.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    let error = wiki.exchange_client_credentials().unwrap().request_async(&http_client()).await.unwrap_err();
    assert_eq!(error_code(&error), "unauthorized_client");
}

#[tokio::test]
async fn a_replayed_code_fails_and_revokes_what_it_issued() {
    let s = setup(&[], &[]).await;
    let (code, verifier) = s.code().await;
    let again = PkceCodeVerifier::new(verifier.secret().clone());
    let tokens = exchange_code(&s.client, &code, verifier).await.expect("first exchange");
    assert_eq!(userinfo_status(&s.hub, tokens.access_token().secret()).await, StatusCode::OK);

    let replay = exchange_code(&s.client, &code, again).await.expect_err("a code is single use");
    assert_eq!(error_code(&replay), "invalid_grant");
    let refresh = refresh(&s.client, tokens.refresh_token().unwrap()).await.expect_err("refresh token revoked");
    assert_eq!(error_code(&refresh), "invalid_grant");
    assert_eq!(userinfo_status(&s.hub, tokens.access_token().secret()).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pkce_verifier_must_match_the_challenge() {
    let s = setup(&[], &[]).await;
    let (code, _) = s.code().await;
    let (_, wrong) = PkceCodeChallenge::new_random_sha256();
    let error = exchange_code(&s.client, &code, wrong).await.expect_err("wrong verifier");
    assert_eq!(error_code(&error), "invalid_grant");

    let (code, _) = s.code().await;
    let error = s
        .client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .request_async(&http_client())
        .await
        .expect_err("missing verifier");
    assert_eq!(error_code(&error), "invalid_grant");
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client() {
    let s = setup(&[], &[]).await;
    let (code, verifier) = s.code().await;
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.secret().as_str()),
    ];

    // Basic with a wrong secret, or for a client that does not exist: 401 and a challenge.
    for (id, secret) in [(s.creds.client_id.as_str(), "wrong-secret"), ("no-such-client", s.secret())] {
        let reply = raw_token_request(&s.hub, Some((id, secret)), FORM, form(&fields)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{id}: {}", reply.json);
        assert_eq!(reply.error(), "invalid_client");
        let challenge = reply.header("www-authenticate").expect("WWW-Authenticate after Basic (RFC 6749 §5.2)");
        assert!(challenge.starts_with("Basic "), "{challenge}");
    }
    // In the form: an unknown client, and a secret in the body when Basic was registered.
    for (id, secret) in [("no-such-client", "x"), (s.creds.client_id.as_str(), s.secret())] {
        let mut with_client = fields.to_vec();
        with_client.extend([("client_id", id), ("client_secret", secret)]);
        let reply = raw_token_request(&s.hub, None, FORM, form(&with_client)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{id}: {}", reply.json);
        assert_eq!(reply.error(), "invalid_client");
    }

    // Failed client authentication did not use up the code.
    let tokens = exchange_code(&s.client, &code, verifier).await.expect("the real client still exchanges the code");
    assert!(tokens.id_token().is_some());
}

#[tokio::test]
async fn an_expired_code_is_invalid_grant() {
    let s = setup(&[("HUB_AUTHORIZATION_CODE_TTL_SECS", "1")], &[]).await;
    let (code, verifier) = s.code().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let error = exchange_code(&s.client, &code, verifier).await.expect_err("the code expired");
    assert_eq!(error_code(&error), "invalid_grant");
}

#[tokio::test]
async fn malformed_requests_get_invalid_request_never_a_server_error() {
    let s = setup(&[], &[]).await;
    let basic = Some((s.creds.client_id.as_str(), s.secret()));
    let (code, verifier) = s.code().await;
    let valid = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.secret().as_str()),
    ];
    let padding = "a".repeat(65 * 1024);
    let mut oversized = valid.to_vec();
    oversized.push(("padding", padding.as_str()));
    // The same value twice, so neither "first wins" nor "last wins" could pass it.
    let mut duplicated = valid.to_vec();
    duplicated.push(("grant_type", "authorization_code"));
    let json = serde_json::to_vec(&serde_json::json!({ "grant_type": "authorization_code", "code": code })).unwrap();

    let cases: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        ("a JSON body", Some("application/json"), json),
        ("no content type", None, form(&valid)),
        ("a body over 64 KiB", FORM, form(&oversized)),
        ("non-form garbage", FORM, b"\x00\xff\xfe{{%%%=&&==%zz\r\n--".to_vec()),
        ("grant_type twice", FORM, form(&duplicated)),
    ];
    for (case, content_type, body) in cases {
        let reply = raw_token_request(&s.hub, basic, content_type, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}: {}", reply.json);
        assert_eq!(reply.error(), "invalid_request", "{case}");
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{case}");
    }

    // None of that used up the code.
    exchange_code(&s.client, &code, verifier).await.expect("the code still works");
}

#[tokio::test]
async fn unknown_grant_types_are_unsupported_grant_type() {
    let s = setup(&[], &[]).await;
    let username = ResourceOwnerUsername::new("alice".into());
    let password = ResourceOwnerPassword::new(PASSWORD.into());
    let error = s
        .client
        .exchange_password(&username, &password)
        .unwrap()
        .request_async(&http_client())
        .await
        .expect_err("no password grant");
    assert_eq!(error_code(&error), "unsupported_grant_type");

    let basic = Some((s.creds.client_id.as_str(), s.secret()));
    let body = form(&[("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("subject_token", "x")]);
    let reply = raw_token_request(&s.hub, basic, FORM, body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error(), "unsupported_grant_type");
}

#[tokio::test]
async fn hs256_id_tokens_verify_with_the_client_secret() {
    let s = setup(&[], &["--id-token-alg", "HS256"]).await;
    let (tokens, nonce) = alice_tokens(&s.hub, &Browser::new(), &s.client, false).await;
    let id_token = tokens.id_token().expect("an ID token");
    assert_eq!(*id_token.signing_alg().unwrap(), CoreJwsSigningAlgorithm::HmacSha256);
    let verifier = s.client.id_token_verifier().set_allowed_algs([CoreJwsSigningAlgorithm::HmacSha256]);
    let claims = id_token.claims(&verifier, &nonce).expect("verifies with the client secret");
    assert_eq!(claims.subject().as_str(), s.alice);

    // Keyed with this client's secret, not anything else.
    let impostor =
        app_client(&s.hub.issuer, &s.creds.client_id, Some("another secret"), REDIRECT, AuthType::BasicAuth).await;
    let impostor = impostor.id_token_verifier().set_allowed_algs([CoreJwsSigningAlgorithm::HmacSha256]);
    assert!(id_token.claims(&impostor, &nonce).is_err(), "another key must not verify it");
    // Nor may an app that expects RS256 accept it.
    let rs256_only = s.client.id_token_verifier().set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]);
    assert!(id_token.claims(&rs256_only, &nonce).is_err());

    // Refreshed ID tokens are HS256 too.
    let refreshed = refresh(&s.client, tokens.refresh_token().unwrap()).await.expect("refresh");
    let refreshed = refreshed.id_token().expect("an ID token on refresh");
    assert_eq!(*refreshed.signing_alg().unwrap(), CoreJwsSigningAlgorithm::HmacSha256);
    refreshed.claims(&verifier, |_: Option<&Nonce>| Ok(())).expect("the refreshed ID token verifies");
}
