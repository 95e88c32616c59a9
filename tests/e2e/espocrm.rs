//! EspoCRM's OIDC sign-in, replayed request by request as its source sends them
//! (`Espo/Core/Authentication/Oidc`, `client/src/handlers/login/oidc.js`): no discovery,
//! `prompt=consent`, PKCE, a `claims` request for its group claim in the ID token,
//! client_secret_post, an RS256 ID token whose `kid` it looks up in the JWKS, and a
//! back-channel logout whose token it reads its username claim from.

use base64::Engine;
use e2e::backchannel::LogoutReceiver;
use e2e::{AdminApi, Browser, TestHub};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;

const SITE: &str = "http://127.0.0.1:9/espo";

/// Espo's own query encoding (`encodeURIComponent`: a space is `%20`).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>().replace('+', "%20")
}

#[tokio::test]
async fn espocrm_signs_in_with_its_group_claim_and_finds_its_user_in_the_logout_token() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.cli(&["group", "add", "sales"], None);
    hub.add_user("alice", crate::code_flow::PASSWORD, &["--email", "alice@example.com", "--group", "sales"]);
    let receiver = LogoutReceiver::start().await;
    let redirect = format!("{SITE}/oauth-callback.php");
    let client = AdminApi::new(&hub)
        .post(
            "/clients",
            json!({
                "client_name": "EspoCRM",
                "redirect_uris": [redirect],
                "post_logout_redirect_uris": [SITE],
                "token_endpoint_auth_method": "client_secret_post",
                "backchannel_logout_uri": receiver.uri,
                "backchannel_logout_claims": ["preferred_username"],
            }),
        )
        .await
        .ok(StatusCode::CREATED);
    let (client_id, secret) = (client["client_id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());

    let (code, verifier) = espo_sign_in(&hub, client_id, "openid profile email phone").await;

    // The token request: a form with the secret in it, no Basic header.
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("client_secret", secret),
        ("code", code.as_str()),
        ("redirect_uri", redirect.as_str()),
        ("code_verifier", verifier.as_str()),
    ];
    let tokens: Value =
        reqwest::Client::new().post(hub.url("/token")).form(&form).send().await.unwrap().json().await.unwrap();
    let id_token = tokens["id_token"].as_str().unwrap_or_else(|| panic!("{tokens}"));

    // Espo picks the JWKS key by the token's kid: both must have one, and match.
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwks: Value = reqwest::get(hub.url("/jwks.json")).await.unwrap().json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert!(keys.iter().all(|key| key["kid"].is_string()), "every key has a kid: {jwks}");
    let jwk_set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    let jwk = jwk_set.find(header.kid.as_deref().expect("kid")).expect("the ID token's kid is published");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[client_id]);
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation).expect("valid as Espo checks").claims;
    assert_eq!(claims["nonce"], "9fq3zt");
    assert_eq!(claims["groups"], json!(["sales"]), "the group claim asked for in the ID token: {claims}");
    assert_eq!(claims["preferred_username"], "alice", "{claims}");

    // Signing out at the hub tells Espo, naming the user by its username claim.
    let sessions = AdminApi::new(&hub).get("/sessions").await.ok(StatusCode::OK);
    let sid = sessions["items"][0]["sid"].as_str().expect("alice's session");
    assert_eq!(AdminApi::new(&hub).delete(&format!("/sessions/{sid}")).await.status, StatusCode::NO_CONTENT);
    let delivered = receiver.wait_for(1, std::time::Duration::from_secs(10)).await;
    assert_eq!(delivered.len(), 1, "one logout token");
    let logout = e2e::backchannel::verify_hub_logout_token(&hub.issuer, &delivered[0]).await;
    assert_eq!(logout["aud"], client_id);
    assert_eq!(logout["preferred_username"], "alice", "{logout}");
    assert!(logout["sub"].is_string() && logout.get("email").is_none(), "only the claims the client chose: {logout}");
}

/// Espo's authorization request, parameter for parameter, and alice's sign-in and consent:
/// the code and the PKCE verifier.
async fn espo_sign_in(hub: &TestHub, client_id: &str, scope: &str) -> (String, String) {
    let redirect = format!("{SITE}/oauth-callback.php");
    let verifier = "v".repeat(64);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&verifier));
    let claims = json!({"id_token": {"groups": {"essential": true}}}).to_string();
    let query = [
        ("client_id", client_id),
        ("redirect_uri", redirect.as_str()),
        ("response_type", "code"),
        ("scope", scope),
        ("state", "k2j4h5"),
        ("nonce", "9fq3zt"),
        ("prompt", "consent"),
        ("claims", claims.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .map(|(name, value)| format!("{name}={}", encode(value)))
    .join("&");
    let browser = Browser::new();
    let signed_in =
        browser.sign_in(&hub.url(&format!("/authorize?{query}")), "alice", crate::code_flow::PASSWORD).await;
    let back = browser.answer_consent(&signed_in, "allow").await;
    let params = back.redirect_params();
    assert_eq!(params.get("state").map(String::as_str), Some("k2j4h5"), "{:?}", back.location());
    (params["code"].clone(), verifier)
}

/// A logout token carries the chosen claims the user granted the app, no others: nothing
/// its ID tokens could not tell it. An unverified e-mail never names the user.
#[tokio::test]
async fn logout_tokens_carry_only_the_claims_the_user_granted() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", crate::code_flow::PASSWORD, &["--email", "alice@example.com"]);
    let receiver = LogoutReceiver::start().await;
    let client = AdminApi::new(&hub)
        .post(
            "/clients",
            json!({
                "client_name": "EspoCRM",
                "redirect_uris": [format!("{SITE}/oauth-callback.php")],
                "backchannel_logout_uri": receiver.uri,
                "backchannel_logout_claims": ["preferred_username", "email"],
            }),
        )
        .await
        .ok(StatusCode::CREATED);
    let client_id = client["client_id"].as_str().unwrap();
    let admin = AdminApi::new(&hub);
    let end_sessions = async || {
        let sessions = admin.get("/sessions").await.ok(StatusCode::OK);
        for session in sessions["items"].as_array().unwrap() {
            admin.delete(&format!("/sessions/{}", session["sid"].as_str().unwrap())).await;
        }
    };

    espo_sign_in(&hub, client_id, "openid").await;
    end_sessions().await;
    let first = receiver.wait_for(1, std::time::Duration::from_secs(10)).await;
    let logout = e2e::backchannel::verify_hub_logout_token(&hub.issuer, &first[0]).await;
    assert!(logout.get("preferred_username").is_none() && logout.get("email").is_none(), "openid only: {logout}");

    espo_sign_in(&hub, client_id, "openid profile email").await;
    end_sessions().await;
    let second = receiver.wait_for(2, std::time::Duration::from_secs(10)).await;
    let logout = e2e::backchannel::verify_hub_logout_token(&hub.issuer, &second[1]).await;
    assert_eq!(logout["preferred_username"], "alice", "granted with profile: {logout}");
    assert!(logout.get("email").is_none(), "an unverified address names no one: {logout}");
}

#[tokio::test]
async fn logout_token_claims_must_be_user_claims_the_client_may_ask_for() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    for (claims, scope) in [(json!(["password"]), "openid profile"), (json!(["email"]), "openid profile")] {
        let body = json!({
            "client_name": "Espo", "redirect_uris": [format!("{SITE}/oauth-callback.php")],
            "scope": scope, "backchannel_logout_claims": claims,
        });
        let fields = admin.post("/clients", body).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields, ["backchannel_logout_claims[0]"], "{claims}");
    }
    let (ok, _, stderr) = hub.cli(
        &["client", "add", "--name", "Espo", "--redirect-uri", SITE, "--backchannel-logout-claim", "nickname"],
        None,
    );
    assert!(ok, "{stderr}");
}
