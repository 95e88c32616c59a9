//! Dynamic client registration (RFC 7591) and its management (RFC 7592): npm
//! `openid-client` registers itself with an initial access token and then signs in with
//! what it got; the rest drives the endpoints as the RFCs spell them, bad metadata and
//! bad tokens included.

use std::path::PathBuf;
use std::process::Command;

use e2e::rp::{JsonReply, http_client};
use e2e::{AdminApi, TestHub};
use reqwest::StatusCode;
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:9/registered/callback";

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop/openid-client")
}

fn node(args: &[&str]) -> Value {
    let output = Command::new("node").current_dir(script_dir()).args(args).output().expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{args:?} failed:\n{}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(stdout.trim()).expect("JSON from the script")
}

/// `hub registration-token add`: the token, printed once.
fn mint(hub: &TestHub, extra: &[&str]) -> String {
    let mut args = vec!["registration-token", "add"];
    args.extend_from_slice(extra);
    let (ok, out, err) = hub.cli(&args, None);
    assert!(ok, "registration-token add: {err}");
    out.trim().to_owned()
}

async fn register(hub: &TestHub, token: Option<&str>, metadata: &Value) -> JsonReply {
    let mut request = http_client().post(hub.url("/register")).json(metadata);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    JsonReply::read(request.send().await.unwrap()).await
}

fn web_client() -> Value {
    json!({ "client_name": "Notes", "redirect_uris": ["https://notes.example/cb"] })
}

#[tokio::test]
async fn openid_client_registers_with_an_initial_access_token_and_signs_in() {
    crate::backend();
    assert!(script_dir().join("node_modules/openid-client").exists(), "run tests/run: it installs openid-client");
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", crate::code_flow::PASSWORD, &["--email", "alice@example.com"]);
    let token = mint(&hub, &["--description", "notes team", "--max-uses", "1"]);

    let issuer = hub.issuer.clone();
    let registered =
        tokio::task::spawn_blocking(move || node(&["register.mjs", &issuer, &token, REDIRECT])).await.unwrap();
    let client_id = registered["client_id"].as_str().expect("client_id");
    let secret = registered["client_secret"].as_str().expect("a confidential client gets a secret");
    assert_eq!(registered["contacts"], json!(["ops@app.example"]));
    let expected_uri = hub.url(&format!("/register/{client_id}"));
    assert_eq!(registered["registration_client_uri"], expected_uri.as_str());

    // The registered client is an ordinary client, that always asks for consent.
    let stored = AdminApi::new(&hub).get(&format!("/clients/{client_id}")).await.ok(StatusCode::OK);
    assert_eq!(stored["dynamically_registered"], true);
    assert_eq!(stored["skip_authorization"], false);
    let (ok, list, _) = hub.cli(&["registration-token", "list"], None);
    assert!(ok && list.contains("\t1/1\t") && list.contains("notes team"), "one use spent: {list}");

    // openid-client signs alice in with the credentials it registered (consenting).
    let args: Vec<String> =
        ["login.mjs", &hub.issuer, client_id, secret, REDIRECT, "alice", crate::code_flow::PASSWORD]
            .iter()
            .map(|arg| arg.to_string())
            .collect();
    let login =
        tokio::task::spawn_blocking(move || node(&args.iter().map(String::as_str).collect::<Vec<_>>())).await.unwrap();
    assert_eq!(login["sub"], alice.as_str());
    assert_eq!(login["refreshed"], true);
}

#[tokio::test]
async fn registration_is_managed_with_the_registration_access_token() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let token = mint(&hub, &[]);
    let created = register(&hub, Some(&token), &web_client()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(created.json["client_secret_expires_at"], 0);
    assert_eq!(created.json["token_endpoint_auth_method"], "client_secret_basic", "RFC 7591's default");
    assert_eq!(created.json["grant_types"], json!(["authorization_code"]));
    let client_id = created.json["client_id"].as_str().unwrap().to_owned();
    let access = created.json["registration_access_token"].as_str().unwrap().to_owned();
    let uri = created.json["registration_client_uri"].as_str().unwrap().to_owned();

    let read = JsonReply::read(http_client().get(&uri).bearer_auth(&access).send().await.unwrap()).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json["client_name"], "Notes");
    assert!(read.json.get("client_secret").is_none(), "the secret is shown once");
    assert_eq!(read.json["registration_access_token"], access.as_str(), "paired with registration_client_uri");

    // RFC 7592 §2.2: the whole metadata again, with the client's own id.
    let mut replacement = json!({
        "client_id": client_id,
        "client_name": "Notes 2",
        "redirect_uris": ["https://notes.example/cb2"],
        "default_max_age": 600,
        "userinfo_signed_response_alg": "RS256",
    });
    let replaced =
        JsonReply::read(http_client().put(&uri).bearer_auth(&access).json(&replacement).send().await.unwrap()).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.json);
    assert_eq!(replaced.json["redirect_uris"], json!(["https://notes.example/cb2"]));
    assert_eq!(replaced.json["default_max_age"], 600);
    replacement["client_id"] = json!("someone-else");
    let wrong_id =
        JsonReply::read(http_client().put(&uri).bearer_auth(&access).json(&replacement).send().await.unwrap()).await;
    assert_eq!((wrong_id.status, wrong_id.error()), (StatusCode::BAD_REQUEST, "invalid_request"));

    // Another client's token, or none, gets 401 whatever the client id.
    let other = register(&hub, Some(&token), &web_client()).await;
    let other_access = other.json["registration_access_token"].as_str().unwrap();
    for bearer in [Some(other_access), Some("made-up"), None] {
        let mut request = http_client().get(&uri);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let refused = JsonReply::read(request.send().await.unwrap()).await;
        assert_eq!((refused.status, refused.error()), (StatusCode::UNAUTHORIZED, "invalid_token"), "{bearer:?}");
    }

    let deleted = http_client().delete(&uri).bearer_auth(&access).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = http_client().get(&uri).bearer_auth(&access).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED, "RFC 7592 §2.1: a deleted client is 401");
    AdminApi::new(&hub).get(&format!("/clients/{client_id}")).await.problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_metadata_and_bad_tokens_are_refused_with_the_rfc_error_codes() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let token = mint(&hub, &[]);
    let cases = [
        (json!({"redirect_uris": ["https://notes.example/cb#frag"]}), "invalid_redirect_uri", "a fragment"),
        (json!({"redirect_uris": ["http://notes.example/cb"]}), "invalid_redirect_uri", "http off loopback"),
        (json!({"redirect_uris": []}), "invalid_redirect_uri", "the code grant without a redirect URI"),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "id_token_signed_response_alg": "none"}),
            "invalid_client_metadata",
            "alg none",
        ),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "token_endpoint_auth_method": "tls_client_auth"}),
            "invalid_client_metadata",
            "an unknown auth method",
        ),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "jwks_uri": "https://notes.example/jwks",
                   "jwks": {"keys": []}}),
            "invalid_client_metadata",
            "jwks and jwks_uri",
        ),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "id_token_encrypted_response_alg": "RSA-OAEP"}),
            "invalid_client_metadata",
            "encryption the hub does not do",
        ),
        (json!({"redirect_uris": "https://notes.example/cb"}), "invalid_client_metadata", "a string for a list"),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "skip_authorization": true, "client_name": "Sneaky"}),
            "",
            "an unknown member is ignored",
        ),
        // What the hub fetches for a stranger's client must be on the public internet.
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "token_endpoint_auth_method": "private_key_jwt",
                   "jwks_uri": "http://127.0.0.1:8080/jwks"}),
            "invalid_client_metadata",
            "a loopback jwks_uri",
        ),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "backchannel_logout_uri": "https://169.254.169.254/x"}),
            "invalid_client_metadata",
            "the cloud metadata address",
        ),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "request_uris": ["https://localhost/r.jwt"]}),
            "invalid_client_metadata",
            "localhost",
        ),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "scope": "openid payments:write"}),
            "invalid_client_metadata",
            "a scope a resource server might trust",
        ),
        (
            json!({"redirect_uris": ["https://notes.example/cb"], "client_name": "Wiki\u{202e}ppa"}),
            "invalid_client_metadata",
            "a bidirectional override in the name",
        ),
    ];
    for (metadata, code, case) in cases {
        let reply = register(&hub, Some(&token), &metadata).await;
        if code.is_empty() {
            assert_eq!(reply.status, StatusCode::CREATED, "{case}: {}", reply.json);
            let id = reply.json["client_id"].as_str().unwrap();
            let stored = AdminApi::new(&hub).get(&format!("/clients/{id}")).await.ok(StatusCode::OK);
            assert_eq!(stored["skip_authorization"], false, "{case}");
        } else {
            assert_eq!((reply.status, reply.error()), (StatusCode::BAD_REQUEST, code), "{case}: {}", reply.json);
        }
    }
    let not_json = http_client().post(hub.url("/register")).bearer_auth(&token).body("{").send().await.unwrap();
    assert_eq!(JsonReply::read(not_json).await.error(), "invalid_client_metadata");

    for bearer in [None, Some("made-up")] {
        let reply = register(&hub, bearer, &web_client()).await;
        assert_eq!((reply.status, reply.error()), (StatusCode::UNAUTHORIZED, "invalid_token"), "{bearer:?}");
    }
    let once = mint(&hub, &["--max-uses", "1"]);
    assert_eq!(register(&hub, Some(&once), &web_client()).await.status, StatusCode::CREATED);
    let spent = register(&hub, Some(&once), &web_client()).await;
    assert_eq!((spent.status, spent.error()), (StatusCode::UNAUTHORIZED, "invalid_token"), "used up");
    let (ok, _, err) = hub.cli(&["registration-token", "add", "--expires-in", "5"], None);
    assert!(!ok && err.contains("expires_in"), "{err}");
}

#[tokio::test]
async fn a_registered_client_is_shown_as_unverified_and_learns_only_of_its_own_tokens() {
    crate::backend();
    let hub = TestHub::spawn_with(&[("HUB_REGISTRATION", "open")]).await;
    hub.add_user("alice", crate::code_flow::PASSWORD, &["--email", "alice@example.com"]);
    let metadata = json!({"client_name": "Totally Official", "redirect_uris": ["https://notes.example/cb"],
                          "grant_types": ["authorization_code", "client_credentials"]});
    let registered = register(&hub, None, &metadata).await;
    let (client_id, secret) =
        (registered.json["client_id"].as_str().unwrap(), registered.json["client_secret"].as_str().unwrap());

    let url = format!(
        "{}?response_type=code&client_id={client_id}&redirect_uri=https://notes.example/cb&scope=openid&state=s\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        hub.url("/authorize")
    );
    let browser = e2e::Browser::new();
    let page = browser.sign_in(&url, "alice", crate::code_flow::PASSWORD).await;
    let location = page.location().expect("on to the consent page");
    assert!(location.contains("/consent"), "a registered client asks for consent: {location}");
    let consent_page = browser.get(&location).await;
    assert!(consent_page.body.contains("registered itself"), "{}", consent_page.body);
    assert!(consent_page.body.contains("notes.example"), "the host it returns to");

    // Another client's access token is not this client's business (RFC 7662 §4).
    let admin_made = hub.add_client(&[
        "--name",
        "App",
        "--redirect-uri",
        "https://app.example/cb",
        "--grant-type",
        "client_credentials",
    ]);
    let token: Value = http_client()
        .post(hub.url("/token"))
        .basic_auth(&admin_made.client_id, admin_made.client_secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap();
    let introspect = |id: String, secret: String, token: String| {
        let hub_url = hub.url("/introspect");
        async move {
            let response =
                http_client().post(hub_url).basic_auth(id, Some(secret)).form(&[("token", token)]).send().await;
            JsonReply::read(response.unwrap()).await.json
        }
    };
    let by_stranger = introspect(client_id.to_owned(), secret.to_owned(), access.to_owned()).await;
    assert_eq!(by_stranger, json!({"active": false}), "a registered client learns nothing of another's token");
    let own: Value = http_client()
        .post(hub.url("/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let own_token = own["access_token"].as_str().unwrap().to_owned();
    let by_itself = introspect(client_id.to_owned(), secret.to_owned(), own_token).await;
    assert_eq!(by_itself["active"], true, "its own token");
}

#[tokio::test]
async fn the_policy_opens_closes_and_rate_limits_registration() {
    crate::backend();
    let open = TestHub::spawn_with(&[("HUB_REGISTRATION", "open"), ("HUB_REGISTRATION_PER_ADDRESS", "2")]).await;
    assert_eq!(register(&open, None, &web_client()).await.status, StatusCode::CREATED, "no token needed");
    assert_eq!(register(&open, None, &web_client()).await.status, StatusCode::CREATED);
    let limited = register(&open, None, &web_client()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("retry-after").is_some_and(|secs| secs.parse::<u64>().is_ok()));

    let off = TestHub::spawn_with(&[("HUB_REGISTRATION", "off")]).await;
    let document: Value =
        http_client().get(off.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert!(document.get("registration_endpoint").is_none(), "discovery names only what works");
    assert_eq!(register(&off, None, &web_client()).await.status, StatusCode::NOT_FOUND);
}
