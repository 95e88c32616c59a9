//! The user as Frappe describes one (`frappe.oauth.get_userinfo`): a flat object with
//! `sub`, `name`, `given_name`, `family_name`, `email`, `picture`, `roles` and `iss`.

use serde_json::{Map, Value, json};

/// Frappe's profile from the claims the token released. The e-mail only when it is
/// verified: a Frappe site links (and creates) accounts by e-mail address alone (the
/// endpoints also leave out an address another user holds). The user's groups, where the
/// `groups` scope released them, are Frappe's `roles`.
pub fn from_claims(claims: &Map<String, Value>, issuer: &str) -> Map<String, Value> {
    let mut profile = Map::new();
    for name in ["sub", "name", "given_name", "family_name", "picture"] {
        if let Some(value) = claims.get(name) {
            profile.insert(name.to_owned(), value.clone());
        }
    }
    // Frappe's own `name` is the first and last names joined.
    if !profile.contains_key("name") {
        let parts: Vec<&str> = ["given_name", "family_name"].iter().filter_map(|n| claims.get(*n)?.as_str()).collect();
        if !parts.is_empty() {
            profile.insert("name".into(), json!(parts.join(" ")));
        }
    }
    if claims.get("email_verified") == Some(&Value::Bool(true))
        && let Some(email) = claims.get("email")
    {
        profile.insert("email".into(), email.clone());
    }
    if let Some(groups) = claims.get("groups") {
        profile.insert("roles".into(), groups.clone());
    }
    profile.insert("iss".into(), json!(issuer));
    profile
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn an_unverified_email_is_left_out() {
        let released = claims(json!({"sub": "u1", "email": "eve@example.com", "email_verified": false}));
        let profile = from_claims(&released, "https://hub.example");
        assert_eq!(Value::Object(profile), json!({"sub": "u1", "iss": "https://hub.example"}));
    }

    #[test]
    fn names_groups_and_a_verified_email_take_frappes_shape() {
        let released = claims(json!({
            "sub": "u1", "given_name": "Alice", "family_name": "Liddell", "picture": "https://img.example/a.png",
            "email": "alice@example.com", "email_verified": true, "groups": ["staff"], "phone_number": "+1 555",
        }));
        let profile = from_claims(&released, "https://hub.example");
        assert_eq!(
            Value::Object(profile),
            json!({
                "sub": "u1", "name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell",
                "picture": "https://img.example/a.png", "email": "alice@example.com", "roles": ["staff"],
                "iss": "https://hub.example",
            })
        );
    }
}
