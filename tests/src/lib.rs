//! The e2e harness: start the real `hub` binary on a free port with fresh resources, and
//! talk to it the way browsers and app servers do.

pub mod admin;
pub mod backchannel;
pub mod browser;
pub mod github;
pub mod hub;
pub mod rp;
pub mod upstream;

pub use admin::{ADMIN_TOKEN, AdminApi};
pub use browser::{Browser, Page};
pub use hub::{Backend, ClientCredentials, TestHub};
