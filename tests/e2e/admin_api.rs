//! The admin API (SPEC §6) over HTTP: who may call it, every operation of every resource,
//! and what bad input gets (an RFC 9457 problem naming the field, never a 500).

use e2e::admin::{AdminApi, admin_ui_token};
use e2e::rp::{app_client, http_client};
use e2e::{Browser, TestHub};
use openidconnect::{AuthType, OAuth2TokenResponse, RefreshToken};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::code_flow::{PASSWORD, REDIRECT, alice_tokens};

async fn client_credentials(hub: &TestHub, client_id: &str, secret: &str) -> StatusCode {
    http_client()
        .post(hub.url("/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn only_the_admin_token_and_administrators_access_tokens_get_in() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("root", PASSWORD, &["--group", "admins"]);
    hub.add_user("alice", PASSWORD, &[]);

    let anonymous = AdminApi::with_token(&hub, None).get("/me").await;
    anonymous.problem(StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers.get("www-authenticate").is_some(), "a Bearer challenge");
    AdminApi::with_token(&hub, Some("not-the-token")).get("/me").await.problem(StatusCode::UNAUTHORIZED);
    let me = AdminApi::new(&hub).get("/me").await.ok(StatusCode::OK);
    assert_eq!(me["via"], "admin_token");

    // An administrator signs in to the admin UI's client.
    let root_browser = Browser::new();
    let root_token = admin_ui_token(&hub, &root_browser, "root", PASSWORD).await;
    let as_root = AdminApi::with_token(&hub, Some(&root_token));
    let me = as_root.get("/me").await.ok(StatusCode::OK);
    assert_eq!((me["via"].as_str(), me["username"].as_str()), (Some("access_token"), Some("root")));

    // Someone else gets the same kind of token and is refused: authenticated, not allowed.
    let alice_token = admin_ui_token(&hub, &Browser::new(), "alice", PASSWORD).await;
    AdminApi::with_token(&hub, Some(&alice_token)).get("/users").await.problem(StatusCode::FORBIDDEN);
    let denied = AdminApi::new(&hub).get("/audit-events?action=admin.denied").await.ok(StatusCode::OK);
    assert_eq!((denied["total"].as_u64(), denied["items"][0]["actor"].as_str()), (Some(1), Some("user:alice")));

    // An administrator's token from another app is not an admin API credential.
    let app = hub.add_client(&["--name", "App", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let client =
        app_client(&hub.issuer, &app.client_id, app.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    let app_tokens = signed_in_tokens(&root_browser, &client).await;
    AdminApi::with_token(&hub, Some(app_tokens.access_token().secret()))
        .get("/me")
        .await
        .problem(StatusCode::UNAUTHORIZED);

    // Revoking the administrator's session ends their admin access at once.
    let sessions = AdminApi::new(&hub).get("/sessions").await.ok(StatusCode::OK);
    let root_id = me["subject"].as_str().unwrap().to_owned();
    let root_sessions: Vec<&Value> =
        sessions["items"].as_array().unwrap().iter().filter(|s| s["user_id"] == root_id.as_str()).collect();
    assert_eq!(root_sessions.len(), 1, "{sessions}");
    let sid = root_sessions[0]["sid"].as_str().unwrap();
    assert_eq!(AdminApi::new(&hub).delete(&format!("/sessions/{sid}")).await.status, StatusCode::NO_CONTENT);
    as_root.get("/me").await.problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_hub_admin_token_only_access_tokens_work() {
    crate::backend();
    let hub = TestHub::spawn_with(&[("HUB_ADMIN_TOKEN", "")]).await;
    AdminApi::new(&hub).get("/me").await.problem(StatusCode::UNAUTHORIZED);
}

fn confidential_client() -> Value {
    json!({
        "client_name": "Inventory",
        "redirect_uris": ["https://inventory.example.com/callback"],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "scope": "openid profile email",
    })
}

#[tokio::test]
async fn clients_are_registered_read_updated_rotated_and_deleted() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);

    let created = api.post("/clients", confidential_client()).await.ok(StatusCode::CREATED);
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().expect("the secret, once").to_owned();
    assert_eq!(created["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(created["response_types"], json!(["code"]));
    assert_eq!(client_credentials(&hub, &client_id, &secret).await, StatusCode::OK, "the secret works");

    let read = api.get(&format!("/clients/{client_id}")).await.ok(StatusCode::OK);
    assert!(read.get("client_secret").is_none() && !read.to_string().contains(&secret), "never readable again");
    assert_eq!(read["client_name"], "Inventory");

    let listed = api.get("/clients?search=INVENT").await.ok(StatusCode::OK);
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["client_id"], client_id.as_str());
    let all = api.get("/clients?limit=1").await.ok(StatusCode::OK);
    assert_eq!(
        (all["total"].as_u64(), all["items"].as_array().unwrap().len()),
        (Some(3), 1),
        "ours, hub-admin and hub-account"
    );

    // Update: a bad URI names its field and changes nothing.
    let mut bad = confidential_client();
    bad["redirect_uris"] = json!(["https://ok.example.com/cb", "http://plain.example.com/cb"]);
    let fields = api.put(&format!("/clients/{client_id}"), bad).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["redirect_uris[1]"]);
    let mut renamed = confidential_client();
    renamed["client_name"] = json!("Inventory 2");
    renamed["skip_authorization"] = json!(true);
    let updated = api.put(&format!("/clients/{client_id}"), renamed).await.ok(StatusCode::OK);
    assert_eq!(
        (updated["client_name"].as_str(), updated["skip_authorization"].as_bool()),
        (Some("Inventory 2"), Some(true))
    );
    assert!(updated.get("client_secret").is_none(), "an update of a confidential client shows no secret");
    assert_eq!(client_credentials(&hub, &client_id, &secret).await, StatusCode::OK, "the secret survives updates");

    // Rotation: the new secret works, the old one no longer does.
    let rotated = api.action(&format!("/clients/{client_id}/secret")).await.ok(StatusCode::OK);
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(client_credentials(&hub, &client_id, new_secret).await, StatusCode::OK);
    assert_eq!(client_credentials(&hub, &client_id, &secret).await, StatusCode::UNAUTHORIZED);

    // Duplicates, public clients, the built-in client, unknown upstreams.
    let mut duplicate = confidential_client();
    duplicate["client_id"] = json!(client_id);
    assert_eq!(api.post("/clients", duplicate).await.problem(StatusCode::CONFLICT), ["client_id"]);
    let public = api
        .post(
            "/clients",
            json!({"client_id": "spa", "client_name": "SPA", "redirect_uris": ["http://localhost:5173/"],
                   "token_endpoint_auth_method": "none"}),
        )
        .await
        .ok(StatusCode::CREATED);
    assert!(public.get("client_secret").is_none(), "a public client has no secret");
    api.action("/clients/spa/secret").await.problem(StatusCode::CONFLICT);
    let inconsistent = json!({"client_name": "x", "redirect_uris": ["https://x.example.com/"],
        "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "client_credentials"],
        "id_token_signed_response_alg": "HS256"});
    let fields = api.post("/clients", inconsistent).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["grant_types", "id_token_signed_response_alg"]);
    let mut unknown_upstream = confidential_client();
    unknown_upstream["allowed_social_login_keys"] = json!(["nowhere"]);
    let fields = api.post("/clients", unknown_upstream).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["allowed_social_login_keys[0]"]);
    let builtin = api.get("/clients/hub-admin").await.ok(StatusCode::OK);
    assert_eq!(builtin["built_in"], true);
    api.delete("/clients/hub-admin").await.problem(StatusCode::CONFLICT);
    api.put("/clients/hub-admin", confidential_client()).await.problem(StatusCode::CONFLICT);

    assert_eq!(api.delete(&format!("/clients/{client_id}")).await.status, StatusCode::NO_CONTENT);
    api.get(&format!("/clients/{client_id}")).await.problem(StatusCode::NOT_FOUND);
    api.delete(&format!("/clients/{client_id}")).await.problem(StatusCode::NOT_FOUND);
    assert_eq!(client_credentials(&hub, &client_id, new_secret).await, StatusCode::UNAUTHORIZED, "a deleted client");
}

fn oidc_key(slug: &str, issuer: &str) -> Value {
    json!({
        "slug": slug,
        "display_name": "Corp SSO",
        "kind": "oidc",
        "issuer": issuer,
        "client_id": "hub-at-corp",
        "client_secret": "upstream-secret-value",
        "enabled": true,
        "allow_signup": true,
        "groups_claim": "groups",
        "group_mapping": {"engineering": "staff"},
        "email_domains": ["corp.example.com"],
    })
}

#[tokio::test]
async fn social_login_keys_are_validated_stored_without_their_secret_and_tested() {
    crate::backend();
    let hub = TestHub::spawn().await;
    // A real upstream OP for the `test` operation: another hub.
    let upstream = TestHub::spawn().await;
    let api = AdminApi::new(&hub);

    let created = api.post("/social-login-keys", oidc_key("corp", &upstream.issuer)).await.ok(StatusCode::CREATED);
    assert_eq!(created["has_client_secret"], true);
    assert!(!created.to_string().contains("upstream-secret-value"), "write-only: {created}");
    assert_eq!(created["scopes"], json!(["openid", "email", "profile"]), "the preset's scopes");
    assert_eq!(created["username_claim"], "preferred_username");
    assert_eq!(created["redirect_uri"], hub.url("/upstream/corp/callback"));

    // Every bad field is named; an unknown kind does not parse.
    let mut bad = oidc_key("Corp SSO", "http://idp.example.com");
    bad["email_domains"] = json!(["not a domain"]);
    bad["icon"] = json!("javascript:alert(1)");
    let fields = api.post("/social-login-keys", bad).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["slug", "issuer", "email_domains[0]", "icon"]);
    let mut unknown = oidc_key("other", &upstream.issuer);
    unknown["kind"] = json!("myspace");
    api.post("/social-login-keys", unknown).await.problem(StatusCode::BAD_REQUEST);
    let oauth2 = json!({"slug": "bare", "display_name": "Bare", "kind": "oauth2", "client_id": "x", "enabled": true});
    let fields = api.post("/social-login-keys", oauth2).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["authorization_endpoint", "token_endpoint", "userinfo_endpoint"]);
    let mut escalating = oidc_key("sneaky", &upstream.issuer);
    escalating["email_domains"] = json!([]);
    escalating["group_mapping"] = json!({"idp-admins": "admins"});
    let fields = api.post("/social-login-keys", escalating).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["group_mapping.idp-admins"], "admin rights are never mapped from upstream");
    let github = json!({"slug": "github", "display_name": "GitHub", "kind": "github", "client_id": "Iv1.x",
                        "client_secret": "gh", "enabled": true});
    let github = api.post("/social-login-keys", github).await.ok(StatusCode::CREATED);
    assert_eq!(github["username_claim"], "login");

    // Conflicts: the slug, and an e-mail domain another key already serves.
    assert_eq!(
        api.post("/social-login-keys", oidc_key("corp", &upstream.issuer)).await.problem(StatusCode::CONFLICT),
        ["slug"]
    );
    let fields =
        api.post("/social-login-keys", oidc_key("corp2", &upstream.issuer)).await.problem(StatusCode::CONFLICT);
    assert_eq!(fields, ["email_domains[0]"]);

    // An update without a secret keeps the stored one.
    let mut update = oidc_key("corp", &upstream.issuer);
    update.as_object_mut().unwrap().remove("slug");
    update.as_object_mut().unwrap().remove("client_secret");
    update["display_name"] = json!("Corp");
    update["enabled"] = json!(false);
    let updated = api.put("/social-login-keys/corp", update.clone()).await.ok(StatusCode::OK);
    assert_eq!((updated["display_name"].as_str(), updated["enabled"].as_bool()), (Some("Corp"), Some(false)));
    assert_eq!(updated["has_client_secret"], true);
    // ... but the secret does not follow the key to another token endpoint unless sent again.
    let mut moved = update.clone();
    moved["token_endpoint"] = json!("https://attacker.example.com/token");
    let fields = api.put("/social-login-keys/corp", moved.clone()).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["client_secret"]);
    let listed = api.get("/social-login-keys").await.ok(StatusCode::OK);
    assert_eq!(listed["total"], 2);

    // `test` asks the upstream: discovery, issuer, endpoints, keys.
    let report = api.action("/social-login-keys/corp/test").await.ok(StatusCode::OK);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["token_endpoint"], upstream.url("/token"));
    let upstream_jwks: Value =
        http_client().get(upstream.url("/jwks.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(report["keys"][0]["kid"], upstream_jwks["keys"][0]["kid"], "the upstream's own key");
    // ... and says exactly what is wrong when it cannot.
    let dead = format!("http://127.0.0.1:{}", upstream.listen_port);
    drop(upstream);
    let mut moved = oidc_key("gone", &dead);
    moved["email_domains"] = json!([]);
    api.post("/social-login-keys", moved).await.ok(StatusCode::CREATED);
    let report = api.action("/social-login-keys/gone/test").await.ok(StatusCode::OK);
    assert_eq!(report["ok"], false);
    assert_eq!(report["checks"][0]["name"], "discovery");
    assert!(report["checks"][0]["detail"].as_str().unwrap().contains("cannot connect"), "{report}");
    api.action("/social-login-keys/nope/test").await.problem(StatusCode::NOT_FOUND);

    // A key that a client's policy names stays until the client no longer names it.
    let mut client = confidential_client();
    client["allowed_social_login_keys"] = json!(["corp", "github"]);
    client["default_social_login_key"] = json!("corp");
    let client = api.post("/clients", client).await.ok(StatusCode::CREATED);
    assert_eq!(client["default_social_login_key"], "corp");
    api.delete("/social-login-keys/corp").await.problem(StatusCode::CONFLICT);
    api.delete(&format!("/clients/{}", client["client_id"].as_str().unwrap())).await;
    assert_eq!(api.delete("/social-login-keys/corp").await.status, StatusCode::NO_CONTENT);
    api.get("/social-login-keys/corp").await.problem(StatusCode::NOT_FOUND);
}

/// The `test` against an upstream written independently of the hub: npm's oidc-provider.
#[tokio::test]
async fn a_social_login_key_tests_clean_against_oidc_provider() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);
    let upstream = e2e::upstream::OidcProvider::start(&hub.url("/upstream/corp/callback"));
    let key = json!({"slug": "corp", "display_name": "Corp", "kind": "oidc", "enabled": true,
        "issuer": upstream.issuer, "client_id": upstream.client_id, "client_secret": upstream.client_secret});
    let created = api.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
    assert_eq!(created["redirect_uri"], hub.url("/upstream/corp/callback"), "what the upstream has registered");

    let report = api.action("/social-login-keys/corp/test").await.ok(StatusCode::OK);
    assert_eq!(report["ok"], true, "{report}");
    let checks: Vec<&str> = report["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        checks,
        ["discovery", "issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "signing_algs", "pkce", "jwks"]
    );
    assert_eq!(report["authorization_endpoint"], format!("{}/auth", upstream.issuer), "oidc-provider's own path");
    let jwks: Value =
        http_client().get(format!("{}/jwks", upstream.issuer)).send().await.unwrap().json().await.unwrap();
    assert_eq!(report["keys"][0]["kid"], jwks["keys"][0]["kid"]);
    assert_eq!(report["keys"][0]["kty"], "RSA");
}

#[tokio::test]
async fn users_and_groups_are_managed_and_disabling_cuts_access() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);

    let staff = api.post("/groups", json!({"name": "staff", "description": "Employees"})).await.ok(StatusCode::CREATED);
    assert_eq!(api.post("/groups", json!({"name": "staff"})).await.problem(StatusCode::CONFLICT), ["name"]);
    assert_eq!(
        api.post("/groups", json!({"name": "two words"})).await.problem(StatusCode::UNPROCESSABLE_ENTITY),
        ["name"]
    );

    let alice = json!({"username": "alice", "email": "alice@example.com", "email_verified": true, "name": "Alice",
                       "password": PASSWORD, "groups": ["staff"]});
    let alice = api.post("/users", alice).await.ok(StatusCode::CREATED);
    assert!(alice.get("password").is_none() && alice["has_password"] == true, "{alice}");
    assert_eq!(alice["groups"], json!(["staff"]));
    let id = alice["id"].as_str().unwrap().to_owned();
    api.post("/users", json!({"username": "bob"})).await.ok(StatusCode::CREATED);
    assert_eq!(api.post("/users", json!({"username": "bob"})).await.problem(StatusCode::CONFLICT), ["username"]);
    let fields = api
        .post("/users", json!({"username": "carol", "email": "nope", "password": "short", "groups": ["ghosts"]}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["email", "password", "groups[0]"]);

    // Lists: search, group and state filters, pagination.
    let found = api.get("/users?search=ALICE%40example").await.ok(StatusCode::OK);
    assert_eq!((found["total"].as_u64(), found["items"][0]["id"].as_str()), (Some(1), Some(id.as_str())));
    let members = api.get("/users?group=staff").await.ok(StatusCode::OK);
    assert_eq!(members["total"], 1);
    let page = api.get("/users?limit=1&offset=1").await.ok(StatusCode::OK);
    assert_eq!((page["total"].as_u64(), page["items"][0]["username"].as_str()), (Some(2), Some("bob")));
    let group = api.get(&format!("/groups/{}", staff["id"].as_str().unwrap())).await.ok(StatusCode::OK);
    assert_eq!(group["member_count"], 1);

    // Alice signs in to an app and holds a refresh token.
    let app = hub.add_client(&["--name", "App", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let client =
        app_client(&hub.issuer, &app.client_id, app.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    let browser = Browser::new();
    let (tokens, _) = alice_tokens(&hub, &browser, &client, false).await;
    let refresh = tokens.refresh_token().expect("a refresh token").clone();

    // A new password: the old one stops working.
    assert_eq!(
        api.put(&format!("/users/{id}/password"), json!({"password": "x"}))
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY),
        ["password"]
    );
    let reply = api.put(&format!("/users/{id}/password"), json!({"password": "a new long passphrase"})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);

    // Disabling ends her sessions and revokes her refresh tokens.
    let sessions = api.get(&format!("/sessions?user_id={id}")).await.ok(StatusCode::OK);
    assert_eq!(sessions["total"], 1, "{sessions}");
    let disable = json!({"username": "alice", "email": "alice@example.com", "email_verified": true, "groups": [], "disabled": true});
    let updated = api.put(&format!("/users/{id}"), disable).await.ok(StatusCode::OK);
    assert_eq!((updated["disabled"].as_bool(), updated["groups"].as_array().map(Vec::len)), (Some(true), Some(0)));
    assert!(updated.get("name").is_none(), "the name was removed");
    let sessions = api.get(&format!("/sessions?user_id={id}")).await.ok(StatusCode::OK);
    assert_eq!(sessions["total"], 0, "{sessions}");
    let refreshed = client
        .exchange_refresh_token(&RefreshToken::new(refresh.secret().clone()))
        .unwrap()
        .request_async(&http_client())
        .await;
    assert_eq!(e2e::rp::error_code(&refreshed.unwrap_err()), "invalid_grant");
    let userinfo =
        http_client().get(hub.url("/userinfo")).bearer_auth(tokens.access_token().secret()).send().await.unwrap();
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED, "a disabled user's access token");

    // Renaming to a taken name, deleting.
    let taken = json!({"username": "bob", "email_verified": false, "groups": [], "disabled": true});
    assert_eq!(api.put(&format!("/users/{id}"), taken).await.problem(StatusCode::CONFLICT), ["username"]);
    let admins = api.get("/groups?search=admins").await.ok(StatusCode::OK);
    let admins_id = admins["items"][0]["id"].as_str().unwrap().to_owned();
    api.delete(&format!("/groups/{admins_id}")).await.problem(StatusCode::CONFLICT);
    let renamed = api
        .put(&format!("/groups/{}", staff["id"].as_str().unwrap()), json!({"name": "employees"}))
        .await
        .ok(StatusCode::OK);
    assert_eq!(renamed["name"], "employees");
    assert_eq!(api.delete(&format!("/groups/{}", staff["id"].as_str().unwrap())).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.delete(&format!("/users/{id}")).await.status, StatusCode::NO_CONTENT);
    api.get(&format!("/users/{id}")).await.problem(StatusCode::NOT_FOUND);
    api.get("/users/not-a-uuid").await.problem(StatusCode::BAD_REQUEST);
}

/// Tokens for a browser that already has an SSO session: the hub answers at once.
async fn signed_in_tokens(browser: &Browser, client: &e2e::rp::AppClient) -> openidconnect::core::CoreTokenResponse {
    use openidconnect::core::CoreAuthenticationFlow;
    use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge};
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let page = browser.get(url.as_str()).await;
    let code = page.redirect_params().get("code").cloned().unwrap_or_else(|| panic!("a code at once: {page:?}"));
    e2e::rp::exchange_code(client, &code, verifier).await.expect("code exchange")
}

#[tokio::test]
async fn sessions_consents_and_keys_can_be_revoked_and_rotated() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);
    let alice = hub.add_user("alice", PASSWORD, &[]);
    let app = hub.add_client(&["--name", "App", "--redirect-uri", REDIRECT]);
    let client =
        app_client(&hub.issuer, &app.client_id, app.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    let browser = Browser::new();
    let (tokens, _) = alice_tokens(&hub, &browser, &client, true).await;

    // The consent she gave, and its revocation with the grant's refresh tokens.
    let consents = api.get(&format!("/consents?user_id={alice}")).await.ok(StatusCode::OK);
    assert_eq!(consents["total"], 1, "{consents}");
    assert_eq!(consents["items"][0]["client_id"], app.client_id.as_str());
    assert!(consents["items"][0]["scope"].as_array().unwrap().contains(&json!("openid")));
    let consent_id = consents["items"][0]["id"].as_str().unwrap();
    assert_eq!(api.delete(&format!("/consents/{consent_id}")).await.status, StatusCode::NO_CONTENT);
    api.delete(&format!("/consents/{consent_id}")).await.problem(StatusCode::NOT_FOUND);
    let refresh = tokens.refresh_token().expect("the client may refresh");
    let refreshed = client.exchange_refresh_token(refresh).unwrap().request_async(&http_client()).await;
    assert_eq!(e2e::rp::error_code(&refreshed.unwrap_err()), "invalid_grant");
    let userinfo = http_client().get(hub.url("/userinfo")).bearer_auth(tokens.access_token().secret()).send().await;
    assert_eq!(userinfo.unwrap().status(), StatusCode::UNAUTHORIZED, "the grant's access token is refused too");

    // Tokens a second app got in the same SSO session.
    let second = hub.add_client(&["--name", "Second", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let second =
        app_client(&hub.issuer, &second.client_id, second.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth)
            .await;
    let second_tokens = signed_in_tokens(&browser, &second).await;

    // Her session, revoked: the browser is signed out, and what was issued in it revoked.
    let sessions = api.get(&format!("/sessions?user_id={alice}")).await.ok(StatusCode::OK);
    let session = &sessions["items"][0];
    assert_eq!((session["username"].as_str(), session["amr"].clone()), (Some("alice"), json!(["pwd"])));
    assert_eq!(session["address"], "127.0.0.1");
    let sid = session["sid"].as_str().unwrap();
    assert_eq!(api.delete(&format!("/sessions/{sid}")).await.status, StatusCode::NO_CONTENT);
    api.delete(&format!("/sessions/{sid}")).await.problem(StatusCode::NOT_FOUND);
    let url = format!(
        "{}?response_type=code&client_id={}&redirect_uri={REDIRECT}&scope=openid&prompt=none&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        hub.url("/authorize"),
        app.client_id
    );
    let page = browser.get(&url).await;
    assert_eq!(page.redirect_params().get("error").map(String::as_str), Some("login_required"), "signed out");
    let refresh = second_tokens.refresh_token().expect("the client may refresh");
    let refreshed = second.exchange_refresh_token(refresh).unwrap().request_async(&http_client()).await;
    assert_eq!(e2e::rp::error_code(&refreshed.unwrap_err()), "invalid_grant", "the session's refresh token");
    let userinfo =
        http_client().get(hub.url("/userinfo")).bearer_auth(second_tokens.access_token().secret()).send().await;
    assert_eq!(userinfo.unwrap().status(), StatusCode::UNAUTHORIZED, "the session's access token");

    // Keys: rotate RS256's, then retire the old one; the active key cannot be retired.
    let rs256 = |keys: &Value| -> Vec<(String, String)> {
        let items = keys["items"].as_array().unwrap().iter().filter(|k| k["alg"] == "RS256");
        items.map(|k| (k["kid"].as_str().unwrap().to_owned(), k["state"].as_str().unwrap().to_owned())).collect()
    };
    let keys = api.get("/keys").await.ok(StatusCode::OK);
    let (first, state) = rs256(&keys).remove(0);
    assert_eq!(state, "active");
    let rotated = api.action("/keys/rotate?alg=RS256").await.ok(StatusCode::CREATED);
    assert_eq!(rotated["items"].as_array().unwrap().len(), 1, "only RS256's key: {rotated}");
    let second = rotated["items"][0]["kid"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let keys = api.get("/keys").await.ok(StatusCode::OK);
    let states = rs256(&keys);
    let expected = [(second.clone(), "active".to_owned()), (first.clone(), "retiring".to_owned())];
    assert_eq!(states, expected);
    api.action(&format!("/keys/{second}/retire")).await.problem(StatusCode::CONFLICT);
    let retired = api.action(&format!("/keys/{first}/retire")).await.ok(StatusCode::OK);
    assert_eq!((retired["state"].as_str(), retired["published"].as_bool()), (Some("retired"), Some(false)));
    let jwks: Value = http_client().get(hub.url("/jwks.json")).send().await.unwrap().json().await.unwrap();
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(kids.contains(&second.as_str()) && !kids.contains(&first.as_str()), "withdrawn at once: {kids:?}");
    assert_eq!(kids.len(), 4, "one key per algorithm: {kids:?}");
    let old_token =
        http_client().get(hub.url("/userinfo")).bearer_auth(tokens.access_token().secret()).send().await.unwrap();
    assert_eq!(old_token.status(), StatusCode::UNAUTHORIZED, "tokens of a retired key no longer verify");
    api.action("/keys/unknown/retire").await.problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_log_records_sign_ins_and_changes_without_secrets() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);
    let alice = hub.add_user("alice", PASSWORD, &[]);
    let app = hub.add_client(&["--name", "App", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let client =
        app_client(&hub.issuer, &app.client_id, app.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;

    // A wrong password, an unknown user, then a success.
    let browser = Browser::new();
    let url = client
        .authorize_url(
            openidconnect::core::CoreAuthenticationFlow::AuthorizationCode,
            openidconnect::CsrfToken::new_random,
            openidconnect::Nonce::new_random,
        )
        .set_pkce_challenge(openidconnect::PkceCodeChallenge::new_random_sha256().0)
        .url()
        .0;
    let refused = browser.sign_in(url.as_str(), "alice", "wrong password 123").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    browser.sign_in(url.as_str(), "mallory", "secret-looking-password").await;
    alice_tokens(&hub, &browser, &client, false).await;
    let created = api.post("/clients", confidential_client()).await.ok(StatusCode::CREATED);
    let secret = created["client_secret"].as_str().unwrap().to_owned();

    let logins = api.get("/audit-events?action=login.password").await.ok(StatusCode::OK);
    let outcomes: Vec<(&str, &str, Option<&str>)> = logins["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["outcome"].as_str().unwrap(), e["actor"].as_str().unwrap(), e["user_id"].as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("success", "user:alice", Some(alice.as_str())),
            ("failure", "anonymous", None),
            ("failure", "anonymous", Some(alice.as_str()))
        ],
        "newest first"
    );
    for event in logins["items"].as_array().unwrap() {
        assert_eq!(
            (event["client_id"].as_str(), event["address"].as_str()),
            (Some(app.client_id.as_str()), Some("127.0.0.1"))
        );
    }
    let failures = api.get("/audit-events?outcome=failure").await.ok(StatusCode::OK);
    assert_eq!(failures["total"], 2);
    let changes = api.get("/audit-events?action=client.&actor=admin-token").await.ok(StatusCode::OK);
    assert_eq!(changes["total"], 1);
    assert_eq!(changes["items"][0]["actor"], "admin-token");
    assert_eq!(changes["items"][0]["target"], format!("client:{}", created["client_id"].as_str().unwrap()));
    let by_alice =
        api.get(&format!("/audit-events?user_id={alice}&since=2000-01-01T00:00:00Z")).await.ok(StatusCode::OK);
    let actions: Vec<&str> =
        by_alice["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["login.password", "login.password", "user.create"],
        "her sign-ins, and her creation at the CLI"
    );
    api.get("/audit-events?since=yesterday").await.problem(StatusCode::BAD_REQUEST);

    // Granting admin rights is spelled out, and the actor is known by id as well as name.
    let bob = api.post("/users", json!({"username": "bob"})).await.ok(StatusCode::CREATED);
    let bob_id = bob["id"].as_str().unwrap();
    let grant = json!({"username": "bob", "email_verified": false, "groups": ["admins"], "disabled": false});
    api.put(&format!("/users/{bob_id}"), grant).await.ok(StatusCode::OK);
    let updates = api.get(&format!("/audit-events?action=user.update&user_id={bob_id}")).await.ok(StatusCode::OK);
    assert_eq!(updates["items"][0]["detail"], "+group admins");
    let by_alice_id = api.get(&format!("/audit-events?actor_id={alice}")).await.ok(StatusCode::OK);
    assert_eq!(by_alice_id["items"][0]["action"], "login.password", "{by_alice_id}");

    let everything = api.get("/audit-events?limit=200").await.ok(StatusCode::OK).to_string();
    for secret in [PASSWORD, "wrong password 123", "secret-looking-password", "mallory", secret.as_str()] {
        assert!(!everything.contains(secret), "{secret} is in the audit log");
    }
}

#[tokio::test]
async fn bad_input_gets_a_problem_never_a_server_error() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);

    let fields = api.get("/clients?limit=0").await.problem(StatusCode::BAD_REQUEST);
    assert_eq!(fields, ["limit"]);
    api.raw(Method::POST, "/clients", "application/json", b"{not json".to_vec()).await.problem(StatusCode::BAD_REQUEST);
    api.raw(Method::POST, "/clients", "text/plain", b"hello".to_vec())
        .await
        .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    api.post("/clients", json!({"client_name": "x", "redirect_uris": "not a list"}))
        .await
        .problem(StatusCode::BAD_REQUEST);
    // NUL cannot be stored by PostgreSQL: refused before any handler, in every position.
    api.post("/groups", json!({"name": "nul\u{0}name"})).await.problem(StatusCode::BAD_REQUEST);
    api.get("/clients/a%00b").await.problem(StatusCode::BAD_REQUEST);
    api.get("/users?search=%00").await.problem(StatusCode::BAD_REQUEST);
    let huge = vec![b'{'; 300 * 1024];
    api.raw(Method::POST, "/groups", "application/json", huge).await.problem(StatusCode::PAYLOAD_TOO_LARGE);
    let long = "x".repeat(5000);
    api.post("/groups", json!({"name": long})).await.problem(StatusCode::BAD_REQUEST);
    let fields = api.post("/groups", json!({"name": "x", "description": null})).await.problem(StatusCode::BAD_REQUEST);
    assert_eq!(fields, ["description"], "no field is nullable: optional ones are left out");
    api.get("/clients/%F0%28%8C%BC").await.problem(StatusCode::BAD_REQUEST);
    api.get("/no-such-resource").await.problem(StatusCode::NOT_FOUND);
    let patch = api.send(Method::PATCH, "/clients", None).await;
    patch.problem(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(patch.headers.get("allow").and_then(|v| v.to_str().ok()), Some("GET, POST"));
    let unicode = api.post("/groups", json!({"name": "équipe-東京"})).await.ok(StatusCode::CREATED);
    assert_eq!(unicode["name"], "équipe-東京");

    // The document and the interactive docs are served.
    let document: Value =
        http_client().get(hub.url("/admin/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(document["info"]["title"], "Hub admin API");
    let docs = http_client().get(hub.url("/admin/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
}
