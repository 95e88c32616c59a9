//! The app's view of the hub: its discovery document, with the two endpoints this app uses
//! beyond OIDC Core (where to log out, where to introspect), and the OIDC client on it.

use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType,
    CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, ClientId, ClientSecret, EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IntrospectionUrl, IssuerUrl, JsonWebKeySetUrl, ProviderMetadata, RedirectUrl,
};
use serde::{Deserialize, Serialize};

/// Discovery fields from RP-Initiated Logout 1.0 and RFC 8414 that the hub advertises.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LogoutAndIntrospection {
    pub end_session_endpoint: EndSessionUrl,
    pub introspection_endpoint: IntrospectionUrl,
}

impl AdditionalProviderMetadata for LogoutAndIntrospection {}

type HubMetadata = ProviderMetadata<
    LogoutAndIntrospection,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The OIDC client: authorization and introspection endpoints set, token and userinfo
/// endpoints as discovery gave them.
pub type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

pub struct Hub {
    pub client: Client,
    pub issuer: IssuerUrl,
    pub end_session: EndSessionUrl,
    pub jwks_uri: JsonWebKeySetUrl,
    /// For every call to the hub; never follows redirects, as openidconnect requires.
    pub http: reqwest::Client,
}

impl Hub {
    /// Reads the hub's discovery document and sets the client up on it.
    pub async fn discover(issuer: &str, client_id: &str, secret: &str, redirect_uri: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        let metadata = HubMetadata::discover_async(IssuerUrl::new(issuer.to_owned())?, &http).await?;
        let extra = metadata.additional_metadata().clone();
        let (issuer, jwks_uri) = (metadata.issuer().clone(), metadata.jwks_uri().clone());
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(client_id.to_owned()),
            Some(ClientSecret::new(secret.to_owned())),
        )
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned())?)
        .set_introspection_url(extra.introspection_endpoint);
        Ok(Self { client, issuer, end_session: extra.end_session_endpoint, jwks_uri, http })
    }
}
