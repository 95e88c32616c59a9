//! The `hub` command line (SPEC §3): serve, migrate, and the operator's commands for
//! users, clients and signing keys. Each failure is one line on stderr.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::accounts::password::hash_blocking;
use crate::config::Settings;
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::client::ClientMetadata;
use crate::domain::user::validate_username;
use crate::domain::{Client, GrantType, IdTokenAlg, ResponseType, TokenEndpointAuthMethod};
use crate::oidc::token::client_auth as client_auth_context;
use crate::secrets::random_token;
use crate::startup;
use crate::store::users::NewUser;

#[derive(Debug, Parser)]
#[command(name = "hub", version, about = "Federated social-login hub: OpenID Provider and relying party")]
pub struct Cli {
    /// TOML settings file (default: ./hub.toml if present). HUB_* variables override it.
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
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage OAuth clients (relying parties).
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage token signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Print the admin API's OpenAPI document (as served at /admin/api/openapi.json).
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from the terminal, or from standard input.
    Add(UserAdd),
    /// List users.
    List,
    /// Replace a user's password (read as for `add`).
    SetPassword { username: String },
}

#[derive(Debug, Args)]
pub struct UserAdd {
    pub username: String,
    #[arg(long)]
    pub email: Option<String>,
    /// Mark the e-mail address as verified.
    #[arg(long)]
    pub email_verified: bool,
    #[arg(long)]
    pub name: Option<String>,
    /// Add to this group (repeatable); `admins` grants the admin API.
    #[arg(long = "group")]
    pub groups: Vec<String>,
    /// Create without a password (for users who sign in through an upstream).
    #[arg(long)]
    pub no_password: bool,
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client; prints its secret once.
    Add(ClientAdd),
    /// List clients.
    List,
}

#[derive(Debug, Args)]
pub struct ClientAdd {
    /// Human-readable name shown on the consent page.
    #[arg(long)]
    pub name: String,
    /// A redirect URI (repeatable); matched exactly.
    #[arg(long = "redirect-uri", required = true)]
    pub redirect_uris: Vec<String>,
    #[arg(long = "post-logout-redirect-uri")]
    pub post_logout_redirect_uris: Vec<String>,
    /// Choose the client_id instead of a random one.
    #[arg(long)]
    pub client_id: Option<String>,
    /// A public client (SPA, native app): no secret, PKCE required.
    #[arg(long)]
    pub public: bool,
    /// First-party app: never ask for consent.
    #[arg(long)]
    pub skip_authorization: bool,
    /// client_secret_basic (default), client_secret_post, or none (implied by --public).
    #[arg(long)]
    pub auth_method: Option<String>,
    /// Grant types (repeatable): authorization_code, refresh_token, client_credentials.
    /// Default: authorization_code and refresh_token.
    #[arg(long = "grant-type")]
    pub grant_types: Vec<String>,
    /// RS256 (default) or HS256 (keyed with the client secret).
    #[arg(long, default_value = "RS256")]
    pub id_token_alg: String,
    /// Scopes the client may request; default: the standard OpenID scopes.
    #[arg(long)]
    pub scope: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List published signing keys.
    List,
    /// Publish a new active key; the previous one stays published until its tokens expire.
    Rotate,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        print!("{}", crate::admin::openapi_document());
        return Ok(());
    }
    let settings = Settings::load(cli.config)?;
    match cli.command {
        Command::Serve => {
            let app = startup::Application::build(settings).await?;
            app.run_until_stopped().await
        }
        Command::Migrate => {
            startup::connect_store(&settings).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User(command) => user(settings, command).await,
        Command::Client(command) => client(settings, command).await,
        Command::Keys(command) => keys(settings, command).await,
        Command::Openapi => Ok(()),
    }
}

async fn user(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    let store = startup::connect_store(&settings).await?;
    match command {
        UserCommand::Add(add) => {
            validate_username(&add.username).map_err(anyhow::Error::msg)?;
            let password_hash = if add.no_password { None } else { Some(hash(&read_password()?).await?) };
            let user = store
                .create_user(NewUser {
                    username: add.username,
                    email: add.email,
                    email_verified: add.email_verified,
                    name: add.name,
                    password_hash,
                    ..NewUser::default()
                })
                .await?;
            for group in &add.groups {
                store.add_to_group(user.id, group).await?;
            }
            store
                .record_audit(
                    AuditRecord::new("user.create", Actor::Cli).user(user.id).target(format!("user:{}", user.id)),
                )
                .await?;
            println!("{}", user.id);
        }
        UserCommand::List => {
            for user in store.all_users().await? {
                let email = user.email.unwrap_or_default();
                let state = if user.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\t{}\t{}", user.id, user.username, email, state, user.groups.join(","));
            }
        }
        UserCommand::SetPassword { username } => {
            let password_hash = hash(&read_password()?).await?;
            let id = store.set_password_hash(&username, password_hash).await?;
            store
                .record_audit(AuditRecord::new("user.set_password", Actor::Cli).user(id).target(format!("user:{id}")))
                .await?;
            println!("password updated");
        }
    }
    Ok(())
}

async fn hash(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    Ok(tokio::task::spawn_blocking(move || hash_blocking(&password)).await??)
}

fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.chars().count() < 8 {
        bail!("the password must have at least 8 characters");
    }
    Ok(password)
}

async fn client(settings: Settings, command: ClientCommand) -> anyhow::Result<()> {
    let store = startup::connect_store(&settings).await?;
    match command {
        ClientCommand::Add(add) => {
            let master = startup::master_key(&settings)?;
            let as_json = add.json;
            let client = client_from_args(add)?;
            let secret = match client.token_endpoint_auth_method {
                TokenEndpointAuthMethod::None => None,
                _ => Some(random_token()?),
            };
            let sealed =
                secret.as_ref().map(|s| master.seal(client_auth_context::SECRET_CONTEXT, s.as_bytes())).transpose()?;
            store.create_client(&client, sealed).await?;
            let target = format!("client:{}", client.client_id);
            store
                .record_audit(AuditRecord::new("client.create", Actor::Cli).client(&client.client_id).target(target))
                .await?;
            if as_json {
                println!("{}", serde_json::json!({ "client_id": client.client_id, "client_secret": secret }));
            } else {
                println!("client_id:     {}", client.client_id);
                if let Some(secret) = secret {
                    println!("client_secret: {secret}");
                    println!("(the secret is shown only now; store it in the app's configuration)");
                }
            }
        }
        ClientCommand::List => {
            let all = store.list_clients(None, crate::store::Window::ALL).await?.items;
            for client in all.into_iter().map(|stored| stored.client) {
                println!(
                    "{}\t{}\t{}\t{}",
                    client.client_id,
                    client.client_name,
                    client.token_endpoint_auth_method,
                    client.redirect_uris.join(" ")
                );
            }
        }
    }
    Ok(())
}

fn client_from_args(add: ClientAdd) -> anyhow::Result<Client> {
    let token_endpoint_auth_method = match (add.public, add.auth_method.as_deref()) {
        (true, None | Some("none")) => TokenEndpointAuthMethod::None,
        (true, Some(_)) => bail!("a public client authenticates with `none`"),
        (false, None) => TokenEndpointAuthMethod::ClientSecretBasic,
        (false, Some(method)) => TokenEndpointAuthMethod::parse(method).with_context(|| {
            format!("unknown --auth-method {method}; use client_secret_basic, client_secret_post or none")
        })?,
    };
    let grant_types = if add.grant_types.is_empty() {
        vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
    } else {
        add.grant_types
            .iter()
            .map(|g| GrantType::parse(g).with_context(|| format!("unknown --grant-type {g}")))
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    let id_token_signed_response_alg =
        IdTokenAlg::parse(&add.id_token_alg).context("--id-token-alg must be RS256 or HS256")?;
    let client_id = match add.client_id {
        Some(id) => id,
        None => hex::encode(crate::secrets::random_bytes::<16>()?),
    };
    let response_types =
        if grant_types.contains(&GrantType::AuthorizationCode) { vec![ResponseType::Code] } else { Vec::new() };
    let metadata = ClientMetadata {
        client_name: add.name,
        redirect_uris: add.redirect_uris,
        post_logout_redirect_uris: add.post_logout_redirect_uris,
        grant_types,
        response_types,
        token_endpoint_auth_method,
        id_token_signed_response_alg,
        backchannel_logout_uri: None,
        scope: add.scope,
        skip_authorization: add.skip_authorization,
        allowed_social_login_keys: Vec::new(),
        default_social_login_key: None,
    };
    Ok(metadata.into_client(client_id)?)
}

async fn keys(settings: Settings, command: KeysCommand) -> anyhow::Result<()> {
    let store = startup::connect_store(&settings).await?;
    match command {
        KeysCommand::List => {
            for key in crate::keys::list(&store).await?.into_iter().filter(|k| k.published()) {
                let state = if key.state == crate::keys::KeyState::Active {
                    "active".to_owned()
                } else {
                    format!("published until {}", key.publish_until.map(|t| t.to_rfc3339()).unwrap_or_default())
                };
                println!("{}\t{}\t{}\t{}", key.kid, key.alg, key.created_at.to_rfc3339(), state);
            }
        }
        KeysCommand::Rotate => {
            let master = startup::master_key(&settings)?;
            let kid = crate::keys::rotate(&store, &master, keep_previous_key(&settings)).await?;
            store.record_audit(AuditRecord::new("key.rotate", Actor::Cli).target(format!("key:{kid}"))).await?;
            println!("{kid}");
        }
    }
    Ok(())
}

/// How long a rotated-out key stays published: the longest token it signed, plus the
/// time the other instances need to notice the rotation.
pub fn keep_previous_key(settings: &Settings) -> std::time::Duration {
    let longest = settings.access_token_ttl_secs.max(settings.id_token_ttl_secs);
    Settings::secs(longest) + 2 * startup::KEY_RELOAD_INTERVAL
}
