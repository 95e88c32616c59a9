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

/// The `acr` of a sign-in with the hub's second factor after the first: two factors, in
/// the same numbered scale (Keycloak's "level of authentication" reads the same way).
/// A level-2 sign-in meets a request for level 1.
pub const SECOND_FACTOR_ACR: &str = "2";

/// What the hub says it can do, for discovery's `acr_values_supported`.
pub const ACR_VALUES: [&str; 2] = [SINGLE_FACTOR_ACR, SECOND_FACTOR_ACR];

/// `amr` values (RFC 8176 §2) that a trusted upstream's sign-in had a second factor:
/// `mfa` itself, or a method that is one beside a password (a one-time password, a
/// hardware or software key, a smart card, an SMS code).
const SECOND_FACTOR_AMR: [&str; 6] = ["mfa", "otp", "hwk", "swk", "sc", "sms"];

/// The OpenID PAPE policy URI for a multi-factor sign-in, which some upstreams send as `acr`.
const PAPE_MULTI_FACTOR: &str = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

/// Whether an upstream's `amr` or `acr` says its sign-in had a second factor (only ever
/// believed of a Social Login Key trusted to assert it).
pub fn asserts_second_factor(amr: &[String], acr: Option<&str>) -> bool {
    amr.iter().any(|method| SECOND_FACTOR_AMR.contains(&method.as_str()))
        || acr.is_some_and(|acr| acr == SECOND_FACTOR_ACR || acr == PAPE_MULTI_FACTOR)
}

/// Whether a sign-in of context `acr` (with or without a second factor) meets `wanted`.
pub fn meets(wanted: &str, acr: &str, second_factor: bool) -> bool {
    wanted == acr
        || (wanted == SINGLE_FACTOR_ACR && acr == SECOND_FACTOR_ACR)
        || (wanted == SECOND_FACTOR_ACR && second_factor)
}

/// Why a user must prove a second factor in this sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorRule {
    /// The client requires one (`require_second_factor`).
    Client,
    /// A group of the user requires one.
    Group,
    /// The user is an administrator who enrolled one (`HUB_ADMINS_REQUIRE_SECOND_FACTOR`).
    Administrator,
}

/// The first rule that makes a second factor necessary, if any.
pub fn second_factor_rule(
    client_requires: bool,
    group_requires: bool,
    administrator: bool,
    enrolled: bool,
    admins_rule: bool,
) -> Option<SecondFactorRule> {
    if client_requires {
        Some(SecondFactorRule::Client)
    } else if group_requires {
        Some(SecondFactorRule::Group)
    } else if administrator && enrolled && admins_rule {
        Some(SecondFactorRule::Administrator)
    } else {
        None
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_factors_meet_a_request_for_one_and_one_never_meets_two() {
        assert!(meets("1", "1", false));
        assert!(meets("1", "2", true));
        assert!(meets("2", "2", true));
        assert!(!meets("2", "1", false));
        assert!(meets("2", "urn:upstream:gold", true), "a trusted upstream's second factor");
        assert!(!meets("2", "urn:upstream:gold", false));
    }

    #[test]
    fn an_upstream_asserts_a_second_factor_by_amr_or_acr() {
        assert!(asserts_second_factor(&["pwd".into(), "otp".into()], None));
        assert!(asserts_second_factor(&["hwk".into()], None));
        assert!(!asserts_second_factor(&["pwd".into()], Some("1")));
        assert!(asserts_second_factor(&[], Some(PAPE_MULTI_FACTOR)));
    }

    #[test]
    fn the_admins_rule_applies_only_once_enrolled() {
        assert_eq!(second_factor_rule(false, false, true, false, true), None, "not enrolled: not locked out");
        assert_eq!(second_factor_rule(false, false, true, true, true), Some(SecondFactorRule::Administrator));
        assert_eq!(second_factor_rule(false, false, true, true, false), None, "the rule turned off");
        assert_eq!(second_factor_rule(true, true, true, true, true), Some(SecondFactorRule::Client));
        assert_eq!(second_factor_rule(false, true, false, false, true), Some(SecondFactorRule::Group));
    }
}
