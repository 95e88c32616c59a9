//! An OAuth 2.0 provider shaped like GitHub, for the `github` preset: no OpenID Connect,
//! no ID token; `/login/oauth/authorize` (approves at once, as for an app already
//! authorised), `/login/oauth/access_token` (client_secret_post, PKCE S256, errors as
//! 200 with an `error` member, as GitHub answers them), `/user` (a numeric `id`) and
//! `/user/emails` (which address is primary and verified).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Form, Json, Query, Redirect};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler, post};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The account that signs in, and its e-mail addresses.
#[derive(Clone)]
pub struct GithubAccount {
    pub id: u64,
    pub login: String,
    pub name: String,
    /// `(email, primary, verified)`.
    pub emails: Vec<(String, bool, bool)>,
}

#[derive(Default)]
struct State {
    client_id: String,
    client_secret: String,
    account: Option<GithubAccount>,
    /// code → (redirect_uri, code_challenge)
    codes: HashMap<String, (String, String)>,
    tokens: HashMap<String, GithubAccount>,
}

type Shared = Arc<Mutex<State>>;

pub struct Github {
    /// `http://127.0.0.1:<port>`: the endpoints are below it.
    pub base: String,
    state: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Github {
    pub async fn start(client_id: &str, client_secret: &str) -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("bind");
        let port = acceptor.local_addr()[0].as_socket_addr().expect("a socket address").port();
        let state: Shared = Arc::new(Mutex::new(State {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            ..State::default()
        }));
        let app = Route::new()
            .at("/login/oauth/authorize", get(authorize))
            .at("/login/oauth/access_token", post(access_token))
            .at("/user", get(user))
            .at("/user/emails", get(emails))
            .data(state.clone());
        let server = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self { base: format!("http://127.0.0.1:{port}"), state, server }
    }

    /// Who signs in next.
    pub fn sign_in_as(&self, account: GithubAccount) {
        self.state.lock().unwrap().account = Some(account);
    }
}

impl Drop for Github {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[derive(Deserialize)]
struct AuthorizeParams {
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
}

#[handler]
fn authorize(Query(params): Query<AuthorizeParams>, Data(state): Data<&Shared>) -> Response {
    let mut state = state.lock().unwrap();
    if params.client_id != state.client_id || params.code_challenge_method != "S256" {
        return (StatusCode::BAD_REQUEST, "bad request").into_response();
    }
    let code = uuid::Uuid::new_v4().simple().to_string();
    state.codes.insert(code.clone(), (params.redirect_uri.clone(), params.code_challenge));
    let mut target = url::Url::parse(&params.redirect_uri).expect("redirect_uri");
    target.query_pairs_mut().append_pair("code", &code).append_pair("state", &params.state);
    Redirect::see_other(target.as_str()).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    client_id: String,
    client_secret: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
}

#[handler]
fn access_token(req: &Request, Form(form): Form<TokenForm>, Data(state): Data<&Shared>) -> Json<Value> {
    let mut state = state.lock().unwrap();
    assert!(req.header("accept").is_some_and(|a| a.contains("json")), "clients ask GitHub for JSON");
    if form.client_id != state.client_id || form.client_secret != state.client_secret {
        return Json(json!({ "error": "incorrect_client_credentials" }));
    }
    let Some((redirect_uri, challenge)) = state.codes.remove(&form.code) else {
        return Json(json!({ "error": "bad_verification_code" }));
    };
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
    if redirect_uri != form.redirect_uri || computed != challenge {
        return Json(json!({ "error": "bad_verification_code" }));
    }
    let Some(account) = state.account.clone() else { return Json(json!({ "error": "access_denied" })) };
    let token = format!("gho_{}", uuid::Uuid::new_v4().simple());
    state.tokens.insert(token.clone(), account);
    Json(json!({ "access_token": token, "token_type": "bearer", "scope": "read:user,user:email" }))
}

fn account_for(req: &Request, state: &Shared) -> Option<GithubAccount> {
    let token = req.header("authorization")?.strip_prefix("Bearer ")?.to_owned();
    state.lock().unwrap().tokens.get(&token).cloned()
}

#[handler]
fn user(req: &Request, Data(state): Data<&Shared>) -> Response {
    match account_for(req, state) {
        Some(account) => Json(json!({
            "id": account.id,
            "login": account.login,
            "name": account.name,
            "avatar_url": format!("https://avatars.githubusercontent.com/u/{}", account.id),
            "email": null,
        }))
        .into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(json!({ "message": "Bad credentials" }))).into_response(),
    }
}

#[handler]
fn emails(req: &Request, Data(state): Data<&Shared>) -> Response {
    match account_for(req, state) {
        Some(account) => Json(
            account
                .emails
                .iter()
                .map(|(email, primary, verified)| json!({ "email": email, "primary": primary, "verified": verified, "visibility": null }))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(json!({ "message": "Bad credentials" }))).into_response(),
    }
}
