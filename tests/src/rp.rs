//! The app server: the `openidconnect` crate (an independently written, widely used RP
//! library) configured from the hub's discovery document.

use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthType, ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, RedirectUrl,
};

pub type AppClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// An HTTP client that never follows redirects, as openidconnect's docs require.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("http client")
}

pub async fn discover(issuer: &str) -> CoreProviderMetadata {
    CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.to_owned()).expect("issuer URL"), &http_client())
        .await
        .expect("discovery")
}

/// A client for `client_id` with redirect URI `redirect`, authenticating as `auth`.
pub async fn app_client(
    issuer: &str,
    client_id: &str,
    secret: Option<&str>,
    redirect: &str,
    auth: AuthType,
) -> AppClient {
    let metadata = discover(issuer).await;
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.to_owned()),
        secret.map(|s| ClientSecret::new(s.to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).expect("redirect URL"))
    .set_auth_type(auth)
}
