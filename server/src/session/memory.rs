//! The in-process backend: a map with deadlines, swept now and then. Fine for one
//! instance; state is lost on restart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Backend, SessionError};

const SWEEP_EVERY: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct MemoryBackend {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, (Vec<u8>, Instant)>,
    last_sweep: Option<Instant>,
}

impl Inner {
    fn live(&mut self, key: &str, now: Instant) -> Option<&mut (Vec<u8>, Instant)> {
        if self.entries.get(key).is_some_and(|(_, deadline)| *deadline <= now) {
            self.entries.remove(key);
        }
        self.entries.get_mut(key)
    }

    fn sweep(&mut self, now: Instant) {
        if self.last_sweep.is_none_or(|last| now.duration_since(last) >= SWEEP_EVERY) {
            self.entries.retain(|_, (_, deadline)| *deadline > now);
            self.last_sweep = Some(now);
        }
    }
}

impl MemoryBackend {
    fn with<R>(&self, f: impl FnOnce(&mut Inner, Instant) -> R) -> R {
        // A poisoned lock only means another request panicked mid-update of a cache of
        // short-lived values; carrying on is safer than failing every later request.
        let mut inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut inner, Instant::now())
    }
}

#[async_trait::async_trait]
impl Backend for MemoryBackend {
    async fn put(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), SessionError> {
        self.with(|inner, now| {
            inner.sweep(now);
            inner.entries.insert(key.to_owned(), (value, now + ttl));
        });
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SessionError> {
        Ok(self.with(|inner, now| inner.live(key, now).map(|(value, _)| value.clone())))
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, SessionError> {
        Ok(self
            .with(|inner, now| keys.iter().map(|key| inner.live(key, now).map(|(value, _)| value.clone())).collect()))
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, SessionError> {
        Ok(self.with(|inner, now| {
            inner.live(key, now)?;
            inner.entries.remove(key).map(|(value, _)| value)
        }))
    }

    async fn delete(&self, key: &str) -> Result<(), SessionError> {
        self.with(|inner, _| inner.entries.remove(key));
        Ok(())
    }

    async fn touch(&self, key: &str, ttl: Duration) -> Result<bool, SessionError> {
        Ok(self.with(|inner, now| match inner.live(key, now) {
            Some((_, deadline)) => {
                *deadline = now + ttl;
                true
            }
            None => false,
        }))
    }

    async fn increment(&self, key: &str, window: Duration) -> Result<u64, SessionError> {
        Ok(self.with(|inner, now| {
            let count = match inner.live(key, now) {
                Some((value, _)) => parse_count(value) + 1,
                None => 1,
            };
            let deadline = inner.live(key, now).map_or(now + window, |(_, deadline)| *deadline);
            inner.entries.insert(key.to_owned(), (count.to_string().into_bytes(), deadline));
            count
        }))
    }

    async fn ping(&self) -> Result<(), SessionError> {
        Ok(())
    }
}

fn parse_count(value: &[u8]) -> u64 {
    std::str::from_utf8(value).ok().and_then(|s| s.parse().ok()).unwrap_or(0)
}
