//! The hub: an OpenID Provider for an organisation's apps and a relying party to upstream
//! identity providers. See `README.md` for the architecture; each module's first line
//! says what it is for.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod admin_ui;
pub mod cli;
pub mod config;
pub mod declared;
pub mod domain;
pub mod federation;
pub mod frappe;
pub mod grants;
pub mod http;
pub mod i18n;
pub mod interaction;
pub mod keys;
pub mod mail;
pub mod manage;
pub mod oidc;
pub mod outage;
pub mod outbound;
pub mod rate_limit;
pub mod registration;
pub mod routes;
pub mod secrets;
pub mod session;
pub mod sso;
pub mod startup;
pub mod state;
pub mod store;
pub mod subjects;
pub mod telemetry;
pub mod templates;

pub use config::Settings;
pub use startup::Application;
