//! Federation (SPEC §5): the hub signs people in at an upstream OpenID Provider, npm's
//! `oidc-provider` with its own login pages, and the app (the `openidconnect` crate) only
//! ever talks to the hub.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::admin::AdminApi;
use e2e::browser::Page;
use e2e::rp::{AppClient, app_client};
use e2e::upstream::OidcProvider;
use e2e::{Browser, TestHub};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthType, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, Scope, TokenResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A hub with one upstream (`corp`), and a way to make apps.
struct Federation {
    hub: TestHub,
    upstream: OidcProvider,
    admin: AdminApi,
}

impl Federation {
    /// The hub, the upstream, and the key `corp` with `settings` over sensible defaults.
    async fn start(settings: Value) -> Self {
        Self::start_signing("RS256", settings).await
    }

    /// As `start`, the upstream signing the hub's ID tokens with `alg`.
    async fn start_signing(alg: &str, settings: Value) -> Self {
        crate::backend();
        let hub = TestHub::spawn().await;
        let upstream = OidcProvider::start_signing(
            &hub.url("/upstream/corp/callback"),
            Some(&hub.url("/upstream/corp/backchannel-logout")),
            alg,
        );
        let admin = AdminApi::new(&hub);
        let mut key = json!({
            "slug": "corp",
            "display_name": "Corp SSO",
            "kind": "oidc",
            "issuer": upstream.issuer,
            "client_id": upstream.client_id,
            "client_secret": upstream.client_secret,
            "scopes": ["openid", "email", "profile", "groups"],
            "enabled": true,
            "allow_signup": true,
        });
        key.as_object_mut().unwrap().extend(settings.as_object().cloned().unwrap_or_default());
        admin.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
        Self { hub, upstream, admin }
    }

    async fn app(&self, policy: Value) -> AppClient {
        register_app(&self.hub, &self.admin, policy).await
    }

    async fn user_id(&self, username: &str) -> String {
        user_id(&self.admin, username).await
    }
}

/// A client registered through the admin API, with `policy` (upstream settings).
async fn register_app(hub: &TestHub, admin: &AdminApi, policy: Value) -> AppClient {
    {
        let mut body = json!({
            "client_name": "Wiki",
            "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "client_secret_basic",
            "skip_authorization": true,
        });
        body.as_object_mut().unwrap().extend(policy.as_object().cloned().unwrap_or_default());
        let created = admin.post("/clients", body).await.ok(StatusCode::CREATED);
        let (id, secret) = (created["client_id"].as_str().unwrap(), created["client_secret"].as_str().unwrap());
        app_client(&hub.issuer, id, Some(secret), REDIRECT, AuthType::BasicAuth).await
    }
}

/// The id (`sub`) of the hub user `username`.
async fn user_id(admin: &AdminApi, username: &str) -> String {
    let found = admin.get(&format!("/users?search={username}")).await.ok(StatusCode::OK);
    let user = found["items"].as_array().unwrap().iter().find(|u| u["username"] == username);
    user.unwrap_or_else(|| panic!("no hub user {username}: {found}"))["id"].as_str().unwrap().to_owned()
}

/// An authorization request as the app makes it.
struct Request {
    url: String,
    nonce: Nonce,
    verifier: openidconnect::PkceCodeVerifier,
}

fn request(client: &AppClient, extra: &[(&str, &str)]) -> Request {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut builder = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("groups".into()))
        .set_pkce_challenge(challenge);
    for (name, value) in extra {
        builder = builder.add_extra_param(*name, *value);
    }
    let (url, _, nonce) = builder.url();
    Request { url: url.into(), nonce, verifier }
}

/// Follows redirects from `url`, signing in at the upstream (pages under `upstream`) as
/// `username` when its pages ask, until the hub answers with a page or sends the browser to the app.
async fn drive(browser: &Browser, upstream: &str, url: &str, username: &str) -> Page {
    drive_until(browser, upstream, url, username, |location| location.starts_with(REDIRECT)).await
}

/// As `drive`, stopping at the first redirect to a location that satisfies `stop`.
async fn drive_until(
    browser: &Browser,
    upstream: &str,
    url: &str,
    username: &str,
    stop: impl Fn(&str) -> bool,
) -> Page {
    let mut page = browser.get(url).await;
    for _ in 0..20 {
        if let Some(location) = page.location().filter(|_| page.status.is_redirection()) {
            if stop(&location) {
                return page;
            }
            page = browser.get(&location).await;
            continue;
        }
        if !page.url.starts_with(upstream) {
            return page;
        }
        // oidc-provider's development pages: a login form, then a consent form.
        page = if page.body.contains("name=\"login\"") {
            browser.submit(&page, &[("login", username), ("password", "any")]).await
        } else {
            assert!(page.body.contains("<form"), "an upstream page without a form: {}", page.body);
            browser.submit(&page, &[]).await
        };
    }
    panic!("too many redirects; last page {} {}", page.url, page.status);
}

/// From the hub's login page, "Continue with Corp SSO".
async fn continue_with_corp(browser: &Browser, upstream: &OidcProvider, login: &Page, username: &str) -> Page {
    let link = login
        .body
        .split("href=\"")
        .skip(1)
        .map(|rest| e2e::browser::html_unescape(&rest[..rest.find('"').unwrap()]))
        .find(|href| href.contains("/upstream/corp/start"))
        .unwrap_or_else(|| panic!("a Continue with Corp SSO link: {}", login.body));
    assert!(login.body.contains("Continue with Corp SSO"), "the link's name has the display name");
    drive(browser, &upstream.issuer, &link, username).await
}

/// The app's view of a finished sign-in: the ID token's claims and userinfo.
async fn finish(hub: &TestHub, client: &AppClient, req: Request, page: &Page) -> (Value, Value) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let params = page.redirect_params();
    let code = params.get("code").unwrap_or_else(|| panic!("no code: {params:?}"));
    let tokens = e2e::rp::exchange_code(client, code, req.verifier).await.expect("code exchange");
    let id_token = tokens.id_token().unwrap();
    id_token.claims(&client.id_token_verifier(), &req.nonce).expect("valid ID token");
    // Every claim, the ones openidconnect has no field for (sid, acr, groups) too.
    let id_claims = e2e::rp::jwt_claims(&id_token.to_string());
    let response =
        reqwest::Client::new().get(hub.url("/userinfo")).bearer_auth(tokens.access_token().secret()).send().await;
    (id_claims, response.expect("userinfo").json().await.expect("userinfo JSON"))
}

/// Signs `username` in through the login page's "Continue with Corp SSO".
async fn sign_in_via_login_page(fed: &Federation, client: &AppClient, username: &str) -> (Value, Value) {
    let browser = Browser::new();
    let req = request(client, &[]);
    let start = browser.get(&req.url).await;
    let login = browser.get(&start.location().expect("to the login page")).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, username).await;
    finish(&fed.hub, client, req, &page).await
}

#[tokio::test]
async fn first_sign_in_creates_the_user_and_the_next_finds_the_same_one() {
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({})).await;

    let (first, info) = sign_in_via_login_page(&fed, &app, "alice").await;
    let alice = fed.user_id("alice").await;
    assert_eq!(first["sub"], alice, "the hub's own subject, not the upstream's");
    assert_eq!(info["email"], "alice@corp.example.com");
    assert_eq!(info["preferred_username"], "alice");
    assert!(first.get("sid").is_some());

    let (second, _) = sign_in_via_login_page(&fed, &app, "alice").await;
    assert_eq!(second["sub"], alice, "the same hub user every time");

    let links = fed.admin.get(&format!("/users/{alice}/upstream-identities")).await.ok(StatusCode::OK);
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0]["social_login_key"], "corp");
    assert_eq!(links[0]["issuer"], fed.upstream.issuer.as_str());
    assert_eq!(links[0]["subject"], "alice");
    let user = fed.admin.get(&format!("/users/{alice}")).await.ok(StatusCode::OK);
    assert_eq!(user["has_password"], false, "an upstream user has no hub password");
    assert_eq!(user["email_verified"], false, "the key does not trust the upstream's e-mail");

    let audit = fed.admin.get("/audit-events?action=upstream.").await.ok(StatusCode::OK);
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["upstream.signup"], "one sign-up, and the second sign-in is no new link");
    let unlinks = fed.admin.get("/audit-events?action=upstream.unlink").await.ok(StatusCode::OK);
    assert_eq!(unlinks["total"], 0);

    // Unlinked, the identity is new again: it signs up anew, under a name qualified by
    // the key (the first account's unverified address proves nothing and blocks nothing).
    let link = links[0]["id"].as_str().unwrap();
    fed.admin.delete(&format!("/users/{alice}/upstream-identities/{link}")).await.ok(StatusCode::NO_CONTENT);
    let (third, _) = sign_in_via_login_page(&fed, &app, "alice").await;
    assert_ne!(third["sub"], alice);
    assert_eq!(third["sub"], fed.user_id("alice-corp").await);
}

#[tokio::test]
async fn a_verified_email_links_an_existing_user_only_where_the_key_trusts_it() {
    let fed = Federation::start(json!({ "trust_email": true, "allow_signup": false })).await;
    let app = fed.app(json!({})).await;
    let verified = |email: &'static str| ["--email", email, "--email-verified"];
    let bob = fed.hub.add_user("bob", "bob's password 1", &verified("bob@corp.example.com"));

    let (claims, _) = sign_in_via_login_page(&fed, &app, "bob").await;
    assert_eq!(claims["sub"], bob, "linked by the verified address");
    let audit = fed.admin.get("/audit-events?action=upstream.link").await.ok(StatusCode::OK);
    assert_eq!(audit["total"], 1);

    // Unverified at the upstream: no link, and no sign-up on this key.
    fed.hub.add_user("carol", "carol's password", &verified("carol@corp.example.com"));
    fed.upstream.set_account("carol", json!({ "email_verified": false })).await;
    let refused = refused_at_login_page(&fed, &app, "carol").await;
    assert!(refused.contains("does not create new ones"), "{refused}");

    // Two hub users with the address: an explicit error, not a pick.
    fed.hub.add_user("dan1", "dan's password 1", &verified("dan@corp.example.com"));
    fed.hub.add_user("dan2", "dan's password 2", &verified("DAN@corp.example.com"));
    let refused = refused_at_login_page(&fed, &app, "dan").await;
    assert!(refused.contains("More than one hub account"), "{refused}");

    // An administrator's account is never linked by e-mail.
    fed.hub.add_user(
        "erin",
        "erin's password",
        &["--email", "erin@corp.example.com", "--email-verified", "--group", "admins"],
    );
    let refused = refused_at_login_page(&fed, &app, "erin").await;
    assert!(refused.contains("administrator"), "{refused}");

    // A hub address nobody verified proves nothing: no link (anyone could have typed it).
    fed.hub.add_user("quinn", "quinn's password", &["--email", "quinn@corp.example.com"]);
    let refused = refused_at_login_page(&fed, &app, "quinn").await;
    assert!(refused.contains("does not create new ones"), "{refused}");

    // Nobody with the address, sign-up off: told why.
    let refused = refused_at_login_page(&fed, &app, "frank").await;
    assert!(refused.contains("does not create new ones"), "{refused}");
    let failures = fed.admin.get("/audit-events?action=login.upstream&outcome=failure").await.ok(StatusCode::OK);
    assert_eq!(failures["total"], 5);
}

/// Signs in at the upstream and returns the text of the hub's refusal (403 login page).
async fn refused_at_login_page(fed: &Federation, app: &AppClient, username: &str) -> String {
    let browser = Browser::new();
    let req = request(app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, username).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains("name=\"password\""), "back on the login page: {}", page.body);
    page.body
}

#[tokio::test]
async fn groups_are_mapped_namespaced_and_synced_on_every_sign_in() {
    let fed = Federation::start(json!({
        "groups_claim": "groups",
        "group_mapping": { "engineering": "staff" },
    }))
    .await;
    let app = fed.app(json!({})).await;
    fed.upstream.set_account("gina", json!({ "groups": ["engineering", "ops", "admins"], "name": "Gina G" })).await;
    let (_, info) = sign_in_via_login_page(&fed, &app, "gina").await;
    assert_eq!(info["groups"], json!(["corp:admins", "corp:ops", "staff"]), "mapped, else namespaced; never admins");
    assert_eq!(info["name"], "Gina G");

    // A membership granted in the hub is the hub's: the upstream's sync leaves it alone.
    let gina = fed.user_id("gina").await;
    fed.admin.post("/groups", json!({ "name": "wiki-editors" })).await.ok(StatusCode::CREATED);
    let user = fed.admin.get(&format!("/users/{gina}")).await.ok(StatusCode::OK);
    let mut groups: Vec<Value> = user["groups"].as_array().unwrap().clone();
    groups.push(json!("wiki-editors"));
    let update = json!({ "username": "gina", "groups": groups, "disabled": false, "email": user["email"], "email_verified": false });
    fed.admin.put(&format!("/users/{gina}"), update).await.ok(StatusCode::OK);

    fed.upstream.set_account("gina", json!({ "groups": ["ops"], "name": "Gina Green" })).await;
    let (_, info) = sign_in_via_login_page(&fed, &app, "gina").await;
    assert_eq!(info["groups"], json!(["corp:ops", "wiki-editors"]), "synced: upstream groups follow, the hub's stay");
    assert_eq!(info["name"], "Gina Green", "the profile is synced too");

    let admins = fed.admin.get("/users?group=admins").await.ok(StatusCode::OK);
    assert_eq!(admins["total"], 0, "no upstream makes anyone an admin");
}

#[tokio::test]
async fn hints_and_client_policy_route_the_sign_in() {
    let fed = Federation::start(json!({ "email_domains": ["corp.example.com"] })).await;
    let open = fed.app(json!({})).await;
    let browser = Browser::new();

    // idp_hint (and Keycloak's kc_idp_hint) skip the login page.
    for hint in ["idp_hint", "kc_idp_hint"] {
        let req = request(&open, &[(hint, "corp")]);
        let start = browser.get(&req.url).await;
        let location = start.location().unwrap();
        assert!(location.starts_with(&format!("{}/auth?", fed.upstream.issuer)), "{hint}: {location}");
        let page = drive(&Browser::new(), &fed.upstream.issuer, &req.url, "hank").await;
        finish(&fed.hub, &open, req, &page).await;
    }
    // What the app asks of the sign-in is asked of the upstream.
    let req = request(&open, &[("idp_hint", "corp"), ("prompt", "login"), ("max_age", "60")]);
    let location = browser.get(&req.url).await.location().unwrap();
    assert!(location.contains("prompt=login") && location.contains("max_age=60"), "{location}");
    // A login_hint in a served domain goes to that upstream, hint passed on.
    let req = request(&open, &[("login_hint", "ivy@corp.example.com")]);
    let location = browser.get(&req.url).await.location().unwrap();
    assert!(location.starts_with(&fed.upstream.issuer), "{location}");
    assert!(location.contains("login_hint=ivy%40corp.example.com"), "{location}");
    // Another domain, or an unknown hint, shows the login page.
    for extra in [("login_hint", "ivy@elsewhere.example"), ("idp_hint", "nope")] {
        let location = browser.get(&request(&open, &[extra]).url).await.location().unwrap();
        assert!(location.starts_with(&fed.hub.url("/login?")), "{extra:?}: {location}");
    }

    // A client that allows only another key: Corp is neither offered nor usable.
    fed.admin
        .post(
            "/social-login-keys",
            json!({ "slug": "other", "display_name": "Other", "kind": "google", "client_id": "x", "enabled": true }),
        )
        .await
        .ok(StatusCode::CREATED);
    let limited = fed.app(json!({ "allowed_social_login_keys": ["other"] })).await;
    let req = request(&limited, &[("idp_hint", "corp")]);
    let login_url = browser.get(&req.url).await.location().unwrap();
    assert!(login_url.starts_with(&fed.hub.url("/login?")), "a hint the client may not use is ignored");
    let login = browser.get(&login_url).await;
    assert!(login.body.contains("Continue with Other") && !login.body.contains("Continue with Corp"), "{}", login.body);
    let interaction = login.input("interaction").unwrap();
    let forced = browser.get(&fed.hub.url(&format!("/upstream/corp/start?interaction={interaction}"))).await;
    assert_eq!(forced.status, StatusCode::FORBIDDEN, "{}", forced.body);
    assert!(forced.body.contains("not available for this application"));

    // An IdP-only client goes straight to its key, and its login page has no password form.
    let idp_only = fed.app(json!({ "default_social_login_key": "corp" })).await;
    let req = request(&idp_only, &[]);
    let location = browser.get(&req.url).await.location().unwrap();
    assert!(location.starts_with(&fed.upstream.issuer), "{location}");
    let page = drive(&Browser::new(), &fed.upstream.issuer, &req.url, "jack").await;
    let (claims, _) = finish(&fed.hub, &idp_only, req, &page).await;
    assert_eq!(claims["sub"], fed.user_id("jack").await);
}

#[tokio::test]
async fn upstream_failures_end_on_a_clear_page_or_as_an_oauth_error() {
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({ "grant_types": ["authorization_code", "refresh_token"] })).await;
    sign_in_via_login_page(&fed, &app, "kim").await;

    // Each fault a broken or hostile upstream could produce: refused, never a 500.
    for fault in ["tamper", "alg-none", "unpublished-key", "token-error", "huge-token"] {
        fed.upstream.set_fault(fault, json!({})).await;
        let browser = Browser::new();
        let req = request(&app, &[]);
        let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
        let page = continue_with_corp(&browser, &fed.upstream, &login, "kim").await;
        assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{fault}: {}", page.body);
        assert!(page.body.contains("Signing in with Corp SSO failed"), "{fault}: {}", page.body);
    }
    // A key rotated at the upstream: the unknown kid makes the hub fetch the JWKS again,
    // once the hub's minimum interval between two fetches (2 s) has passed.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    fed.upstream.set_fault("rotated-key", json!({})).await;
    let (claims, _) = sign_in_via_login_page(&fed, &app, "kim").await;
    assert_eq!(claims["sub"], fed.user_id("kim").await);

    // The upstream's amr and acr reach the app.
    fed.upstream.set_fault("claims", json!({ "amr": ["hwk", "pin"], "acr": "urn:corp:loa:high" })).await;
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, "kim").await;
    let code = page.redirect_params().remove("code").expect("a code");
    let tokens = e2e::rp::exchange_code(&app, &code, req.verifier).await.expect("code exchange");
    let claims = e2e::rp::jwt_claims(&tokens.id_token().unwrap().to_string());
    assert_eq!(claims["amr"], json!(["hwk", "pin"]));
    assert_eq!(claims["acr"], "urn:corp:loa:high");
    // …and stay in the ID tokens issued on refresh.
    let refreshed = app
        .exchange_refresh_token(tokens.refresh_token().expect("a refresh token"))
        .unwrap()
        .request_async(&e2e::rp::http_client())
        .await
        .expect("refresh");
    let claims = e2e::rp::jwt_claims(&refreshed.id_token().expect("an ID token on refresh").to_string());
    assert_eq!((claims["acr"].as_str(), claims["amr"].clone()), (Some("urn:corp:loa:high"), json!(["hwk", "pin"])));
    fed.upstream.set_fault("none", json!({})).await;

    // A replayed callback, a forged state, a callback in another browser.
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let interaction = login.input("interaction").unwrap();
    let start = fed.hub.url(&format!("/upstream/corp/start?interaction={interaction}"));
    let callback_prefix = fed.hub.url("/upstream/corp/callback");
    let at_callback =
        drive_until(&browser, &fed.upstream.issuer, &start, "kim", |l| l.starts_with(&callback_prefix)).await;
    let callback = at_callback.location().unwrap();
    let elsewhere = Browser::new().get(&callback).await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST, "another browser: {}", elsewhere.body);
    let replay = browser.get(&callback).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "the state was taken once: {}", replay.body);
    let forged = browser.get(&fed.hub.url("/upstream/corp/callback?code=x&state=forged")).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);

    // Refused at the upstream: back on the login page, or, when routed there, to the app.
    let browser = Browser::new();
    let req = request(&app, &[("idp_hint", "corp")]);
    let mut page = browser.get(&req.url).await;
    while let Some(location) = page.location().filter(|l| !l.starts_with(REDIRECT)) {
        page = browser.get(&location).await;
        if page.url.contains("/interaction/") && page.status == StatusCode::OK {
            let uid = page.url.rsplit('/').next().unwrap().to_owned();
            page = browser.get(&format!("{}/interaction/{uid}/abort", fed.upstream.issuer)).await;
        }
    }
    let params = page.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"), "{params:?}");

    // An upstream that is down (never reached, so nothing is cached).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down_key = json!({ "slug": "gone", "display_name": "Gone", "kind": "oidc",
        "issuer": format!("http://127.0.0.1:{closed}"), "client_id": "hub", "enabled": true });
    fed.admin.post("/social-login-keys", down_key).await.ok(StatusCode::CREATED);
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let interaction = login.input("interaction").unwrap();
    let down = browser.get(&fed.hub.url(&format!("/upstream/gone/start?interaction={interaction}"))).await;
    assert_eq!(down.status, StatusCode::BAD_GATEWAY, "{}", down.body);
    assert!(down.body.contains("Gone is not answering"), "{}", down.body);
    // The same request, with its upstream shown as failed, still signs in another way.
    let page = continue_with_corp(&browser, &fed.upstream, &down, "kim").await;
    finish(&fed.hub, &app, req, &page).await;
    assert!(!fed.hub.log_text().contains("panicked"));
}

/// Signs `username` in through the upstream with `browser`, which keeps the sessions.
async fn signed_in_browser(fed: &Federation, app: &AppClient, username: &str) -> (Browser, Value) {
    let browser = Browser::new();
    let req = request(app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, username).await;
    let (claims, _) = finish(&fed.hub, app, req, &page).await;
    (browser, claims)
}

/// Whether the browser still has a hub session: `prompt=none` answers with a code.
async fn hub_session_alive(browser: &Browser, app: &AppClient) -> bool {
    let page = browser.get(&request(app, &[("prompt", "none")]).url).await;
    let params = page.redirect_params();
    match params.get("error").map(String::as_str) {
        Some("login_required") => false,
        None if params.contains_key("code") => true,
        other => panic!("prompt=none answered {other:?}: {params:?}"),
    }
}

#[tokio::test]
async fn signing_out_at_the_upstream_ends_the_hub_session_and_tells_the_app() {
    let fed = Federation::start(json!({})).await;
    let receiver = e2e::backchannel::LogoutReceiver::start().await;
    let app = fed.app(json!({ "backchannel_logout_uri": receiver.uri })).await;
    let discovery: Value =
        reqwest::get(fed.hub.url("/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    assert_eq!(discovery["backchannel_logout_supported"], true);
    assert_eq!(discovery["backchannel_logout_session_supported"], true);

    let (browser, claims) = signed_in_browser(&fed, &app, "lena").await;
    assert!(hub_session_alive(&browser, &app).await);

    // At the upstream: its own logout page, "Yes, sign me out".
    let confirm = browser.get(&format!("{}/session/end", fed.upstream.issuer)).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    browser.submit(&confirm, &[("logout", "yes")]).await;

    let tokens = receiver.wait_for(1, std::time::Duration::from_secs(10)).await;
    assert_eq!(tokens.len(), 1, "the app is told once");
    let logout = e2e::backchannel::verify_hub_logout_token(&fed.hub.issuer, &tokens[0]).await;
    assert_eq!(logout["sid"], claims["sid"], "the session the app's ID token named");
    assert_eq!(logout["sub"], claims["sub"]);
    assert_eq!(logout["aud"], claims["aud"]);
    assert!(logout["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(logout.get("nonce").is_none());
    assert!(!hub_session_alive(&browser, &app).await, "the hub session ended with the upstream's");

    let lena = fed.user_id("lena").await;
    let sessions = fed.admin.get(&format!("/sessions?user_id={lena}")).await.ok(StatusCode::OK);
    assert_eq!(sessions["total"], 0, "{sessions}");
    let audit = fed.admin.get("/audit-events?action=logout.backchannel").await.ok(StatusCode::OK);
    assert_eq!(audit["total"], 1);
}

#[tokio::test]
async fn upstream_logout_tokens_are_validated_and_accepted_once() {
    let fed = Federation::start(json!({})).await;
    let receiver = e2e::backchannel::LogoutReceiver::start().await;
    let app = fed.app(json!({ "backchannel_logout_uri": receiver.uri })).await;
    let (browser, _) = signed_in_browser(&fed, &app, "mona").await;
    let endpoint = fed.hub.url("/upstream/corp/backchannel-logout");
    let post = |token: String| {
        let endpoint = endpoint.clone();
        async move {
            let response = reqwest::Client::new().post(endpoint).form(&[("logout_token", token)]).send().await.unwrap();
            let status = response.status();
            let no_store = response.headers().get("cache-control").and_then(|v| v.to_str().ok()) == Some("no-store");
            let body = response.text().await.unwrap();
            (status, no_store, body)
        }
    };
    // Each of these is refused with 400, and the session stays.
    let now = chrono_now();
    let sub = json!("mona");
    let refused = [
        ("wrong audience", fed.upstream.logout_token(json!({ "sub": sub, "aud": "someone-else" }), true).await),
        ("a nonce", fed.upstream.logout_token(json!({ "sub": sub, "nonce": "n" }), true).await),
        ("no event", fed.upstream.logout_token(json!({ "sub": sub, "events": {} }), true).await),
        ("neither sid nor sub", fed.upstream.logout_token(json!({}), true).await),
        ("no jti", fed.upstream.logout_token(json!({ "sub": sub, "jti": null }), true).await),
        ("no exp", fed.upstream.logout_token(json!({ "sub": sub, "exp": null }), true).await),
        (
            "an old iat",
            fed.upstream.logout_token(json!({ "sub": sub, "iat": now - 3600, "exp": now + 60 }), true).await,
        ),
        ("expired", fed.upstream.logout_token(json!({ "sub": sub, "iat": now - 300, "exp": now - 200 }), true).await),
        ("an unpublished key", fed.upstream.logout_token(json!({ "sub": sub }), false).await),
        ("another issuer", fed.upstream.logout_token(json!({ "sub": sub, "iss": "https://evil.example" }), true).await),
        ("unsigned", unsigned(&fed.upstream.logout_token(json!({ "sub": sub }), true).await)),
        ("not a JWT", "garbage".to_owned()),
    ];
    for (what, token) in refused {
        let (status, no_store, body) = post(token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert!(no_store, "{what}: no-store");
        assert!(body.contains("invalid_request"), "{what}: {body}");
    }
    assert!(hub_session_alive(&browser, &app).await, "no refused token ended the session");
    assert!(receiver.tokens().is_empty());

    // A valid token naming the user by `sub` ends their sessions from this upstream; the
    // same token again is a replay.
    let valid = fed.upstream.logout_token(json!({ "sub": "mona" }), true).await;
    let (status, no_store, body) = post(valid.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(no_store);
    assert!(!hub_session_alive(&browser, &app).await);
    assert_eq!(receiver.wait_for(1, std::time::Duration::from_secs(10)).await.len(), 1);
    let (status, _, body) = post(valid).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a replay: {body}");
    assert!(body.contains("already used"), "{body}");
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The same claims with `alg: none` and no signature.
fn unsigned(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"logout+jwt"}"#))
}

#[tokio::test]
async fn an_oauth2_upstream_shaped_like_github_signs_in_without_an_id_token() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    let github = e2e::github::Github::start("Iv1.hub", "github-secret").await;
    let octocat = e2e::github::GithubAccount {
        id: 583231,
        login: "octocat".into(),
        name: "The Octocat".into(),
        emails: vec![
            ("octocat@users.noreply.github.com".into(), false, true),
            ("octo@corp.example.com".into(), true, true),
        ],
    };
    github.sign_in_as(octocat.clone());
    // The preset's endpoints, moved to the stand-in; everything else is the preset's.
    let key = json!({
        "slug": "github",
        "display_name": "GitHub",
        "kind": "github",
        "authorization_endpoint": format!("{}/login/oauth/authorize", github.base),
        "token_endpoint": format!("{}/login/oauth/access_token", github.base),
        "userinfo_endpoint": format!("{}/user", github.base),
        "client_id": "Iv1.hub",
        "client_secret": "github-secret",
        "enabled": true,
        "allow_signup": true,
        "trust_email": true,
    });
    let created = admin.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
    assert_eq!(created["scopes"], json!(["read:user", "user:email"]));
    assert_eq!(created["username_claim"], "login");
    let app = register_app(&hub, &admin, json!({})).await;

    // The stand-in approves at once, as GitHub does for an app already authorised.
    let sign_in = || async {
        let browser = Browser::new();
        let req = request(&app, &[("idp_hint", "github")]);
        let page = drive(&browser, &github.base, &req.url, "unused").await;
        finish(&hub, &app, req, &page).await
    };
    let (claims, info) = sign_in().await;
    let user = user_id(&admin, "octocat").await;
    assert_eq!(claims["sub"], user);
    assert_eq!(info["email"], "octo@corp.example.com", "the verified primary address from /user/emails");
    assert_eq!(info["email_verified"], true, "verified at GitHub, and the key trusts it");
    assert_eq!(info["name"], "The Octocat");
    let links = admin.get(&format!("/users/{user}/upstream-identities")).await.ok(StatusCode::OK);
    // The endpoints moved (as for a GitHub Enterprise server): identities are keyed by
    // where the tokens come from, not by github.com, whose ids they would collide with.
    assert_eq!(links[0]["issuer"], github.base.as_str());
    assert_eq!(links[0]["subject"], "583231", "GitHub's numeric id is the subject");
    assert!(claims.get("amr").is_none(), "GitHub states no authentication method");

    let (again, _) = sign_in().await;
    assert_eq!(again["sub"], user, "the same hub user every time");

    // Another GitHub account whose primary address is not verified: no e-mail link to
    // the hub user who has it, and since a hub user holds the address, no sign-up either.
    hub.add_user("pat", "pat's password", &["--email", "pat@corp.example.com", "--email-verified"]);
    github.sign_in_as(e2e::github::GithubAccount {
        id: 7,
        login: "pat-gh".into(),
        name: "Pat".into(),
        emails: vec![("pat@corp.example.com".into(), true, false)],
    });
    let browser = Browser::new();
    let req = request(&app, &[("idp_hint", "github")]);
    let page = drive(&browser, &github.base, &req.url, "unused").await;
    let params = page.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"), "{params:?}");
}

#[tokio::test]
async fn a_hub_signs_in_through_another_hub() {
    crate::backend();
    // The upstream hub, on another host name (its cookies are its own), with a user.
    let upstream = TestHub::spawn_at("localhost", &[]).await;
    let nina = upstream.add_user(
        "nina",
        "nina's password 1",
        &["--email", "nina@corp.example.com", "--email-verified", "--name", "Nina N", "--group", "staff"],
    );
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    // At the upstream hub, the downstream hub is a confidential client like any app.
    let redirect = hub.url("/upstream/corp-hub/callback");
    let creds = upstream.add_client(&["--name", "Downstream hub", "--redirect-uri", &redirect, "--skip-authorization"]);
    let key = json!({
        "slug": "corp-hub",
        "display_name": "Corp Hub",
        "kind": "hub",
        "issuer": upstream.issuer,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "scopes": ["openid", "profile", "email", "groups"],
        "enabled": true,
        "allow_signup": true,
        "trust_email": true,
        "groups_claim": "groups",
    });
    admin.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
    let app = register_app(&hub, &admin, json!({})).await;

    // The app → this hub → the upstream hub's own login page → back through both.
    let browser = Browser::new();
    let req = request(&app, &[("idp_hint", "corp-hub")]);
    let mut page = browser.get(&req.url).await;
    while let Some(location) = page.location().filter(|l| !l.starts_with(REDIRECT)) {
        page = browser.get(&location).await;
        if page.url.starts_with(&upstream.url("/login")) && page.status == StatusCode::OK {
            page = browser.submit(&page, &[("username", "nina"), ("password", "nina's password 1")]).await;
        }
    }
    let (claims, info) = finish(&hub, &app, req, &page).await;
    let here = user_id(&admin, "nina").await;
    assert_eq!(claims["sub"], here, "this hub's user");
    assert_ne!(here, nina, "a user of its own, linked to the upstream hub's");
    assert_eq!(claims["amr"], json!(["pwd"]), "the upstream hub's password sign-in, carried through");
    assert_eq!(info["email"], "nina@corp.example.com");
    assert_eq!(info["email_verified"], true);
    assert_eq!(info["name"], "Nina N");
    assert_eq!(info["groups"], json!(["corp-hub:staff"]));
    let links = admin.get(&format!("/users/{here}/upstream-identities")).await.ok(StatusCode::OK);
    assert_eq!(links[0]["issuer"], upstream.issuer.as_str());
    assert_eq!(links[0]["subject"], nina.as_str());
}

#[tokio::test]
async fn a_person_signs_in_through_the_upstream_in_chromium() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        dir.join("node_modules/playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "playwright-core or Chromium is missing: run tests/run (it installs both)"
    );
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({})).await;
    let mut sub = None;
    for _ in 0..2 {
        let req = request(&app, &[]);
        let url = req.url.clone();
        let output = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || {
                std::process::Command::new("node")
                    .current_dir(&dir)
                    .args(["federated-login.mjs", &url, REDIRECT, "Corp SSO", "olga"])
                    .output()
                    .expect("node runs")
            }
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "the browser run failed:\n{}\n{stdout}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
        let redirect = report["redirect"].as_str().unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("location", redirect.parse().unwrap());
        let page = Page { url: REDIRECT.into(), status: StatusCode::SEE_OTHER, headers, body: String::new() };
        let (claims, _) = finish(&fed.hub, &app, req, &page).await;
        // A fresh browser each time: the same hub user every time.
        let this = claims["sub"].as_str().unwrap().to_owned();
        assert_eq!(*sub.get_or_insert_with(|| this.clone()), this);
    }
    assert_eq!(sub.unwrap(), fed.user_id("olga").await);
}

#[tokio::test]
async fn signing_out_of_the_hub_continues_at_the_upstream_and_comes_back_to_the_app() {
    const SIGNED_OUT: &str = "http://127.0.0.1:9/signed-out";
    let fed = Federation::start(json!({ "end_upstream_session": true })).await;
    let key = fed.admin.get("/social-login-keys/corp").await.ok(StatusCode::OK);
    assert_eq!(key["post_logout_redirect_uri"], fed.hub.url("/upstream/logged-out"));
    let app = fed.app(json!({ "post_logout_redirect_uris": [SIGNED_OUT] })).await;
    let (browser, claims) = signed_in_browser(&fed, &app, "pia").await;
    let client_id = claims["aud"].as_str().unwrap().to_owned();

    // The hub's own confirmation, then on to the upstream's end-session endpoint.
    let logout =
        format!("{}?client_id={client_id}&post_logout_redirect_uri={SIGNED_OUT}&state=bye", fed.hub.url("/logout"));
    let confirm = browser.get(&logout).await;
    let to_upstream = browser.submit(&confirm, &[]).await;
    let location = to_upstream.location().unwrap();
    assert!(location.starts_with(&format!("{}/session/end?", fed.upstream.issuer)), "{location}");
    assert!(!hub_session_alive(&browser, &app).await, "the hub session has ended already");

    // The upstream's confirmation, then back through the hub to the app's address.
    let upstream_confirm = browser.get(&location).await;
    let mut page = browser.submit(&upstream_confirm, &[("logout", "yes")]).await;
    while let Some(next) = page.location().filter(|l| !l.starts_with(SIGNED_OUT)) {
        page = browser.get(&next).await;
    }
    assert_eq!(page.location().as_deref(), Some(format!("{SIGNED_OUT}?state=bye").as_str()));

    // Signed out at the upstream too: its login form is back.
    let req = request(&app, &[("idp_hint", "corp")]);
    let mut page = browser.get(&req.url).await;
    while let Some(next) = page.location() {
        page = browser.get(&next).await;
    }
    assert!(page.body.contains("name=\"login\""), "the upstream asks for the login again: {}", page.body);

    // A forged or replayed way back ends on the hub's own page, never a redirect.
    let forged = Browser::new().get(&fed.hub.url("/upstream/logged-out?state=forged")).await;
    assert_eq!(forged.status, StatusCode::OK);
    assert!(forged.location().is_none());
}

/// Frappe and django-oauth-toolkit sign ID tokens with the client secret (HS256): the
/// hub checks them with its secret at the upstream, and so the upstream's logout tokens.
#[tokio::test]
async fn an_upstream_that_signs_with_the_client_secret_is_verified_with_it() {
    let fed = Federation::start_signing("HS256", json!({})).await;
    let receiver = e2e::backchannel::LogoutReceiver::start().await;
    let app = fed.app(json!({ "backchannel_logout_uri": receiver.uri })).await;
    let (browser, claims) = signed_in_browser(&fed, &app, "ruth").await;
    assert_eq!(claims["sub"], fed.user_id("ruth").await);
    let confirm = browser.get(&format!("{}/session/end", fed.upstream.issuer)).await;
    browser.submit(&confirm, &[("logout", "yes")]).await;
    assert_eq!(
        receiver.wait_for(1, std::time::Duration::from_secs(10)).await.len(),
        1,
        "the HS256 logout token was accepted"
    );
    assert!(!hub_session_alive(&browser, &app).await);

    // A token changed after its MAC was computed does not verify.
    fed.upstream.set_fault("tamper", json!({})).await;
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, "ruth").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
}

/// A generic OAuth 2.0 provider: explicit endpoints, its own client authentication, and a
/// claim mapping from its userinfo JSON (here the GitHub-shaped stand-in's).
#[tokio::test]
async fn a_generic_oauth2_upstream_is_read_through_its_claim_mapping() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    let provider = e2e::github::Github::start("generic-client", "generic-secret").await;
    provider.sign_in_as(e2e::github::GithubAccount {
        id: 4242,
        login: "sam".into(),
        name: "Sam Smith".into(),
        emails: vec![("sam@corp.example.com".into(), true, true)],
    });
    let key = json!({
        "slug": "intranet",
        "display_name": "Intranet",
        "kind": "oauth2",
        "authorization_endpoint": format!("{}/login/oauth/authorize", provider.base),
        "token_endpoint": format!("{}/login/oauth/access_token", provider.base),
        "userinfo_endpoint": format!("{}/user", provider.base),
        "token_endpoint_auth_method": "client_secret_post",
        "client_id": "generic-client",
        "client_secret": "generic-secret",
        "scopes": ["profile"],
        "username_claim": "login",
        "claim_mapping": { "sub": "id", "picture": "avatar_url" },
        "enabled": true,
        "allow_signup": true,
    });
    admin.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
    let app = register_app(&hub, &admin, json!({})).await;
    let req = request(&app, &[("idp_hint", "intranet")]);
    let page = drive(&Browser::new(), &provider.base, &req.url, "unused").await;
    let (claims, info) = finish(&hub, &app, req, &page).await;
    let sam = user_id(&admin, "sam").await;
    assert_eq!(claims["sub"], sam);
    assert_eq!(info["name"], "Sam Smith");
    assert_eq!(info["picture"], "https://avatars.githubusercontent.com/u/4242", "mapped from avatar_url");
    let links = admin.get(&format!("/users/{sam}/upstream-identities")).await.ok(StatusCode::OK);
    assert_eq!(links[0]["subject"], "4242", "mapped from id");
    assert_eq!(links[0]["issuer"], provider.base.as_str(), "no issuer configured: the token endpoint's origin");
}

#[tokio::test]
async fn the_upstream_must_name_itself_and_honour_max_age() {
    let fed = Federation::start(json!({})).await;
    let app = fed.app(json!({})).await;
    let callback = fed.hub.url("/upstream/corp/callback");

    // oidc-provider advertises RFC 9207: a response without `iss` is not from it.
    let browser = Browser::new();
    let req = request(&app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let start = fed.hub.url(&format!("/upstream/corp/start?interaction={}", login.input("interaction").unwrap()));
    let at_callback = drive_until(&browser, &fed.upstream.issuer, &start, "tom", |l| l.starts_with(&callback)).await;
    let mut stripped = url::Url::parse(&at_callback.location().unwrap()).unwrap();
    let kept: Vec<(String, String)> = stripped.query_pairs().into_owned().filter(|(name, _)| name != "iss").collect();
    stripped.query_pairs_mut().clear().extend_pairs(kept);
    let page = browser.get(stripped.as_str()).await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    let failures = fed.admin.get("/audit-events?action=login.upstream&outcome=failure").await.ok(StatusCode::OK);
    assert!(failures["items"][0]["detail"].as_str().unwrap().contains("no iss"), "{failures}");

    // max_age reaches the upstream, whose fresh sign-in satisfies it…
    let browser = Browser::new();
    let req = request(&app, &[("max_age", "60")]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, "tom").await;
    let (claims, _) = finish(&fed.hub, &app, req, &page).await;
    assert_eq!(claims["sub"], fed.user_id("tom").await);

    // …and an upstream that answers with an older sign-in is refused.
    let an_hour_ago = chrono_now() - 3600;
    fed.upstream.set_fault("claims", json!({ "auth_time": an_hour_ago })).await;
    let browser = Browser::new();
    let req = request(&app, &[("max_age", "60")]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, "tom").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    // Without max_age, the same answer is fine.
    let (claims, _) = sign_in_via_login_page(&fed, &app, "tom").await;
    assert_eq!(claims["auth_time"], an_hour_ago, "the upstream's auth_time is the session's");
}
