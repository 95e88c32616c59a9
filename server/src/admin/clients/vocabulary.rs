//! The admin API's names for the protocol's vocabulary: the same words as the domain's
//! (`domain::protocol`), as OpenAPI enums.

use poem_openapi::Enum;

use crate::domain::protocol::{ContentEncryptionAlg as DomainEnc, KeyEncryptionAlg as DomainKeyAlg};
use crate::domain::{
    ApplicationType as DomainApplicationType, GrantType as DomainGrant, RequestObjectAlg as DomainRequestAlg,
    ResponseType as DomainResponse, SigningAlg as DomainAlg, SubjectType as DomainSubjectType,
    TokenEndpointAuthMethod as DomainAuthMethod,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    /// Tokens from the authorization endpoint (the implicit and hybrid response types).
    Implicit,
    RefreshToken,
    ClientCredentials,
    /// The device authorization grant of CLIs and TVs (RFC 8628): no redirect URI needed.
    #[oai(rename = "urn:ietf:params:oauth:grant-type:device_code")]
    DeviceCode,
}

/// OIDC Core §3: the code, implicit and hybrid flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ResponseType {
    #[oai(rename = "code")]
    Code,
    #[oai(rename = "id_token")]
    IdToken,
    #[oai(rename = "id_token token")]
    IdTokenToken,
    #[oai(rename = "code id_token")]
    CodeIdToken,
    #[oai(rename = "code token")]
    CodeToken,
    #[oai(rename = "code id_token token")]
    CodeIdTokenToken,
}

/// The API's names and the domain's, which are the same words.
macro_rules! same_variants {
    ($api:ident, $domain:ident { $($variant:ident),+ }) => {
        impl From<$api> for $domain {
            fn from(value: $api) -> Self {
                match value { $($api::$variant => $domain::$variant),+ }
            }
        }
        impl From<$domain> for $api {
            fn from(value: $domain) -> Self {
                match value { $($domain::$variant => $api::$variant),+ }
            }
        }
    };
}

same_variants!(GrantType, DomainGrant { AuthorizationCode, Implicit, RefreshToken, ClientCredentials, DeviceCode });
same_variants!(ResponseType, DomainResponse { Code, IdToken, IdTokenToken, CodeIdToken, CodeToken, CodeIdTokenToken });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    /// An assertion (RFC 7523) signed with the client secret.
    ClientSecretJwt,
    /// An assertion signed with the client's private key (`jwks` or `jwks_uri`).
    PrivateKeyJwt,
    /// A public client (SPA, native app): no secret, PKCE required.
    None,
}

/// How the hub signs the client's ID tokens and signed userinfo responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SigningAlg {
    RS256,
    PS256,
    ES256,
    EdDSA,
    /// Keyed with the client secret (as Frappe and django-oauth-toolkit do).
    HS256,
}

/// How a client signs its request objects (`none`: unsigned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RequestObjectAlg {
    #[oai(rename = "none")]
    None,
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    EdDSA,
}

/// OIDC Registration 1.0 §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ApplicationType {
    Web,
    /// An app on the user's device: loopback or private-use-scheme redirect URIs.
    Native,
}

/// How the content key of a token encrypted to the client is wrapped with its RSA key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum KeyEncryptionAlg {
    #[oai(rename = "RSA1_5")]
    Rsa1_5,
    #[oai(rename = "RSA-OAEP")]
    RsaOaep,
    #[oai(rename = "RSA-OAEP-256")]
    RsaOaep256,
}

/// How the content of a token encrypted to the client is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ContentEncryptionAlg {
    #[oai(rename = "A128CBC-HS256")]
    A128CbcHs256,
    #[oai(rename = "A192CBC-HS384")]
    A192CbcHs384,
    #[oai(rename = "A256CBC-HS512")]
    A256CbcHs512,
    #[oai(rename = "A128GCM")]
    A128Gcm,
    #[oai(rename = "A192GCM")]
    A192Gcm,
    #[oai(rename = "A256GCM")]
    A256Gcm,
}

/// Which `sub` the client knows its users by (OIDC Core §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SubjectType {
    /// The hub's user id, the same at every client.
    Public,
    /// One per sector: clients of other sectors cannot correlate users by `sub`.
    Pairwise,
}

same_variants!(SigningAlg, DomainAlg { RS256, PS256, ES256, EdDSA, HS256 });
same_variants!(ApplicationType, DomainApplicationType { Web, Native });
same_variants!(
    RequestObjectAlg,
    DomainRequestAlg { None, HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA }
);
same_variants!(
    TokenEndpointAuthMethod,
    DomainAuthMethod { ClientSecretBasic, ClientSecretPost, ClientSecretJwt, PrivateKeyJwt, None }
);
same_variants!(SubjectType, DomainSubjectType { Public, Pairwise });
same_variants!(KeyEncryptionAlg, DomainKeyAlg { Rsa1_5, RsaOaep, RsaOaep256 });
same_variants!(ContentEncryptionAlg, DomainEnc { A128CbcHs256, A192CbcHs384, A256CbcHs512, A128Gcm, A192Gcm, A256Gcm });
