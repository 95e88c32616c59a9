//! The hub's vocabulary: pure types and rules, no I/O and no framework types.

pub mod audit;
pub mod claims;
pub mod claims_request;
pub mod client;
pub mod pkce;
pub mod protocol;
pub mod scope;
pub mod sign_in;
pub mod social_login_key;
pub mod standard_claims;
pub mod user;
pub mod user_code;
pub mod validation;

pub use client::{Client, ClientKind};
pub use protocol::{
    ApplicationType, GrantType, Prompt, RequestObjectAlg, ResponseMode, ResponseType, SigningAlg, SubjectType,
    TokenEndpointAuthMethod,
};
pub use scope::ScopeSet;
pub use user::{Address, User};
