//! A registered relying party: RFC 7591 and OIDC Registration 1.0 metadata plus the hub's
//! own fields (`skip_authorization`, the upstream policy). `metadata` checks what a client
//! is registered with; `redirect_uri` holds the redirect URI rules.

mod keys;
mod metadata;
mod redirect_uri;
mod sector;

pub use metadata::ClientMetadata;
pub use redirect_uri::validate_redirect_uri;

use super::protocol::{
    ApplicationType, ContentEncryptionAlg, GrantType, KeyEncryptionAlg, RequestObjectAlg, ResponseType, SigningAlg,
    SubjectType, TokenEndpointAuthMethod,
};
use super::scope::ScopeSet;
use super::validation;

/// Sealing context of client secrets at rest.
pub const SECRET_CONTEXT: &str = "client-secret";

/// Confidential clients hold a secret; public ones (SPAs, native apps) authenticate with
/// PKCE alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Confidential,
    Public,
}

/// Who vouches for a client's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientOrigin {
    /// An administrator registered it (admin API, UI, CLI).
    Administrator,
    /// It registered itself (RFC 7591): its URLs are a stranger's, fetched only on the
    /// public internet; it always asks for consent and introspects only its own tokens.
    Registration,
}

/// What the OP needs to know about a client. The secret is not here: it is opened from
/// the store only where a request is authenticated or an HS256 token is signed.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub origin: ClientOrigin,
    pub client_name: String,
    pub application_type: ApplicationType,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub response_types: Vec<ResponseType>,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    pub id_token_signed_response_alg: SigningAlg,
    /// Userinfo answers as a signed JWT (OIDC Core §5.3.2) when set, else as JSON.
    pub userinfo_signed_response_alg: Option<SigningAlg>,
    /// Its ID tokens and userinfo responses are encrypted to its public key.
    pub id_token_encryption: Option<ResponseEncryption>,
    pub userinfo_encryption: Option<ResponseEncryption>,
    /// The client's own public keys: for the JWTs it signs and what it is encrypted to.
    pub keys: Option<ClientKeys>,
    /// How its request objects must be signed; unset, any way the hub verifies.
    pub request_object_signing_alg: Option<RequestObjectAlg>,
    /// The only `request_uri`s the hub fetches for it (OIDC Registration 1.0 §2).
    pub request_uris: Vec<String>,
    /// Its authorization requests must come pushed (RFC 9126 §6), never in the query.
    pub require_pushed_authorization_requests: bool,
    /// Seconds: the `max_age` of an authorization request that names none.
    pub default_max_age: Option<u64>,
    /// Asked for at registration; the hub's ID tokens always carry `auth_time`.
    pub require_auth_time: bool,
    pub backchannel_logout_uri: Option<String>,
    /// Asked for at registration; the hub's logout tokens always carry `sid`.
    pub backchannel_logout_session_required: bool,
    /// User claims its logout tokens carry besides `sub` (say `preferred_username`), for
    /// an app that finds its user by one of them (EspoCRM); each of a scope it may ask for.
    pub backchannel_logout_claims: Vec<String>,
    pub subject_type: SubjectType,
    /// A document listing the redirect URIs of every client of the sector (OIDC Core
    /// §8.1); its host is the sector of a pairwise client.
    pub sector_identifier_uri: Option<String>,
    /// Scopes the client may ask for; standard OIDC scopes when unset at registration.
    pub scope: ScopeSet,
    /// First-party apps: consent is never asked.
    pub skip_authorization: bool,
    pub allowed_social_login_keys: Vec<String>,
    pub default_social_login_key: Option<String>,
    /// Its users must prove a second factor (issue 13): a password alone never gets a code.
    pub require_second_factor: bool,
    /// Only members of these groups may use it; empty: everyone.
    pub allowed_groups: Vec<String>,
    pub about: ClientAbout,
}

/// How a token for the client is encrypted to its key (OIDC Core §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseEncryption {
    pub alg: KeyEncryptionAlg,
    pub enc: ContentEncryptionAlg,
}

/// Where a client's public keys are (RFC 7591 §2: one or the other, never both).
#[derive(Debug, Clone, PartialEq)]
pub enum ClientKeys {
    /// A JWK Set by value.
    Jwks(serde_json::Value),
    /// A JWK Set the hub fetches (and caches).
    JwksUri(String),
}

/// What people are shown about a client, and where a third party starts its login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientAbout {
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    /// OIDC Registration 1.0 §2: where a third party can start the client's sign-in.
    pub initiate_login_uri: Option<String>,
    pub contacts: Vec<String>,
}

impl Client {
    pub fn kind(&self) -> ClientKind {
        match self.token_endpoint_auth_method {
            TokenEndpointAuthMethod::None => ClientKind::Public,
            _ => ClientKind::Confidential,
        }
    }

    /// Exact string comparison (OAuth 2.0 Security BCP §4.1.3): no prefix, no wildcard;
    /// only the port of a loopback IP redirect URI may differ (RFC 8252 §7.3).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| registered == uri || redirect_uri::same_but_loopback_port(registered, uri))
    }

    /// A registered request URI, or one that differs from it only by the fragment (where
    /// a registered URI may carry the hash of the file's contents).
    pub fn has_request_uri(&self, uri: &str) -> bool {
        let without_fragment = |uri: &str| uri.split('#').next().unwrap_or(uri).to_owned();
        self.request_uris
            .iter()
            .any(|registered| registered == uri || without_fragment(registered) == without_fragment(uri))
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|registered| registered == uri)
    }

    /// The sector a pairwise client's subjects are computed for (OIDC Core §8.1); None
    /// for a client that knows users by the hub's own id.
    pub fn pairwise_sector(&self) -> Option<String> {
        match self.subject_type {
            SubjectType::Public => None,
            SubjectType::Pairwise => Some(
                sector::host(self.sector_identifier_uri.as_deref(), &self.redirect_uris)
                    // A loopback redirect names no one: the client is a sector of its own.
                    .unwrap_or_else(|| format!("client:{}", self.client_id)),
            ),
        }
    }

    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Whether the client's policy lets its users sign in through the key `slug`.
    pub fn allows_social_login_key(&self, slug: &str) -> bool {
        self.allowed_social_login_keys.is_empty()
            || self.allowed_social_login_keys.iter().any(|allowed| allowed == slug)
    }
}

/// Whether a member of `groups` may use a client limited to `allowed_groups` (none: anyone).
pub fn admits_member_of(allowed_groups: &[String], groups: &[String]) -> bool {
    allowed_groups.is_empty() || groups.iter().any(|group| allowed_groups.contains(group))
}

/// Client ids travel in URLs and forms: 1-128 characters, no spaces or control characters.
pub fn validate_client_id(client_id: &str) -> Result<(), String> {
    validation::identifier(client_id, 128)
}
