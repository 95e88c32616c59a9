//! Scope sets (RFC 6749 §3.3): space-delimited, order-free, case-sensitive.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub const OPENID: &str = "openid";
pub const PROFILE: &str = "profile";
pub const EMAIL: &str = "email";
pub const OFFLINE_ACCESS: &str = "offline_access";

/// The scopes the hub understands; anything else is dropped from requests (OIDC Core
/// §3.1.2.1: unknown scopes are ignored) unless the client registered it.
pub const STANDARD: &[&str] = &[OPENID, PROFILE, EMAIL, "phone", "address", "groups", OFFLINE_ACCESS];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<String>);

impl ScopeSet {
    /// Parses a `scope` value. `None` when a token is not a valid scope-token (%x21 / %x23-5B / %x5D-7E).
    pub fn parse(value: &str) -> Option<Self> {
        let mut set = BTreeSet::new();
        for token in value.split(' ').filter(|t| !t.is_empty()) {
            let valid = token.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
            if !valid {
                return None;
            }
            set.insert(token.to_owned());
        }
        Some(Self(set))
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The scopes present in both.
    pub fn intersection(&self, other: &ScopeSet) -> ScopeSet {
        Self(self.0.intersection(&other.0).cloned().collect())
    }
}

impl<'a> FromIterator<&'a str> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = &'a str>>(scopes: I) -> Self {
        Self(scopes.into_iter().map(str::to_owned).collect())
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(scope)?;
            first = false;
        }
        Ok(())
    }
}

impl Serialize for ScopeSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ScopeSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ScopeSet::parse(&text).ok_or_else(|| serde::de::Error::custom("invalid scope"))
    }
}

/// What a scope lets an app do, in words: the consent page and the account page say it.
pub fn description(scope: &str) -> String {
    match scope {
        "openid" => "Confirm who you are".into(),
        "profile" => "See your name and username".into(),
        "email" => "See your e-mail address".into(),
        "phone" => "See your phone number".into(),
        "address" => "See your postal address".into(),
        "groups" => "See the groups you belong to".into(),
        "offline_access" => "Keep access while you are away".into(),
        scope => format!("Use the \u{201c}{scope}\u{201d} permission"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_sorted_without_duplicates() {
        let set = ScopeSet::parse("openid  email openid profile").unwrap();
        assert_eq!(set.to_string(), "email openid profile");
        assert!(set.contains("email"));
    }

    #[test]
    fn rejects_characters_outside_scope_token() {
        assert!(ScopeSet::parse("openid \"quoted\"").is_none());
        assert!(ScopeSet::parse("back\\slash").is_none());
        assert!(ScopeSet::parse("naïve").is_none());
    }

    #[test]
    fn intersection_and_subset() {
        let asked = ScopeSet::parse("openid email phone").unwrap();
        let allowed = ScopeSet::parse("openid email").unwrap();
        assert_eq!(asked.intersection(&allowed), allowed);
        assert!(allowed.is_subset(&asked));
        assert!(!asked.is_subset(&allowed));
    }
}
