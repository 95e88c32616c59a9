//! Other servers' keys (RFC 7517), cached per `jwks_uri`. A token signed with a key the
//! cache does not know makes the hub fetch the set again, one fetch at a time and at most
//! once every two seconds (a refetch asked sooner waits for the interval; those waiting
//! share the one fetch), so a server's key rotation is picked up and forged `kid`s cannot
//! make the hub hammer the server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openidconnect::core::CoreJsonWebKeySet;
use serde_json::{Map, Value};

use super::FetchError;

const FRESH_FOR: Duration = Duration::from_secs(3600);
/// Keys the hub encrypts to: nothing the client sends names them, so a rotation shows
/// only by reading the set again.
const RECENT_FOR: Duration = Duration::from_secs(60);
/// The shortest time between two fetches of one set: tokens with made-up `kid`s (anyone
/// can post a logout token) cost the server at most one request per interval.
pub const REFETCH_AFTER: Duration = Duration::from_secs(2);

/// One server's keys, in the form each verifier reads.
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
pub struct KeySetCache {
    sets: Mutex<HashMap<String, Fetched>>,
    /// Held while fetching, so a burst of tokens naming unknown keys makes one request,
    /// not one each (fetches are rare; one lock for every server is enough).
    fetching: tokio::sync::Mutex<()>,
}

/// Whether to use the cached set or ask the server again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The cached set while it is fresh.
    Cached,
    /// A token named a key the cached set lacks: fetch again (or take a fetch made since
    /// the caller asked).
    Refetch,
    /// To encrypt to: the cached set if it was read within the last minute.
    Recent,
}

impl KeySetCache {
    pub async fn keys(
        &self,
        http: &reqwest::Client,
        url: &str,
        freshness: Freshness,
    ) -> Result<Arc<KeySet>, FetchError> {
        let asked = Instant::now();
        if let Some(set) = self.usable(url, freshness, asked) {
            return Ok(set);
        }
        let _one_fetch = self.fetching.lock().await;
        // Whoever held the lock before may have fetched the set meanwhile.
        if let Some(set) = self.usable(url, freshness, asked) {
            return Ok(set);
        }
        // A server that rotated its keys a moment after the last fetch is read again once
        // the interval is over, rather than its token refused.
        if let Some(wait) = self.fetched_at(url).and_then(|at| REFETCH_AFTER.checked_sub(at.elapsed())) {
            tokio::time::sleep(wait).await;
        }
        let document = super::fetch_json(http, url, None).await?;
        let core: CoreJsonWebKeySet = serde_json::from_value(Value::Object(document.clone()))
            .map_err(|e| FetchError::Invalid(format!("{url}: not a JWK set: {e}")))?;
        let set = Arc::new(KeySet { core, document });
        self.sets.lock().unwrap_or_else(|e| e.into_inner()).insert(url.to_owned(), (Instant::now(), set.clone()));
        Ok(set)
    }

    fn fetched_at(&self, url: &str) -> Option<Instant> {
        self.sets.lock().unwrap_or_else(|e| e.into_inner()).get(url).map(|(fetched, _)| *fetched)
    }

    /// The cached set, if it may be used as `freshness` asks (`asked`: when the caller
    /// asked; a refetch is satisfied by a fetch made since).
    fn usable(&self, url: &str, freshness: Freshness, asked: Instant) -> Option<Arc<KeySet>> {
        let sets = self.sets.lock().unwrap_or_else(|e| e.into_inner());
        let (fetched, set) = sets.get(url)?;
        let age = fetched.elapsed();
        let usable = match freshness {
            Freshness::Cached => age < FRESH_FOR,
            Freshness::Refetch => *fetched >= asked,
            Freshness::Recent => age < RECENT_FOR,
        };
        usable.then(|| set.clone())
    }
}
