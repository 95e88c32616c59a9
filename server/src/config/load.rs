//! Reading the settings: defaults, then the TOML file, then `HUB_*` variables (and
//! `HUB_<NAME>_FILE` for secrets), each failure one line naming the setting.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};

use super::{ConfigError, Settings};

/// The environment variables that are the test harness's, not the hub's.
const FOREIGN_VARIABLES: &[&str] = &["TEST_DATABASE_URL", "TEST_REDIS_URL", "BIN", "CONFIG"];

/// Settings that may hold a secret, and so may also be read from a file named by
/// `HUB_<NAME>_FILE` (Docker and compose secrets mount at `/run/secrets/<name>`).
const FROM_FILE: &[&str] = &["master_key", "admin_token", "database_url", "redis_url", "smtp_password"];

impl Settings {
    /// Defaults, then the TOML file (`HUB_CONFIG`, else `./hub.toml` if present), then `HUB_*`.
    pub fn load(config_file: Option<PathBuf>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        let explicit = config_file.or_else(|| std::env::var_os("HUB_CONFIG").map(PathBuf::from));
        match explicit {
            Some(path) if !path.is_file() => {
                return Err(ConfigError::new(format!("config file {} does not exist", path.display())));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("hub.toml").is_file() => figment = figment.merge(Toml::file_exact("hub.toml")),
            None => {}
        }
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if let Some(key) = name.strip_prefix("HUB_") {
                let field = key.to_ascii_lowercase();
                let field = field.strip_suffix("_file").filter(|f| FROM_FILE.contains(f)).unwrap_or(&field);
                let known = Settings::FIELDS.contains(&field);
                // Secrets a declared file refers to, by the names `hub export` gives them.
                let declared_secret = key.starts_with("SECRET_") || key.starts_with("UPSTREAM_SECRET_");
                if !known && !FOREIGN_VARIABLES.contains(&key) && !declared_secret {
                    eprintln!("warning: ignoring unknown setting {name}");
                }
            }
        }
        let env = Env::prefixed("HUB_").filter(|key| Settings::FIELDS.iter().any(|field| key == *field));
        figment = figment.merge(env);
        for field in FROM_FILE {
            if let Some(value) = read_secret_file(field)? {
                figment = figment.merge(Serialized::default(field, value));
            }
        }
        let settings: Settings = figment.extract().map_err(|e| ConfigError::new(one_line(&e)))?;
        settings.validate()?;
        Ok(settings)
    }

    pub(super) const FIELDS: &'static [&'static str] = &[
        "issuer",
        "listen",
        "database_url",
        "redis_url",
        "redis_prefix",
        "data_dir",
        "master_key",
        "admin_token",
        "cookie_secure",
        "site_name",
        "stylesheet",
        "logo",
        "templates_dir",
        "apply_file",
        "access_token_ttl_secs",
        "access_token_signing_alg",
        "id_token_ttl_secs",
        "refresh_token_ttl_secs",
        "authorization_code_ttl_secs",
        "interaction_ttl_secs",
        "consent_ttl_secs",
        "session_idle_ttl_secs",
        "session_absolute_ttl_secs",
        "device_code_ttl_secs",
        "device_poll_interval_secs",
        "password_hash_concurrency",
        "login_throttle_per_account",
        "login_throttle_per_address",
        "login_throttle_window_secs",
        "admins_require_second_factor",
        "trust_forwarded_for",
        "audit_retention_days",
        "rate_limit_window_secs",
        "token_requests_per_address",
        "token_requests_per_client",
        "introspection_requests_per_address",
        "introspection_requests_per_client",
        "device_requests_per_address",
        "device_requests_per_client",
        "device_user_code_failures_per_address",
        "registration",
        "registration_per_address",
        "registration_window_secs",
        "registration_allow_private_urls",
        "frappe_endpoints",
        "log_format",
        "metrics",
        "metrics_listen",
        "smtp_host",
        "smtp_port",
        "smtp_tls",
        "smtp_username",
        "smtp_password",
        "smtp_from",
        "self_registration",
        "password_reset_ttl_secs",
        "email_verification_ttl_secs",
    ];
}

/// The value of `HUB_<FIELD>_FILE`'s file, without its trailing newline; naming both the
/// variable and its file is refused rather than guessed at.
fn read_secret_file(field: &str) -> Result<Option<String>, ConfigError> {
    let variable = format!("HUB_{}", field.to_ascii_uppercase());
    let Some(path) = std::env::var_os(format!("{variable}_FILE")) else { return Ok(None) };
    if std::env::var_os(&variable).is_some() {
        return Err(ConfigError::new(format!("set {variable} or {variable}_FILE, not both")));
    }
    let path = PathBuf::from(path);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ConfigError::new(format!("{variable}_FILE: cannot read {}: {e}", path.display())))?;
    Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()))
}

/// figment's errors span several lines; start-up prints exactly one.
fn one_line(error: &figment::Error) -> String {
    let mut text = error.to_string().replace('\n', " ");
    if let Some(key) = error.path.last() {
        let variable = format!("HUB_{}", key.to_ascii_uppercase());
        if !text.contains(&variable) {
            text = format!("{variable}: {text}");
        }
    }
    text
}
