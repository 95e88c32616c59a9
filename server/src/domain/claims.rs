//! Which user claims each scope releases (OIDC Core §5.4, plus `groups`).

use serde_json::{Map, Value, json};

use super::scope::ScopeSet;
use super::user::User;

/// The claims of the protocol itself, in ID tokens and userinfo responses.
const PROTOCOL: &[&str] =
    &["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash", "sid"];

/// Every claim the hub can release, as advertised in `claims_supported`.
pub fn supported() -> Vec<&'static str> {
    let user_claims = RELEASED_BY.iter().flat_map(|(_, claims)| claims.iter().copied());
    PROTOCOL.iter().copied().chain(user_claims).collect()
}

/// The user claims each scope releases (OIDC Core §5.4, plus `groups`).
const RELEASED_BY: &[(&str, &[&str])] = &[
    (
        "profile",
        &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
        ],
    ),
    ("email", &["email", "email_verified"]),
    ("phone", &["phone_number", "phone_number_verified"]),
    ("address", &["address"]),
    ("groups", &["groups"]),
];

/// The scope that releases a user claim; None for anything that is not one.
pub fn scope_of(claim: &str) -> Option<&'static str> {
    RELEASED_BY.iter().find(|(_, claims)| claims.contains(&claim)).map(|(scope, _)| *scope)
}

/// The user claims (besides `sub`) that `scopes` release. Absent values are left out
/// rather than sent as null.
pub fn user_claims(user: &User, scopes: &ScopeSet) -> Map<String, Value> {
    let mut claims = every_claim(user);
    claims.retain(|name, _| scope_of(name).is_some_and(|scope| scopes.contains(scope)));
    claims
}

/// The claims named (by the `claims` parameter), of those `scopes` release.
pub fn named_claims(user: &User, names: &[String], scopes: &ScopeSet) -> Map<String, Value> {
    let mut claims = user_claims(user, scopes);
    claims.retain(|name, _| names.contains(name));
    claims
}

/// Every claim the user has a value for.
fn every_claim(user: &User) -> Map<String, Value> {
    let mut claims = Map::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            claims.insert(name.to_owned(), value);
        }
    };
    let text = |value: &Option<String>| value.as_ref().map(|v| json!(v));
    let standard = &user.claims;
    put("name", text(&user.name));
    put("family_name", text(&standard.family_name));
    put("given_name", text(&standard.given_name));
    put("middle_name", text(&standard.middle_name));
    put("nickname", text(&standard.nickname));
    put("preferred_username", Some(json!(user.username)));
    put("profile", text(&standard.profile));
    put("picture", text(&standard.picture));
    put("website", text(&standard.website));
    put("gender", text(&standard.gender));
    put("birthdate", text(&standard.birthdate));
    put("zoneinfo", text(&standard.zoneinfo));
    put("locale", text(&standard.locale));
    put("updated_at", Some(json!(user.updated_at.timestamp())));
    if user.email.is_some() {
        put("email", text(&user.email));
        put("email_verified", Some(json!(user.email_verified)));
    }
    if standard.phone_number.is_some() {
        put("phone_number", text(&standard.phone_number));
        put("phone_number_verified", Some(json!(standard.phone_number_verified)));
    }
    put("address", standard.address.as_ref().map(|v| json!(v)));
    put("groups", Some(json!(user.groups)));
    claims
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Address, user::StandardClaims};

    /// Alice with every claim the hub knows, and a verified phone number.
    fn alice() -> User {
        User {
            id: uuid::Uuid::nil(),
            username: "alice".into(),
            email: Some("alice@example.com".into()),
            email_verified: true,
            name: Some("Alice Liddell".into()),
            claims: StandardClaims {
                given_name: Some("Alice".into()),
                family_name: Some("Liddell".into()),
                middle_name: Some("Pleasance".into()),
                nickname: Some("Ally".into()),
                profile: Some("https://example.com/alice".into()),
                picture: Some("https://example.com/alice.png".into()),
                website: Some("https://alice.example".into()),
                gender: Some("female".into()),
                birthdate: Some("0000-05-04".into()),
                zoneinfo: Some("Europe/London".into()),
                locale: Some("en-GB".into()),
                phone_number: Some("+44 1865 270000".into()),
                phone_number_verified: true,
                address: Some(Address { locality: Some("Oxford".into()), ..Address::default() }),
            },
            disabled: false,
            groups: vec!["staff".into()],
            has_password: true,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn names(claims: &Map<String, Value>) -> Vec<&str> {
        let mut names: Vec<&str> = claims.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    const PROFILE: [&str; 14] = [
        "birthdate",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "picture",
        "preferred_username",
        "profile",
        "updated_at",
        "website",
        "zoneinfo",
    ];

    #[test]
    fn each_scope_releases_exactly_its_claims() {
        let release = |scope: &str| user_claims(&alice(), &ScopeSet::parse(scope).unwrap());
        assert_eq!(names(&release("openid")), Vec::<&str>::new());
        assert_eq!(names(&release("openid profile")), PROFILE);
        assert_eq!(names(&release("openid email")), ["email", "email_verified"]);
        assert_eq!(names(&release("openid phone")), ["phone_number", "phone_number_verified"]);
        assert_eq!(names(&release("openid address")), ["address"]);
        assert_eq!(names(&release("openid groups")), ["groups"]);

        let every = release("openid profile email phone address groups");
        assert_eq!(every.len(), PROFILE.len() + 6);
        assert_eq!(every["birthdate"], json!("0000-05-04"));
        assert_eq!(every["zoneinfo"], json!("Europe/London"));
        assert_eq!(every["phone_number_verified"], json!(true));
        assert_eq!(every["address"], json!({ "locality": "Oxford" }), "absent parts are left out");
        assert_eq!(every["updated_at"], json!(0));
        for name in every.keys() {
            assert!(supported().contains(&name.as_str()), "{name} is advertised");
        }
    }

    #[test]
    fn absent_values_are_left_out() {
        let mut bare = alice();
        bare.claims = StandardClaims { phone_number_verified: true, ..StandardClaims::default() };
        bare.email = None;
        let claims = user_claims(&bare, &ScopeSet::parse("openid profile email phone address").unwrap());
        assert_eq!(names(&claims), ["name", "preferred_username", "updated_at"]);
    }
}
