//! What an upstream's claims mean to the hub: the subject, a username, the profile, the
//! groups, and how the user authenticated. Each comes from where the key says (a dotted
//! path into nested claims), else from where OpenID Connect puts it.

use serde_json::{Map, Value};

use super::UpstreamError;
use crate::domain::social_login_key::SocialLoginKey;
use crate::domain::user::{ADMINS_GROUP, validate_group_name, validate_username};
use crate::store::users::UpstreamProfile;

/// The most groups one sign-in may bring.
const MAX_GROUPS: usize = 200;

/// An upstream identity as the hub understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedIdentity {
    pub issuer: String,
    pub subject: String,
    /// The username a new hub user would get, when the claim holds a usable one.
    pub username: Option<String>,
    pub profile: UpstreamProfile,
    /// Hub group names; `None` when the key maps no groups.
    pub groups: Option<Vec<String>>,
    pub amr: Vec<String>,
    pub acr: Option<String>,
    /// When the person authenticated at the upstream, if it says (never in the future).
    pub auth_time: Option<i64>,
    /// The upstream's session id, for logout through the chain.
    pub sid: Option<String>,
}

impl MappedIdentity {
    /// What is kept with the link, for administrators: the mapped claims, never a token.
    pub fn summary(&self) -> Value {
        serde_json::json!({
            "sub": self.subject,
            "preferred_username": self.username,
            "name": self.profile.name,
            "email": self.profile.email,
            "email_verified": self.profile.email_verified,
            "groups": self.groups,
            "acr": self.acr,
        })
    }
}

/// Maps the claims (ID token and userinfo, merged) of one sign-in.
pub fn map(key: &SocialLoginKey, issuer: &str, claims: &Map<String, Value>) -> Result<MappedIdentity, UpstreamError> {
    let text = |path: &str| select(claims, path).and_then(scalar_text);
    let subject = text(&key.claim_path("sub")).filter(|sub| !sub.is_empty() && sub.len() <= 255).ok_or_else(|| {
        UpstreamError::Invalid(format!("the upstream's claims have no usable {}", key.claim_path("sub")))
    })?;
    let email = text(&key.claim_path("email")).filter(|email| email.contains('@') && email.len() <= 254);
    let email_verified = email.is_some() && select(claims, &key.claim_path("email_verified")).is_some_and(truthy);
    let bounded =
        |claim: &str, max: usize| text(&key.claim_path(claim)).filter(|v| !v.is_empty() && v.chars().count() <= max);
    let profile = UpstreamProfile {
        name: bounded("name", 256),
        given_name: bounded("given_name", 256),
        family_name: bounded("family_name", 256),
        email,
        email_verified,
        picture: bounded("picture", 2048).filter(|url| url.starts_with("https://")),
        locale: bounded("locale", 35),
    };
    let username = text(&key.username_claim).filter(|name| validate_username(name).is_ok());
    let groups = key.groups_claim.as_deref().map(|path| hub_groups(key, select(claims, path)));
    let amr = match claims.get("amr") {
        Some(Value::Array(methods)) => {
            methods.iter().filter_map(Value::as_str).filter(|m| m.len() <= 32).take(10).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    };
    let acr = claims.get("acr").and_then(Value::as_str).filter(|acr| acr.len() <= 256).map(str::to_owned);
    let now = chrono::Utc::now().timestamp();
    let auth_time = claims.get("auth_time").and_then(Value::as_i64).filter(|t| *t > 0 && *t <= now);
    let sid = claims.get("sid").and_then(Value::as_str).filter(|sid| sid.len() <= 255).map(str::to_owned);
    Ok(MappedIdentity { issuer: issuer.to_owned(), subject, username, profile, groups, amr, acr, auth_time, sid })
}

/// The value at `path`: the claim of that exact name (URL-shaped claim names contain
/// dots), else the dotted path through nested objects, where a number indexes an array.
pub fn select<'a>(claims: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let path = path.strip_prefix("$.").unwrap_or(path);
    if let Some(value) = claims.get(path) {
        return Some(value);
    }
    let mut segments = path.split('.');
    let mut current = claims.get(segments.next()?)?;
    for segment in segments {
        current = match current {
            Value::Object(object) => object.get(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Strings and numbers (GitHub's numeric user id) as text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `true`, or the string `"true"` that some providers send.
fn truthy(value: &Value) -> bool {
    matches!(value, Value::Bool(true)) || value.as_str() == Some("true")
}

/// The hub groups for the upstream's groups: the key's mapping, else `{slug}:{group}`,
/// so two upstreams never grant each other's groups. `admins` is never granted from
/// upstream, whatever the mapping says.
pub fn hub_groups(key: &SocialLoginKey, claim: Option<&Value>) -> Vec<String> {
    let upstream: Vec<String> = match claim {
        Some(Value::Array(items)) => items.iter().filter_map(scalar_text).collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    let mut groups: Vec<String> = upstream
        .into_iter()
        .map(|group| key.group_mapping.get(&group).cloned().unwrap_or_else(|| format!("{}:{group}", key.slug)))
        .filter(|group| group != ADMINS_GROUP && validate_group_name(group).is_ok())
        .collect();
    groups.sort();
    groups.dedup();
    groups.truncate(MAX_GROUPS);
    groups
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::domain::social_login_key::UpstreamKind;

    fn key(kind: UpstreamKind) -> SocialLoginKey {
        SocialLoginKey {
            issuer: Some("https://idp.example.com".into()),
            allow_signup: true,
            groups_claim: Some("realm_access.roles".into()),
            group_mapping: BTreeMap::from([("staff".into(), "employees".into()), ("root".into(), "admins".into())]),
            ..crate::domain::social_login_key::example(kind)
        }
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn nested_groups_are_mapped_or_namespaced_and_never_admins() {
        let claims = object(json!({
            "sub": "u1",
            "preferred_username": "alice",
            "realm_access": { "roles": ["staff", "dev", "root", "has space"] },
            "email": "Alice@Example.com",
            "email_verified": "true",
            "amr": ["pwd", "otp"],
            "acr": "urn:mace:incommon:iap:silver",
            "sid": "s-1",
        }));
        let mapped = map(&key(UpstreamKind::Keycloak), "https://idp.example.com", &claims).unwrap();
        assert_eq!(mapped.subject, "u1");
        assert_eq!(mapped.username.as_deref(), Some("alice"));
        assert_eq!(mapped.groups, Some(vec!["corp:dev".to_owned(), "employees".to_owned()]));
        assert!(mapped.profile.email_verified);
        assert_eq!(mapped.amr, ["pwd", "otp"]);
        assert_eq!(mapped.sid.as_deref(), Some("s-1"));
    }

    #[test]
    fn github_numbers_and_paths_come_from_the_preset() {
        let claims = object(json!({ "id": 583231, "login": "octocat", "avatar_url": "https://avatars.example/u/1" }));
        let github = SocialLoginKey { groups_claim: None, ..key(UpstreamKind::Github) };
        let mapped = map(&github, "https://github.com", &claims).unwrap();
        assert_eq!(mapped.subject, "583231");
        assert_eq!(mapped.username.as_deref(), Some("octocat"));
        assert_eq!(mapped.profile.picture.as_deref(), Some("https://avatars.example/u/1"));
        assert_eq!(mapped.groups, None);
        assert!(!mapped.profile.email_verified, "no e-mail, nothing verified");
    }

    #[test]
    fn an_unverified_or_missing_subject_is_refused_or_unverified() {
        let oidc = key(UpstreamKind::Oidc);
        assert!(map(&oidc, "https://idp.example.com", &object(json!({ "email": "a@b.c" }))).is_err());
        let unverified = object(json!({ "sub": "x", "email": "a@b.c", "email_verified": false }));
        assert!(!map(&oidc, "https://idp.example.com", &unverified).unwrap().profile.email_verified);
        let url_claim = object(json!({ "https://example.com/groups": ["a"] }));
        assert_eq!(select(&url_claim, "https://example.com/groups"), Some(&json!(["a"])));
        let nested = object(json!({ "a": { "b": [{ "c": 1 }] } }));
        assert_eq!(select(&nested, "$.a.b.0.c"), Some(&json!(1)));
    }
}
