//! The wire form of users in the admin API.

use poem_openapi::Object;
use uuid::Uuid;

use super::super::paging::page_of;
use super::super::text::Text;
use crate::domain::User as DomainUser;
use crate::domain::user::Profile;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct User {
    /// Stable and never reassigned: the `sub` of the user's tokens.
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// As an upstream provides it (synced on sign-in where the key says so).
    pub picture: Option<String>,
    /// As an upstream provides it (synced on sign-in where the key says so).
    pub locale: Option<String>,
    /// Names of the groups the user is a member of (the `groups` claim).
    pub groups: Vec<String>,
    /// A disabled user cannot sign in and has no sessions.
    pub disabled: bool,
    /// False for users who sign in only through an upstream.
    pub has_password: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A new user. Left out, `groups` is empty and the user is enabled.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserCreate {
    #[oai(validator(max_length = 64))]
    pub username: Text,
    #[oai(validator(max_length = 320))]
    pub email: Option<Text>,
    #[oai(default)]
    pub email_verified: bool,
    #[oai(validator(max_length = 200))]
    pub name: Option<Text>,
    /// Names of existing groups.
    #[oai(default, validator(max_items = 100))]
    pub groups: Vec<Text>,
    #[oai(default)]
    pub disabled: bool,
    /// At least 8 characters. Without one, the user signs in only through an upstream.
    #[oai(write_only, validator(max_length = 1024))]
    pub password: Option<Text>,
}

/// A user's profile and memberships, replaced as a whole. `groups` and `disabled` are
/// required: a script that leaves them out must not re-enable a user or strip their groups.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserUpdate {
    #[oai(validator(max_length = 64))]
    pub username: Text,
    /// Left out: the user has no e-mail address.
    #[oai(validator(max_length = 320))]
    pub email: Option<Text>,
    pub email_verified: bool,
    /// Left out: the user has no name.
    #[oai(validator(max_length = 200))]
    pub name: Option<Text>,
    /// Names of existing groups; replaces the user's memberships.
    #[oai(validator(max_items = 100))]
    pub groups: Vec<Text>,
    /// A disabled user cannot sign in: disabling ends their sessions and revokes their
    /// grants.
    pub disabled: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PasswordInput {
    /// At least 8 characters.
    #[oai(write_only, validator(max_length = 1024))]
    pub password: Text,
}

/// An identity at an upstream that signs in as a hub user.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UpstreamIdentity {
    pub id: Uuid,
    /// The Social Login Key it signs in through.
    pub social_login_key: String,
    /// With `subject`, what identifies it: the upstream's issuer.
    pub issuer: String,
    /// The upstream's `sub` for the user.
    pub subject: String,
    pub email: Option<String>,
    /// The mapped claims of the last sign-in (never a token).
    pub claims: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_login_at: chrono::DateTime<chrono::Utc>,
}

page_of!(
    /// A page of users.
    UserPage,
    User
);

impl UserCreate {
    /// The profile, and the password if one was given.
    pub fn into_domain(self) -> (Profile, Option<String>) {
        let profile = Profile {
            username: self.username.into_inner(),
            email: self.email.map(Text::into_inner),
            email_verified: self.email_verified,
            name: self.name.map(Text::into_inner),
            groups: Text::unwrap_all(self.groups),
            disabled: self.disabled,
        };
        (profile, self.password.map(Text::into_inner))
    }
}

impl UserUpdate {
    pub fn into_domain(self) -> Profile {
        Profile {
            username: self.username.into_inner(),
            email: self.email.map(Text::into_inner),
            email_verified: self.email_verified,
            name: self.name.map(Text::into_inner),
            groups: Text::unwrap_all(self.groups),
            disabled: self.disabled,
        }
    }
}

impl From<DomainUser> for User {
    fn from(user: DomainUser) -> Self {
        User {
            id: user.id,
            username: user.username,
            email: user.email,
            email_verified: user.email_verified,
            name: user.name,
            picture: user.picture,
            locale: user.locale,
            groups: user.groups,
            disabled: user.disabled,
            has_password: user.has_password,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

impl From<crate::store::upstream_identities::UpstreamIdentity> for UpstreamIdentity {
    fn from(link: crate::store::upstream_identities::UpstreamIdentity) -> Self {
        UpstreamIdentity {
            id: link.id,
            social_login_key: link.social_login_key,
            issuer: link.issuer,
            subject: link.subject,
            email: link.email,
            claims: link.claims,
            created_at: link.created_at,
            last_login_at: link.last_login_at,
        }
    }
}
