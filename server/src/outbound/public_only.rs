//! The HTTP client for URLs a stranger chose: a dynamically registered client's
//! `jwks_uri`, `request_uris` and `backchannel_logout_uri`. Names resolve only to public
//! addresses, so a registration cannot make the hub call itself, its network or a cloud
//! metadata service (server-side request forgery); the check is at connect time, after
//! DNS, so a name that changes its answer (DNS rebinding) gains nothing. IP-literal hosts
//! never reach the resolver: registration refuses the non-public ones.

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::validation::is_public_ip;

pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let public: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.filter(|addr| is_public_ip(addr.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}
