//! Redis behind Sentinel, for high availability: `HUB_REDIS_URL=redis+sentinel://[user:
//! password@]host:port,host:port,host:port/master-name[?db=N]`. The sentinels name the
//! current primary; one multiplexed connection to it is shared, and when a command fails
//! the way a failover makes it fail (refused, dropped, timed out, or `READONLY` from a
//! former primary that is now a replica), the sentinels are asked again and the command
//! is retried once on the new primary. The password is the Redis nodes'; the sentinels
//! are reached without one.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{AsyncConnectionConfig, Cmd, ConnectionAddr, ErrorKind, Pipeline, RedisError, RedisFuture, Value};

pub const SCHEME: &str = "redis+sentinel";
const DEFAULT_SENTINEL_PORT: u16 = 26379;

/// What a `redis+sentinel://` URL says.
#[derive(Debug, PartialEq, Eq)]
pub struct SentinelUrl {
    pub sentinels: Vec<(String, u16)>,
    pub master: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: i64,
}

impl SentinelUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix(SCHEME)
            .and_then(|rest| rest.strip_prefix("://"))
            .ok_or_else(|| format!("a Sentinel URL starts with {SCHEME}://"))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, master) = rest.split_once('/').ok_or("name the master after the sentinels: …/mymaster")?;
        let master = master.trim_end_matches('/');
        if master.is_empty() || master.contains('/') {
            return Err("name the master after the sentinels: …/mymaster".into());
        }
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((userinfo, hosts)) => (Some(userinfo), hosts),
            None => (None, authority),
        };
        let (username, password) = match userinfo.map(|u| u.split_once(':').unwrap_or((u, ""))) {
            Some((user, password)) => (non_empty(decode(user)), non_empty(decode(password))),
            None => (None, None),
        };
        let sentinels = hosts.split(',').map(host_and_port).collect::<Result<Vec<_>, _>>()?;
        let mut db = 0;
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "db" => db = value.parse().map_err(|_| format!("db must be a number, not {value}"))?,
                other => return Err(format!("unknown parameter {other} (only db)")),
            }
        }
        Ok(Self { sentinels, master: master.to_owned(), username, password, db })
    }
}

fn host_and_port(entry: &str) -> Result<(String, u16), String> {
    let entry = entry.trim();
    let (host, port) = match entry.strip_prefix('[') {
        // [::1]:26379
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']').ok_or_else(|| format!("unclosed [ in {entry}"))?;
            (host, after.strip_prefix(':'))
        }
        None => match entry.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (entry, None),
        },
    };
    if host.is_empty() {
        return Err("list the sentinels as host:port,host:port".into());
    }
    let port = match port {
        Some(port) => port.parse().map_err(|_| format!("{entry}: the port must be a number"))?,
        None => DEFAULT_SENTINEL_PORT,
    };
    Ok((host.to_owned(), port))
}

/// Percent-decoding of the user info (a `+` is itself, as in any URL's user info).
fn decode(value: &str) -> String {
    let encoded = format!("v={}", value.replace('+', "%2B"));
    url::form_urlencoded::parse(encoded.as_bytes()).map(|(_, v)| v.into_owned()).next().unwrap_or_default()
}

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// A connection to whichever node the sentinels name primary now; cheap to clone.
#[derive(Clone)]
pub struct SentinelLink {
    shared: Arc<Shared>,
}

struct Shared {
    client: tokio::sync::Mutex<SentinelClient>,
    current: RwLock<Option<MultiplexedConnection>>,
    config: AsyncConnectionConfig,
}

impl SentinelLink {
    pub async fn connect(url: &SentinelUrl, timeout: Duration) -> Result<Self, RedisError> {
        let sentinels = url.sentinels.iter().map(|(host, port)| ConnectionAddr::Tcp(host.clone(), *port));
        let mut builder = SentinelClientBuilder::new(sentinels, &url.master, SentinelServerType::Master)?
            .set_client_to_redis_db(url.db);
        if let Some(username) = &url.username {
            builder = builder.set_client_to_redis_username(username);
        }
        if let Some(password) = &url.password {
            builder = builder.set_client_to_redis_password(password);
        }
        let config =
            AsyncConnectionConfig::new().set_connection_timeout(Some(timeout)).set_response_timeout(Some(timeout));
        let shared = Shared { client: tokio::sync::Mutex::new(builder.build()?), current: RwLock::new(None), config };
        let link = Self { shared: Arc::new(shared) };
        link.connection().await?;
        Ok(link)
    }

    /// The shared connection to the primary, made (the sentinels asked) when there is none.
    async fn connection(&self) -> Result<MultiplexedConnection, RedisError> {
        if let Some(connection) = self.current() {
            return Ok(connection);
        }
        let mut client = self.shared.client.lock().await;
        // Another request may have connected while this one waited for the client.
        if let Some(connection) = self.current() {
            return Ok(connection);
        }
        let connection = client.get_async_connection_with_config(&self.shared.config).await?;
        *self.shared.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(connection.clone());
        Ok(connection)
    }

    fn current(&self) -> Option<MultiplexedConnection> {
        self.shared.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn forget(&self) {
        *self.shared.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }
}

/// Failures after which the primary may have moved.
fn after_failover(error: &RedisError) -> bool {
    error.is_io_error()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_timeout()
        || matches!(error.kind(), ErrorKind::Server(redis::ServerErrorKind::ReadOnly))
}

impl ConnectionLike for SentinelLink {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            match connection.req_packed_command(cmd).await {
                Err(error) if after_failover(&error) => {
                    self.forget();
                    self.connection().await?.req_packed_command(cmd).await
                }
                answer => answer,
            }
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            match connection.req_packed_commands(pipeline, offset, count).await {
                Err(error) if after_failover(&error) => {
                    self.forget();
                    self.connection().await?.req_packed_commands(pipeline, offset, count).await
                }
                answer => answer,
            }
        })
    }

    fn get_db(&self) -> i64 {
        self.current().map_or(0, |connection| connection.get_db())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_urls_name_the_sentinels_the_master_and_the_nodes_credentials() {
        let url =
            SentinelUrl::parse("redis+sentinel://:s%40cret+1@10.0.0.1:26379,10.0.0.2,[::1]:26380/hub?db=2").unwrap();
        assert_eq!(
            url,
            SentinelUrl {
                sentinels: vec![("10.0.0.1".into(), 26379), ("10.0.0.2".into(), 26379), ("::1".into(), 26380)],
                master: "hub".into(),
                username: None,
                password: Some("s@cret+1".into()),
                db: 2,
            }
        );
        let plain = SentinelUrl::parse("redis+sentinel://a:1,b:2/mymaster").unwrap();
        assert_eq!(plain.sentinels.len(), 2);
        assert_eq!((plain.username, plain.password, plain.db), (None, None, 0));
    }

    #[test]
    fn a_bad_sentinel_url_says_what_is_wrong() {
        for (url, expected) in [
            ("redis+sentinel://a:1,b:2", "name the master"),
            ("redis+sentinel://a:1/", "name the master"),
            ("redis+sentinel://a:x/m", "the port must be a number"),
            ("redis+sentinel://,b:2/m", "list the sentinels"),
            ("redis+sentinel://a:1/m?timeout=3", "unknown parameter"),
            ("redis://a:1/m", "starts with redis+sentinel://"),
        ] {
            let error = SentinelUrl::parse(url).unwrap_err();
            assert!(error.contains(expected), "{url}: {error}");
        }
    }
}
