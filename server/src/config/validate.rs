//! The checks a loaded configuration must pass before the hub starts: each failure is
//! the one line start-up prints.

use url::Url;

use super::{ConfigError, MAX_LIFETIME_SECS, Settings};
use crate::domain::SigningAlg;

impl Settings {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let issuer = &self.issuer;
        if !matches!(issuer.scheme(), "http" | "https") || issuer.host().is_none() {
            return Err(ConfigError::new(format!("HUB_ISSUER must be an http(s) URL, not {issuer}")));
        }
        if issuer.query().is_some() || issuer.fragment().is_some() || !issuer.username().is_empty() {
            return Err(ConfigError::new("HUB_ISSUER must not have a query, fragment or user info"));
        }
        if issuer.scheme() == "http" && !is_loopback(issuer) {
            return Err(ConfigError::new(
                "HUB_ISSUER must use https unless it is a loopback address (OIDC Discovery §3)",
            ));
        }
        if let Some(url) = &self.database_url {
            let scheme = url.split(':').next().unwrap_or_default();
            if !matches!(scheme, "sqlite" | "postgres" | "postgresql") {
                return Err(ConfigError::new("HUB_DATABASE_URL must start with sqlite: or postgres://"));
            }
        }
        if let Some(url) = &self.redis_url {
            // A Sentinel URL lists several hosts, which no URL parser takes; the session
            // store reads it when it connects, and says there what is wrong with it.
            if !url.starts_with("redis+sentinel://") {
                let parsed = Url::parse(url).map_err(|e| ConfigError::new(format!("HUB_REDIS_URL: {e}")))?;
                if !matches!(parsed.scheme(), "redis" | "rediss") {
                    return Err(ConfigError::new(
                        "HUB_REDIS_URL must start with redis://, rediss:// or redis+sentinel://",
                    ));
                }
            }
        }
        let positive = [
            ("HUB_ACCESS_TOKEN_TTL_SECS", self.access_token_ttl_secs),
            ("HUB_ID_TOKEN_TTL_SECS", self.id_token_ttl_secs),
            ("HUB_REFRESH_TOKEN_TTL_SECS", self.refresh_token_ttl_secs),
            ("HUB_AUTHORIZATION_CODE_TTL_SECS", self.authorization_code_ttl_secs),
            ("HUB_INTERACTION_TTL_SECS", self.interaction_ttl_secs),
            ("HUB_CONSENT_TTL_SECS", self.consent_ttl_secs),
            ("HUB_SESSION_IDLE_TTL_SECS", self.session_idle_ttl_secs),
            ("HUB_SESSION_ABSOLUTE_TTL_SECS", self.session_absolute_ttl_secs),
            ("HUB_DEVICE_CODE_TTL_SECS", self.device_code_ttl_secs),
            ("HUB_DEVICE_POLL_INTERVAL_SECS", self.device_poll_interval_secs),
            ("HUB_LOGIN_THROTTLE_WINDOW_SECS", self.login_throttle_window_secs),
            ("HUB_REGISTRATION_WINDOW_SECS", self.registration_window_secs),
            ("HUB_RATE_LIMIT_WINDOW_SECS", self.rate_limit_window_secs),
            ("HUB_PASSWORD_RESET_TTL_SECS", self.password_reset_ttl_secs),
            ("HUB_EMAIL_VERIFICATION_TTL_SECS", self.email_verification_ttl_secs),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(ConfigError::new(format!("{name} must be greater than zero")));
        }
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v > MAX_LIFETIME_SECS) {
            return Err(ConfigError::new(format!("{name} must be at most {MAX_LIFETIME_SECS} (ten years)")));
        }
        if let Some(token) = &self.admin_token
            && secrecy::ExposeSecret::expose_secret(token).len() < 32
        {
            return Err(ConfigError::new("HUB_ADMIN_TOKEN must have at least 32 characters"));
        }
        if self.audit_retention_days > 36_500 {
            return Err(ConfigError::new("HUB_AUDIT_RETENTION_DAYS must be at most 36500 (0 keeps events forever)"));
        }
        if self.access_token_signing_alg == SigningAlg::HS256 {
            return Err(ConfigError::new(
                "HUB_ACCESS_TOKEN_SIGNING_ALG must be RS256, PS256, ES256 or EdDSA: access tokens are signed with the hub's keys",
            ));
        }
        if self.password_hash_concurrency == Some(0) {
            return Err(ConfigError::new("HUB_PASSWORD_HASH_CONCURRENCY must be at least 1"));
        }
        if self.site_name.trim().is_empty() || self.site_name.chars().count() > 100 {
            return Err(ConfigError::new("HUB_SITE_NAME must have between 1 and 100 characters"));
        }
        self.validate_mail()
    }
}

pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
