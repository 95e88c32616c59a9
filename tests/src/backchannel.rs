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
