//! Signing key rotation with tokens outstanding: both keys published, old tokens still valid, new tokens signed with the new key.

use e2e::rp::{app_client, discover, http_client};
use e2e::{Browser, TestHub};
use openidconnect::core::CoreUserInfoClaims;
use openidconnect::{AuthType, Nonce, OAuth2TokenResponse, TokenResponse};

use crate::code_flow::{PASSWORD, REDIRECT, alice_tokens};

fn kid(jwt: &str) -> String {
    jsonwebtoken::decode_header(jwt).expect("a JWT").kid.expect("a kid")
}

async fn published_kids(hub: &TestHub) -> Vec<String> {
    let jwks_uri = discover(&hub.issuer).await.jwks_uri().url().clone();
    let jwks: jsonwebtoken::jwk::JwkSet = http_client().get(jwks_uri).send().await.unwrap().json().await.unwrap();
    let mut kids: Vec<String> = jwks.keys.iter().map(|k| k.common.key_id.clone().expect("kid")).collect();
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
    assert_eq!(published_kids(&hub).await, std::slice::from_ref(&old_kid));

    let (ok, out, err) = hub.cli(&["keys", "rotate"], None);
    assert!(ok, "keys rotate: {err}");
    let new_kid = out.trim().to_owned();
    assert!(!new_kid.is_empty() && new_kid != old_kid, "rotate prints the new kid: {out}");
    hub.restart().await;

    let mut both = vec![old_kid.clone(), new_kid.clone()];
    both.sort();
    assert_eq!(published_kids(&hub).await, both, "the old key stays published");

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
    assert_eq!(lines.len(), 2, "{out}");
    let line_of =
        |kid: &str| *lines.iter().find(|l| l.starts_with(&format!("{kid}\t"))).unwrap_or_else(|| panic!("{out}"));
    assert!(line_of(&new_kid).ends_with("\tactive"), "{out}");
    assert!(line_of(&old_kid).contains("\tpublished until "), "{out}");
}
