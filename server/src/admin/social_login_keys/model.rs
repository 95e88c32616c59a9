//! The wire form of Social Login Keys in the admin API (SPEC §5 names).

use std::collections::BTreeMap;

use poem_openapi::{Enum, Object};

use super::super::paging::page_of;
use super::super::text::Text;
use crate::domain::social_login_key::{Endpoints, SocialLoginKey as DomainKey, TokenAuthMethod, UpstreamKind};
use crate::federation::probe::Report;
use crate::state::AppState;
use crate::store::social_login_keys::StoredSocialLoginKey;

/// The upstream's kind: a generic protocol, or a preset that knows the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "SocialLoginKeyKind", rename_all = "snake_case")]
pub enum Kind {
    /// Any OpenID Connect provider; endpoints come from the issuer's discovery document.
    Oidc,
    /// Any OAuth 2.0 provider; explicit endpoints, identity from the userinfo endpoint.
    Oauth2,
    Google,
    /// Issuer `https://login.microsoftonline.com/<tenant>/v2.0` (default: `common`).
    Microsoft,
    Github,
    /// gitlab.com by default; a self-hosted GitLab's URL as issuer.
    Gitlab,
    /// The realm URL as issuer: `https://keycloak.example.com/realms/<realm>`.
    Keycloak,
    /// A Frappe site's URL as issuer.
    Frappe,
    /// Another instance of this hub.
    Hub,
}

/// How the hub authenticates at the upstream's token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "UpstreamTokenAuthMethod", rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
}

/// A Social Login Key's settings, as written.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SocialLoginKeySettings {
    /// The name on the "Continue with …" button.
    #[oai(validator(max_length = 100))]
    pub display_name: Text,
    pub kind: Kind,
    /// The upstream's issuer URL; required for oidc, keycloak, frappe and hub.
    #[oai(validator(max_length = 2048))]
    pub issuer: Option<Text>,
    /// Overrides discovery or the preset; required for oauth2.
    #[oai(validator(max_length = 2048))]
    pub authorization_endpoint: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub token_endpoint: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub userinfo_endpoint: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub jwks_uri: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub end_session_endpoint: Option<Text>,
    /// The hub's client id at the upstream.
    #[oai(validator(max_length = 255))]
    pub client_id: Text,
    /// Scopes to request; default: the preset's (`openid email profile` for OpenID kinds).
    #[oai(validator(max_items = 50))]
    pub scopes: Option<Vec<Text>>,
    /// Disabled keys are not offered and cannot be used. Required, so an update that
    /// leaves it out cannot re-enable a key.
    pub enabled: bool,
    /// Create a hub user on first sign-in (JIT) when no linked or matching user exists.
    #[oai(default)]
    pub allow_signup: bool,
    /// A verified e-mail from this upstream may link to an existing hub user.
    #[oai(default)]
    pub trust_email: bool,
    /// Believe this upstream's `amr`/`acr` when it says its sign-in had a second factor
    /// (`mfa`, `otp`, `hwk`, …): such a sign-in then meets a second-factor rule.
    #[oai(default)]
    pub trust_mfa: bool,
    /// The upstream claim that becomes the username; default: the preset's.
    #[oai(validator(max_length = 128))]
    pub username_claim: Option<Text>,
    /// Where the upstream's groups are, as a dotted path (`realm_access.roles`).
    #[oai(validator(max_length = 128))]
    pub groups_claim: Option<Text>,
    /// Upstream group → hub group. Groups not listed here become `<slug>:<group>`, so two
    /// upstreams cannot grant each other's groups; none can map to `admins`.
    #[oai(default, validator(max_properties = 200))]
    pub group_mapping: BTreeMap<String, Text>,
    /// Hub claim (`sub`, `name`, `given_name`, `family_name`, `email`, `email_verified`,
    /// `picture`, `locale`) → dotted path in the upstream's claims, over the preset's
    /// mapping (GitHub: `sub` ← `id`, `picture` ← `avatar_url`).
    #[oai(default, validator(max_properties = 8))]
    pub claim_mapping: BTreeMap<String, Text>,
    /// Default: what discovery advertises (basic first), else the preset's.
    pub token_endpoint_auth_method: Option<AuthMethod>,
    /// Signing out of the hub (RP-initiated logout) continues to the upstream's
    /// end-session endpoint; register `post_logout_redirect_uri` there.
    #[oai(default)]
    pub end_upstream_session: bool,
    /// Update the hub user's profile and groups on every sign-in.
    #[oai(default = "yes")]
    pub sync_profile: bool,
    /// E-mail domains this upstream serves: a `login_hint` in one goes straight to it.
    #[oai(default, validator(max_items = 100))]
    pub email_domains: Vec<Text>,
    /// URL of an icon for the button.
    #[oai(validator(max_length = 2048))]
    pub icon: Option<Text>,
}

fn yes() -> bool {
    true
}

/// Settings to write, with the write-only secret.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SocialLoginKeyInput {
    #[oai(flatten)]
    pub settings: SocialLoginKeySettings,
    /// The hub's client secret at the upstream. Never returned; on update, leave it out
    /// to keep the current one.
    #[oai(write_only, validator(min_length = 1, max_length = 1024))]
    pub client_secret: Option<Text>,
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SocialLoginKeyCreate {
    /// Lowercase letters, digits, `-` and `_`; in URLs and in `idp_hint`.
    #[oai(validator(max_length = 64))]
    pub slug: Text,
    #[oai(flatten)]
    pub input: SocialLoginKeyInput,
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SocialLoginKey {
    pub slug: String,
    pub display_name: String,
    pub kind: Kind,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub client_id: String,
    /// The scopes requested (the preset's when none were written).
    pub scopes: Vec<String>,
    pub enabled: bool,
    pub allow_signup: bool,
    pub trust_email: bool,
    pub trust_mfa: bool,
    pub username_claim: String,
    pub groups_claim: Option<String>,
    pub group_mapping: BTreeMap<String, String>,
    pub claim_mapping: BTreeMap<String, String>,
    pub token_endpoint_auth_method: Option<AuthMethod>,
    pub end_upstream_session: bool,
    pub sync_profile: bool,
    pub email_domains: Vec<String>,
    pub icon: Option<String>,
    /// Whether a client secret is stored (it is never shown).
    pub has_client_secret: bool,
    /// The redirect URI to register at the upstream.
    pub redirect_uri: String,
    /// The back-channel logout URI to register at the upstream (with session required):
    /// its logout tokens end the hub sessions signed in through it.
    pub backchannel_logout_uri: String,
    /// Where the upstream sends the browser back after signing out, to register there
    /// for `end_upstream_session`.
    pub post_logout_redirect_uri: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

page_of!(
    /// A page of social login keys.
    SocialLoginKeyPage,
    SocialLoginKey
);

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TestCheck {
    /// What was checked: `discovery`, `issuer`, `jwks`, `token_endpoint`…
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UpstreamKey {
    pub kid: Option<String>,
    pub kty: String,
    pub alg: Option<String>,
}

/// What the upstream answered.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SocialLoginKeyTest {
    /// Every check passed.
    pub ok: bool,
    pub checks: Vec<TestCheck>,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub end_session_endpoint: Option<String>,
    /// The ID token signing algorithms the upstream advertises.
    pub signing_algs: Vec<String>,
    /// The keys in the upstream's JWKS.
    pub keys: Vec<UpstreamKey>,
}

/// The domain key these settings describe, under `slug`.
pub fn to_domain(slug: String, settings: SocialLoginKeySettings) -> DomainKey {
    let kind = match settings.kind {
        Kind::Oidc => UpstreamKind::Oidc,
        Kind::Oauth2 => UpstreamKind::Oauth2,
        Kind::Google => UpstreamKind::Google,
        Kind::Microsoft => UpstreamKind::Microsoft,
        Kind::Github => UpstreamKind::Github,
        Kind::Gitlab => UpstreamKind::Gitlab,
        Kind::Keycloak => UpstreamKind::Keycloak,
        Kind::Frappe => UpstreamKind::Frappe,
        Kind::Hub => UpstreamKind::Hub,
    };
    let preset = kind.preset();
    DomainKey {
        slug,
        display_name: settings.display_name.into_inner(),
        kind,
        issuer: settings.issuer.map(Text::into_inner),
        endpoints: Endpoints {
            authorization: settings.authorization_endpoint.map(Text::into_inner),
            token: settings.token_endpoint.map(Text::into_inner),
            userinfo: settings.userinfo_endpoint.map(Text::into_inner),
            jwks_uri: settings.jwks_uri.map(Text::into_inner),
            end_session: settings.end_session_endpoint.map(Text::into_inner),
        },
        client_id: settings.client_id.into_inner(),
        scopes: match settings.scopes {
            Some(scopes) => Text::unwrap_all(scopes),
            None => preset.default_scopes.iter().map(|s| (*s).to_owned()).collect(),
        },
        enabled: settings.enabled,
        allow_signup: settings.allow_signup,
        trust_email: settings.trust_email,
        trust_mfa: settings.trust_mfa,
        username_claim: match settings.username_claim {
            Some(claim) => claim.into_inner(),
            None => preset.default_username_claim.to_owned(),
        },
        groups_claim: settings.groups_claim.map(Text::into_inner),
        group_mapping: settings.group_mapping.into_iter().map(|(k, v)| (k, v.into_inner())).collect(),
        claim_mapping: settings.claim_mapping.into_iter().map(|(k, v)| (k, v.into_inner())).collect(),
        token_endpoint_auth_method: settings.token_endpoint_auth_method.map(|method| match method {
            AuthMethod::ClientSecretBasic => TokenAuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost => TokenAuthMethod::ClientSecretPost,
        }),
        end_upstream_session: settings.end_upstream_session,
        sync_profile: settings.sync_profile,
        email_domains: Text::unwrap_all(settings.email_domains),
        icon: settings.icon.map(Text::into_inner),
    }
}

/// The key as the API shows it, with the URIs to register at the upstream.
pub fn to_api(state: &AppState, stored: StoredSocialLoginKey) -> SocialLoginKey {
    let key = stored.key;
    let kind = match key.kind {
        UpstreamKind::Oidc => Kind::Oidc,
        UpstreamKind::Oauth2 => Kind::Oauth2,
        UpstreamKind::Google => Kind::Google,
        UpstreamKind::Microsoft => Kind::Microsoft,
        UpstreamKind::Github => Kind::Github,
        UpstreamKind::Gitlab => Kind::Gitlab,
        UpstreamKind::Keycloak => Kind::Keycloak,
        UpstreamKind::Frappe => Kind::Frappe,
        UpstreamKind::Hub => Kind::Hub,
    };
    let paths = crate::oidc::paths::Upstream::of(&key.slug);
    SocialLoginKey {
        redirect_uri: state.settings.endpoint(&paths.callback),
        backchannel_logout_uri: state.settings.endpoint(&paths.backchannel_logout),
        post_logout_redirect_uri: state.settings.endpoint(crate::oidc::paths::UPSTREAM_LOGGED_OUT),
        slug: key.slug,
        display_name: key.display_name,
        kind,
        issuer: key.issuer,
        authorization_endpoint: key.endpoints.authorization,
        token_endpoint: key.endpoints.token,
        userinfo_endpoint: key.endpoints.userinfo,
        jwks_uri: key.endpoints.jwks_uri,
        end_session_endpoint: key.endpoints.end_session,
        client_id: key.client_id,
        scopes: key.scopes,
        enabled: key.enabled,
        allow_signup: key.allow_signup,
        trust_email: key.trust_email,
        trust_mfa: key.trust_mfa,
        username_claim: key.username_claim,
        groups_claim: key.groups_claim,
        group_mapping: key.group_mapping,
        claim_mapping: key.claim_mapping,
        token_endpoint_auth_method: key.token_endpoint_auth_method.map(|method| match method {
            TokenAuthMethod::ClientSecretBasic => AuthMethod::ClientSecretBasic,
            TokenAuthMethod::ClientSecretPost => AuthMethod::ClientSecretPost,
        }),
        end_upstream_session: key.end_upstream_session,
        sync_profile: key.sync_profile,
        email_domains: key.email_domains,
        icon: key.icon,
        has_client_secret: stored.secret_sealed.is_some(),
        created_at: stored.created_at,
        updated_at: stored.updated_at,
    }
}

impl From<Report> for SocialLoginKeyTest {
    fn from(report: Report) -> Self {
        SocialLoginKeyTest {
            ok: report.ok(),
            checks: report
                .checks
                .into_iter()
                .map(|c| TestCheck { name: c.name.to_owned(), ok: c.ok, detail: c.detail })
                .collect(),
            issuer: report.issuer,
            authorization_endpoint: report.authorization_endpoint,
            token_endpoint: report.token_endpoint,
            userinfo_endpoint: report.userinfo_endpoint,
            jwks_uri: report.jwks_uri,
            end_session_endpoint: report.end_session_endpoint,
            signing_algs: report.signing_algs,
            keys: report.keys.into_iter().map(|k| UpstreamKey { kid: k.kid, kty: k.kty, alg: k.alg }).collect(),
        }
    }
}
