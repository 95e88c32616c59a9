//! The hub as a relying party to upstream identity providers (SPEC §5): the sign-in
//! through a Social Login Key (`start`, `callback`), what the upstream's answer means
//! (`identity`), which hub user it is (`linking`), an upstream's back-channel logout
//! (`logout`), signing out there too (`sign_out`), and the `test` of a key (`probe`).
//! Upstream metadata and keys are cached per instance in `outbound`.

pub mod flow;
pub mod identity;
pub mod link_account;
pub mod linking;
pub mod logout;
pub mod metadata;
pub mod probe;
pub mod sign_out;
pub mod upstream_client;

use crate::outbound::FetchError;

/// The hub's client secret at the upstream, opened from its sealed form at rest.
pub fn client_secret(
    master: &crate::secrets::MasterKey,
    stored: &crate::store::social_login_keys::StoredSocialLoginKey,
) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>> {
    let Some(sealed) = &stored.secret_sealed else { return Ok(None) };
    let clear = master.open(crate::domain::social_login_key::SECRET_CONTEXT, sealed)?;
    Ok(Some(String::from_utf8(clear)?))
}

/// Something an upstream did (or failed to do); the detail is for the log and the
/// administrator, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// Not reachable, too slow, or answered with an HTTP error.
    #[error("{0}")]
    Unavailable(String),
    /// Answered, but not with what the protocol requires.
    #[error("{0}")]
    Invalid(String),
    /// The upstream refused, with an OAuth error response.
    #[error("the upstream answered {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Refused { error: String, description: Option<String> },
    /// The key is not usable as configured (no secret, a missing endpoint).
    #[error("{0}")]
    Misconfigured(String),
}

impl From<FetchError> for UpstreamError {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::Unavailable(detail) => UpstreamError::Unavailable(detail),
            FetchError::Invalid(detail) => UpstreamError::Invalid(detail),
        }
    }
}
