//! Pairwise subject identifiers (OIDC Core §8.1): the `openidconnect` crate signs in at
//! clients of two sectors and one public client, and checks what each is told `sub` is,
//! in the ID token, at userinfo and at introspection; a sector document that leaves out a
//! redirect URI is refused, through the admin API and through dynamic registration.

use std::sync::Arc;

use e2e::rp::{JsonReply, app_client, discover, exchange_code, http_client};
use e2e::{AdminApi, Browser, TestHub};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthType, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, Scope};
use poem::listener::{Acceptor, Listener, TcpListener};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::code_flow::PASSWORD;

/// Serves `document` at every path, as a sector's owner publishes its redirect URIs.
async fn serve_sector_document(document: Value) -> String {
    use poem::{EndpointExt, Route, Server, get, handler, web::Data, web::Json};
    #[handler]
    fn listed(Data(document): Data<&Arc<Value>>) -> Json<Value> {
        Json(document.as_ref().clone())
    }
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
    let app = Route::new().at("/*path", get(listed)).data(Arc::new(document));
    tokio::spawn(async move { Server::new_with_acceptor(acceptor).run(app).await });
    format!("http://127.0.0.1:{port}/sector.json")
}

struct Signed {
    /// `sub` of the ID token, as openidconnect validated it.
    subject: String,
    access_token: String,
    client_id: String,
    secret: String,
}

/// Alice signs in at a new consent-free client registered with `extra`.
async fn sign_in(hub: &TestHub, redirect: &str, extra: &[&str]) -> Signed {
    let mut args = vec!["--name", "Pairwise app", "--redirect-uri", redirect, "--skip-authorization"];
    args.extend_from_slice(extra);
    let creds = hub.add_client(&args);
    let secret = creds.client_secret.clone().expect("a confidential client");
    let client = app_client(&hub.issuer, &creds.client_id, Some(&secret), redirect, AuthType::BasicAuth).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let page = Browser::new().sign_in(url.as_str(), "alice", PASSWORD).await;
    let code = page.redirect_params().remove("code").unwrap_or_else(|| panic!("a code: {page:?}"));
    let tokens = exchange_code(&client, &code, verifier).await.expect("code exchange");
    let id_token = tokens.extra_fields().id_token().expect("an ID token");
    let claims = id_token.claims(&client.id_token_verifier(), &nonce).expect("a valid ID token");
    Signed {
        subject: claims.subject().to_string(),
        access_token: tokens.access_token().secret().clone(),
        client_id: creds.client_id,
        secret,
    }
}

// The CLI blocks the test's thread while the hub fetches the sector document from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sector_knows_the_user_by_its_own_sub_everywhere() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com", "--email-verified"]);
    assert_eq!(discover(&hub.issuer).await.subject_types_supported().len(), 2, "public and pairwise advertised");

    let pairwise = ["--subject-type", "pairwise"];
    let public = sign_in(&hub, "https://wiki.example/cb", &[]).await;
    let first = sign_in(&hub, "https://a.example/first/cb", &pairwise).await;
    let same_sector = sign_in(&hub, "https://a.example/second/cb", &pairwise).await;
    let other_sector = sign_in(&hub, "https://b.example/cb", &pairwise).await;
    // The document's host (127.0.0.1, where the test serves it) is the sector.
    let sector_uri = serve_sector_document(json!(["https://c.example/cb", "https://d.example/cb"])).await;
    let with_document = ["--subject-type", "pairwise", "--sector-identifier-uri", sector_uri.as_str()];
    let by_document = sign_in(&hub, "https://c.example/cb", &with_document).await;
    let same_document = sign_in(&hub, "https://d.example/cb", &with_document).await;
    // A native app's loopback redirect names no one: each such client is its own sector.
    let native = sign_in(&hub, "http://127.0.0.1/native/cb", &pairwise).await;
    let other_native = sign_in(&hub, "http://127.0.0.1/other/cb", &pairwise).await;

    assert_eq!(public.subject, alice, "a public client gets the hub's user id");
    assert_ne!(first.subject, alice, "a pairwise client never sees the user id");
    assert_eq!(first.subject, same_sector.subject, "one sector, one sub");
    assert_ne!(first.subject, other_sector.subject, "another host, another sector");
    assert_eq!(by_document.subject, same_document.subject, "two hosts, one sector document");
    assert_ne!(by_document.subject, first.subject);
    assert_ne!(native.subject, other_native.subject, "loopback clients do not share a sector");

    // Userinfo answers with the sub of the client's ID token (OIDC Core §5.3.2), and finds
    // alice behind it.
    let endpoint = discover(&hub.issuer).await.userinfo_endpoint().unwrap().url().to_string();
    let userinfo =
        JsonReply::read(http_client().get(&endpoint).bearer_auth(&first.access_token).send().await.unwrap()).await;
    assert_eq!(userinfo.status, StatusCode::OK, "{}", userinfo.json);
    assert_eq!(userinfo.json["sub"], json!(first.subject));
    assert_eq!(userinfo.json["email"], json!("alice@example.com"));

    // Introspection by the client itself tells the same sub.
    let introspected = http_client()
        .post(hub.url("/introspect"))
        .basic_auth(&first.client_id, Some(&first.secret))
        .form(&[("token", first.access_token.as_str())])
        .send()
        .await
        .unwrap();
    let introspected: Value = introspected.json().await.unwrap();
    assert_eq!(introspected["active"], json!(true), "{introspected}");
    assert_eq!(introspected["sub"], json!(first.subject));
}

#[tokio::test]
async fn a_sector_document_must_list_every_redirect_uri() {
    crate::backend();
    let hub =
        TestHub::spawn_with(&[("HUB_REGISTRATION", "open"), ("HUB_REGISTRATION_ALLOW_PRIVATE_URLS", "true")]).await;
    let admin = AdminApi::new(&hub);
    let sector_uri = serve_sector_document(json!(["https://app.example/other"])).await;
    let pairwise = |redirects: Value, sector: Option<&str>| {
        let mut client = json!({ "client_name": "Sector app", "redirect_uris": redirects, "subject_type": "pairwise" });
        if let Some(uri) = sector {
            client["sector_identifier_uri"] = json!(uri);
        }
        client
    };

    let fields = admin.post("/clients", pairwise(json!(["https://app.example/cb"]), Some(&sector_uri))).await;
    assert_eq!(fields.problem(StatusCode::UNPROCESSABLE_ENTITY), ["sector_identifier_uri"], "a URI left out");
    let spread = pairwise(json!(["https://a.example/cb", "https://b.example/cb"]), None);
    let fields = admin.post("/clients", spread).await;
    assert_eq!(fields.problem(StatusCode::UNPROCESSABLE_ENTITY), ["sector_identifier_uri"], "two hosts, no document");
    let unreachable = pairwise(json!(["https://app.example/cb"]), Some("http://127.0.0.1:9/sector.json"));
    let fields = admin.post("/clients", unreachable).await;
    assert_eq!(fields.problem(StatusCode::UNPROCESSABLE_ENTITY), ["sector_identifier_uri"], "nothing to read");

    let registered = http_client()
        .post(hub.url("/register"))
        .json(&pairwise(json!(["https://app.example/cb"]), Some(&sector_uri)))
        .send()
        .await
        .unwrap();
    let registered = JsonReply::read(registered).await;
    assert_eq!(registered.status, StatusCode::BAD_REQUEST, "{}", registered.json);
    assert_eq!(registered.error(), "invalid_client_metadata");

    let listed = serve_sector_document(json!(["https://app.example/cb", "https://app.example/other"])).await;
    let registered = http_client()
        .post(hub.url("/register"))
        .json(&pairwise(json!(["https://app.example/cb"]), Some(&listed)))
        .send()
        .await
        .unwrap();
    let registered = JsonReply::read(registered).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.json);
    assert_eq!(registered.json["subject_type"], json!("pairwise"));
    assert_eq!(registered.json["sector_identifier_uri"], json!(listed));
}
