//! Tokens encrypted to the client (OIDC Core §10.2): a client registers its RSA key and
//! asks for encrypted ID tokens and userinfo responses. Authlib (Python), a JWE
//! implementation independent of the hub's, decrypts what the hub sent with the client's
//! private key; the `openidconnect` crate then verifies the ID token inside.

use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;

use e2e::rp::{app_client, http_client, jwt_claims};
use e2e::{AdminApi, Browser, TestHub};
use openidconnect::core::{CoreAuthenticationFlow, CoreIdToken};
use openidconnect::{AuthType, CsrfToken, Nonce, PkceCodeChallenge, Scope};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::code_flow::PASSWORD;

const REDIRECT: &str = "https://app.example/encrypted/callback";

/// Authlib, from the Flask-OIDC virtualenv that tests/run makes.
fn authlib(args: &[&str]) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop");
    let python = root.join("flask-oidc/.venv/bin/python");
    assert!(python.exists(), "run tests/run: it installs Authlib in {}", python.display());
    let output = Command::new(python).arg(root.join("authlib/jwe.py")).args(args).output().expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "jwe.py {args:?}:\n{}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(stdout.trim()).expect("JSON from jwe.py")
}

/// A compact JWE decrypted by Authlib with `private`: its header and its plaintext.
fn decrypt(private: &Value, token: &str) -> (Value, String) {
    assert_eq!(token.split('.').count(), 5, "a compact JWE: {token}");
    let decrypted = authlib(&["decrypt", &private.to_string(), token]);
    (decrypted["header"].clone(), decrypted["payload"].as_str().expect("a text payload").to_owned())
}

#[tokio::test]
async fn id_tokens_and_userinfo_are_encrypted_to_the_clients_key() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com", "--email-verified"]);
    let key = authlib(&["keygen", "rp-enc-1"]);
    let admin = AdminApi::new(&hub);
    let created = admin
        .post(
            "/clients",
            json!({
                "client_name": "Encrypted app",
                "redirect_uris": [REDIRECT],
                "skip_authorization": true,
                "jwks": { "keys": [key["public"]] },
                "id_token_encrypted_response_alg": "RSA1_5",
                "id_token_encrypted_response_enc": "A128CBC-HS256",
                "userinfo_encrypted_response_alg": "RSA-OAEP-256",
                "userinfo_encrypted_response_enc": "A256GCM",
            }),
        )
        .await
        .ok(StatusCode::CREATED);
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(created["id_token_encrypted_response_alg"], json!("RSA1_5"));

    let client = app_client(&hub.issuer, &client_id, Some(&secret), REDIRECT, AuthType::BasicAuth).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let page = Browser::new().sign_in(url.as_str(), "alice", PASSWORD).await;
    let code = page.redirect_params().remove("code").unwrap_or_else(|| panic!("a code: {page:?}"));
    // The crate reads only signed ID tokens, so the app's exchange is sent by hand.
    let tokens: Value = http_client()
        .post(hub.url("/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier.secret()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let encrypted = tokens["id_token"].as_str().unwrap_or_else(|| panic!("an ID token: {tokens}"));
    let (header, inner) = decrypt(&key["private"], encrypted);
    assert_eq!(header["alg"], json!("RSA1_5"));
    assert_eq!(header["enc"], json!("A128CBC-HS256"));
    assert_eq!(header["cty"], json!("JWT"), "a nested JWT (OIDC Core §10.2)");
    assert_eq!(header["kid"], json!("rp-enc-1"));
    let id_token = CoreIdToken::from_str(&inner).expect("a signed ID token inside");
    let claims = id_token.claims(&client.id_token_verifier(), &nonce).expect("signed by the hub, for the app");
    assert_eq!(claims.subject().as_str(), alice);

    // Userinfo: the claims as JSON, encrypted (no signature was asked for).
    let access_token = tokens["access_token"].as_str().unwrap();
    let userinfo = http_client().get(hub.url("/userinfo")).bearer_auth(access_token).send().await.unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
    assert_eq!(userinfo.headers()["content-type"], "application/jwt");
    let (header, plaintext) = decrypt(&key["private"], &userinfo.text().await.unwrap());
    assert_eq!((header["alg"].as_str(), header["enc"].as_str()), (Some("RSA-OAEP-256"), Some("A256GCM")));
    assert!(header.get("cty").is_none(), "claims, not a JWT: {header}");
    let released: Value = serde_json::from_str(&plaintext).expect("claims as JSON");
    assert_eq!(released["sub"], json!(alice));
    assert_eq!(released["email"], json!("alice@example.com"));
    assert_eq!(released["aud"], json!(client_id), "encrypted userinfo names its audience (§5.3.2)");

    // Signed, then encrypted: a nested JWT the hub signed with ES256.
    let mut changed = admin.get(&format!("/clients/{client_id}")).await.ok(StatusCode::OK);
    for read_only in ["client_id", "built_in", "dynamically_registered", "created_at", "updated_at"] {
        changed.as_object_mut().unwrap().remove(read_only);
    }
    changed["userinfo_signed_response_alg"] = json!("ES256");
    admin.put(&format!("/clients/{client_id}"), changed).await.ok(StatusCode::OK);
    e2e::eventually("signed and encrypted userinfo", || async {
        let body = http_client().get(hub.url("/userinfo")).bearer_auth(access_token).send().await.unwrap();
        let (header, plaintext) = decrypt(&key["private"], &body.text().await.unwrap());
        header["cty"] == json!("JWT") && jwt_claims(&plaintext)["sub"] == json!(alice)
    })
    .await;
}

#[tokio::test]
async fn encryption_needs_the_clients_keys_and_an_algorithm() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let admin = AdminApi::new(&hub);
    let base = || json!({ "client_name": "Encrypted app", "redirect_uris": [REDIRECT] });

    let mut no_keys = base();
    no_keys["id_token_encrypted_response_alg"] = json!("RSA-OAEP");
    let fields = admin.post("/clients", no_keys).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["id_token_encrypted_response_alg"]);

    let mut enc_alone = base();
    enc_alone["userinfo_encrypted_response_enc"] = json!("A128GCM");
    let fields = admin.post("/clients", enc_alone).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields, ["userinfo_encrypted_response_enc"]);

    // The CLI sets the same metadata, and refuses what it does not know in one line.
    let creds = hub.add_client(&[
        "--name",
        "Encrypted CLI app",
        "--redirect-uri",
        REDIRECT,
        "--jwks-uri",
        "http://127.0.0.1:9/jwks.json",
        "--id-token-encryption",
        "RSA-OAEP-256/A256GCM",
        "--userinfo-encryption",
        "RSA1_5",
    ]);
    let shown = admin.get(&format!("/clients/{}", creds.client_id)).await.ok(StatusCode::OK);
    assert_eq!(shown["id_token_encrypted_response_alg"], json!("RSA-OAEP-256"));
    assert_eq!(shown["id_token_encrypted_response_enc"], json!("A256GCM"));
    assert_eq!(shown["userinfo_encrypted_response_enc"], json!("A128CBC-HS256"), "the default enc");
    let args = ["client", "add", "--name", "X", "--redirect-uri", REDIRECT, "--id-token-encryption", "RSA-OAEP/A1"];
    let (ok, _, err) = hub.cli(&args, None);
    assert!(!ok && err.contains("unknown content encryption A1"), "{err}");

    let discovery: Value =
        http_client().get(hub.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    for name in ["id_token_encryption_alg_values_supported", "userinfo_encryption_alg_values_supported"] {
        assert_eq!(discovery[name], json!(["RSA1_5", "RSA-OAEP", "RSA-OAEP-256"]), "{name}");
    }
    assert!(discovery.get("request_object_encryption_alg_values_supported").is_none(), "none are decrypted");
}
