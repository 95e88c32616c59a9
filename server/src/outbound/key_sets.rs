//! Other servers' keys (RFC 7517), cached per `jwks_uri`. A token signed with a key the
//! cache does not know makes the hub fetch the set again: one fetch at a time per server,
//! at most one every two seconds (a refetch asked sooner waits out the interval; callers
//! waiting meanwhile share that fetch, or its failure), so a server's key rotation is
//! picked up, forged `kid`s cannot make the hub hammer a server, and a slow server holds
//! up only the tokens that name it.

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
/// Past this many servers, a server not seen before first makes the cache forget the ones
/// it would have to ask again anyway (a deleted client's, a registration's long gone).
const SWEEP_FROM: usize = 256;

/// One server's keys, in the form each verifier reads.
#[derive(Debug)]
pub struct KeySet {
    /// For ID tokens, through openidconnect.
    pub core: CoreJsonWebKeySet,
    /// The document as fetched, for logout tokens (jsonwebtoken).
    pub document: Map<String, Value>,
}

/// What the cache knows of one server's set.
#[derive(Default)]
struct Entry {
    /// The last set read, and when.
    set: Option<(Instant, Arc<KeySet>)>,
    /// The last attempt that failed, and when: callers that waited for it hear it too.
    failure: Option<(Instant, FetchError)>,
    /// Held while this server is asked, so a burst makes one request, not one each.
    fetching: Arc<tokio::sync::Mutex<()>>,
}

impl Entry {
    /// Whether forgetting it would change an answer: a caller holds or waits for its fetch,
    /// its set is still fresh, or its failure still spaces the next request.
    fn still_useful(&self) -> bool {
        Arc::strong_count(&self.fetching) > 1
            || self.set.as_ref().is_some_and(|(fetched, _)| fetched.elapsed() < FRESH_FOR)
            || self.failure.as_ref().is_some_and(|(failed, _)| failed.elapsed() < REFETCH_AFTER)
    }
}

#[derive(Default)]
pub struct KeySetCache {
    entries: Mutex<HashMap<String, Entry>>,
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
        if let Some(answer) = self.known(url, freshness, asked) {
            return answer;
        }
        let fetching = self.with_entry(url, |entry| entry.fetching.clone());
        let _one_fetch = fetching.lock().await;
        // Whoever held the lock before may have fetched the set, or failed to, meanwhile.
        if let Some(answer) = self.known(url, freshness, asked) {
            return answer;
        }
        // A server that rotated its keys a moment after the last fetch is read again once
        // the interval is over, rather than its token refused.
        let last = self.with_entry(url, |entry| {
            let fetched = entry.set.as_ref().map(|(at, _)| *at);
            fetched.max(entry.failure.as_ref().map(|(at, _)| *at))
        });
        if let Some(wait) = last.and_then(|at| REFETCH_AFTER.checked_sub(at.elapsed())) {
            tokio::time::sleep(wait).await;
        }
        match fetch(http, url).await {
            Ok(set) => {
                self.with_entry(url, |entry| entry.set = Some((Instant::now(), set.clone())));
                Ok(set)
            }
            Err(error) => {
                self.with_entry(url, |entry| entry.failure = Some((Instant::now(), error.clone())));
                Err(error)
            }
        }
    }

    fn with_entry<T>(&self, url: &str, f: impl FnOnce(&mut Entry) -> T) -> T {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= SWEEP_FROM && !entries.contains_key(url) {
            entries.retain(|_, entry| entry.still_useful());
        }
        f(entries.entry(url.to_owned()).or_default())
    }

    /// The answer the cache has without asking the server (`asked`: when the caller asked;
    /// a refetch is satisfied by a fetch, or a failure, since).
    fn known(&self, url: &str, freshness: Freshness, asked: Instant) -> Option<Result<Arc<KeySet>, FetchError>> {
        self.with_entry(url, |entry| {
            if let Some((fetched, set)) = &entry.set {
                let age = fetched.elapsed();
                let usable = match freshness {
                    Freshness::Cached => age < FRESH_FOR,
                    Freshness::Refetch => *fetched >= asked,
                    Freshness::Recent => age < RECENT_FOR,
                };
                if usable {
                    return Some(Ok(set.clone()));
                }
            }
            match &entry.failure {
                Some((failed, error)) if *failed >= asked => Some(Err(error.clone())),
                _ => None,
            }
        })
    }
}

async fn fetch(http: &reqwest::Client, url: &str) -> Result<Arc<KeySet>, FetchError> {
    let document = super::fetch_json(http, url, None).await?;
    let core: CoreJsonWebKeySet = serde_json::from_value(Value::Object(document.clone()))
        .map_err(|e| FetchError::Invalid(format!("{url}: not a JWK set: {e}")))?;
    Ok(Arc::new(KeySet { core, document }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> Arc<KeySet> {
        Arc::new(KeySet { core: CoreJsonWebKeySet::new(Vec::new()), document: Map::new() })
    }

    #[test]
    fn servers_it_would_ask_again_are_forgotten_once_there_are_many() {
        let cache = KeySetCache::default();
        let Some(stale) = Instant::now().checked_sub(FRESH_FOR + Duration::from_secs(1)) else { return };
        cache.with_entry("https://fresh.example/jwks", |entry| entry.set = Some((Instant::now(), set())));
        let held = cache.with_entry("https://busy.example/jwks", |entry| entry.fetching.clone());
        // Put in directly: through `with_entry`, the last of them would sweep the others.
        for n in 0..SWEEP_FROM {
            let entry = Entry { set: Some((stale, set())), ..Entry::default() };
            cache.entries.lock().unwrap().insert(format!("https://gone{n}.example/jwks"), entry);
        }
        let count = || cache.entries.lock().unwrap().len();
        assert_eq!(count(), SWEEP_FROM + 2, "below the threshold, nothing is swept");
        cache.with_entry("https://gone0.example/jwks", |_| ());
        assert_eq!(count(), SWEEP_FROM + 2, "a server already known sweeps nothing");

        cache.with_entry("https://new.example/jwks", |_| ());
        let entries = cache.entries.lock().unwrap();
        let mut kept: Vec<&str> = entries.keys().map(String::as_str).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["https://busy.example/jwks", "https://fresh.example/jwks", "https://new.example/jwks"]);
        drop(held);
    }
}
