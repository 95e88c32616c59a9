//! The wire form of users in the admin API.

use poem_openapi::Object;
use uuid::Uuid;

use super::super::paging::page_of;
use super::super::text::Text;
use crate::domain::User as DomainUser;
use crate::domain::user::{Address as DomainAddress, Profile, StandardClaims};

/// A hub user. Where a Social Login Key says so, signing in through it refreshes the
/// name, e-mail address, given and family name, picture and locale.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct User {
    /// Stable and never reassigned: the `sub` of the user's tokens.
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    #[oai(flatten)]
    pub claims: UserClaims,
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
    #[oai(flatten)]
    pub claims: UserClaims,
    /// Names of existing groups.
    #[oai(default, validator(max_items = 100))]
    pub groups: Vec<Text>,
    #[oai(default)]
    pub disabled: bool,
    /// At least 8 characters. Without one, the user signs in only through an upstream.
    #[oai(write_only, validator(max_length = 1024))]
    pub password: Option<Text>,
}

/// A user's profile, claims and memberships, replaced as a whole: a claim left out is
/// removed. `groups` and `disabled` are required: a script that leaves them out must not
/// re-enable a user or strip their groups.
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
    #[oai(flatten)]
    pub claims: UserClaims,
    /// Names of existing groups; replaces the user's memberships.
    #[oai(validator(max_items = 100))]
    pub groups: Vec<Text>,
    /// A disabled user cannot sign in: disabling ends their sessions and revokes their
    /// grants.
    pub disabled: bool,
}

/// The OpenID Connect Core §5.1 claims besides `preferred_username` (the username),
/// `email`, `email_verified` and `name`, under their claim names. Each is released to
/// apps by its scope: `profile`, `phone`, `address`.
#[derive(Debug, Default, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserClaims {
    #[oai(validator(max_length = 200))]
    pub given_name: Option<Text>,
    #[oai(validator(max_length = 200))]
    pub family_name: Option<Text>,
    #[oai(validator(max_length = 200))]
    pub middle_name: Option<Text>,
    /// A casual name, which may differ from the given name.
    #[oai(validator(max_length = 200))]
    pub nickname: Option<Text>,
    /// The URL of the user's profile page (http or https).
    #[oai(validator(max_length = 2048))]
    pub profile: Option<Text>,
    /// The URL of the user's picture (http or https).
    #[oai(validator(max_length = 2048))]
    pub picture: Option<Text>,
    /// The URL of the user's web page or blog (http or https).
    #[oai(validator(max_length = 2048))]
    pub website: Option<Text>,
    /// `female`, `male`, or another value.
    #[oai(validator(max_length = 64))]
    pub gender: Option<Text>,
    /// `YYYY-MM-DD`, `YYYY` (the year only) or `0000-MM-DD` (the year withheld).
    #[oai(validator(max_length = 10))]
    pub birthdate: Option<Text>,
    /// A tz database time zone such as `Europe/Paris`, or `UTC`.
    #[oai(validator(max_length = 64))]
    pub zoneinfo: Option<Text>,
    /// A BCP 47 language tag such as `fr-CA`.
    #[oai(validator(max_length = 35))]
    pub locale: Option<Text>,
    /// In international form: `+1 (425) 555-1212`, an extension as `;ext=5678`.
    #[oai(validator(max_length = 64))]
    pub phone_number: Option<Text>,
    /// Whether the phone number was confirmed with its owner; left out, false.
    #[oai(default)]
    pub phone_number_verified: bool,
    pub address: Option<Address>,
}

/// A postal address (OpenID Connect Core §5.1.1); every part is optional.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Address {
    /// The whole address as it is printed on an envelope; may hold line breaks.
    #[oai(validator(max_length = 500))]
    pub formatted: Option<Text>,
    /// Street, house number, flat; may hold line breaks.
    #[oai(validator(max_length = 300))]
    pub street_address: Option<Text>,
    /// City or locality.
    #[oai(validator(max_length = 200))]
    pub locality: Option<Text>,
    /// State, province, prefecture or region.
    #[oai(validator(max_length = 200))]
    pub region: Option<Text>,
    #[oai(validator(max_length = 32))]
    pub postal_code: Option<Text>,
    /// Country name.
    #[oai(validator(max_length = 200))]
    pub country: Option<Text>,
}

/// A message with a single-use link, on its way to the user.
#[derive(Debug, Object)]
pub struct EmailSent {
    /// The address it goes to: the user's.
    pub sent_to: String,
    /// How long the link works, in seconds.
    pub expires_in: u64,
}

impl From<crate::manage::account::recovery::Sent> for EmailSent {
    fn from(sent: crate::manage::account::recovery::Sent) -> Self {
        Self { sent_to: sent.to, expires_in: sent.valid_for.as_secs() }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PasswordInput {
    /// At least 8 characters.
    #[oai(write_only, validator(max_length = 1024))]
    pub password: Text,
}

/// A user's second factors: TOTP with recovery codes (never its secret or codes), and
/// passkeys (never their credentials).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SecondFactor {
    /// A TOTP authenticator is enrolled and confirmed.
    pub enrolled: bool,
    pub enrolled_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Unused recovery codes (of ten).
    pub recovery_codes_left: u32,
    /// The user's passkeys, oldest first; each is a second factor, and signs in alone.
    pub passkeys: Vec<UserPasskey>,
}

/// One of a user's passkeys.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserPasskey {
    pub id: Uuid,
    /// The name its user gave it.
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Backup-eligible: it may be synced to the user's other devices (`amr` `swk`);
    /// otherwise it stays on one authenticator (`hwk`).
    pub synced: bool,
}

impl SecondFactor {
    pub fn of(
        status: crate::accounts::second_factor::Status,
        passkeys: Vec<crate::accounts::passkeys::Summary>,
    ) -> Self {
        Self {
            enrolled: status.enrolled,
            enrolled_at: status.enrolled_at,
            recovery_codes_left: u32::try_from(status.recovery_codes_left).unwrap_or(u32::MAX),
            passkeys: passkeys.into_iter().map(UserPasskey::from).collect(),
        }
    }
}

impl From<crate::accounts::passkeys::Summary> for UserPasskey {
    fn from(passkey: crate::accounts::passkeys::Summary) -> Self {
        Self {
            id: passkey.id,
            name: passkey.name,
            created_at: passkey.created_at,
            last_used_at: passkey.last_used_at,
            synced: passkey.synced,
        }
    }
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
    User,
    by key
);

impl UserCreate {
    /// The profile, and the password if one was given.
    pub fn into_domain(self) -> (Profile, Option<String>) {
        let profile = Profile {
            username: self.username.into_inner(),
            email: self.email.map(Text::into_inner),
            email_verified: self.email_verified,
            name: self.name.map(Text::into_inner),
            claims: self.claims.into_domain(),
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
            claims: self.claims.into_domain(),
            groups: Text::unwrap_all(self.groups),
            disabled: self.disabled,
        }
    }
}

impl UserClaims {
    fn into_domain(self) -> StandardClaims {
        let text = |value: Option<Text>| value.map(Text::into_inner);
        StandardClaims {
            given_name: text(self.given_name),
            family_name: text(self.family_name),
            middle_name: text(self.middle_name),
            nickname: text(self.nickname),
            profile: text(self.profile),
            picture: text(self.picture),
            website: text(self.website),
            gender: text(self.gender),
            birthdate: text(self.birthdate),
            zoneinfo: text(self.zoneinfo),
            locale: text(self.locale),
            phone_number: text(self.phone_number),
            phone_number_verified: self.phone_number_verified,
            address: self.address.and_then(|address| address.into_domain().non_empty()),
        }
    }
}

impl From<StandardClaims> for UserClaims {
    fn from(claims: StandardClaims) -> Self {
        let text = |value: Option<String>| value.map(Text::from);
        UserClaims {
            given_name: text(claims.given_name),
            family_name: text(claims.family_name),
            middle_name: text(claims.middle_name),
            nickname: text(claims.nickname),
            profile: text(claims.profile),
            picture: text(claims.picture),
            website: text(claims.website),
            gender: text(claims.gender),
            birthdate: text(claims.birthdate),
            zoneinfo: text(claims.zoneinfo),
            locale: text(claims.locale),
            phone_number: text(claims.phone_number),
            phone_number_verified: claims.phone_number_verified,
            address: claims.address.map(Address::from),
        }
    }
}

impl Address {
    fn into_domain(self) -> DomainAddress {
        let text = |value: Option<Text>| value.map(Text::into_inner);
        DomainAddress {
            formatted: text(self.formatted),
            street_address: text(self.street_address),
            locality: text(self.locality),
            region: text(self.region),
            postal_code: text(self.postal_code),
            country: text(self.country),
        }
    }
}

impl From<DomainAddress> for Address {
    fn from(address: DomainAddress) -> Self {
        let text = |value: Option<String>| value.map(Text::from);
        Address {
            formatted: text(address.formatted),
            street_address: text(address.street_address),
            locality: text(address.locality),
            region: text(address.region),
            postal_code: text(address.postal_code),
            country: text(address.country),
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
            claims: user.claims.into(),
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
