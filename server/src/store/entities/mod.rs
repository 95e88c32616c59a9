//! sea-orm entities, one per table of `migrations/`. Nothing outside `store` sees them.

pub mod audit_event;
pub mod client;
pub mod consent;
pub mod group;
pub mod pairwise_subject;
pub mod passkey;
pub mod refresh_token;
pub mod registration_token;
pub mod revocation;
pub mod second_factor;
pub mod session_client;
pub mod signing_key;
pub mod social_login_key;
pub mod upstream_identity;
pub mod user;
pub mod user_group;
pub mod user_session;
