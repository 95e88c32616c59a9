//! The wire form of clients in the admin API (RFC 7591 metadata names).

use poem_openapi::Object;

use super::super::paging::page_of;
use super::super::text::Text;
use super::vocabulary::{
    ApplicationType, ContentEncryptionAlg, GrantType, KeyEncryptionAlg, RequestObjectAlg, ResponseType, SigningAlg,
    SubjectType, TokenEndpointAuthMethod,
};
use crate::domain::client::{ClientAbout, ClientKeys, ClientMetadata};
use crate::manage::built_in::is_built_in;
use crate::store::clients::StoredClient;

/// A JWK Set (RFC 7517 §5): the client's public keys.
#[derive(Debug, Clone, Object)]
pub struct JwkSet {
    #[oai(validator(max_items = 20))]
    pub keys: Vec<std::collections::BTreeMap<String, serde_json::Value>>,
}

impl JwkSet {
    fn into_value(self) -> serde_json::Value {
        serde_json::json!({ "keys": self.keys })
    }

    fn from_value(value: &serde_json::Value) -> Option<Self> {
        serde_json::from_value::<Vec<_>>(value.get("keys")?.clone()).ok().map(|keys| Self { keys })
    }
}

/// Client metadata an administrator writes.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ClientInput {
    #[oai(validator(max_length = 200))]
    pub client_name: Text,
    /// Matched exactly; https, loopback http, or a private-use scheme of a native app.
    #[oai(default, validator(max_items = 50))]
    pub redirect_uris: Vec<Text>,
    #[oai(default, validator(max_items = 50))]
    pub post_logout_redirect_uris: Vec<Text>,
    /// Default: `["authorization_code"]` (RFC 7591).
    #[oai(default = "default_grant_types", validator(max_items = 5))]
    pub grant_types: Vec<GrantType>,
    /// Default: `["code"]`; empty for a client_credentials or device-only client. A
    /// response type with `id_token` or `token` needs the `implicit` grant.
    #[oai(default = "default_response_types", validator(max_items = 6))]
    pub response_types: Vec<ResponseType>,
    #[oai(default = "default_auth_method")]
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    #[oai(default = "default_alg")]
    pub id_token_signed_response_alg: SigningAlg,
    #[oai(validator(max_length = 2048))]
    pub backchannel_logout_uri: Option<Text>,
    /// User claims its logout tokens carry besides `sub` and `sid` (say
    /// `preferred_username`), for an app that finds the user to sign out by one of them;
    /// each must be released by a scope the client may ask for.
    #[oai(default, validator(max_items = 20))]
    pub backchannel_logout_claims: Vec<Text>,
    /// Space-separated scopes the client may request; default: the standard OpenID scopes.
    #[oai(validator(max_length = 2048))]
    pub scope: Option<Text>,
    /// First-party app: consent is never asked.
    #[oai(default)]
    pub skip_authorization: bool,
    /// Upstreams this client's users may sign in with (slugs); empty: all enabled ones.
    #[oai(default, validator(max_items = 100))]
    pub allowed_social_login_keys: Vec<Text>,
    /// Sign in with this upstream straight away, without the hub's login page.
    pub default_social_login_key: Option<Text>,
    /// Its users must prove a second factor: a password-only sign-in never gets a code.
    #[oai(default)]
    pub require_second_factor: bool,
    /// Only members of these groups may use the client; empty: everyone.
    #[oai(default, validator(max_items = 100))]
    pub allowed_groups: Vec<Text>,
    #[oai(default = "default_application_type")]
    pub application_type: ApplicationType,
    /// Userinfo answers as a JWT signed this way; unset: plain JSON.
    pub userinfo_signed_response_alg: Option<SigningAlg>,
    /// Encrypt its ID tokens to its public key (`jwks` or `jwks_uri`).
    pub id_token_encrypted_response_alg: Option<KeyEncryptionAlg>,
    /// With `id_token_encrypted_response_alg`; unset: A128CBC-HS256.
    pub id_token_encrypted_response_enc: Option<ContentEncryptionAlg>,
    /// Encrypt its userinfo responses to its public key.
    pub userinfo_encrypted_response_alg: Option<KeyEncryptionAlg>,
    /// With `userinfo_encrypted_response_alg`; unset: A128CBC-HS256.
    pub userinfo_encrypted_response_enc: Option<ContentEncryptionAlg>,
    /// The client's public keys by value; exclusive with `jwks_uri`.
    pub jwks: Option<JwkSet>,
    #[oai(validator(max_length = 2048))]
    pub jwks_uri: Option<Text>,
    /// How the client signs its request objects; unset: any way the hub verifies.
    pub request_object_signing_alg: Option<RequestObjectAlg>,
    /// The only request URIs the hub fetches for this client.
    #[oai(default, validator(max_items = 50))]
    pub request_uris: Vec<Text>,
    /// Its authorization requests must be pushed first (RFC 9126), never sent in the query.
    #[oai(default)]
    pub require_pushed_authorization_requests: bool,
    /// Seconds: the `max_age` of an authorization request that names none.
    pub default_max_age: Option<u64>,
    #[oai(default)]
    pub require_auth_time: bool,
    #[oai(default)]
    pub backchannel_logout_session_required: bool,
    /// `pairwise` gives the client's sector its own `sub` for each user. Changing the
    /// sector (the host of its redirect URIs, or `sector_identifier_uri`) changes them all.
    #[oai(default = "default_subject_type")]
    pub subject_type: SubjectType,
    /// An https URL of a JSON array listing the redirect URIs of every client of the
    /// sector; its host is the sector (OIDC Core §8.1).
    #[oai(validator(max_length = 2048))]
    pub sector_identifier_uri: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub logo_uri: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub client_uri: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub policy_uri: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub tos_uri: Option<Text>,
    #[oai(validator(max_length = 2048))]
    pub initiate_login_uri: Option<Text>,
    #[oai(default, validator(max_items = 20))]
    pub contacts: Vec<Text>,
}

fn default_subject_type() -> SubjectType {
    SubjectType::Public
}

fn default_application_type() -> ApplicationType {
    ApplicationType::Web
}

fn default_grant_types() -> Vec<GrantType> {
    vec![GrantType::AuthorizationCode]
}

fn default_response_types() -> Vec<ResponseType> {
    vec![ResponseType::Code]
}

fn default_auth_method() -> TokenEndpointAuthMethod {
    TokenEndpointAuthMethod::ClientSecretBasic
}

fn default_alg() -> SigningAlg {
    SigningAlg::RS256
}

/// A client to register. Without `client_id`, the hub picks a random one.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ClientCreate {
    #[oai(validator(max_length = 128))]
    pub client_id: Option<Text>,
    #[oai(flatten)]
    pub metadata: ClientInput,
}

/// A registered client, every field as stored (nothing defaulted). Its secret is never
/// part of it.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Client {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub response_types: Vec<ResponseType>,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    pub id_token_signed_response_alg: SigningAlg,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_claims: Vec<String>,
    /// Space-separated scopes the client may request.
    pub scope: String,
    pub skip_authorization: bool,
    pub allowed_social_login_keys: Vec<String>,
    pub default_social_login_key: Option<String>,
    pub require_second_factor: bool,
    pub allowed_groups: Vec<String>,
    pub application_type: ApplicationType,
    pub userinfo_signed_response_alg: Option<SigningAlg>,
    pub id_token_encrypted_response_alg: Option<KeyEncryptionAlg>,
    pub id_token_encrypted_response_enc: Option<ContentEncryptionAlg>,
    pub userinfo_encrypted_response_alg: Option<KeyEncryptionAlg>,
    pub userinfo_encrypted_response_enc: Option<ContentEncryptionAlg>,
    pub jwks: Option<JwkSet>,
    pub jwks_uri: Option<String>,
    pub request_object_signing_alg: Option<RequestObjectAlg>,
    pub request_uris: Vec<String>,
    pub require_pushed_authorization_requests: bool,
    pub default_max_age: Option<u64>,
    pub require_auth_time: bool,
    pub backchannel_logout_session_required: bool,
    pub subject_type: SubjectType,
    pub sector_identifier_uri: Option<String>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub initiate_login_uri: Option<String>,
    pub contacts: Vec<String>,
    /// The admin UI's own client, managed by the hub: read-only here.
    pub built_in: bool,
    /// Registered through the registration endpoint (RFC 7591); it always asks for consent.
    pub dynamically_registered: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A client with a secret that was just generated: the only time it is shown.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ClientWithSecret {
    #[oai(flatten)]
    pub client: Client,
    /// Present when this response created a secret; store it now, it is not shown again.
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ClientSecret {
    pub client_id: String,
    /// The new secret; the previous one stops working at once.
    pub client_secret: String,
}

page_of!(
    /// A page of clients.
    ClientPage,
    Client
);

impl ClientInput {
    pub fn into_domain(self) -> ClientMetadata {
        let input = self;
        ClientMetadata {
            client_name: input.client_name.into_inner(),
            redirect_uris: Text::unwrap_all(input.redirect_uris),
            post_logout_redirect_uris: Text::unwrap_all(input.post_logout_redirect_uris),
            grant_types: input.grant_types.into_iter().map(Into::into).collect(),
            response_types: input.response_types.into_iter().map(Into::into).collect(),
            token_endpoint_auth_method: input.token_endpoint_auth_method.into(),
            id_token_signed_response_alg: input.id_token_signed_response_alg.into(),
            backchannel_logout_uri: input.backchannel_logout_uri.map(Text::into_inner),
            backchannel_logout_claims: Text::unwrap_all(input.backchannel_logout_claims),
            scope: input.scope.map(Text::into_inner),
            skip_authorization: input.skip_authorization,
            allowed_social_login_keys: Text::unwrap_all(input.allowed_social_login_keys),
            default_social_login_key: input.default_social_login_key.map(Text::into_inner),
            require_second_factor: input.require_second_factor,
            allowed_groups: Text::unwrap_all(input.allowed_groups),
            application_type: input.application_type.into(),
            userinfo_signed_response_alg: input.userinfo_signed_response_alg.map(Into::into),
            id_token_encrypted_response_alg: input.id_token_encrypted_response_alg.map(Into::into),
            id_token_encrypted_response_enc: input.id_token_encrypted_response_enc.map(Into::into),
            userinfo_encrypted_response_alg: input.userinfo_encrypted_response_alg.map(Into::into),
            userinfo_encrypted_response_enc: input.userinfo_encrypted_response_enc.map(Into::into),
            jwks: input.jwks.map(JwkSet::into_value),
            request_object_signing_alg: input.request_object_signing_alg.map(Into::into),
            request_uris: Text::unwrap_all(input.request_uris),
            require_pushed_authorization_requests: input.require_pushed_authorization_requests,
            jwks_uri: input.jwks_uri.map(Text::into_inner),
            default_max_age: input.default_max_age,
            require_auth_time: input.require_auth_time,
            backchannel_logout_session_required: input.backchannel_logout_session_required,
            subject_type: input.subject_type.into(),
            sector_identifier_uri: input.sector_identifier_uri.map(Text::into_inner),
            about: ClientAbout {
                logo_uri: input.logo_uri.map(Text::into_inner),
                client_uri: input.client_uri.map(Text::into_inner),
                policy_uri: input.policy_uri.map(Text::into_inner),
                tos_uri: input.tos_uri.map(Text::into_inner),
                initiate_login_uri: input.initiate_login_uri.map(Text::into_inner),
                contacts: Text::unwrap_all(input.contacts),
            },
        }
    }
}

impl From<StoredClient> for Client {
    fn from(stored: StoredClient) -> Self {
        let client = stored.client;
        Client {
            built_in: is_built_in(&client.client_id),
            client_id: client.client_id,
            client_name: client.client_name,
            redirect_uris: client.redirect_uris,
            post_logout_redirect_uris: client.post_logout_redirect_uris,
            grant_types: client.grant_types.iter().copied().map(Into::into).collect(),
            response_types: client.response_types.iter().copied().map(Into::into).collect(),
            token_endpoint_auth_method: client.token_endpoint_auth_method.into(),
            id_token_signed_response_alg: client.id_token_signed_response_alg.into(),
            backchannel_logout_uri: client.backchannel_logout_uri,
            backchannel_logout_claims: client.backchannel_logout_claims,
            scope: client.scope.to_string(),
            skip_authorization: client.skip_authorization,
            allowed_social_login_keys: client.allowed_social_login_keys,
            default_social_login_key: client.default_social_login_key,
            require_second_factor: client.require_second_factor,
            allowed_groups: client.allowed_groups,
            application_type: client.application_type.into(),
            userinfo_signed_response_alg: client.userinfo_signed_response_alg.map(Into::into),
            id_token_encrypted_response_alg: client.id_token_encryption.map(|e| e.alg.into()),
            id_token_encrypted_response_enc: client.id_token_encryption.map(|e| e.enc.into()),
            userinfo_encrypted_response_alg: client.userinfo_encryption.map(|e| e.alg.into()),
            userinfo_encrypted_response_enc: client.userinfo_encryption.map(|e| e.enc.into()),
            jwks: match &client.keys {
                Some(ClientKeys::Jwks(jwks)) => JwkSet::from_value(jwks),
                _ => None,
            },
            jwks_uri: match client.keys {
                Some(ClientKeys::JwksUri(uri)) => Some(uri),
                _ => None,
            },
            request_object_signing_alg: client.request_object_signing_alg.map(Into::into),
            request_uris: client.request_uris,
            require_pushed_authorization_requests: client.require_pushed_authorization_requests,
            default_max_age: client.default_max_age,
            require_auth_time: client.require_auth_time,
            backchannel_logout_session_required: client.backchannel_logout_session_required,
            subject_type: client.subject_type.into(),
            sector_identifier_uri: client.sector_identifier_uri,
            logo_uri: client.about.logo_uri,
            client_uri: client.about.client_uri,
            policy_uri: client.about.policy_uri,
            tos_uri: client.about.tos_uri,
            initiate_login_uri: client.about.initiate_login_uri,
            contacts: client.about.contacts,
            dynamically_registered: stored.registration_access_token_hash.is_some(),
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}
