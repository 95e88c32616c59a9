//! Introspection (RFC 7662) and revocation (RFC 7009), driven by the `openidconnect`
//! crate's own introspection and revocation requests: what is active, what is not, who may
//! ask, and that a revoked token stays revoked when the hub restarts.

use e2e::rp::{AppClient, JsonReply, app_client, discover, http_client};
use e2e::{Browser, ClientCredentials, TestHub, eventually};
use openidconnect::core::CoreTokenResponse;
use openidconnect::{
    AccessToken, AuthType, IntrospectionUrl, OAuth2TokenResponse, RefreshToken, TokenIntrospectionResponse,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::code_flow::{PASSWORD, REDIRECT, alice_tokens};

struct Setup {
    hub: TestHub,
    alice: String,
    /// The app alice signs in to (client_secret_basic, refresh tokens).
    app: AppClient,
    app_creds: ClientCredentials,
    /// A resource server: confidential, client_credentials, client_secret_post.
    api: AppClient,
    api_creds: ClientCredentials,
}

async fn setup() -> Setup {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    let app_creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let api_creds = hub.add_client(&[
        "--name",
        "API",
        "--redirect-uri",
        "https://api.example/unused",
        "--grant-type",
        "client_credentials",
        "--auth-method",
        "client_secret_post",
    ]);
    let app = app_client(
        &hub.issuer,
        &app_creds.client_id,
        app_creds.client_secret.as_deref(),
        REDIRECT,
        AuthType::BasicAuth,
    )
    .await;
    let api = app_client(
        &hub.issuer,
        &api_creds.client_id,
        api_creds.client_secret.as_deref(),
        "https://api.example/unused",
        AuthType::RequestBody,
    )
    .await;
    Setup { hub, alice, app, app_creds, api, api_creds }
}

/// The endpoints as discovery names them.
async fn endpoints(hub: &TestHub) -> (String, String) {
    let document: Value =
        http_client().get(hub.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    let introspection = document["introspection_endpoint"].as_str().expect("introspection_endpoint advertised");
    let revocation = document["revocation_endpoint"].as_str().expect("revocation_endpoint advertised");
    (introspection.to_owned(), revocation.to_owned())
}

/// `active` and the other members, as openidconnect reads the introspection response.
async fn introspect(hub: &TestHub, client: &AppClient, token: &str) -> (bool, Option<String>, Option<String>) {
    let (introspection, _) = endpoints(hub).await;
    let client = client.clone().set_introspection_url(IntrospectionUrl::new(introspection).unwrap());
    let response = client
        .introspect(&AccessToken::new(token.to_owned()))
        .request_async(&http_client())
        .await
        .expect("introspection answers");
    (response.active(), response.sub().map(str::to_owned), response.username().map(str::to_owned))
}

/// Revokes `token` as the app (client_secret_basic). openidconnect's own revocation request
/// insists on https (RFC 7009 §2), which the test hub does not serve; openid-client's
/// revocation runs in the interop test.
async fn revoke(setup: &Setup, token: &str, hint: &str) {
    let (_, revocation) = endpoints(&setup.hub).await;
    let response = http_client()
        .post(revocation)
        .basic_auth(&setup.app_creds.client_id, setup.app_creds.client_secret.as_deref())
        .form(&[("token", token), ("token_type_hint", hint)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "revocation: {}", response.text().await.unwrap_or_default());
}

async fn userinfo_status(hub: &TestHub, access_token: &str) -> StatusCode {
    let endpoint = discover(&hub.issuer).await.userinfo_endpoint().unwrap().url().clone();
    http_client().get(endpoint).bearer_auth(access_token).send().await.unwrap().status()
}

fn refresh_of(tokens: &CoreTokenResponse) -> String {
    tokens.refresh_token().expect("a refresh token").secret().clone()
}

#[tokio::test]
async fn live_tokens_are_active_and_everything_else_is_not() {
    let setup = setup().await;
    let hub = &setup.hub;
    let (tokens, _) = alice_tokens(hub, &Browser::new(), &setup.app, false).await;
    let access = tokens.access_token().secret().clone();
    let refresh = refresh_of(&tokens);

    let (active, sub, username) = introspect(hub, &setup.app, &access).await;
    assert!(active, "alice's access token, asked by its own client");
    assert_eq!(sub.as_deref(), Some(setup.alice.as_str()));
    assert_eq!(username.as_deref(), Some("alice"));
    assert!(introspect(hub, &setup.api, &access).await.0, "a resource server may introspect an access token");
    assert!(introspect(hub, &setup.app, &refresh).await.0, "a refresh token, asked by its own client");
    assert!(!introspect(hub, &setup.api, &refresh).await.0, "another client learns nothing of a refresh token");
    let id_token = tokens.extra_fields().id_token().unwrap().to_string();
    assert!(!introspect(hub, &setup.app, &id_token).await.0, "an ID token is not an access token");
    assert!(!introspect(hub, &setup.app, "not-a-token").await.0);
    assert!(!introspect(hub, &setup.app, "a.b.c").await.0);

    // The raw answer: the members RFC 7662 §2.2 names.
    let (introspection, _) = endpoints(hub).await;
    let secret = setup.app_creds.client_secret.as_deref();
    let raw = JsonReply::read(
        http_client()
            .post(&introspection)
            .basic_auth(&setup.app_creds.client_id, secret)
            .form(&[("token", access.as_str()), ("token_type_hint", "refresh_token")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(raw.json["active"], true, "a wrong hint changes nothing");
    assert_eq!(raw.json["client_id"], setup.app_creds.client_id.as_str());
    assert_eq!(raw.json["iss"], hub.issuer.as_str());
    assert_eq!(raw.json["token_type"], "Bearer");
    assert!(raw.json["scope"].as_str().unwrap().split(' ').any(|s| s == "openid"));
    assert!(raw.json["exp"].as_i64().unwrap() > raw.json["iat"].as_i64().unwrap());

    // A resource server's own client_credentials token authenticates it as a bearer.
    let api_token = setup
        .api
        .exchange_client_credentials()
        .unwrap()
        .request_async(&http_client())
        .await
        .expect("client_credentials")
        .access_token()
        .secret()
        .clone();
    let as_bearer = |bearer: String| {
        let introspection = introspection.clone();
        let access = access.clone();
        async move {
            let response = http_client()
                .post(&introspection)
                .bearer_auth(bearer)
                .form(&[("token", access.as_str())])
                .send()
                .await
                .unwrap();
            JsonReply::read(response).await
        }
    };
    let by_bearer = as_bearer(api_token).await;
    assert_eq!(by_bearer.status, StatusCode::OK, "{}", by_bearer.json);
    assert_eq!(by_bearer.json["active"], true);
    let by_user_token = as_bearer(access.clone()).await;
    assert_eq!(by_user_token.status, StatusCode::UNAUTHORIZED, "a user's token does not authenticate a client");

    // Who may not ask at all.
    let anonymous =
        JsonReply::read(http_client().post(&introspection).form(&[("token", access.as_str())]).send().await.unwrap())
            .await;
    assert_eq!((anonymous.status, anonymous.error()), (StatusCode::UNAUTHORIZED, "invalid_client"));
    let spa = hub.add_client(&["--name", "SPA", "--redirect-uri", REDIRECT, "--public"]);
    let public = JsonReply::read(
        http_client()
            .post(&introspection)
            .form(&[("token", access.as_str()), ("client_id", spa.client_id.as_str())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((public.status, public.error()), (StatusCode::UNAUTHORIZED, "invalid_client"), "a public client");
    let missing = JsonReply::read(
        http_client()
            .post(&introspection)
            .basic_auth(&setup.app_creds.client_id, secret)
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((missing.status, missing.error()), (StatusCode::BAD_REQUEST, "invalid_request"), "no token");

    // A disabled user's tokens are no longer active (once the hub's user cache expires).
    let (ok, _, err) = hub.cli(&["user", "disable", "alice"], None);
    assert!(ok, "{err}");
    eventually("alice's access token inactive", || async { !introspect(hub, &setup.app, &access).await.0 }).await;
    assert!(!introspect(hub, &setup.app, &refresh).await.0, "alice is disabled");
}

#[tokio::test]
async fn revoked_tokens_stay_revoked_across_a_restart() {
    let mut setup = setup().await;
    let (tokens, _) = alice_tokens(&setup.hub, &Browser::new(), &setup.app, false).await;
    let (kept, _) = alice_tokens(&setup.hub, &Browser::new(), &setup.app, false).await;
    let access = tokens.access_token().secret().clone();
    let refresh = refresh_of(&tokens);

    // Another client cannot revoke alice's tokens at this app.
    let (_, revocation) = endpoints(&setup.hub).await;
    let foreign = JsonReply::read(
        http_client()
            .post(&revocation)
            .form(&[
                ("token", access.as_str()),
                ("client_id", setup.api_creds.client_id.as_str()),
                ("client_secret", setup.api_creds.client_secret.as_deref().unwrap()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((foreign.status, foreign.error()), (StatusCode::BAD_REQUEST, "invalid_request"));
    assert_eq!(userinfo_status(&setup.hub, &access).await, StatusCode::OK, "still live after a foreign attempt");

    // Revoking the access token alone leaves its grant: the refresh token still works.
    revoke(&setup, &access, "access_token").await;
    assert_eq!(userinfo_status(&setup.hub, &access).await, StatusCode::UNAUTHORIZED);
    assert!(!introspect(&setup.hub, &setup.app, &access).await.0);
    let refreshed = setup
        .app
        .exchange_refresh_token(&RefreshToken::new(refresh))
        .unwrap()
        .request_async(&http_client())
        .await
        .expect("the grant outlives its revoked access token");

    // Revoking the refresh token takes the grant: its newest access token goes too.
    let refreshed_access = refreshed.access_token().secret().clone();
    revoke(&setup, &refresh_of(&refreshed), "refresh_token").await;
    assert_eq!(userinfo_status(&setup.hub, &refreshed_access).await, StatusCode::UNAUTHORIZED);
    let revoked = RefreshToken::new(refresh_of(&refreshed));
    let refused = setup.app.exchange_refresh_token(&revoked).unwrap().request_async(&http_client()).await;
    assert!(refused.is_err(), "a revoked refresh token is refused");

    // An unknown token is "revoked" too (RFC 7009 §2.2).
    revoke(&setup, "never-issued", "access_token").await;

    setup.hub.restart().await;
    assert_eq!(userinfo_status(&setup.hub, &access).await, StatusCode::UNAUTHORIZED, "revoked after a restart");
    assert_eq!(userinfo_status(&setup.hub, &refreshed_access).await, StatusCode::UNAUTHORIZED, "grant after restart");
    assert!(!introspect(&setup.hub, &setup.app, &access).await.0);
    let other = kept.access_token().secret();
    assert_eq!(userinfo_status(&setup.hub, other).await, StatusCode::OK, "the other login's token is untouched");
    assert!(introspect(&setup.hub, &setup.app, other).await.0);
}

#[tokio::test]
async fn a_revocation_holds_when_redis_loses_its_copy() {
    let backend = crate::backend();
    let Some(redis) = backend.redis_url.clone() else {
        eprintln!("skipped: losing Redis's copy needs HUB_TEST_REDIS_URL");
        return;
    };
    let setup = setup().await;
    let (tokens, _) = alice_tokens(&setup.hub, &Browser::new(), &setup.app, false).await;
    let access = tokens.access_token().secret().clone();
    let (_, revocation) = endpoints(&setup.hub).await;
    let revoked = http_client()
        .post(revocation)
        .basic_auth(&setup.app_creds.client_id, setup.app_creds.client_secret.as_deref())
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(userinfo_status(&setup.hub, &access).await, StatusCode::UNAUTHORIZED);

    // Redis forgets every revocation this hub recorded (a restart without persistence).
    let prefix = setup.hub.setting("HUB_REDIS_PREFIX").expect("a Redis prefix").to_owned();
    let forget = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "redis-cli -u '{redis}' --scan --pattern '{prefix}revoked*' | xargs -r redis-cli -u '{redis}' del"
        ))
        .output()
        .expect("redis-cli runs");
    assert!(forget.status.success(), "{}", String::from_utf8_lossy(&forget.stderr));
    assert_eq!(userinfo_status(&setup.hub, &access).await, StatusCode::UNAUTHORIZED, "the database answers meanwhile");
    assert!(!introspect(&setup.hub, &setup.app, &access).await.0);
    let other = alice_tokens(&setup.hub, &Browser::new(), &setup.app, false).await.0;
    assert_eq!(userinfo_status(&setup.hub, other.access_token().secret()).await, StatusCode::OK, "others still work");
}
