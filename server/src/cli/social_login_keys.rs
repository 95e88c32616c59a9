//! `hub social-login-key …`: add one from a JSON or TOML file (the admin API's fields),
//! list, enable, disable, delete, and test a key against its upstream.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use poem_openapi::types::ParseFromJSON;

use super::by;
use crate::admin::social_login_keys::{SocialLoginKeyCreate, to_domain};
use crate::manage::social_login_keys as keys;
use crate::state::AppState;

#[derive(Debug, Subcommand)]
pub enum SocialLoginKeyCommand {
    /// Add a key from a file: JSON, or TOML when it ends in .toml, with the fields of
    /// `POST /admin/api/v1/social-login-keys` (slug, display_name, kind, client_id, …).
    Add {
        /// The file describing the key.
        file: PathBuf,
        /// Take the upstream client secret from this environment variable instead of the
        /// file's `client_secret`.
        #[arg(long, value_name = "VAR")]
        client_secret_env: Option<String>,
        /// Replace the settings of an existing key with the same slug instead of failing.
        #[arg(long)]
        replace: bool,
    },
    /// List keys: slug, kind, state, display name (tab-separated).
    List,
    /// Offer the key again on login pages.
    Enable {
        /// The key's slug.
        slug: String,
    },
    /// Stop offering the key; sign-ins through it are refused.
    Disable {
        /// The key's slug.
        slug: String,
    },
    /// Delete a key with the upstream identities linked through it.
    Delete {
        /// The key's slug.
        slug: String,
    },
    /// Ask the upstream for what the hub relies on and print each check.
    Test {
        /// The key's slug.
        slug: String,
    },
}

pub async fn run(state: &AppState, command: SocialLoginKeyCommand) -> anyhow::Result<()> {
    match command {
        SocialLoginKeyCommand::Add { file, client_secret_env, replace } => {
            let SocialLoginKeyCreate { slug, input } = read_key(&file)?;
            let secret = match client_secret_env {
                Some(var) => Some(std::env::var(&var).with_context(|| format!("{var} is not set"))?),
                None => input.client_secret.map(|secret| secret.into_inner()),
            };
            let key = to_domain(slug.into_inner(), input.settings);
            let exists = state.store.find_social_login_key(&key.slug).await?.is_some();
            let stored = if exists && replace {
                keys::update(state, &by(), key, secret.as_deref()).await?
            } else {
                keys::create(state, &by(), key, secret.as_deref()).await?
            };
            let paths = crate::oidc::paths::Upstream::of(&stored.key.slug);
            println!("{}", stored.key.slug);
            println!("redirect URI to register at the upstream: {}", state.settings.endpoint(&paths.callback));
        }
        SocialLoginKeyCommand::List => {
            for stored in state.store.all_social_login_keys().await?.iter() {
                let key = &stored.key;
                let enabled = if key.enabled { "enabled" } else { "disabled" };
                println!("{}\t{}\t{enabled}\t{}", key.slug, key.kind.as_str(), key.display_name);
            }
        }
        SocialLoginKeyCommand::Enable { slug } => {
            keys::set_enabled(state, &by(), &slug, true).await?;
            println!("enabled {slug}");
        }
        SocialLoginKeyCommand::Disable { slug } => {
            keys::set_enabled(state, &by(), &slug, false).await?;
            println!("disabled {slug}");
        }
        SocialLoginKeyCommand::Delete { slug } => {
            keys::delete(state, &by(), &slug).await?;
            println!("deleted {slug}");
        }
        SocialLoginKeyCommand::Test { slug } => {
            let report = keys::test(state, &slug).await?;
            for check in &report.checks {
                println!("{}\t{}\t{}", if check.ok { "ok" } else { "FAILED" }, check.name, check.detail);
            }
            if !report.ok() {
                bail!("{slug}: some checks failed");
            }
        }
    }
    Ok(())
}

/// The key in `file`, checked against the admin API's schema.
fn read_key(file: &Path) -> anyhow::Result<SocialLoginKeyCreate> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let value: serde_json::Value = if file.extension().is_some_and(|ext| ext == "toml") {
        toml::from_str(&text).with_context(|| format!("{} is not TOML", file.display()))?
    } else {
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?
    };
    SocialLoginKeyCreate::parse_from_json(Some(value))
        .map_err(|error| anyhow::anyhow!("{}: {}", file.display(), error.into_message()))
}
