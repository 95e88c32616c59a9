//! Request rate limits on the endpoints machines call (SPEC §8): how many requests one
//! address, and one authenticated client, may make to an endpoint within a window, and
//! how many wrong user codes one address may type at the device page. Counted in the
//! session store, so with Redis every instance counts together.
//!
//! Windows are fixed and aligned to the clock, so a refusal knows exactly when its window
//! ends (`Retry-After`). A client is counted only once it has authenticated: counting a
//! `client_id` anyone can type would let a stranger spend an app's allowance. Public
//! clients therefore meet only the per-address limits. Password sign-ins have their own,
//! gentler rule (`accounts::throttle`).

use std::time::Duration;

use chrono::Utc;

use crate::config::Settings;
use crate::session::{SessionError, SessionStore, Space};

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Token,
    Introspection,
    DeviceAuthorization,
    Registration,
    /// User codes typed at the device page that matched no device (RFC 8628 §5.1).
    UserCodeFailures,
}

impl Endpoint {
    fn key(self) -> &'static str {
        match self {
            Endpoint::Token => "token",
            Endpoint::Introspection => "introspect",
            Endpoint::DeviceAuthorization => "device",
            Endpoint::Registration => "register",
            Endpoint::UserCodeFailures => "user-code",
        }
    }
}

/// Who is counted.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    Address(&'a str),
    /// An authenticated client, by `client_id`.
    Client(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Past the limit: wait this long, until the window ends.
    Refused {
        retry_after: Duration,
    },
}

/// A number of requests within a window; 0 requests means no limit.
#[derive(Debug, Clone, Copy)]
struct Limit {
    requests: u32,
    window: Duration,
}

#[derive(Clone)]
pub struct RateLimits {
    store: SessionStore,
    window: Duration,
    token: (u32, u32),
    introspection: (u32, u32),
    device: (u32, u32),
    registration: Limit,
    user_code_failures: Limit,
}

impl RateLimits {
    pub fn new(store: SessionStore, settings: &Settings) -> Self {
        Self {
            store,
            window: Settings::secs(settings.rate_limit_window_secs),
            token: (settings.token_requests_per_address, settings.token_requests_per_client),
            introspection: (settings.introspection_requests_per_address, settings.introspection_requests_per_client),
            device: (settings.device_requests_per_address, settings.device_requests_per_client),
            registration: Limit {
                requests: settings.registration_per_address,
                window: Settings::secs(settings.registration_window_secs),
            },
            user_code_failures: Limit {
                requests: settings.device_user_code_failures_per_address,
                window: Settings::secs(settings.login_throttle_window_secs),
            },
        }
    }

    fn limit(&self, endpoint: Endpoint, caller: Caller<'_>) -> Limit {
        let (per_address, per_client) = match endpoint {
            Endpoint::Token => self.token,
            Endpoint::Introspection => self.introspection,
            Endpoint::DeviceAuthorization => self.device,
            // Neither has an authenticated client to count.
            Endpoint::Registration => return self.registration,
            Endpoint::UserCodeFailures => return self.user_code_failures,
        };
        let requests = match caller {
            Caller::Address(_) => per_address,
            Caller::Client(_) => per_client,
        };
        Limit { requests, window: self.window }
    }

    /// Counts one request, and refuses it when it goes past the limit.
    pub async fn count(&self, endpoint: Endpoint, caller: Caller<'_>) -> Result<Verdict, SessionError> {
        let limit = self.limit(endpoint, caller);
        if limit.requests == 0 {
            return Ok(Verdict::Allowed);
        }
        let window = Window::now(limit.window);
        let counted = self.store.increment(Space::RateLimit, &window.key(endpoint, caller), window.left).await?;
        let verdict = window.verdict(counted > u64::from(limit.requests));
        if verdict != Verdict::Allowed {
            crate::telemetry::metrics::rate_limited(endpoint.key());
        }
        Ok(verdict)
    }

    /// Whether the caller has already reached the limit, without counting: for limits on
    /// failures, which `count` records once they happen.
    pub async fn reached(&self, endpoint: Endpoint, caller: Caller<'_>) -> Result<Verdict, SessionError> {
        let limit = self.limit(endpoint, caller);
        if limit.requests == 0 {
            return Ok(Verdict::Allowed);
        }
        let window = Window::now(limit.window);
        let counted = self.store.count(Space::RateLimit, &window.key(endpoint, caller)).await?;
        Ok(window.verdict(counted >= u64::from(limit.requests)))
    }
}

/// The clock-aligned window a request falls in.
struct Window {
    index: u64,
    /// Until the window ends.
    left: Duration,
}

impl Window {
    fn now(length: Duration) -> Self {
        let now_ms = u64::try_from(Utc::now().timestamp_millis()).unwrap_or_default();
        Self::at(now_ms, length)
    }

    fn at(now_ms: u64, length: Duration) -> Self {
        let length_ms = u64::try_from(length.as_millis()).unwrap_or(u64::MAX).max(1);
        Self { index: now_ms / length_ms, left: Duration::from_millis(length_ms - now_ms % length_ms) }
    }

    fn key(&self, endpoint: Endpoint, caller: Caller<'_>) -> String {
        let (kind, id) = match caller {
            Caller::Address(address) => ("addr", address),
            Caller::Client(client_id) => ("client", client_id),
        };
        format!("{}:{kind}:{}:{id}", endpoint.key(), self.index)
    }

    fn verdict(&self, over: bool) -> Verdict {
        if !over {
            return Verdict::Allowed;
        }
        // Whole seconds for Retry-After, never 0 (which would invite an immediate retry).
        Verdict::Refused { retry_after: Duration::from_secs(self.left.as_millis().div_ceil(1000).max(1) as u64) }
    }
}

impl Verdict {
    /// `Retry-After`'s value in whole seconds, when refused.
    pub fn retry_after_secs(self) -> Option<u64> {
        match self {
            Verdict::Allowed => None,
            Verdict::Refused { retry_after } => Some(retry_after.as_secs()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_to_the_clock() {
        let minute = Duration::from_secs(60);
        let window = Window::at(125_500, minute);
        assert_eq!(window.index, 2);
        assert_eq!(window.left, Duration::from_millis(54_500));
        assert_eq!(window.verdict(true), Verdict::Refused { retry_after: Duration::from_secs(55) });
        assert_eq!(window.verdict(false), Verdict::Allowed);
        // The last millisecond of a window still asks for a whole second.
        assert_eq!(Window::at(59_999, minute).verdict(true).retry_after_secs(), Some(1));
    }

    #[test]
    fn addresses_and_clients_never_share_a_counter() {
        let window = Window::at(0, Duration::from_secs(60));
        let address = window.key(Endpoint::Token, Caller::Address("10.0.0.1"));
        let client = window.key(Endpoint::Token, Caller::Client("10.0.0.1"));
        assert_ne!(address, client);
        assert_ne!(address, window.key(Endpoint::Introspection, Caller::Address("10.0.0.1")));
    }

    #[tokio::test]
    async fn the_limit_refuses_only_past_it_and_zero_means_none() {
        let settings = Settings { token_requests_per_address: 3, token_requests_per_client: 0, ..Settings::default() };
        let limits = RateLimits::new(SessionStore::in_memory(), &settings);
        let address = Caller::Address("192.0.2.7");
        for _ in 0..3 {
            assert_eq!(limits.count(Endpoint::Token, address).await.unwrap(), Verdict::Allowed);
        }
        assert!(matches!(limits.count(Endpoint::Token, address).await.unwrap(), Verdict::Refused { .. }));
        // Another address, and another endpoint, have their own allowance.
        assert_eq!(limits.count(Endpoint::Token, Caller::Address("192.0.2.8")).await.unwrap(), Verdict::Allowed);
        assert_eq!(limits.count(Endpoint::Introspection, address).await.unwrap(), Verdict::Allowed);
        for _ in 0..100 {
            assert_eq!(limits.count(Endpoint::Token, Caller::Client("app")).await.unwrap(), Verdict::Allowed);
        }
    }

    #[tokio::test]
    async fn failures_are_checked_without_being_counted() {
        let settings = Settings { device_user_code_failures_per_address: 2, ..Settings::default() };
        let limits = RateLimits::new(SessionStore::in_memory(), &settings);
        let address = Caller::Address("192.0.2.9");
        for _ in 0..5 {
            assert_eq!(limits.reached(Endpoint::UserCodeFailures, address).await.unwrap(), Verdict::Allowed);
        }
        limits.count(Endpoint::UserCodeFailures, address).await.unwrap();
        limits.count(Endpoint::UserCodeFailures, address).await.unwrap();
        assert!(matches!(limits.reached(Endpoint::UserCodeFailures, address).await.unwrap(), Verdict::Refused { .. }));
    }
}
