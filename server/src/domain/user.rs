//! A hub user: the subject of every ID token the hub issues.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    /// Stable, never reassigned: the `sub` claim.
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    pub address: Option<Address>,
    /// A URL of the user's picture, as an upstream provides it.
    pub picture: Option<String>,
    /// A BCP 47 language tag, as an upstream provides it.
    pub locale: Option<String>,
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
