//! Signing keys: one per algorithm, each verified by the `openidconnect` crate as the
//! client asked; and rotation with tokens outstanding (both keys published, old tokens
//! still valid, new tokens signed with the new key).

use e2e::rp::{app_client, discover, http_client};
use e2e::{Browser, TestHub};
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreUserInfoClaims};
use openidconnect::{AuthType, Nonce, OAuth2TokenResponse, TokenResponse};

use crate::code_flow::{PASSWORD, REDIRECT, alice_tokens};

fn kid(jwt: &str) -> String {
    jsonwebtoken::decode_header(jwt).expect("a JWT").kid.expect("a kid")
}

/// The kids the JWKS publishes for `alg`.
async fn published_kids(hub: &TestHub, alg: &str) -> Vec<String> {
    let jwks_uri = discover(&hub.issuer).await.jwks_uri().url().clone();
    let jwks: serde_json::Value = http_client().get(jwks_uri).send().await.unwrap().json().await.unwrap();
    let keys = jwks["keys"].as_array().expect("keys");
    let mut kids: Vec<String> =
        keys.iter().filter(|k| k["alg"] == alg).map(|k| k["kid"].as_str().expect("kid").to_owned()).collect();
    kids.sort();
    kids
}

#[tokio::test]
async fn rotation_keeps_outstanding_tokens_valid_and_signs_new_ones_with_the_new_key() {
    crate::backend();
    let mut hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", PASSWORD, &[]);
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let secret = creds.client_secret.clone();
    let client = app_client(&hub.issuer, &creds.client_id, secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    let (old, nonce) = alice_tokens(&hub, &Browser::new(), &client, false).await;
    let old_id_token = old.id_token().expect("an ID token").clone();
    let old_kid = kid(&old_id_token.to_string());
    assert_eq!(kid(old.access_token().secret()), old_kid);
    assert_eq!(published_kids(&hub, "RS256").await, std::slice::from_ref(&old_kid));

    let (ok, out, err) = hub.cli(&["keys", "rotate", "--alg", "RS256"], None);
    assert!(ok, "keys rotate: {err}");
    let new_kid = out.trim().strip_suffix("\tRS256").unwrap_or_else(|| panic!("kid and alg: {out}")).to_owned();
    assert!(!new_kid.is_empty() && new_kid != old_kid, "rotate prints the new kid: {out}");
    hub.restart().await;

    let mut both = vec![old_kid.clone(), new_kid.clone()];
    both.sort();
    assert_eq!(published_kids(&hub, "RS256").await, both, "the old key stays published");

    // An app that rediscovers the keys still accepts what it holds.
    let client = app_client(&hub.issuer, &creds.client_id, secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    old_id_token.claims(&client.id_token_verifier(), &nonce).expect("the old ID token still verifies");
    let claims: CoreUserInfoClaims = client
        .user_info(old.access_token().clone(), None)
        .unwrap()
        .request_async(&http_client())
        .await
        .expect("the old access token still works at userinfo");
    assert_eq!(claims.subject().as_str(), alice);

    // Everything issued now carries the new kid: after a login, and on refresh.
    let (new, nonce) = alice_tokens(&hub, &Browser::new(), &client, false).await;
    let new_id_token = new.id_token().unwrap();
    assert_eq!(kid(&new_id_token.to_string()), new_kid);
    assert_eq!(kid(new.access_token().secret()), new_kid);
    new_id_token.claims(&client.id_token_verifier(), &nonce).expect("the new ID token verifies");
    let refreshed = client
        .exchange_refresh_token(old.refresh_token().unwrap())
        .unwrap()
        .request_async(&http_client())
        .await
        .expect("the old refresh token still works");
    let refreshed_id_token = refreshed.id_token().unwrap();
    assert_eq!(kid(&refreshed_id_token.to_string()), new_kid);
    refreshed_id_token.claims(&client.id_token_verifier(), |_: Option<&Nonce>| Ok(())).expect("verifies");

    // The operator sees both keys, and which one signs.
    let (ok, out, err) = hub.cli(&["keys", "list"], None);
    assert!(ok, "keys list: {err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "one active key per algorithm, and the rotated-out one: {out}");
    let line_of =
        |kid: &str| *lines.iter().find(|l| l.starts_with(&format!("{kid}\t"))).unwrap_or_else(|| panic!("{out}"));
    assert!(line_of(&new_kid).ends_with("\tactive"), "{out}");
    assert!(line_of(&old_kid).contains("\tpublished until "), "{out}");
}

#[tokio::test]
async fn each_algorithm_signs_what_the_client_or_the_operator_chose() {
    crate::backend();
    let hub = TestHub::spawn_with(&[("HUB_ACCESS_TOKEN_SIGNING_ALG", "EdDSA")]).await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    for (name, alg) in [
        ("PS256", CoreJwsSigningAlgorithm::RsaSsaPssSha256),
        ("ES256", CoreJwsSigningAlgorithm::EcdsaP256Sha256),
        ("EdDSA", CoreJwsSigningAlgorithm::EdDsa),
    ] {
        let creds = hub.add_client(&[
            "--name",
            name,
            "--redirect-uri",
            REDIRECT,
            "--skip-authorization",
            "--id-token-alg",
            name,
        ]);
        let secret = creds.client_secret.clone();
        let client = app_client(&hub.issuer, &creds.client_id, secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
        let (tokens, nonce) = alice_tokens(&hub, &Browser::new(), &client, false).await;
        let id_token = tokens.id_token().expect("an ID token");
        assert_eq!(
            jsonwebtoken::decode_header(id_token.to_string()).unwrap().kid,
            Some(published_kids(&hub, name).await.remove(0))
        );
        let verifier = client.id_token_verifier().set_allowed_algs([alg.clone()]);
        let claims = id_token.claims(&verifier, &nonce).unwrap_or_else(|e| panic!("{name} ID token: {e}"));
        assert_eq!(claims.subject().as_str(), alice);
        let rs256_only = client.id_token_verifier().set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]);
        assert!(id_token.claims(&rs256_only, &nonce).is_err(), "{name}: a verifier that allows only RS256 refuses it");

        // Access tokens are the operator's choice (HUB_ACCESS_TOKEN_SIGNING_ALG), whatever the client's.
        let access = tokens.access_token().secret();
        assert_eq!(jsonwebtoken::decode_header(access).unwrap().alg, jsonwebtoken::Algorithm::EdDSA);
        let userinfo: CoreUserInfoClaims = client
            .user_info(tokens.access_token().clone(), None)
            .unwrap()
            .request_async(&http_client())
            .await
            .expect("userinfo takes the EdDSA access token");
        assert_eq!(userinfo.subject().as_str(), alice);
    }
}

#[tokio::test]
async fn userinfo_answers_a_signed_jwt_to_a_client_that_registered_for_one() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    let created = e2e::AdminApi::new(&hub)
        .post(
            "/clients",
            serde_json::json!({
                "client_name": "Signed", "redirect_uris": [REDIRECT], "skip_authorization": true,
                "grant_types": ["authorization_code", "refresh_token"], "userinfo_signed_response_alg": "RS256",
            }),
        )
        .await
        .ok(reqwest::StatusCode::CREATED);
    let (client_id, secret) = (created["client_id"].as_str().unwrap(), created["client_secret"].as_str().unwrap());
    let client = app_client(&hub.issuer, client_id, Some(secret), REDIRECT, AuthType::BasicAuth).await;
    let (tokens, _) = alice_tokens(&hub, &Browser::new(), &client, false).await;
    let response =
        http_client().get(hub.url("/userinfo")).bearer_auth(tokens.access_token().secret()).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/jwt");
    let claims: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .require_signed_response(true)
        .request_async(&http_client())
        .await
        .expect("openidconnect verifies the signed userinfo with the hub's JWKS");
    assert_eq!(claims.subject().as_str(), alice);
    assert_eq!(claims.email().map(|e| e.as_str()), Some("alice@example.com"));
}
