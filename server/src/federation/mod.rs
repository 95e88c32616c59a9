//! The hub as a relying party to upstream identity providers (SPEC §5). This part checks
//! a Social Login Key against its upstream; the sign-in flow builds on it.

pub mod probe;

use std::time::Duration;

/// How long any call to an upstream may take.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest document the hub reads from an upstream (discovery, JWKS).
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// The HTTP client for upstreams: no redirects (an upstream that redirects its metadata
/// is misconfigured, and following would let it point the hub anywhere), and timeouts.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(UPSTREAM_TIMEOUT)
        .connect_timeout(UPSTREAM_TIMEOUT)
        .user_agent(concat!("hub/", env!("CARGO_PKG_VERSION")))
        .build()
}
