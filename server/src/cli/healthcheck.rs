//! `hub healthcheck`: asks a running hub whether it is ready, so a container's
//! HEALTHCHECK needs nothing but the binary it already has.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use crate::config::Settings;

/// Longer than the hub's own bounded waits (PostgreSQL 2 s, Redis 1 s with a retry), so a
/// slow answer is read as what it says rather than as a timeout.
const TIMEOUT: Duration = Duration::from_secs(5);

pub async fn run(settings: &Settings, url: Option<url::Url>) -> anyhow::Result<()> {
    let url = match url {
        Some(url) => url,
        None => url::Url::parse(&format!("http://{}/readyz", local_address(settings.listen)))?,
    };
    let client = reqwest::Client::builder().timeout(TIMEOUT).build()?;
    let response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url}: {}", crate::telemetry::ErrorChain(&e)))?;
    let status = response.status();
    anyhow::ensure!(status.is_success(), "{url}: {status}");
    Ok(())
}

/// The listen address as a client on this machine reaches it: an unspecified address
/// (0.0.0.0, ::) is reached through loopback.
fn local_address(listen: std::net::SocketAddr) -> std::net::SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    std::net::SocketAddr::new(ip, listen.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_listen_addresses_are_reached_through_loopback() {
        assert_eq!(local_address("0.0.0.0:8080".parse().unwrap()).to_string(), "127.0.0.1:8080");
        assert_eq!(local_address("[::]:9000".parse().unwrap()).to_string(), "[::1]:9000");
        assert_eq!(local_address("10.0.0.5:8080".parse().unwrap()).to_string(), "10.0.0.5:8080");
    }
}
