//! The app server: the `openidconnect` crate (an independently written, widely used RP
//! library) configured from the hub's discovery document.

use openidconnect::core::{CoreClient, CoreErrorResponseType, CoreProviderMetadata};
use openidconnect::{
    AuthType, ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpClientError, IssuerUrl,
    RedirectUrl, RequestTokenError, StandardErrorResponse,
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

/// The app "Wiki" registered at `hub` (`hub client add`, first-party: no consent page),
/// redirecting to `redirect`, as the `openidconnect` crate sees it.
pub async fn first_party_app(hub: &crate::TestHub, redirect: &str) -> AppClient {
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", redirect, "--skip-authorization"]);
    app_client(&hub.issuer, &creds.client_id, creds.client_secret.as_deref(), redirect, AuthType::BasicAuth).await
}

/// A fresh authorization request of the code flow with PKCE, for a test that needs only
/// the hub's pages on the way (the state, nonce and verifier are not kept).
pub fn code_flow_url(client: &AppClient) -> String {
    let (challenge, _) = openidconnect::PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = client
        .authorize_url(
            openidconnect::core::CoreAuthenticationFlow::AuthorizationCode,
            openidconnect::CsrfToken::new_random,
            openidconnect::Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    url.into()
}

/// A failed token request as openidconnect reports it.
pub type TokenError = RequestTokenError<HttpClientError<reqwest::Error>, StandardErrorResponse<CoreErrorResponseType>>;

/// The OAuth error code (`invalid_grant`, ...) of a token request the hub refused.
pub fn error_code(error: &TokenError) -> String {
    match error {
        RequestTokenError::ServerResponse(response) => response.error().as_ref().to_owned(),
        other => panic!("expected an OAuth error response, got {other:?}"),
    }
}

/// A JSON response read in full, for requests sent without the library.
#[derive(Debug)]
pub struct JsonReply {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub json: serde_json::Value,
}

impl JsonReply {
    /// Reads `response`, which must be JSON (OAuth error bodies included).
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(content_type.starts_with("application/json"), "{status}: expected JSON, got {content_type}: {text}");
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: body is not JSON ({e}): {text}"));
        Self { status, headers, json }
    }

    /// The `error` member of an OAuth error body.
    pub fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or_else(|| panic!("no error member: {} {}", self.status, self.json))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Exchanges an authorization code with its PKCE verifier, as the app server does.
pub async fn exchange_code(
    client: &AppClient,
    code: &str,
    verifier: openidconnect::PkceCodeVerifier,
) -> Result<openidconnect::core::CoreTokenResponse, TokenError> {
    client
        .exchange_code(openidconnect::AuthorizationCode::new(code.to_owned()))
        .expect("discovery advertised a token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(&http_client())
        .await
}

/// The claims of a JWT whose signature was checked, the ones openidconnect has no field
/// for (`sid`, `acr`, `groups`) included.
pub fn jwt_claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url");
    serde_json::from_slice(&bytes).expect("a JSON payload")
}
