//! Request objects (OIDC Core §6, RFC 9101) and pushed requests (RFC 9126): npm
//! `openid-client` signs its request with its own ES256 key (JAR) and pushes one (PAR); unsigned and HS256 objects made with the `jsonwebtoken` crate
//! show that the object's members supersede the query's and that a bad signature, a
//! wrong audience, another client's id or an unregistered private request URI are refused.

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::rp::{AppClient, app_client, exchange_code};
use e2e::{AdminApi, Browser, ClientCredentials, TestHub};
use jsonwebtoken::{EncodingKey, Header};
use openidconnect::core::CoreIdTokenVerifier;
use openidconnect::{AuthType, Nonce, PkceCodeChallenge, PkceCodeVerifier, TokenResponse};
use poem::listener::{Acceptor, Listener, TcpListener};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::code_flow::{PASSWORD, REDIRECT};

struct Setup {
    hub: TestHub,
    creds: ClientCredentials,
    client: AppClient,
}

async fn setup() -> Setup {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", REDIRECT, "--skip-authorization"]);
    let client =
        app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth).await;
    Setup { hub, creds, client }
}

impl Setup {
    /// The request's members, for the object; the PKCE verifier to exchange its code with.
    fn members(&self, state: &str) -> (Value, PkceCodeVerifier) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let members = json!({
            "response_type": "code", "client_id": self.creds.client_id, "redirect_uri": REDIRECT,
            "scope": "openid email", "state": state, "nonce": "nonce-from-the-object",
            "code_challenge": challenge.as_str(), "code_challenge_method": "S256",
            "iss": self.creds.client_id, "aud": self.hub.issuer,
        });
        (members, verifier)
    }

    fn hs256(&self, claims: &Value) -> String {
        let secret = self.creds.client_secret.as_deref().unwrap().as_bytes();
        jsonwebtoken::encode(&Header::default(), claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    /// `/authorize` with only what the query must carry besides the object.
    fn url(&self, name: &str, value: &str) -> String {
        let mut url = url::Url::parse(&self.hub.url("/authorize")).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", &self.creds.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("scope", "openid")
            .append_pair("state", "from-the-query")
            .append_pair(name, value);
        url.into()
    }
}

fn unsigned(claims: &Value) -> String {
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap());
    format!("{}.{}.", encode(&json!({"alg": "none"})), encode(claims))
}

#[tokio::test]
async fn the_objects_members_supersede_the_query_and_bad_objects_are_refused() {
    let s = setup().await;
    for case in ["unsigned", "HS256"] {
        let (members, verifier) = s.members("from-the-object");
        let jwt = if case == "HS256" { s.hs256(&members) } else { unsigned(&members) };
        let page = Browser::new().sign_in(&s.url("request", &jwt), "alice", PASSWORD).await;
        let params = page.redirect_params();
        assert_eq!(params.get("state").map(String::as_str), Some("from-the-object"), "{case}: {params:?}");
        let tokens = exchange_code(&s.client, &params["code"], verifier).await.expect("the code exchanges");
        let nonce = Nonce::new("nonce-from-the-object".into());
        let claims = tokens.id_token().unwrap().claims(&s.client.id_token_verifier(), &nonce).expect(case);
        assert_eq!(claims.email().map(|e| e.as_str()), Some("alice@example.com"), "{case}: the object's scope");
    }

    let (members, _) = s.members("x");
    let wrong_key =
        jsonwebtoken::encode(&Header::default(), &members, &EncodingKey::from_secret(b"not the secret")).unwrap();
    let mut other_audience = members.clone();
    other_audience["aud"] = json!("https://elsewhere.example");
    let mut other_client = members.clone();
    other_client["client_id"] = json!("someone-else");
    let mut other_response_type = members.clone();
    other_response_type["response_type"] = json!("id_token");
    let cases = [
        ("a wrong signature", wrong_key),
        ("another audience", s.hs256(&other_audience)),
        ("another client_id", unsigned(&other_client)),
        ("a response_type the query contradicts", unsigned(&other_response_type)),
        ("not a JWT", "not-a-jwt".to_owned()),
    ];
    for (case, jwt) in cases {
        let page = Browser::new().get(&s.url("request", &jwt)).await;
        let params = page.redirect_params();
        assert_eq!(params.get("error").map(String::as_str), Some("invalid_request_object"), "{case}: {params:?}");
        assert_eq!(params.get("state").map(String::as_str), Some("from-the-query"), "{case}: the query's state");
    }
    let page = Browser::new().get(&format!("{}&request_uri=https://app.example/r.jwt", s.url("request", "x.y."))).await;
    assert_eq!(page.redirect_params().get("error").map(String::as_str), Some("invalid_request"), "both at once");
}

/// Serves one request object and counts what it is asked for.
async fn serve(jwt: String) -> (String, Arc<Mutex<Vec<String>>>) {
    use poem::{EndpointExt, Route, Server, get, handler, web::Data};
    #[handler]
    fn object(req: &poem::Request, Data((jwt, asked)): Data<&(String, Arc<Mutex<Vec<String>>>)>) -> String {
        asked.lock().unwrap().push(req.uri().path().to_owned());
        jwt.clone()
    }
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let app = Route::new().at("/*path", get(object)).data((jwt, asked.clone()));
    tokio::spawn(async move { Server::new_with_acceptor(acceptor).run(app).await });
    (format!("http://127.0.0.1:{port}"), asked)
}

#[tokio::test]
async fn a_registered_request_uri_is_fetched_and_a_private_unregistered_one_never_is() {
    let s = setup().await;
    let (members, verifier) = s.members("by-reference");
    let (base, asked) = serve(s.hs256(&members)).await;
    let registered = format!("{base}/registered.jwt");
    let admin = AdminApi::new(&s.hub);
    let mut client = admin.get(&format!("/clients/{}", s.creds.client_id)).await.ok(StatusCode::OK);
    client["request_uris"] = json!([registered]);
    for read_only in ["client_id", "built_in", "dynamically_registered", "created_at", "updated_at"] {
        client.as_object_mut().unwrap().remove(read_only);
    }
    admin.put(&format!("/clients/{}", s.creds.client_id), client).await.ok(StatusCode::OK);
    // The hub caches clients for a few seconds: the change shows once that has passed.
    e2e::eventually("the registered request_uri", || async {
        let page = Browser::new().get(&s.url("request_uri", &registered)).await;
        !page.redirect_params().contains_key("error") || page.status == StatusCode::OK
    })
    .await;

    let page = Browser::new().sign_in(&s.url("request_uri", &registered), "alice", PASSWORD).await;
    let params = page.redirect_params();
    assert_eq!(params.get("state").map(String::as_str), Some("by-reference"), "{params:?}");
    exchange_code(&s.client, &params["code"], verifier).await.expect("the code exchanges");

    // Not registered, and on this machine: the hub never calls its own network for it.
    let stranger = format!("{base}/chosen-by-a-stranger.jwt");
    let page = Browser::new().get(&s.url("request_uri", &stranger)).await;
    assert_eq!(page.redirect_params().get("error").map(String::as_str), Some("invalid_request_uri"));
    assert!(!asked.lock().unwrap().iter().any(|path| path.contains("stranger")), "never fetched");
}

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop/openid-client")
}

#[tokio::test]
async fn openid_client_signs_its_request_object_with_its_own_key() {
    crate::backend();
    let hub = TestHub::spawn().await;
    hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    let (ok, token, err) = hub.cli(&["registration-token", "add"], None);
    assert!(ok, "{err}");
    let (issuer, token) = (hub.issuer.clone(), token.trim().to_owned());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").current_dir(script_dir()).args(["jar.mjs", &issuer, &token, REDIRECT]).output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    let jar: Value = serde_json::from_str(stdout.trim()).unwrap();
    let url = jar["url"].as_str().unwrap();
    assert!(url.contains("request="), "the request travels in a JWT: {url}");

    // A registered client asks for consent.
    let browser = Browser::new();
    let page = browser.sign_in(url, "alice", PASSWORD).await;
    let page = browser.answer_consent(&page, "allow").await;
    let params = page.redirect_params();
    assert_eq!(params.get("state"), jar["state"].as_str().map(str::to_owned).as_ref(), "{params:?}");
    let (client_id, secret) = (jar["client_id"].as_str().unwrap(), jar["client_secret"].as_str().unwrap());
    let client = app_client(&hub.issuer, client_id, Some(secret), REDIRECT, AuthType::BasicAuth).await;
    let verifier = PkceCodeVerifier::new(jar["verifier"].as_str().unwrap().to_owned());
    let tokens = exchange_code(&client, &params["code"], verifier).await.expect("the code exchanges");
    let nonce = Nonce::new(jar["nonce"].as_str().unwrap().to_owned());
    let id_verifier: CoreIdTokenVerifier<'_> = client.id_token_verifier();
    tokens.id_token().unwrap().claims(&id_verifier, &nonce).expect("the ID token carries the object's nonce");
}

fn node(args: &[&str]) -> Value {
    let output = Command::new("node").current_dir(script_dir()).args(args).output().expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{args:?}: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(stdout.trim()).expect("JSON from the script")
}

/// Pushed authorization requests (RFC 9126): openid-client pushes, the browser carries
/// only the `request_uri`, which works once, for its own client.
#[tokio::test]
async fn openid_client_pushes_its_request_and_the_request_uri_works_once() {
    let s = setup().await;
    let secret = s.creds.client_secret.clone().unwrap();
    let args = ["par.mjs".to_owned(), s.hub.issuer.clone(), s.creds.client_id.clone(), secret, REDIRECT.to_owned()];
    let pushed =
        tokio::task::spawn_blocking(move || node(&args.iter().map(String::as_str).collect::<Vec<_>>())).await.unwrap();
    let url = pushed["url"].as_str().unwrap().to_owned();
    let query: std::collections::HashMap<String, String> =
        url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
    assert!(query["request_uri"].starts_with("urn:ietf:params:oauth:request_uri:"), "{url}");
    assert!(!query.contains_key("redirect_uri") && !query.contains_key("scope"), "only the reference travels: {url}");

    let page = Browser::new().sign_in(&url, "alice", PASSWORD).await;
    let params = page.redirect_params();
    assert_eq!(params.get("state").map(String::as_str), pushed["state"].as_str(), "{params:?}");
    let verifier = PkceCodeVerifier::new(pushed["verifier"].as_str().unwrap().to_owned());
    let tokens = exchange_code(&s.client, &params["code"], verifier).await.expect("the code exchanges");
    let nonce = Nonce::new(pushed["nonce"].as_str().unwrap().to_owned());
    tokens.id_token().unwrap().claims(&s.client.id_token_verifier(), &nonce).expect("the pushed nonce");

    let again = Browser::new().get(&url).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "a request_uri is taken once");
    assert!(again.body.contains("expired"), "{}", again.body);

    // Pushing needs the client's authentication; what it pushes is checked at once.
    let par = s.hub.url("/par");
    let anonymous = http_client_post(&par, None, &[("client_id", &s.creds.client_id), ("response_type", "code")]).await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED);
    let secret = s.creds.client_secret.as_deref().unwrap();
    let bad = http_client_post(
        &par,
        Some((&s.creds.client_id, secret)),
        &[("response_type", "code"), ("redirect_uri", "https://evil.example/cb"), ("scope", "openid")],
    )
    .await;
    assert_eq!((bad.0, bad.1["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{}", bad.1);

    // A client that must push cannot send its request in the query.
    let admin = AdminApi::new(&s.hub);
    let mut client = admin.get(&format!("/clients/{}", s.creds.client_id)).await.ok(StatusCode::OK);
    client["require_pushed_authorization_requests"] = json!(true);
    for read_only in ["client_id", "built_in", "dynamically_registered", "created_at", "updated_at"] {
        client.as_object_mut().unwrap().remove(read_only);
    }
    admin.put(&format!("/clients/{}", s.creds.client_id), client).await.ok(StatusCode::OK);
    let (members, _) = s.members("in-the-query");
    e2e::eventually("the client must push", || async {
        let page = Browser::new().get(&s.url("request", &unsigned(&members))).await;
        page.redirect_params().get("error").map(String::as_str) == Some("invalid_request")
    })
    .await;
}

async fn http_client_post(url: &str, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request = e2e::rp::http_client().post(url).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}
