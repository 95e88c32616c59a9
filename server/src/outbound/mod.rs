//! The hub as an HTTP client of other servers: upstream identity providers (discovery,
//! keys, tokens, userinfo) and apps (back-channel logout). One client that never follows
//! a redirect, with timeouts, reading at most `MAX_DOCUMENT_BYTES` of any answer; and the
//! documents and key sets it fetched, cached per instance.

mod documents;
pub mod foreign_jwt;
pub mod key_sets;
pub mod public_only;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

pub use documents::DocumentCache;
pub use key_sets::{Freshness, KeySetCache};

/// How long any call to another server may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest document the hub reads from another server (discovery, JWKS, userinfo).
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// The HTTP client for other servers: no redirects (a server that redirects its metadata
/// is misconfigured, and following would let it point the hub anywhere), and timeouts.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    builder().build()
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .user_agent(concat!("hub/", env!("CARGO_PKG_VERSION")))
}

/// What the hub keeps about other servers between requests: one HTTP client, the JSON
/// documents it read (discovery) and the key sets (JWKS). Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    /// For servers an administrator named (upstreams, the apps they registered).
    pub http: reqwest::Client,
    /// For URLs a dynamically registered client named: public addresses only.
    pub public_http: reqwest::Client,
    pub documents: Arc<DocumentCache>,
    pub key_sets: Arc<KeySetCache>,
}

impl Outbound {
    pub fn new() -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: http_client()?,
            public_http: builder().dns_resolver(Arc::new(public_only::PublicOnly)).build()?,
            documents: Arc::new(DocumentCache::default()),
            key_sets: Arc::new(KeySetCache::default()),
        })
    }

    /// The client for the URLs `client` registered: a stranger's reach only the public
    /// internet, unless the operator allows private addresses for registrations (tests,
    /// development).
    pub fn for_client(&self, client: &crate::domain::Client, allow_private: bool) -> &reqwest::Client {
        match client.origin {
            crate::domain::client::ClientOrigin::Registration if !allow_private => &self.public_http,
            _ => &self.http,
        }
    }
}

/// A fetch that did not give a usable document; the detail is for the log and the
/// administrator, never a secret.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    /// Not reachable, too slow, or answered with an HTTP error.
    #[error("{0}")]
    Unavailable(String),
    /// Answered, but not with a JSON document of the expected shape and size.
    #[error("{0}")]
    Invalid(String),
}

/// GETs a JSON object of at most `MAX_DOCUMENT_BYTES`, never following a redirect.
pub async fn fetch_json(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
) -> Result<serde_json::Map<String, Value>, FetchError> {
    let mut request = http.get(url).header(reqwest::header::ACCEPT, "application/json");
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| FetchError::Unavailable(format!("{url}: {}", describe(&e))))?;
    read_json(url, response).await
}

/// GETs any JSON document (a sector document is an array) of at most
/// `MAX_DOCUMENT_BYTES`, never following a redirect.
pub async fn fetch_value(http: &reqwest::Client, url: &str) -> Result<Value, FetchError> {
    let request = http.get(url).header(reqwest::header::ACCEPT, "application/json");
    let response = request.send().await.map_err(|e| FetchError::Unavailable(format!("{url}: {}", describe(&e))))?;
    read_value(url, response).await
}

/// Reads a JSON object answer of at most `MAX_DOCUMENT_BYTES`.
pub async fn read_json(url: &str, response: reqwest::Response) -> Result<serde_json::Map<String, Value>, FetchError> {
    match read_value(url, response).await? {
        Value::Object(object) => Ok(object),
        _ => Err(FetchError::Invalid(format!("{url}: not a JSON object"))),
    }
}

/// Reads a JSON answer of at most `MAX_DOCUMENT_BYTES`.
pub async fn read_value(url: &str, response: reqwest::Response) -> Result<Value, FetchError> {
    let body = read_bytes(url, response).await?;
    serde_json::from_slice(&body).map_err(|error| FetchError::Invalid(format!("{url}: not JSON: {error}")))
}

/// GETs `url` and reads the text it answers (a request object, say), at most
/// `MAX_DOCUMENT_BYTES` of it.
pub async fn fetch_text(http: &reqwest::Client, url: &str) -> Result<String, FetchError> {
    let response =
        http.get(url).send().await.map_err(|e| FetchError::Unavailable(format!("{url}: {}", describe(&e))))?;
    let body = read_bytes(url, response).await?;
    String::from_utf8(body).map_err(|_| FetchError::Invalid(format!("{url}: the answer is not UTF-8 text")))
}

async fn read_bytes(url: &str, mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
    let status = response.status();
    if status.is_redirection() {
        let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("?");
        return Err(FetchError::Invalid(format!(
            "{url} answered {} with a redirect to {location}; the hub does not follow redirects",
            status.as_u16()
        )));
    }
    if !status.is_success() {
        return Err(FetchError::Unavailable(format!("{url} answered {}", status.as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|e| FetchError::Unavailable(format!("{url}: {}", describe(&e))))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_DOCUMENT_BYTES {
            return Err(FetchError::Invalid(format!("{url}: the answer is larger than {MAX_DOCUMENT_BYTES} bytes")));
        }
    }
    Ok(body)
}

/// The client as openidconnect calls it (the code exchange), reading at most
/// `MAX_DOCUMENT_BYTES` of an answer, like every other read from another server.
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
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if error.is_connect() {
        "cannot connect".into()
    } else {
        crate::telemetry::ErrorChain(error).to_string()
    }
}
