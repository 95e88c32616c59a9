//! The hub as a relying party to upstream identity providers (SPEC §5): the sign-in
//! through a Social Login Key (`flow`), what the upstream's answer means (`identity`),
//! which hub user it is (`linking`), which way in a sign-in takes (`routing`), an
//! upstream's back-channel logout (`logout`), signing out there too (`sign_out`), and
//! the `test` of a key (`probe`). Upstream metadata and keys are cached per instance.

pub mod flow;
pub mod identity;
pub mod jwks;
pub mod linking;
pub mod logout;
pub mod metadata;
pub mod probe;
pub mod routing;
pub mod sign_out;
pub mod upstream_client;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// How long any call to an upstream may take.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest document the hub reads from an upstream (discovery, JWKS, userinfo).
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// The HTTP client for upstreams: no redirects (an upstream that redirects its metadata
/// is misconfigured, and following would let it point the hub anywhere), and timeouts.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(UPSTREAM_TIMEOUT)
        .connect_timeout(UPSTREAM_TIMEOUT)
        .user_agent(concat!("hub/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// What the hub keeps about its upstreams between requests: one HTTP client, their
/// discovery documents and their key sets. Cheap to clone.
#[derive(Clone)]
pub struct Upstreams {
    pub http: reqwest::Client,
    pub metadata: Arc<metadata::MetadataCache>,
    pub jwks: Arc<jwks::JwksCache>,
}

impl Upstreams {
    pub fn new() -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: http_client()?,
            metadata: Arc::new(metadata::MetadataCache::default()),
            jwks: Arc::new(jwks::JwksCache::default()),
        })
    }
}

/// The hub's client secret at the upstream, opened from its sealed form at rest.
pub fn client_secret(
    master: &crate::secrets::MasterKey,
    stored: &crate::store::social_login_keys::StoredSocialLoginKey,
) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>> {
    let Some(sealed) = &stored.secret_sealed else { return Ok(None) };
    let clear = master.open(crate::domain::social_login_key::SECRET_CONTEXT, sealed)?;
    Ok(Some(String::from_utf8(clear)?))
}

/// Something an upstream did (or failed to do); the detail is for the log and the
/// administrator, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// Not reachable, too slow, or answered with an HTTP error.
    #[error("{0}")]
    Unavailable(String),
    /// Answered, but not with what the protocol requires.
    #[error("{0}")]
    Invalid(String),
    /// The upstream refused, with an OAuth error response.
    #[error("the upstream answered {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Refused { error: String, description: Option<String> },
    /// The key is not usable as configured (no secret, a missing endpoint).
    #[error("{0}")]
    Misconfigured(String),
}

/// GETs a JSON object of at most `MAX_DOCUMENT_BYTES`, never following a redirect.
pub async fn fetch_json(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
) -> Result<serde_json::Map<String, Value>, UpstreamError> {
    let mut request = http.get(url).header(reqwest::header::ACCEPT, "application/json");
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| UpstreamError::Unavailable(format!("{url}: {}", describe(&e))))?;
    read_json(url, response).await
}

/// Reads a JSON object answer of at most `MAX_DOCUMENT_BYTES`.
pub async fn read_json(
    url: &str,
    response: reqwest::Response,
) -> Result<serde_json::Map<String, Value>, UpstreamError> {
    match read_value(url, response).await? {
        Value::Object(object) => Ok(object),
        _ => Err(UpstreamError::Invalid(format!("{url}: not a JSON object"))),
    }
}

/// Reads a JSON answer of at most `MAX_DOCUMENT_BYTES`.
pub async fn read_value(url: &str, mut response: reqwest::Response) -> Result<Value, UpstreamError> {
    let status = response.status();
    if status.is_redirection() {
        let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("?");
        return Err(UpstreamError::Invalid(format!(
            "{url} answered {} with a redirect to {location}; the hub does not follow redirects",
            status.as_u16()
        )));
    }
    if !status.is_success() {
        return Err(UpstreamError::Unavailable(format!("{url} answered {}", status.as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|e| UpstreamError::Unavailable(format!("{url}: {}", describe(&e))))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_DOCUMENT_BYTES {
            return Err(UpstreamError::Invalid(format!("{url}: the answer is larger than {MAX_DOCUMENT_BYTES} bytes")));
        }
    }
    serde_json::from_slice(&body).map_err(|error| UpstreamError::Invalid(format!("{url}: not JSON: {error}")))
}

/// The upstream client as openidconnect calls it (the code exchange), reading at most
/// `MAX_DOCUMENT_BYTES` of an answer, like every other read from an upstream.
pub struct BoundedClient<'a>(pub &'a reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for BoundedClient<'_> {
    type Error = openidconnect::HttpClientError<reqwest::Error>;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<openidconnect::HttpResponse, Self::Error>> + Send + Sync + 'c>,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        use openidconnect::HttpClientError;
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(Box::new)?;
            let mut response = self.0.execute(request).await.map_err(Box::new)?;
            let mut builder = openidconnect::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(Box::new)? {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_DOCUMENT_BYTES {
                    return Err(HttpClientError::Other(format!(
                        "the answer is larger than {MAX_DOCUMENT_BYTES} bytes"
                    )));
                }
            }
            builder.body(body).map_err(HttpClientError::Http)
        })
    }
}

/// A transport failure in words an administrator can act on.
pub fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} s", UPSTREAM_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "cannot connect".into()
    } else {
        crate::oidc::error::ErrorChain(error).to_string()
    }
}
