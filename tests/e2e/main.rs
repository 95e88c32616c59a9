//! End-to-end tests: the real `hub` binary, driven by a cookie-jar browser and the
//! `openidconnect` crate as the app server. With `HUB_TEST_DATABASE_URL` and
//! `HUB_TEST_REDIS_URL` set, every hub runs on PostgreSQL and Redis instead.

mod account;
mod admin_api;
mod admin_ui;
mod authorize_errors;
mod claims_request;
mod cli;
mod client_assertions;
mod code_flow;
mod config_as_code;
mod device;
mod encryption;
mod espocrm;
mod examples;
mod federation;
mod frappe;
mod http;
mod interop;
mod introspection;
mod keys;
mod languages;
mod logout;
mod observability;
mod operator_commands;
mod outages;
mod paging;
mod pairwise;
mod passkeys;
mod prompt;
mod rate_limits;
mod registration;
mod request_objects;
mod response_types;
mod scale_out;
mod schemathesis;
mod second_factor;
mod secrets_at_rest;
mod sentinel;
mod standard_claims;
mod throttling;
mod token_endpoint;
mod userinfo;

/// Printed once per test so a log shows which configuration ran.
pub fn backend() -> e2e::Backend {
    let backend = e2e::Backend::from_env();
    eprintln!("backend: {}", backend.describe());
    backend
}
