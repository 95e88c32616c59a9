//! Settings: defaults, then `hub.toml`, then `HUB_*` environment variables (SPEC §3).
//! Parsed and validated once at start-up; every failure is one line naming the setting.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::domain::SigningAlg;

mod load;
mod mail;
mod validate;

pub use mail::SmtpTls;
use validate::is_loopback;

/// Every setting of the hub. Durations are whole seconds (`*_secs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Public base URL; the `iss` of every token and the base of every endpoint.
    pub issuer: Url,
    pub listen: SocketAddr,
    /// Unset: SQLite at `<data_dir>/hub.db`.
    pub database_url: Option<String>,
    /// Unset: the in-process session store (one instance only).
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so several hubs (or test runs) can share one Redis.
    pub redis_prefix: String,
    pub data_dir: PathBuf,
    /// 32 bytes, base64. Encrypts secrets at rest. Generated into `data_dir` when absent
    /// and the database is the embedded default.
    #[serde(serialize_with = "never_serialize")]
    pub master_key: Option<SecretString>,
    /// Bootstrap bearer token for the admin API.
    #[serde(serialize_with = "never_serialize")]
    pub admin_token: Option<SecretString>,
    /// Unset: Secure cookies unless the issuer is plain http on a loopback address.
    pub cookie_secure: Option<bool>,
    /// The name the pages and e-mails give the service ("Sign in to …").
    pub site_name: String,
    /// The operator's stylesheet, loaded after the hub's on every page.
    pub stylesheet: Option<PathBuf>,
    /// The operator's logo (PNG, JPEG, WebP or SVG), shown above every page.
    pub logo: Option<PathBuf>,
    /// A directory whose `*.html` files replace the built-in page templates.
    pub templates_dir: Option<PathBuf>,
    /// A declared file (`hub apply`) that `hub serve` applies before it listens.
    pub apply_file: Option<PathBuf>,

    pub access_token_ttl_secs: u64,
    /// How access tokens (RFC 9068) are signed: RS256 (default), PS256, ES256 or EdDSA.
    pub access_token_signing_alg: SigningAlg,
    pub id_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub authorization_code_ttl_secs: u64,
    /// How long a login started at /authorize may take.
    pub interaction_ttl_secs: u64,
    pub consent_ttl_secs: u64,
    pub session_idle_ttl_secs: u64,
    pub session_absolute_ttl_secs: u64,
    /// How long a device code and its user code stay usable (RFC 8628 §3.2 `expires_in`).
    pub device_code_ttl_secs: u64,
    /// The seconds a device must wait between polls (RFC 8628 §3.2 `interval`).
    pub device_poll_interval_secs: u64,

    /// Password hashes computed at once; the rest wait, so logins cannot starve the
    /// token endpoint. Unset: the number of CPUs.
    pub password_hash_concurrency: Option<usize>,
    /// Free failed logins from one address at one account (then each attempt waits longer),
    /// and failed logins from one address at all accounts within `login_throttle_window_secs`.
    pub login_throttle_per_account: u32,
    pub login_throttle_per_address: u32,
    pub login_throttle_window_secs: u64,
    /// Members of `admins` who enrolled a second factor must use it at every sign-in: an
    /// administrator's password alone then cannot reach the admin API. Off only to let a
    /// deployment phase the rule in.
    pub admins_require_second_factor: bool,
    /// Trust `X-Forwarded-For` from the nearest proxy for the client address (throttling, audit).
    pub trust_forwarded_for: bool,
    /// Audit events older than this many days are deleted (hourly); 0 keeps them forever.
    pub audit_retention_days: u64,
    /// Dynamic client registration (RFC 7591): `off`, `open` to anyone, or `token`: with an
    /// initial access token an administrator minted.
    pub registration: RegistrationPolicy,
    /// Requests per window (`rate_limit_window_secs`) one address, and one authenticated
    /// client, may make to the token, introspection and device authorization endpoints;
    /// 0 is no limit.
    pub rate_limit_window_secs: u64,
    pub token_requests_per_address: u32,
    pub token_requests_per_client: u32,
    pub introspection_requests_per_address: u32,
    pub introspection_requests_per_client: u32,
    pub device_requests_per_address: u32,
    pub device_requests_per_client: u32,
    /// Wrong user codes one address may type at the device page within
    /// `login_throttle_window_secs` (RFC 8628 §5.1).
    pub device_user_code_failures_per_address: u32,
    /// Registrations per client address within `registration_window_secs`.
    pub registration_per_address: u32,
    pub registration_window_secs: u64,
    /// Lets registered clients name http and private-network URLs (jwks_uri,
    /// request_uris, backchannel_logout_uri) the hub then fetches: for tests and
    /// development only; off, a stranger's URLs reach only the public internet.
    pub registration_allow_private_urls: bool,
    /// How log lines are written: `text` or `json`.
    pub log_format: crate::telemetry::LogFormat,
    /// Serve Prometheus metrics at `/metrics` on the main listener.
    pub metrics: bool,
    /// Serve them on this address instead (a port the load balancer does not expose).
    pub metrics_listen: Option<SocketAddr>,
    /// Serve Frappe's OAuth paths (`/api/method/frappe.integrations.oauth2.*`) at the
    /// host's root, so Frappe app servers can use the hub as their "Frappe Server URL".
    pub frappe_endpoints: bool,

    /// The SMTP server the hub sends its e-mail through (address verification, password
    /// reset, notices of account changes). Unset: no e-mail, and none of the pages that
    /// need it is offered.
    pub smtp_host: Option<String>,
    /// Unset: 465 with `smtp_tls = tls`, 25 with `none`, else 587.
    pub smtp_port: Option<u16>,
    pub smtp_tls: SmtpTls,
    pub smtp_username: Option<String>,
    #[serde(serialize_with = "never_serialize")]
    pub smtp_password: Option<SecretString>,
    /// The sender of every message, as `Name <address>` or a bare address.
    pub smtp_from: Option<String>,
    /// Anyone may create an account at the login page; it exists once its e-mail address
    /// is verified. Needs SMTP.
    pub self_registration: bool,
    /// How long a password reset link works (once).
    pub password_reset_ttl_secs: u64,
    /// How long an address verification link works (once).
    pub email_verification_ttl_secs: u64,
}

/// Who may call the registration endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationPolicy {
    /// No registration endpoint.
    Off,
    /// Anyone may register a client (still rate limited, never skipping consent).
    Open,
    /// Only with an initial access token (RFC 7591 §3).
    Token,
}

fn never_serialize<S: serde::Serializer>(_: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_none()
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            issuer: default_issuer(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            redis_url: None,
            redis_prefix: "hub:".into(),
            data_dir: PathBuf::from("data"),
            master_key: None,
            admin_token: None,
            cookie_secure: None,
            site_name: "Hub".into(),
            stylesheet: None,
            logo: None,
            templates_dir: None,
            apply_file: None,
            access_token_ttl_secs: 600,
            access_token_signing_alg: SigningAlg::RS256,
            id_token_ttl_secs: 600,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            authorization_code_ttl_secs: 60,
            interaction_ttl_secs: 30 * 60,
            consent_ttl_secs: 90 * 24 * 3600,
            session_idle_ttl_secs: 8 * 3600,
            session_absolute_ttl_secs: 7 * 24 * 3600,
            device_code_ttl_secs: 600,
            device_poll_interval_secs: 5,
            password_hash_concurrency: None,
            login_throttle_per_account: 10,
            login_throttle_per_address: 100,
            login_throttle_window_secs: 15 * 60,
            admins_require_second_factor: true,
            trust_forwarded_for: false,
            audit_retention_days: 365,
            rate_limit_window_secs: 60,
            token_requests_per_address: 30_000,
            token_requests_per_client: 30_000,
            introspection_requests_per_address: 60_000,
            introspection_requests_per_client: 60_000,
            device_requests_per_address: 60,
            device_requests_per_client: 600,
            device_user_code_failures_per_address: 20,
            registration: RegistrationPolicy::Token,
            registration_per_address: 20,
            registration_window_secs: 3600,
            registration_allow_private_urls: false,
            frappe_endpoints: true,
            log_format: crate::telemetry::LogFormat::Text,
            metrics: false,
            metrics_listen: None,
            smtp_host: None,
            smtp_port: None,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_from: None,
            self_registration: false,
            password_reset_ttl_secs: 30 * 60,
            email_verification_ttl_secs: 24 * 3600,
        }
    }
}

#[expect(clippy::expect_used, reason = "a constant, valid URL")]
fn default_issuer() -> Url {
    Url::parse("http://127.0.0.1:8080").expect("valid URL")
}

/// A setting that cannot be used; its `Display` is the one line printed at start-up.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Longer lifetimes are certainly mistakes, and would overflow date arithmetic.
pub(crate) const MAX_LIFETIME_SECS: u64 = 10 * 365 * 24 * 3600;

impl Settings {
    /// The database URL in force: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("hub.db").display()),
        }
    }

    pub fn uses_embedded_database(&self) -> bool {
        self.database_url.is_none()
    }

    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure.unwrap_or(!(self.issuer.scheme() == "http" && is_loopback(&self.issuer)))
    }

    /// Where every endpoint lives: the issuer with the path appended.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.issuer.as_str().trim_end_matches('/'), path)
    }

    /// The absolute URL of `path` with one query parameter, encoded.
    pub fn endpoint_with(&self, path: &str, name: &str, value: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new()).append_pair(name, value).finish();
        format!("{}?{query}", self.endpoint(path))
    }

    /// Whether metrics are recorded at all: only when something serves them.
    pub fn metrics_enabled(&self) -> bool {
        self.metrics || self.metrics_listen.is_some()
    }

    pub fn secs(value: u64) -> Duration {
        Duration::from_secs(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_issuer(issuer: &str) -> Settings {
        Settings { issuer: Url::parse(issuer).unwrap(), ..Settings::default() }
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert!(with_issuer("http://127.0.0.1:8080").validate().is_ok());
        assert!(with_issuer("http://localhost:9000/hub").validate().is_ok());
        assert!(with_issuer("https://id.example.com").validate().is_ok());
        assert!(with_issuer("http://id.example.com").validate().is_err());
        assert!(with_issuer("https://id.example.com/?a=b").validate().is_err());
    }

    #[test]
    fn the_environment_filter_lists_every_setting() {
        let serialized = serde_json::to_value(Settings::default()).unwrap();
        let mut fields: Vec<&str> = serialized.as_object().unwrap().keys().map(String::as_str).collect();
        let mut listed = Settings::FIELDS.to_vec();
        fields.sort_unstable();
        listed.sort_unstable();
        assert_eq!(fields, listed, "Settings::FIELDS must name every field of Settings");
    }

    #[test]
    fn cookies_are_secure_except_on_loopback_http() {
        assert!(!with_issuer("http://127.0.0.1:8080").cookie_secure());
        assert!(with_issuer("https://id.example.com").cookie_secure());
    }

    #[test]
    fn endpoints_hang_off_the_issuer_path() {
        assert_eq!(with_issuer("https://x.test/hub/").endpoint("/token"), "https://x.test/hub/token");
        assert_eq!(with_issuer("https://x.test").endpoint("/token"), "https://x.test/token");
    }
}
