//! An app server that signs its users in through the hub with the `openidconnect` crate:
//! discovery, the authorization code flow with PKCE, `state` and `nonce`, the ID token
//! verified, userinfo. Its API (`/api/me`) accepts the hub's access tokens by asking the
//! hub's introspection endpoint; "Log out" goes through the hub (RP-Initiated Logout), and
//! the hub's back-channel logout tokens end its sessions too.
//!
//! Settings from the environment: `HUB_ISSUER`, `APP_CLIENT_ID`, `APP_CLIENT_SECRET`,
//! `APP_PORT` (it listens on 127.0.0.1 there; its redirect URI is `/callback`).

mod api;
mod hub;
mod sessions;
mod web;

use std::sync::Arc;

use anyhow::Context;
use poem::listener::TcpListener;
use poem::middleware::CookieJarManager;
use poem::{EndpointExt, Route, Server, get, post};

use hub::Hub;
use sessions::Sessions;

pub struct App {
    hub: Hub,
    sessions: Sessions,
    /// The app's own base URL.
    url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    let port = env("APP_PORT")?;
    let url = format!("http://127.0.0.1:{port}");
    let redirect_uri = format!("{url}/callback");
    let hub = Hub::discover(&env("HUB_ISSUER")?, &env("APP_CLIENT_ID")?, &env("APP_CLIENT_SECRET")?, &redirect_uri)
        .await
        .context("reading the hub's discovery document")?;
    let app = Arc::new(App { hub, sessions: Sessions::default(), url });
    let routes = Route::new()
        .at("/", get(web::index))
        .at("/login", get(web::login))
        .at("/callback", get(web::callback))
        .at("/logout", post(web::logout))
        .at("/api/me", get(api::me))
        .at("/backchannel-logout", post(api::backchannel_logout))
        .with(CookieJarManager::new())
        .data(app);
    Server::new(TcpListener::bind(format!("127.0.0.1:{port}"))).run(routes).await?;
    Ok(())
}
