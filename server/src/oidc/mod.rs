//! The OpenID Provider (SPEC §4): one module per endpoint, named for the spec term.

pub mod access_token;
pub mod authorize;
pub mod client_auth;
pub mod code;
pub mod device;
pub mod device_authorization;
pub mod discovery;
pub mod encryption;
pub mod end_session;
pub mod error;
pub mod id_token_hint;
pub mod introspection;
pub mod jwks;
pub mod par;
pub mod paths;
pub mod presented;
pub mod revocation;
pub mod token;
pub mod userinfo;

pub use error::{ErrorCode, OAuthError};
