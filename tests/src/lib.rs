//! The e2e harness: start the real `hub` binary on a free port with fresh resources, and
//! talk to it the way browsers and app servers do.

pub mod admin;
pub mod backchannel;
pub mod browser;
pub mod github;
pub mod hub;
pub mod mail;
pub mod rp;
pub mod services;
pub mod totp;
pub mod upstream;

pub use admin::{ADMIN_TOKEN, AdminApi};
pub use browser::{Browser, Page};
pub use hub::{Backend, ClientCredentials, TestHub};

/// Waits (up to 10 s) until the running hub sees a change a command made: each instance
/// caches clients and users for 5 seconds (README, "Running in production"), and a command
/// is another process.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "the hub never saw it: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
