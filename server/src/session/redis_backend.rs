//! The Redis backend: every instance of the hub shares it, so a login started on one
//! instance completes on another. Single use is GETDEL; counters are a small script. One
//! Redis (`redis://`, `rediss://`), or a primary found through Sentinel
//! (`redis+sentinel://`, see `redis_sentinel`). Cluster is not supported: MGET reads several
//! keys at once, which a cluster allows only within one slot.

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, Pipeline, RedisFuture, Value};

use super::redis_sentinel::{self, SentinelLink, SentinelUrl};
use super::{Backend, SessionError};

/// How long a connection may take to open and a command to be answered: an unreachable
/// Redis is a fast 503 (crate::outage), not a hang.
const TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct RedisBackend {
    connection: Link,
    increment: redis::Script,
}

/// The connection every command goes through.
#[derive(Clone)]
enum Link {
    /// One Redis; the manager reconnects in the background once it is back.
    Direct(ConnectionManager),
    /// Whichever node the sentinels name primary.
    Sentinel(SentinelLink),
}

impl ConnectionLike for Link {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Link::Direct(manager) => manager.req_packed_command(cmd),
            Link::Sentinel(link) => link.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Link::Direct(manager) => manager.req_packed_commands(pipeline, offset, count),
            Link::Sentinel(link) => link.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Link::Direct(manager) => manager.get_db(),
            Link::Sentinel(link) => link.get_db(),
        }
    }
}

fn unavailable(error: redis::RedisError) -> SessionError {
    SessionError::Unavailable(Box::new(error))
}

impl RedisBackend {
    /// Connects now, so a wrong URL or a Redis that is down is reported at start-up.
    pub async fn connect(url: &str) -> Result<Self, SessionError> {
        let connection = if url.starts_with(redis_sentinel::SCHEME) {
            let url =
                SentinelUrl::parse(url).map_err(|e| SessionError::Unavailable(format!("HUB_REDIS_URL: {e}").into()))?;
            Link::Sentinel(SentinelLink::connect(&url, TIMEOUT).await.map_err(unavailable)?)
        } else {
            let client = redis::Client::open(url).map_err(unavailable)?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(TIMEOUT))
                .set_response_timeout(Some(TIMEOUT))
                .set_number_of_retries(1);
            Link::Direct(client.get_connection_manager_with_config(config).await.map_err(unavailable)?)
        };
        let increment = redis::Script::new(
            "local n = redis.call('INCR', KEYS[1]) \
             if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
             return n",
        );
        let backend = Self { connection, increment };
        backend.ping().await?;
        Ok(backend)
    }
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait::async_trait]
impl Backend for RedisBackend {
    async fn put(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), SessionError> {
        let mut connection = self.connection.clone();
        redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(millis(ttl))
            .query_async::<()>(&mut connection)
            .await
            .map_err(unavailable)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SessionError> {
        let mut connection = self.connection.clone();
        redis::cmd("GET").arg(key).query_async(&mut connection).await.map_err(unavailable)
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, SessionError> {
        let mut connection = self.connection.clone();
        redis::cmd("MGET").arg(keys).query_async(&mut connection).await.map_err(unavailable)
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, SessionError> {
        let mut connection = self.connection.clone();
        redis::cmd("GETDEL").arg(key).query_async(&mut connection).await.map_err(unavailable)
    }

    async fn delete(&self, key: &str) -> Result<(), SessionError> {
        let mut connection = self.connection.clone();
        redis::cmd("DEL").arg(key).query_async::<()>(&mut connection).await.map_err(unavailable)
    }

    async fn touch(&self, key: &str, ttl: Duration) -> Result<bool, SessionError> {
        let mut connection = self.connection.clone();
        let updated: i64 =
            redis::cmd("PEXPIRE").arg(key).arg(millis(ttl)).query_async(&mut connection).await.map_err(unavailable)?;
        Ok(updated == 1)
    }

    async fn increment(&self, key: &str, window: Duration) -> Result<u64, SessionError> {
        let mut connection = self.connection.clone();
        self.increment.key(key).arg(millis(window)).invoke_async(&mut connection).await.map_err(unavailable)
    }

    async fn ping(&self) -> Result<(), SessionError> {
        let mut connection = self.connection.clone();
        redis::cmd("PING").query_async::<()>(&mut connection).await.map_err(unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionStore;
    use std::sync::Arc;

    /// Runs against the machine's Redis when `HUB_TEST_REDIS_URL` is set.
    #[tokio::test]
    async fn redis_backend_keeps_the_contract() {
        let Ok(url) = std::env::var("HUB_TEST_REDIS_URL") else {
            eprintln!("skipped: HUB_TEST_REDIS_URL is not set");
            return;
        };
        let backend = RedisBackend::connect(&url).await.unwrap();
        let prefix = format!("hub-test-{}:", uuid::Uuid::new_v4());
        crate::session::tests::backend_contract(SessionStore::new(Arc::new(backend), &prefix)).await;
    }
}
