//! An app server's back-channel logout endpoint (Back-Channel Logout 1.0 §2.5): a small
//! HTTP server on a free port that keeps every `logout_token` posted to it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Form};
use poem::{EndpointExt, Route, Server, handler, post};

pub struct LogoutReceiver {
    /// The `backchannel_logout_uri` to register.
    pub uri: String,
    tokens: Arc<Mutex<Vec<String>>>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(serde::Deserialize)]
struct LogoutForm {
    logout_token: String,
}

#[handler]
fn receive(Form(form): Form<LogoutForm>, Data(tokens): Data<&Arc<Mutex<Vec<String>>>>) {
    tokens.lock().unwrap().push(form.logout_token);
}

impl LogoutReceiver {
    pub async fn start() -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("bind");
        let port = acceptor.local_addr()[0].as_socket_addr().expect("a socket address").port();
        let tokens = Arc::new(Mutex::new(Vec::new()));
        let app = Route::new().at("/backchannel-logout", post(receive)).data(tokens.clone());
        let server = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self { uri: format!("http://127.0.0.1:{port}/backchannel-logout"), tokens, server }
    }

    /// The tokens received so far.
    pub fn tokens(&self) -> Vec<String> {
        self.tokens.lock().unwrap().clone()
    }

    /// Waits up to `within` for `count` tokens (delivery runs in the background).
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<String> {
        let deadline = Instant::now() + within;
        while self.tokens().len() < count && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.tokens()
    }
}

impl Drop for LogoutReceiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A logout token from the hub at `issuer`, checked as an app checks it: `typ` logout+jwt,
/// signed with a key in the hub's JWKS, the hub's `iss`, the logout event, no `nonce`.
pub async fn verify_hub_logout_token(issuer: &str, token: &str) -> serde_json::Value {
    let header = jsonwebtoken::decode_header(token).expect("a JWT");
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"), "typ separates logout tokens from ID tokens");
    let jwks: jsonwebtoken::jwk::JwkSet =
        reqwest::get(format!("{issuer}/jwks.json")).await.unwrap().json().await.expect("the hub's JWKS");
    let jwk = jwks.find(header.kid.as_deref().expect("kid")).expect("signed with a published key");
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let claims: serde_json::Value =
        jsonwebtoken::decode(token, &key, &validation).expect("a valid logout token").claims;
    assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(claims.get("nonce").is_none());
    claims
}
