//! The OpenID Provider (SPEC §4): one module per endpoint, named for the spec term.

pub mod authorize;
pub mod code;
pub mod discovery;
pub mod end_session;
pub mod error;
pub mod id_token_hint;
pub mod jwks;
pub mod paths;
pub mod token;
pub mod userinfo;

pub use error::{ErrorCode, OAuthError};
