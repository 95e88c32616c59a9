//! JSON documents another server publishes (OpenID Connect Discovery 1.0), cached for an
//! hour; when the server cannot be reached, a copy up to a day old still serves.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::FetchError;

const FRESH_FOR: Duration = Duration::from_secs(3600);
const STALE_SERVES_FOR: Duration = Duration::from_secs(24 * 3600);

/// A document and when it was fetched.
type Fetched = (Instant, Map<String, Value>);

#[derive(Default)]
pub struct DocumentCache {
    documents: Mutex<HashMap<String, Fetched>>,
}

impl DocumentCache {
    /// The document at `url`: the cached copy while fresh, else fetched anew, else a stale
    /// copy while the server is down.
    pub async fn get(&self, http: &reqwest::Client, url: &str) -> Result<Map<String, Value>, FetchError> {
        let cached = self.documents.lock().unwrap_or_else(|e| e.into_inner()).get(url).cloned();
        if let Some((fetched, document)) = &cached
            && fetched.elapsed() < FRESH_FOR
        {
            return Ok(document.clone());
        }
        match super::fetch_json(http, url, None).await {
            Ok(document) => {
                let mut documents = self.documents.lock().unwrap_or_else(|e| e.into_inner());
                documents.insert(url.to_owned(), (Instant::now(), document.clone()));
                Ok(document)
            }
            Err(error) => match cached {
                Some((fetched, document)) if fetched.elapsed() < STALE_SERVES_FOR => {
                    tracing::warn!(%url, %error, "fetching the document failed; using the cached copy");
                    Ok(document)
                }
                _ => Err(error),
            },
        }
    }
}
