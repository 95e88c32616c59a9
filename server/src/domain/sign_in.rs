//! Which ways in a client's sign-in offers (SPEC §5). A client's
//! `allowed_social_login_keys` limits the keys its users see (none listed: every enabled
//! key); a `default_social_login_key` makes the client IdP-only: no password form, and
//! its sign-ins go straight to that key.

use super::Client;
use super::social_login_key::SocialLoginKey;

/// The authentication context class (`acr`) of the hub's own sign-in: one factor, ISO/IEC
/// 29115 level 1 (OIDC Core §2). A sign-in at an upstream carries the upstream's `acr`
/// where it names one.
pub const SINGLE_FACTOR_ACR: &str = "1";

/// The `acr` of a sign-in: the upstream's, or the hub's own.
pub fn acr_of(upstream: Option<&str>) -> &str {
    upstream.unwrap_or(SINGLE_FACTOR_ACR)
}

/// What the sign-in step offers one client.
#[derive(Debug, Clone, Default)]
pub struct SignInOptions {
    /// The password form (not for IdP-only clients).
    pub password: bool,
    /// Enabled keys the client allows, in the order given.
    pub keys: Vec<SocialLoginKey>,
    /// The client's IdP-only key, when it is usable.
    pub default_key: Option<String>,
}

impl SignInOptions {
    pub fn for_client<'a>(client: &Client, keys: impl IntoIterator<Item = &'a SocialLoginKey>) -> Self {
        let keys: Vec<SocialLoginKey> =
            keys.into_iter().filter(|key| key.enabled && client.allows_social_login_key(&key.slug)).cloned().collect();
        let default_key = client.default_social_login_key.clone().filter(|slug| keys.iter().any(|k| k.slug == *slug));
        Self { password: client.default_social_login_key.is_none(), keys, default_key }
    }

    pub fn offers(&self, slug: &str) -> bool {
        self.keys.iter().any(|key| key.slug == slug)
    }

    /// The offered key that serves the e-mail domain of `address` (home-realm discovery).
    pub fn serving(&self, address: &str) -> Option<&SocialLoginKey> {
        let (_, domain) = address.rsplit_once('@')?;
        self.keys.iter().find(|key| key.email_domains.iter().any(|d| d.eq_ignore_ascii_case(domain)))
    }
}
