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

/// What a passkey proved in a sign-in, as WebAuthn's flags report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasskeyFacts {
    /// Backup-eligible (BE): the authenticator may sync the key to the user's other devices.
    pub synced: bool,
    /// The authenticator verified its user (UV): a PIN or a biometric, it does not say which.
    pub user_verified: bool,
    /// A password was proved before it in this sign-in (the passkey as the second factor).
    pub after_password: bool,
}

/// How a passkey sign-in reads in the ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyAuthentication {
    /// What `amr` gains (RFC 8176).
    pub methods: Vec<&'static str>,
    /// The sign-in had two factors: `amr` has `mfa`, `acr` is `SECOND_FACTOR_ACR`, and any
    /// "second factor required" rule is met.
    pub multi_factor: bool,
}

/// The `amr` and `acr` rule of passkeys. RFC 8176 §2 names proof of possession of a
/// *hardware*-secured key `hwk` and of a *software*-secured one `swk`: a passkey that is not
/// backup-eligible never leaves its authenticator (a security key, a TPM), so it is `hwk`; a
/// backup-eligible one may be copied to other devices by a sync service (a password
/// manager, a platform keychain), so it is `swk`. RFC 8176 calls `user` a user-presence
/// test; it is added where the authenticator verified its user, which includes presence
/// (`pin`, `fpt` or `face` would claim to know how, which WebAuthn does not tell).
///
/// Multi-factor (`mfa`, and `acr` 2) is what NIST SP 800-63B calls a multi-factor
/// cryptographic authenticator: the key (something you have) unlocked by user verification
/// (something you know or are). So a passwordless sign-in counts as two factors exactly
/// when the authenticator verified the user, and a passkey after a password always does
/// (knowledge, then possession). A passkey without user verification alone is one factor.
pub fn passkey_authentication(facts: PasskeyFacts) -> PasskeyAuthentication {
    let mut methods = vec![if facts.synced { "swk" } else { "hwk" }];
    if facts.user_verified {
        methods.push("user");
    }
    let multi_factor = facts.user_verified || facts.after_password;
    if multi_factor {
        methods.push("mfa");
    }
    PasskeyAuthentication { methods, multi_factor }
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
    fn a_passkey_is_hardware_or_software_bound_and_multi_factor_with_user_verification() {
        let facts = |synced, user_verified, after_password| PasskeyFacts { synced, user_verified, after_password };
        let device_bound = passkey_authentication(facts(false, true, false));
        assert_eq!(device_bound.methods, ["hwk", "user", "mfa"]);
        assert!(device_bound.multi_factor, "a user-verifying authenticator is two factors");
        let synced = passkey_authentication(facts(true, true, false));
        assert_eq!(synced.methods, ["swk", "user", "mfa"]);
        let presence_only = passkey_authentication(facts(false, false, false));
        assert_eq!(presence_only.methods, ["hwk"]);
        assert!(!presence_only.multi_factor, "possession alone is one factor");
        let after_password = passkey_authentication(facts(true, false, true));
        assert_eq!(after_password.methods, ["swk", "mfa"]);
        assert!(after_password.multi_factor, "password and key");
        assert!(asserts_second_factor(&device_bound.methods.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>(), None));
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
