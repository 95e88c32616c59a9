//! The wire form of clients in the admin API (RFC 7591 metadata names).

use poem_openapi::{Enum, Object};

use super::super::paging::page_of;
use super::super::text::Text;
use crate::domain::TokenEndpointAuthMethod as DomainAuthMethod;
use crate::domain::client::ClientMetadata;
use crate::domain::{GrantType as DomainGrant, IdTokenAlg, ResponseType as DomainResponse};
use crate::manage::built_in::is_built_in;
use crate::store::clients::StoredClient;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ResponseType {
    Code,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    /// A public client (SPA, native app): no secret, PKCE required.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum IdTokenSigningAlg {
    RS256,
    /// Keyed with the client secret (as Frappe and django-oauth-toolkit do).
    HS256,
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
    #[oai(default = "default_grant_types", validator(max_items = 3))]
    pub grant_types: Vec<GrantType>,
    /// Default: `["code"]`; empty for a client_credentials-only client.
    #[oai(default = "default_response_types", validator(max_items = 1))]
    pub response_types: Vec<ResponseType>,
    #[oai(default = "default_auth_method")]
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    #[oai(default = "default_alg")]
    pub id_token_signed_response_alg: IdTokenSigningAlg,
    #[oai(validator(max_length = 2048))]
    pub backchannel_logout_uri: Option<Text>,
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

fn default_alg() -> IdTokenSigningAlg {
    IdTokenSigningAlg::RS256
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
    pub id_token_signed_response_alg: IdTokenSigningAlg,
    pub backchannel_logout_uri: Option<String>,
    /// Space-separated scopes the client may request.
    pub scope: String,
    pub skip_authorization: bool,
    pub allowed_social_login_keys: Vec<String>,
    pub default_social_login_key: Option<String>,
    /// The admin UI's own client, managed by the hub: read-only here.
    pub built_in: bool,
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
            grant_types: input
                .grant_types
                .into_iter()
                .map(|g| match g {
                    GrantType::AuthorizationCode => DomainGrant::AuthorizationCode,
                    GrantType::RefreshToken => DomainGrant::RefreshToken,
                    GrantType::ClientCredentials => DomainGrant::ClientCredentials,
                })
                .collect(),
            response_types: input.response_types.into_iter().map(|ResponseType::Code| DomainResponse::Code).collect(),
            token_endpoint_auth_method: match input.token_endpoint_auth_method {
                TokenEndpointAuthMethod::ClientSecretBasic => DomainAuthMethod::ClientSecretBasic,
                TokenEndpointAuthMethod::ClientSecretPost => DomainAuthMethod::ClientSecretPost,
                TokenEndpointAuthMethod::None => DomainAuthMethod::None,
            },
            id_token_signed_response_alg: match input.id_token_signed_response_alg {
                IdTokenSigningAlg::RS256 => IdTokenAlg::RS256,
                IdTokenSigningAlg::HS256 => IdTokenAlg::HS256,
            },
            backchannel_logout_uri: input.backchannel_logout_uri.map(Text::into_inner),
            scope: input.scope.map(Text::into_inner),
            skip_authorization: input.skip_authorization,
            allowed_social_login_keys: Text::unwrap_all(input.allowed_social_login_keys),
            default_social_login_key: input.default_social_login_key.map(Text::into_inner),
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
            grant_types: client
                .grant_types
                .iter()
                .map(|g| match g {
                    DomainGrant::AuthorizationCode => GrantType::AuthorizationCode,
                    DomainGrant::RefreshToken => GrantType::RefreshToken,
                    DomainGrant::ClientCredentials => GrantType::ClientCredentials,
                })
                .collect(),
            response_types: client.response_types.iter().map(|DomainResponse::Code| ResponseType::Code).collect(),
            token_endpoint_auth_method: match client.token_endpoint_auth_method {
                DomainAuthMethod::ClientSecretBasic => TokenEndpointAuthMethod::ClientSecretBasic,
                DomainAuthMethod::ClientSecretPost => TokenEndpointAuthMethod::ClientSecretPost,
                DomainAuthMethod::None => TokenEndpointAuthMethod::None,
            },
            id_token_signed_response_alg: match client.id_token_signed_response_alg {
                IdTokenAlg::RS256 => IdTokenSigningAlg::RS256,
                IdTokenAlg::HS256 => IdTokenSigningAlg::HS256,
            },
            backchannel_logout_uri: client.backchannel_logout_uri,
            scope: client.scope.to_string(),
            skip_authorization: client.skip_authorization,
            allowed_social_login_keys: client.allowed_social_login_keys,
            default_social_login_key: client.default_social_login_key,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}
