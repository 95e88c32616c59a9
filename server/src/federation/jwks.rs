//! Upstream signing keys (RFC 7517), cached per `jwks_uri`. A token signed with a key the
//! cache does not know makes the hub fetch the set again, at most once every few seconds
//! and one fetch at a time, so an upstream's key rotation is picked up at once and forged
//! `kid`s cannot make the hub hammer the upstream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openidconnect::core::CoreJsonWebKeySet;
use serde_json::{Map, Value};

use super::{UpstreamError, Upstreams};

const FRESH_FOR: Duration = Duration::from_secs(3600);
/// The shortest time between two fetches of one set: tokens with made-up `kid`s (anyone
/// can post a logout token) cost the upstream at most one request per interval.
pub const REFETCH_AFTER: Duration = Duration::from_secs(2);

/// One upstream's keys, in the form each verifier reads.
#[derive(Debug)]
pub struct KeySet {
    /// For ID tokens, through openidconnect.
    pub core: CoreJsonWebKeySet,
    /// The document as fetched, for logout tokens (jsonwebtoken).
    pub document: Map<String, Value>,
}

/// A key set and when it was fetched.
type Fetched = (Instant, Arc<KeySet>);

#[derive(Default)]
pub struct JwksCache {
    sets: Mutex<HashMap<String, Fetched>>,
    /// Held while fetching, so a burst of tokens naming unknown keys makes one request,
    /// not one each (fetches are rare; one lock for every upstream is enough).
    fetching: tokio::sync::Mutex<()>,
}

/// Whether to use the cached set or ask the upstream again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The cached set while it is fresh.
    Cached,
    /// A token named a key the cached set lacks: fetch again, unless just fetched.
    Refetch,
}

impl JwksCache {
    pub async fn keys(
        &self,
        upstreams: &Upstreams,
        url: &str,
        freshness: Freshness,
    ) -> Result<Arc<KeySet>, UpstreamError> {
        if let Some(set) = self.usable(url, freshness) {
            return Ok(set);
        }
        let _one_fetch = self.fetching.lock().await;
        // Whoever held the lock before may have fetched the set meanwhile.
        if let Some(set) = self.usable(url, freshness) {
            return Ok(set);
        }
        let document = super::fetch_json(&upstreams.http, url, None).await?;
        let core: CoreJsonWebKeySet = serde_json::from_value(Value::Object(document.clone()))
            .map_err(|e| UpstreamError::Invalid(format!("{url}: not a JWK set: {e}")))?;
        let set = Arc::new(KeySet { core, document });
        self.sets.lock().unwrap_or_else(|e| e.into_inner()).insert(url.to_owned(), (Instant::now(), set.clone()));
        Ok(set)
    }

    /// The cached set, if it may be used as `freshness` asks.
    fn usable(&self, url: &str, freshness: Freshness) -> Option<Arc<KeySet>> {
        let sets = self.sets.lock().unwrap_or_else(|e| e.into_inner());
        let (fetched, set) = sets.get(url)?;
        let age = fetched.elapsed();
        let usable = match freshness {
            Freshness::Cached => age < FRESH_FOR,
            Freshness::Refetch => age < REFETCH_AFTER,
        };
        usable.then(|| set.clone())
    }
}
