//! A hub user: the subject of every ID token the hub issues.

use uuid::Uuid;

pub use super::standard_claims::{Address, StandardClaims};

#[derive(Debug, Clone)]
pub struct User {
    /// Stable, never reassigned: the `sub` claim.
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// The rest of OIDC Core §5.1: names, links, birthdate, zone, locale, phone, address.
    pub claims: StandardClaims,
    pub disabled: bool,
    /// False for users who sign in only through an upstream.
    pub has_password: bool,
    pub groups: Vec<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl User {
    pub fn subject(&self) -> String {
        self.id.to_string()
    }

    pub fn is_admin(&self) -> bool {
        !self.disabled && self.groups.iter().any(|g| g == ADMINS_GROUP)
    }
}

/// Members of this group may use the admin API (SPEC §6).
pub const ADMINS_GROUP: &str = "admins";

/// Group names travel in the `groups` claim: 1-64 characters, no spaces or control
/// characters.
pub fn validate_group_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > 64 {
        return Err("a group name has 1 to 64 characters".into());
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a group name has no spaces or control characters".into());
    }
    Ok(())
}

/// Passwords are hashed with argon2id; longer ones only cost time.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// Passwords have 8 to 1024 characters, for every shell.
pub fn validate_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(format!("a password has at least {PASSWORD_MIN_CHARS} characters"));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(format!("a password has at most {PASSWORD_MAX_CHARS} characters"));
    }
    Ok(())
}

/// What an administrator sets on a user (SPEC §6), as the API and the CLI name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub claims: StandardClaims,
    /// Names of existing groups.
    pub groups: Vec<String>,
    pub disabled: bool,
}

impl Profile {
    /// The rules that need no database; that the groups exist is checked with the store.
    pub fn validate(&self) -> super::validation::FieldErrors {
        self.validate_changes(None)
    }

    /// As `validate`, checking the e-mail address, the name and each claim only where
    /// they differ from `before`: what an upstream provided stays valid for changes to
    /// the rest.
    pub fn validate_changes(&self, before: Option<&Profile>) -> super::validation::FieldErrors {
        let mut errors = super::validation::FieldErrors::new();
        errors.check("username", validate_username(&self.username));
        if let Some(email) = &self.email
            && before.is_none_or(|before| before.email.as_ref() != Some(email))
        {
            errors.check("email", super::validation::email(email));
        }
        if let Some(name) = &self.name
            && before.is_none_or(|before| before.name.as_ref() != Some(name))
        {
            errors.check("name", super::validation::text(name, 200));
        }
        self.claims.validate_changes(before.map(|before| &before.claims), &mut errors);
        errors
    }
}

/// Usernames are what people type: 1-64 characters, no spaces or control characters.
pub fn validate_username(username: &str) -> Result<(), String> {
    if username.is_empty() || username.chars().count() > 64 {
        return Err("a username has 1 to 64 characters".into());
    }
    if username.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a username has no spaces or control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_address_is_not_checked_again() {
        // Upstreams may provide addresses the hub would not accept from an administrator.
        let synced = Profile { username: "bob".into(), email: Some("bob@intranet".into()), ..Profile::default() };
        assert!(!synced.validate().is_empty(), "a new address is checked");
        let disabled = Profile { disabled: true, ..synced.clone() };
        assert!(disabled.validate_changes(Some(&synced)).is_empty(), "disabling keeps the address");
        let changed = Profile { email: Some("bob@elsewhere".into()), ..synced.clone() };
        assert!(!changed.validate_changes(Some(&synced)).is_empty(), "a changed address is checked");
        assert!(validate_password("seven77").is_err() && validate_password("eight888").is_ok());
        assert!(validate_password(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn the_claims_are_checked_with_the_profile() {
        let claims = StandardClaims { website: Some("javascript:alert(1)".into()), ..StandardClaims::default() };
        let profile = Profile { username: "bob".into(), claims, ..Profile::default() };
        let fields: Vec<String> = profile.validate().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["website"]);
        let renamed = Profile { username: "robert".into(), ..profile.clone() };
        assert!(renamed.validate_changes(Some(&profile)).is_empty(), "an unchanged claim is not checked again");
    }
}
