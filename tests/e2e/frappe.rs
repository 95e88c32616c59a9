//! Frappe's OAuth paths, as a Frappe app server's social login calls them (its "frappe"
//! preset: `frappe/utils/oauth.py`), at the root of the host of an issuer with a path
//! (and under that path too).
//! The app itself, rauth and all, runs in `examples` (examples/frappe); this checks each
//! answer's shape and the rules behind it.

use base64::Engine;
use e2e::{Browser, TestHub};
use reqwest::StatusCode;
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:9/api/method/frappe.www.login.login_via_frappe";
const METHODS: &str = "/api/method/frappe.integrations.oauth2.";

/// A state as Frappe makes one: standard base64 of a JSON object. This one holds `+`, `/`
/// and `=`, which must come back byte for byte.
fn frappe_state() -> String {
    let state = json!({"site": "http://127.0.0.1:9", "token": "~~~", "redirect_to": "/app?x=1"});
    let encoded = base64::engine::general_purpose::STANDARD.encode(state.to_string());
    assert!(encoded.contains('+') && encoded.contains('/') && encoded.ends_with('='), "{encoded}");
    encoded
}

struct FrappeSite {
    hub: TestHub,
    root: String,
    client_id: String,
    secret: String,
    alice: String,
}

async fn frappe_site() -> FrappeSite {
    let hub = TestHub::spawn_under("/sso", &[]).await;
    let alice = hub.add_user(
        "alice",
        crate::code_flow::PASSWORD,
        &["--email", "alice@example.com", "--email-verified", "--given-name", "Alice", "--family-name", "Liddell"],
    );
    let creds = hub.add_client(&[
        "--name",
        "Frappe site",
        "--redirect-uri",
        REDIRECT,
        "--auth-method",
        "client_secret_post",
        "--id-token-alg",
        "HS256",
    ]);
    let root = hub.issuer.trim_end_matches("/sso").to_owned();
    FrappeSite { root, client_id: creds.client_id, secret: creds.client_secret.expect("confidential"), hub, alice }
}

impl FrappeSite {
    fn method(&self, name: &str) -> String {
        format!("{}{METHODS}{name}", self.root)
    }

    /// Frappe's authorize request, alice's sign-in and consent: the code and the state.
    async fn authorize(&self, browser: &Browser, state: &str) -> (String, String) {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("state", state)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid")
            .append_pair("client_id", &self.client_id)
            .finish();
        let start = browser.get(&format!("{}?{query}", self.method("authorize"))).await;
        assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
        let authorize = start.location().expect("on to the hub's authorization endpoint");
        assert!(authorize.starts_with(&self.hub.url("/authorize?")), "{authorize}");
        let login = browser.sign_in(&authorize, "alice", crate::code_flow::PASSWORD).await;
        let consent = browser.get(&login.location().expect("to consent")).await;
        for shown in ["See your name and username", "See your e-mail address"] {
            assert!(consent.body.contains(shown), "consent shows what Frappe's openid means:\n{}", consent.body);
        }
        let back = browser.submit(&consent, &[("decision", "allow")]).await;
        let params = back.redirect_params();
        assert!(back.location().unwrap_or_default().starts_with(REDIRECT), "{:?}", back.location());
        (params["code"].clone(), params["state"].clone())
    }

    /// rauth's token request: a form with the code and the client's id and secret.
    async fn get_token(&self, code: &str) -> Value {
        let form = [
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("grant_type", "authorization_code"),
            ("client_id", &self.client_id),
            ("client_secret", &self.secret),
        ];
        let response = reqwest::Client::new().post(self.method("get_token")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn post(&self, name: &str, token: &str) -> (StatusCode, Value) {
        let form = [("token", token), ("client_id", &self.client_id), ("client_secret", &self.secret)];
        let response = reqwest::Client::new().post(self.method(name)).form(&form).send().await.unwrap();
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn a_frappe_site_signs_in_reads_the_profile_introspects_and_revokes_at_the_host_root() {
    crate::backend();
    let site = frappe_site().await;
    let browser = Browser::new();
    let state = frappe_state();
    let (code, returned_state) = site.authorize(&browser, &state).await;
    assert_eq!(returned_state, state, "the state comes back byte for byte");

    let tokens = site.get_token(&code).await;
    let access_token = tokens["access_token"].as_str().expect("access_token");
    assert_eq!(tokens["token_type"], "Bearer");
    // A Frappe primary server's ID token: HS256 with the client secret, with at_hash.
    let id_token = tokens["id_token"].as_str().expect("id_token");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&[&site.client_id]);
    validation.set_issuer(&[&site.hub.issuer]);
    let key = jsonwebtoken::DecodingKey::from_secret(site.secret.as_bytes());
    let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation).expect("HS256 with the secret").claims;
    assert!(claims["at_hash"].is_string(), "{claims}");

    let profile: Value = reqwest::Client::new()
        .get(site.method("openid_profile"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        profile,
        json!({
            "sub": site.alice, "name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell",
            "email": "alice@example.com", "iss": site.hub.issuer,
        })
    );

    let (status, introspected) = site.post("introspect_token", access_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(introspected["active"], true, "{introspected}");
    assert_eq!(introspected["client_id"], site.client_id.as_str());
    assert_eq!(introspected["trusted_client"], false);
    assert_eq!(introspected["scope"], "email openid profile");
    assert_eq!(introspected["email"], "alice@example.com", "Frappe's introspection carries the profile");

    let (status, revoked) = site.post("revoke_token", access_token).await;
    assert_eq!((status, revoked), (StatusCode::OK, json!({})));
    let (_, after) = site.post("introspect_token", access_token).await;
    assert_eq!(after, json!({"active": false}));

    // Also under the issuer's path, where Frappe's authorize and get_token go when its
    // "Base URL" is the issuer, and which the document names: there the hub alone answers.
    let configuration: Value = reqwest::get(site.method("openid_configuration")).await.unwrap().json().await.unwrap();
    assert_eq!(configuration["issuer"], site.hub.issuer.as_str());
    assert_eq!(configuration["token_endpoint"], site.hub.url(&format!("{METHODS}get_token")));
    assert_eq!(configuration["userinfo_endpoint"], site.hub.url(&format!("{METHODS}openid_profile")));
    assert_eq!(configuration["jwks_uri"], site.hub.url("/jwks.json"));
    let secrets_only = json!(["client_secret_basic", "client_secret_post"]);
    assert_eq!(configuration["token_endpoint_auth_methods_supported"], secrets_only);
    let under = reqwest::get(site.hub.url(&format!("{METHODS}openid_configuration"))).await.unwrap();
    assert_eq!(under.status(), StatusCode::OK);
}

/// A Frappe site signs in the account of the profile's e-mail, so an address that names
/// more than one user is not sent; another resource server introspecting the site's token
/// learns what `/introspect` tells it, not the profile.
#[tokio::test]
async fn frappes_profile_never_names_another_user() {
    crate::backend();
    let site = frappe_site().await;
    let browser = Browser::new();
    let (code, _) = site.authorize(&browser, &frappe_state()).await;
    let tokens = site.get_token(&code).await;
    let access_token = tokens["access_token"].as_str().expect("access_token");
    let profile = async || -> Value {
        let response = reqwest::Client::new().get(site.method("openid_profile")).bearer_auth(access_token).send();
        response.await.unwrap().json().await.unwrap()
    };
    assert_eq!(profile().await["email"], "alice@example.com");
    site.hub.add_user("mallory", crate::code_flow::PASSWORD, &["--email", "ALICE@example.com", "--email-verified"]);
    let shared = profile().await;
    assert!(shared.get("email").is_none(), "an address two users hold: {shared}");

    let api = site.hub.add_client(&["--name", "API", "--grant-type", "client_credentials"]);
    let secret = api.client_secret.expect("confidential");
    let response = reqwest::Client::new()
        .post(site.method("introspect_token"))
        .basic_auth(&api.client_id, Some(secret))
        .form(&[("token", access_token)])
        .send()
        .await
        .unwrap();
    let introspected: Value = response.json().await.unwrap();
    assert_eq!(introspected["active"], true, "{introspected}");
    assert!(introspected.get("trusted_client").is_none() && introspected.get("name").is_none(), "{introspected}");
}

/// Parameters go on to the authorization endpoint as they came, byte for byte, even
/// ones that are not UTF-8; only the scope is rewritten.
#[tokio::test]
async fn frappes_authorize_forwards_the_query_untouched_but_the_scope() {
    crate::backend();
    let site = frappe_site().await;
    let query = format!("client_id={}&state=a%FF%2B%2F%3D&scope=openid&x=%E2%82", site.client_id);
    let start = Browser::new().get(&format!("{}?{query}", site.method("authorize"))).await;
    let forwarded = start.location().expect("on to /authorize");
    let expected = format!("client_id={}&state=a%FF%2B%2F%3D&scope=openid+profile+email&x=%E2%82", site.client_id);
    assert!(forwarded.ends_with(&format!("/authorize?{expected}")), "{forwarded}");
}

#[tokio::test]
async fn frappes_paths_keep_the_hubs_rules() {
    crate::backend();
    let site = frappe_site().await;
    let http = reqwest::Client::new();
    // Frappe's introspection asks for no credentials; the hub's does.
    let anonymous = http.post(site.method("introspect_token")).form(&[("token", "x")]).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let profile = http.get(site.method("openid_profile")).bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!(profile.status(), StatusCode::UNAUTHORIZED);
    // An unregistered redirect URI is refused on the hub's error page, never redirected to.
    let browser = Browser::new();
    let query = format!(
        "client_id={}&redirect_uri=https%3A%2F%2Fevil.example%2F&response_type=code&scope=openid",
        site.client_id
    );
    let start = browser.get(&format!("{}?{query}", site.method("authorize"))).await;
    let page = browser.get(&start.location().expect("to the hub")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.location().is_none());
    // Revoking a token the hub does not know is fine (RFC 7009 §2.2); a wrong secret is not.
    let (status, error) = site.post("revoke_token", "x").await;
    assert_eq!(status, StatusCode::OK, "{error}");
    let wrong = [("token", "x"), ("client_id", site.client_id.as_str()), ("client_secret", "wrong")];
    let response = http.post(site.method("revoke_token")).form(&wrong).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn frappes_paths_can_be_turned_off() {
    crate::backend();
    let hub = TestHub::spawn_with(&[("HUB_FRAPPE_ENDPOINTS", "false")]).await;
    let response = reqwest::get(hub.url(&format!("{METHODS}openid_configuration"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
