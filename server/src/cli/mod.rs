//! The `hub` command line (SPEC §3): serve, migrate, and what operators do from a shell
//! with users, groups, clients, Social Login Keys, signing keys and registration tokens.
//! Each command parses its arguments, calls the same service layer as the admin API
//! (`manage`), and prints the result; each failure is one line on stderr.

mod clients;
mod declared;
mod groups;
mod healthcheck;
mod keys;
mod registration_tokens;
mod social_login_keys;
mod user_claims;
mod users;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::manage::By;
use crate::startup;

#[derive(Debug, Parser)]
#[command(name = "hub", version, about = "Federated social-login hub: OpenID Provider and relying party")]
pub struct Cli {
    /// TOML settings file [env: HUB_CONFIG] (default: ./hub.toml if present). HUB_*
    /// variables override what it says.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the hub (applies pending migrations first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate {
        /// Apply nothing: list the pending migrations, one per line, and exit 1 if there
        /// are any (0 when the database is up to date).
        #[arg(long)]
        check: bool,
    },
    /// Exit 0 when a running hub is ready (its /readyz answers 200), else 1: for container
    /// health checks, with nothing else installed.
    Healthcheck {
        /// Default: /readyz at the port of HUB_LISTEN on 127.0.0.1.
        #[arg(long)]
        url: Option<url::Url>,
    },
    /// Manage users.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Manage groups (their names travel in the `groups` claim).
    #[command(subcommand)]
    Group(groups::GroupCommand),
    /// Manage OAuth clients (relying parties).
    #[command(subcommand)]
    Client(Box<clients::ClientCommand>),
    /// Manage Social Login Keys (upstream identity providers).
    #[command(subcommand, name = "social-login-key")]
    SocialLoginKey(social_login_keys::SocialLoginKeyCommand),
    /// Manage token signing keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Manage initial access tokens for dynamic client registration.
    #[command(subcommand, name = "registration-token")]
    RegistrationToken(registration_tokens::RegistrationTokenCommand),
    /// Print the admin API's OpenAPI document (as served at /admin/api/openapi.json).
    Openapi,
    /// Make the hub match a TOML file that declares groups, Social Login Keys, clients
    /// and users (secrets by reference): creates and updates what differs, deletes only
    /// what its [prune] section names, and prints one line per change.
    Apply {
        /// The file (see docs/hub.apply.example.toml).
        file: PathBuf,
        /// Change nothing: print what applying would do.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the hub's groups, administrator-created clients, Social Login Keys and
    /// users in any group as a file `hub apply` accepts. Secrets are never printed.
    Export {
        /// Refer each client secret to HUB_SECRET_<CLIENT_ID> and each upstream secret to
        /// HUB_UPSTREAM_SECRET_<SLUG> (upper case, other characters as _); without it,
        /// the file leaves secrets out and apply keeps the hub's.
        #[arg(long)]
        secret_refs: bool,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        print!("{}", crate::admin::openapi_document());
        return Ok(());
    }
    let settings = Settings::load(cli.config)?;
    crate::telemetry::init(settings.log_format);
    match cli.command {
        Command::Serve => {
            let app = startup::Application::build(settings).await?;
            app.run_until_stopped().await
        }
        Command::Migrate { check: false } => {
            startup::connect_store(&settings).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Migrate { check: true } => {
            let pending = startup::pending_migrations(&settings).await?;
            for name in &pending {
                println!("{name}");
            }
            if pending.is_empty() { Ok(()) } else { Err(PendingMigrations(pending.len()).into()) }
        }
        Command::Healthcheck { url } => healthcheck::run(&settings, url).await,
        Command::Openapi => Ok(()),
        operator => {
            // The hub as `serve` builds it (database, session store, keys): with Redis, a
            // command ends sessions and revokes grants where every running hub sees it.
            let state = startup::build_state(settings).await?;
            let result = match operator {
                Command::User(command) => users::run(&state, command).await,
                Command::Group(command) => groups::run(&state, command).await,
                Command::Client(command) => clients::run(&state, *command).await,
                Command::SocialLoginKey(command) => social_login_keys::run(&state, command).await,
                Command::Keys(command) => keys::run(&state, command).await,
                Command::RegistrationToken(command) => registration_tokens::run(&state, command).await,
                Command::Apply { file, dry_run } => declared::apply(&state, file, dry_run).await,
                Command::Export { secret_refs } => declared::export(&state, secret_refs).await,
                Command::Serve | Command::Migrate { .. } | Command::Healthcheck { .. } | Command::Openapi => Ok(()),
            };
            // Apps of the sessions a command ended are told before it exits.
            state.wait_for_background(BACKGROUND_LIMIT).await;
            result
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0} migration(s) pending: run `hub migrate`")]
struct PendingMigrations(usize);

/// How long a command waits for the back-channel logouts it started.
const BACKGROUND_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Every change made here is audited as the command line's.
fn by() -> By {
    By::cli()
}
