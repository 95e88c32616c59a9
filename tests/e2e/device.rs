//! The device authorization grant (RFC 8628): a device asks at `/device_authorization`,
//! the person enters the user code on the hub's page in a browser and signs in and
//! consents there, while the device polls the token endpoint: pending, slow_down,
//! expired_token, access_denied, tokens once, to its own client only.

use e2e::rp::{JsonReply, http_client, jwt_claims};
use e2e::{Browser, ClientCredentials, Page, TestHub};
use reqwest::StatusCode;
use serde_json::Value;

use crate::code_flow::PASSWORD;

/// A grant the hub answers at once in tests: one second between polls.
const FAST: (&str, &str) = ("HUB_DEVICE_POLL_INTERVAL_SECS", "1");

struct Setup {
    hub: TestHub,
    alice: String,
    tv: ClientCredentials,
}

/// A hub (with extra `settings`) where alice may sign in to "TV app", a confidential
/// client of the device grant (and refresh tokens) registered with no redirect URI.
async fn setup(settings: &[(&str, &str)]) -> Setup {
    crate::backend();
    let hub = TestHub::spawn_with(settings).await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    let tv = hub.add_client(&["--name", "TV app", "--grant-type", "device_code", "--grant-type", "refresh_token"]);
    Setup { hub, alice, tv }
}

impl Setup {
    /// `POST /device_authorization` as the TV app.
    async fn start(&self, scope: &str) -> Value {
        let reply = device_authorization(&self.hub, &self.tv, &[("scope", scope)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        reply.json
    }

    /// One poll of the token endpoint as the TV app.
    async fn poll(&self, device_code: &str) -> JsonReply {
        poll_as(&self.hub, &self.tv, device_code).await
    }
}

/// A POST of `form` to `path` as `client`: client_secret_basic, or `none` for a public one.
pub async fn post_as(hub: &TestHub, path: &str, client: &ClientCredentials, form: &[(&str, &str)]) -> JsonReply {
    let mut form = form.to_vec();
    let request = http_client().post(hub.url(path));
    let request = match &client.client_secret {
        Some(secret) => request.basic_auth(&client.client_id, Some(secret)),
        None => {
            form.push(("client_id", &client.client_id));
            request
        }
    };
    JsonReply::read(request.form(&form).send().await.expect("POST")).await
}

pub async fn device_authorization(hub: &TestHub, client: &ClientCredentials, form: &[(&str, &str)]) -> JsonReply {
    post_as(hub, "/device_authorization", client, form).await
}

async fn poll_as(hub: &TestHub, client: &ClientCredentials, device_code: &str) -> JsonReply {
    let form = [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", device_code)];
    post_as(hub, "/token", client, &form).await
}

/// Waits out one poll interval of `FAST`.
async fn interval() {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
}

/// Types `user_code` on the hub's page: the confirmation page it leads to.
pub async fn enter_code(hub: &TestHub, browser: &Browser, user_code: &str) -> Page {
    let form = browser.get(&hub.url("/device")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains(">Code</label>") && form.body.contains(">Continue</button>"), "{}", form.body);
    browser.submit(&form, &[("user_code", user_code)]).await
}

/// Enters the code, confirms it, signs alice in and answers the consent page with
/// `decision`: the page the flow ends on.
pub async fn sign_in_on_the_page(hub: &TestHub, browser: &Browser, user_code: &str, decision: &str) -> Page {
    let confirm = enter_code(hub, browser, user_code).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let letters = user_code.replace('-', "").to_uppercase();
    let shown = format!("{}-{}", &letters[..4], &letters[4..]);
    assert!(confirm.body.contains(&shown), "the code to compare with the device: {}", confirm.body);
    let to_login = browser.submit(&confirm, &[]).await;
    assert_eq!(to_login.status, StatusCode::SEE_OTHER, "{}", to_login.body);
    let login = browser.get(&to_login.location().expect("to the login page")).await;
    assert!(login.body.contains(">Password</label>"), "the same login page as any sign-in: {}", login.body);
    let signed_in = browser.submit(&login, &[("username", "alice"), ("password", PASSWORD)]).await;
    let done = browser.answer_consent(&signed_in, decision).await;
    assert!(done.location().is_none(), "no redirect at the end: {:?}", done.location());
    done
}

#[tokio::test]
async fn a_device_gets_the_tokens_of_a_code_exchange_once_the_user_signed_in() {
    let s = setup(&[FAST]).await;
    let discovery: Value =
        http_client().get(s.hub.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert_eq!(discovery["device_authorization_endpoint"], s.hub.url("/device_authorization"));
    let grants = discovery["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&Value::from("urn:ietf:params:oauth:grant-type:device_code")), "{grants:?}");

    let device = s.start("openid profile email").await;
    let user_code = device["user_code"].as_str().unwrap();
    assert!(user_code.len() == 9 && user_code.as_bytes()[4] == b'-', "XXXX-XXXX: {user_code}");
    assert!(user_code.chars().all(|c| c == '-' || "BCDFGHJKLMNPQRSTVWXZ".contains(c)), "{user_code}");
    assert_eq!(device["verification_uri"], s.hub.url("/device"));
    assert_eq!(device["verification_uri_complete"], format!("{}?user_code={user_code}", s.hub.url("/device")));
    assert_eq!(device["expires_in"], 600, "the default lifetime");
    assert_eq!(device["interval"], 1);
    let device_code = device["device_code"].as_str().unwrap();
    assert!(device_code.len() >= 43, "high entropy");
    assert_eq!(s.poll(device_code).await.error(), "authorization_pending");

    // Typed in lower case and without the dash, it is the same code.
    let typed = user_code.replace('-', "").to_lowercase();
    let done = sign_in_on_the_page(&s.hub, &Browser::new(), &typed, "allow").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("You can return to your device") && done.body.contains("TV app"), "{}", done.body);

    interval().await;
    let tokens = s.poll(device_code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.json);
    assert_eq!(tokens.header("cache-control"), Some("no-store"));
    assert_eq!(tokens.json["token_type"], "Bearer");
    assert_eq!(tokens.json["scope"], "email openid profile");
    assert!(tokens.json["refresh_token"].is_string(), "a client of the refresh_token grant gets one");
    let id_token = jwt_claims(tokens.json["id_token"].as_str().expect("an ID token with openid"));
    assert_eq!(id_token["sub"], s.alice.as_str());
    assert_eq!(id_token["aud"], s.tv.client_id.as_str());
    assert_eq!(id_token["iss"], s.hub.issuer.as_str());
    assert_eq!(id_token["amr"], serde_json::json!(["pwd"]));
    assert!(id_token["at_hash"].is_string() && id_token["sid"].is_string() && id_token["auth_time"].is_i64());
    assert!(id_token.get("nonce").is_none() && id_token.get("c_hash").is_none(), "no nonce, no code");
    let access_token = tokens.json["access_token"].as_str().unwrap();
    let userinfo: Value =
        http_client().get(s.hub.url("/userinfo")).bearer_auth(access_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(userinfo["email"], "alice@example.com");

    interval().await;
    let again = s.poll(device_code).await;
    assert_eq!(again.error(), "invalid_grant", "a device code is redeemed once: {}", again.json);
}

#[tokio::test]
async fn polling_before_the_interval_is_slow_down_and_the_interval_grows() {
    let s = setup(&[FAST]).await;
    let device = s.start("openid").await;
    let device_code = device["device_code"].as_str().unwrap();
    assert_eq!(s.poll(device_code).await.error(), "authorization_pending");
    let fast = s.poll(device_code).await;
    assert_eq!(fast.status, StatusCode::BAD_REQUEST);
    assert_eq!(fast.error(), "slow_down");
    // The interval is now six seconds: one more second is still too soon.
    interval().await;
    assert_eq!(s.poll(device_code).await.error(), "slow_down", "the interval grew by five seconds");
}

#[tokio::test]
async fn deny_on_the_consent_page_is_access_denied_for_the_device() {
    let s = setup(&[FAST]).await;
    let device = s.start("openid email").await;
    let done = sign_in_on_the_page(&s.hub, &Browser::new(), device["user_code"].as_str().unwrap(), "deny").await;
    assert_eq!(done.status, StatusCode::FORBIDDEN, "{}", done.body);
    assert!(done.body.contains("Access denied") && done.body.contains("You can return to your device"));
    let device_code = device["device_code"].as_str().unwrap();
    assert_eq!(s.poll(device_code).await.error(), "access_denied");
    interval().await;
    assert_eq!(s.poll(device_code).await.error(), "invalid_grant", "the answer is given once");
}

#[tokio::test]
async fn an_expired_device_code_is_expired_token_and_its_user_code_is_refused() {
    let s = setup(&[FAST, ("HUB_DEVICE_CODE_TTL_SECS", "1")]).await;
    let device = s.start("openid").await;
    assert_eq!(device["expires_in"], 1);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let expired = s.poll(device["device_code"].as_str().unwrap()).await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert_eq!(expired.error(), "expired_token");
    let page = enter_code(&s.hub, &Browser::new(), device["user_code"].as_str().unwrap()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("not valid, has expired"), "{}", page.body);
}

#[tokio::test]
async fn a_device_code_is_its_clients_only_and_unknown_ones_are_invalid_grant() {
    let s = setup(&[FAST]).await;
    let other = s.hub.add_client(&["--name", "Other TV", "--grant-type", "device_code"]);
    let device = s.start("openid").await;
    let device_code = device["device_code"].as_str().unwrap();

    let stolen = poll_as(&s.hub, &other, device_code).await;
    assert_eq!(stolen.error(), "invalid_grant", "another client's code: {}", stolen.json);
    assert_eq!(s.poll("not-a-device-code").await.error(), "invalid_grant");
    let no_code = post_as(&s.hub, "/token", &s.tv, &[("grant_type", "urn:ietf:params:oauth:grant-type:device_code")]);
    assert_eq!(no_code.await.error(), "invalid_request");

    // The other client's polls did not touch the code or its pace.
    assert_eq!(s.poll(device_code).await.error(), "authorization_pending");
    sign_in_on_the_page(&s.hub, &Browser::new(), device["user_code"].as_str().unwrap(), "allow").await;
    interval().await;
    assert_eq!(poll_as(&s.hub, &other, device_code).await.error(), "invalid_grant", "approved, still not theirs");
    assert_eq!(s.poll(device_code).await.status, StatusCode::OK);
}

#[tokio::test]
async fn device_authorization_checks_the_client_and_the_scope() {
    let s = setup(&[]).await;
    let web = s.hub.add_client(&["--name", "Wiki", "--redirect-uri", crate::code_flow::REDIRECT]);
    let refused = device_authorization(&s.hub, &web, &[("scope", "openid")]).await;
    assert_eq!(refused.error(), "unauthorized_client", "not registered for the device grant");
    let wrong = ClientCredentials { client_secret: Some("wrong".into()), ..s.tv.clone() };
    let unauthenticated = device_authorization(&s.hub, &wrong, &[("scope", "openid")]).await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unauthenticated.error(), "invalid_client");
    assert_eq!(device_authorization(&s.hub, &s.tv, &[("scope", "payroll")]).await.error(), "invalid_scope");
    assert_eq!(device_authorization(&s.hub, &s.tv, &[]).await.error(), "invalid_scope", "as /authorize: a scope");
    let device = s.start("openid payroll email").await;
    assert!(device["device_code"].is_string(), "unknown scopes are dropped, as at /authorize");

    // A public client (a CLI) authenticates with `none`.
    let cli = s.hub.add_client(&["--name", "CLI", "--public", "--grant-type", "device_code"]);
    let public = device_authorization(&s.hub, &cli, &[("scope", "openid")]).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.json);
}

#[tokio::test]
async fn the_user_code_page_explains_bad_codes_and_checks_its_form() {
    let s = setup(&[]).await;
    let browser = Browser::new();
    for typed in ["BCDF-GHJK", "not a code", "", &"X".repeat(5000)] {
        let page = enter_code(&s.hub, &browser, typed).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{typed:?}: {}", page.body);
        assert!(page.body.contains("That code is not valid"), "{typed:?}: {}", page.body);
        assert!(page.body.contains(">Code</label>"), "the form again");
    }
    let link = browser.get(&format!("{}?user_code=%3Cscript%3E", s.hub.url("/device"))).await;
    assert_eq!(link.status, StatusCode::BAD_REQUEST);
    assert!(!link.body.contains("<script>"), "escaped");

    // The device's link leads straight to the confirmation, which shows the app's name.
    let device = s.start("openid").await;
    let confirm = browser.get(device["verification_uri_complete"].as_str().unwrap()).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(confirm.body.contains("TV app") && confirm.body.contains(device["user_code"].as_str().unwrap()));

    // Without the form's CSRF token, or from another browser, nothing happens.
    let user_code = device["user_code"].as_str().unwrap();
    let forged = browser.post_form(&s.hub.url("/device"), &[("user_code", user_code), ("step", "confirm")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let fields = confirm.hidden_inputs();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let stranger = Browser::new().post_form(&s.hub.url("/device"), &fields).await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);
    // The code is still usable, once.
    let started = browser.submit(&confirm, &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let again = browser.submit(&confirm, &[]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "a confirmed code is used up: {}", again.body);
}

#[tokio::test]
async fn device_clients_come_from_the_admin_api_and_dynamic_registration_too() {
    let s = setup(&[("HUB_REGISTRATION", "open")]).await;
    let grant = "urn:ietf:params:oauth:grant-type:device_code";
    let body = serde_json::json!({
        "client_name": "Set-top box",
        "grant_types": [grant, "refresh_token"],
        "response_types": [],
        "token_endpoint_auth_method": "none",
    });
    let created = e2e::AdminApi::new(&s.hub).post("/clients", body).await.ok(StatusCode::CREATED);
    assert_eq!(created["grant_types"], serde_json::json!([grant, "refresh_token"]), "{created}");
    assert_eq!(created["redirect_uris"], serde_json::json!([]));
    let admin_made =
        ClientCredentials { client_id: created["client_id"].as_str().unwrap().into(), client_secret: None };
    assert_eq!(device_authorization(&s.hub, &admin_made, &[("scope", "openid")]).await.status, StatusCode::OK);

    // Registered by itself, with response_types left out: none, as its grants need.
    let request = http_client().post(s.hub.url("/register"));
    let metadata = serde_json::json!({ "grant_types": [grant], "token_endpoint_auth_method": "none" });
    let registered = JsonReply::read(request.json(&metadata).send().await.unwrap()).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.json);
    assert_eq!(registered.json["response_types"], serde_json::json!([]));
    let client_id = registered.json["client_id"].as_str().unwrap().into();
    let itself = ClientCredentials { client_id, client_secret: None };
    assert_eq!(device_authorization(&s.hub, &itself, &[("scope", "openid")]).await.status, StatusCode::OK);
}
