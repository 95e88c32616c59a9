//! Which user claims each scope releases (OIDC Core §5.4, plus `groups`).

use serde_json::{Map, Value, json};

use super::scope::ScopeSet;
use super::user::User;

/// Every claim the hub can release, as advertised in `claims_supported`.
pub const SUPPORTED: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
    "sid",
    "name",
    "given_name",
    "family_name",
    "picture",
    "locale",
    "preferred_username",
    "updated_at",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "address",
    "groups",
];

/// The user claims (besides `sub`) that `scopes` release. Absent values are left out
/// rather than sent as null.
pub fn user_claims(user: &User, scopes: &ScopeSet) -> Map<String, Value> {
    let mut claims = Map::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            claims.insert(name.to_owned(), value);
        }
    };
    if scopes.contains("profile") {
        put("preferred_username", Some(json!(user.username)));
        put("name", user.name.as_ref().map(|v| json!(v)));
        put("given_name", user.given_name.as_ref().map(|v| json!(v)));
        put("family_name", user.family_name.as_ref().map(|v| json!(v)));
        put("picture", user.picture.as_ref().map(|v| json!(v)));
        put("locale", user.locale.as_ref().map(|v| json!(v)));
        put("updated_at", Some(json!(user.updated_at.timestamp())));
    }
    if scopes.contains("email") && user.email.is_some() {
        put("email", user.email.as_ref().map(|v| json!(v)));
        put("email_verified", Some(json!(user.email_verified)));
    }
    if scopes.contains("phone") && user.phone_number.is_some() {
        put("phone_number", user.phone_number.as_ref().map(|v| json!(v)));
        put("phone_number_verified", Some(json!(user.phone_number_verified)));
    }
    if scopes.contains("address") {
        put("address", user.address.as_ref().map(|v| json!(v)));
    }
    if scopes.contains("groups") {
        put("groups", Some(json!(user.groups)));
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> User {
        User {
            id: uuid::Uuid::nil(),
            username: "alice".into(),
            email: Some("alice@example.com".into()),
            email_verified: true,
            name: Some("Alice Liddell".into()),
            given_name: None,
            family_name: None,
            phone_number: None,
            phone_number_verified: false,
            address: None,
            picture: None,
            locale: None,
            disabled: false,
            groups: vec!["staff".into()],
            has_password: true,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn each_scope_releases_only_its_claims() {
        let only_email = user_claims(&alice(), &ScopeSet::parse("openid email").unwrap());
        assert_eq!(only_email.get("email"), Some(&json!("alice@example.com")));
        assert_eq!(only_email.get("email_verified"), Some(&json!(true)));
        assert!(only_email.get("name").is_none());
        assert!(only_email.get("groups").is_none());

        let profile = user_claims(&alice(), &ScopeSet::parse("openid profile groups phone").unwrap());
        assert_eq!(profile.get("name"), Some(&json!("Alice Liddell")));
        assert_eq!(profile.get("preferred_username"), Some(&json!("alice")));
        assert_eq!(profile.get("groups"), Some(&json!(["staff"])));
        assert!(profile.get("phone_number").is_none(), "absent values are left out");
        assert!(profile.get("given_name").is_none());
    }
}
