//! The Redis backend: every instance of the hub shares it, so a login started on one
//! instance completes on another. Single use is GETDEL; counters are a small script.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Backend, SessionError};

#[derive(Clone)]
pub struct RedisBackend {
    connection: ConnectionManager,
    increment: redis::Script,
}

fn unavailable(error: redis::RedisError) -> SessionError {
    SessionError::Unavailable(Box::new(error))
}

impl RedisBackend {
    /// Connects now, so a wrong URL or a Redis that is down is reported at start-up.
    pub async fn connect(url: &str) -> Result<Self, SessionError> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            // An unreachable Redis is a fast 503 (crate::outage), not a hang; the manager
            // reconnects in the background once it is back.
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1);
        let connection = client.get_connection_manager_with_config(config).await.map_err(unavailable)?;
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
