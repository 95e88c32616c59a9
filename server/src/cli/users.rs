//! `hub user …`: add, list, update the profile, set a password, disable, enable,
//! delete, and group memberships.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use clap::{Args, Subcommand};

use super::by;
use super::user_claims::{ClaimArgs, replace};
use crate::domain::User;
use crate::domain::user::{Profile, StandardClaims};
use crate::manage::users;
use crate::manage::users::profile_of;
use crate::state::AppState;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from the terminal, or from standard input.
    Add(UserAdd),
    /// List users: id, username, e-mail, state, groups (tab-separated).
    List,
    /// Change a user's e-mail address, name and claims: a flag left out keeps its value,
    /// an empty value removes it.
    Update(UserUpdate),
    /// Replace a user's password (read as for `add`).
    SetPassword {
        /// The user's username.
        username: String,
    },
    /// Disable a user: they cannot sign in, their sessions end, their grants are revoked.
    Disable {
        /// The user's username.
        username: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// The user's username.
        username: String,
    },
    /// Delete a user, with their sessions, consents, refresh tokens and upstream links.
    Delete {
        /// The user's username.
        username: String,
    },
    /// Show a user's groups, or change them with --add and --remove.
    Groups(UserGroups),
    /// E-mail a user a single-use link to choose a new password. Needs HUB_SMTP_HOST, and
    /// HUB_REDIS_URL (the running hub must find the link); else use the admin API.
    SendPasswordReset {
        /// The user's username.
        username: String,
    },
    /// E-mail a user a single-use link that verifies their address (as for
    /// send-password-reset).
    SendVerification {
        /// The user's username.
        username: String,
    },
    /// Show whether a user has a second factor, and their passkeys; remove the TOTP factor
    /// with --reset (a lost phone: their sessions end, and the next sign-in that requires
    /// one enrols a new one), or one passkey with --remove-passkey.
    SecondFactor {
        /// The user's username.
        username: String,
        #[arg(long)]
        reset: bool,
        /// The id of a passkey to remove (as listed); the user's sessions end.
        #[arg(long, value_name = "PASSKEY_ID", conflicts_with = "reset")]
        remove_passkey: Option<uuid::Uuid>,
    },
}

#[derive(Debug, Args)]
pub struct UserAdd {
    /// What the user types to sign in: 1 to 64 characters, no spaces.
    pub username: String,
    /// The user's e-mail address.
    #[arg(long)]
    pub email: Option<String>,
    /// Mark the e-mail address as verified.
    #[arg(long)]
    pub email_verified: bool,
    /// The user's full name (the `name` claim).
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub claims: Box<ClaimArgs>,
    /// Mark the phone number as verified.
    #[arg(long)]
    pub phone_number_verified: bool,
    /// Add to this group (repeatable), creating it if there is none; `admins` grants the
    /// admin API.
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// Create without a password (for users who sign in through an upstream).
    #[arg(long)]
    pub no_password: bool,
}

#[derive(Debug, Args)]
pub struct UserUpdate {
    /// The user's username.
    pub username: String,
    /// The user's e-mail address; an empty value removes it.
    #[arg(long)]
    pub email: Option<String>,
    /// true: the e-mail address is verified; false: it is not.
    #[arg(long, value_name = "BOOL")]
    pub email_verified: Option<bool>,
    /// The user's full name (the `name` claim); an empty value removes it.
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub claims: Box<ClaimArgs>,
    /// true: the phone number is verified; false: it is not.
    #[arg(long, value_name = "BOOL")]
    pub phone_number_verified: Option<bool>,
}

#[derive(Debug, Args)]
pub struct UserGroups {
    /// The user's username.
    pub username: String,
    /// Add the user to this group (repeatable), creating it if there is none.
    #[arg(long = "add", value_name = "GROUP")]
    pub add: Vec<String>,
    /// Remove the user from this group (repeatable).
    #[arg(long = "remove", value_name = "GROUP")]
    pub remove: Vec<String>,
}

pub async fn run(state: &AppState, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(add) => {
            let password = if add.no_password { None } else { Some(read_password()?) };
            let profile = Profile {
                username: add.username,
                email: add.email,
                email_verified: add.email_verified,
                name: add.name,
                claims: StandardClaims {
                    phone_number_verified: add.phone_number_verified,
                    ..add.claims.apply(StandardClaims::default())
                },
                groups: add.groups,
                disabled: false,
            };
            // The user's own rules first, so a refused user leaves no new group behind.
            let mut errors = profile.validate();
            if let Some(password) = &password {
                errors.check("password", crate::domain::user::validate_password(password));
            }
            errors.into_result()?;
            if state.store.find_user_for_login(&profile.username).await?.is_some() {
                anyhow::bail!("username: the username is taken");
            }
            ensure_groups(state, &profile.groups).await?;
            let user = users::create(state, &by(), profile, password.as_deref()).await?;
            println!("{}", user.id);
        }
        UserCommand::List => {
            for user in state.store.all_users().await? {
                println!("{}", line(&user));
            }
        }
        UserCommand::Update(update) => {
            let user = users::find_by_username(state, &update.username).await?;
            let profile = updated(profile_of(&user), update);
            println!("{}", line(&users::update(state, &by(), user.id, profile).await?));
        }
        UserCommand::SetPassword { username } => {
            let user = users::find_by_username(state, &username).await?;
            users::set_password(state, &by(), user.id, &read_password()?).await?;
            println!("password updated");
        }
        UserCommand::Disable { username } => {
            let user = users::find_by_username(state, &username).await?;
            println!("{}", line(&users::set_disabled(state, &by(), user.id, true).await?));
        }
        UserCommand::Enable { username } => {
            let user = users::find_by_username(state, &username).await?;
            println!("{}", line(&users::set_disabled(state, &by(), user.id, false).await?));
        }
        UserCommand::Delete { username } => {
            let user = users::find_by_username(state, &username).await?;
            users::delete(state, &by(), user.id).await?;
            println!("deleted {}", user.username);
        }
        UserCommand::SendPasswordReset { username } => {
            let user = users::find_by_username(state, &username).await?;
            links_reach_the_running_hub(state)?;
            let sent = crate::manage::account::recovery::send_password_reset(state, &by(), user.id).await?;
            println!(
                "sending {} a password reset link (valid for {} s) to {}",
                user.username,
                sent.valid_for.as_secs(),
                sent.to
            );
        }
        UserCommand::SendVerification { username } => {
            let user = users::find_by_username(state, &username).await?;
            links_reach_the_running_hub(state)?;
            let sent = crate::manage::account::recovery::send_verification(state, &by(), user.id).await?;
            println!(
                "sending {} a verification link (valid for {} s) to {}",
                user.username,
                sent.valid_for.as_secs(),
                sent.to
            );
        }
        UserCommand::SecondFactor { username, reset, remove_passkey } => {
            let user = users::find_by_username(state, &username).await?;
            if reset {
                match users::reset_second_factor(state, &by(), user.id).await? {
                    true => println!("reset the second factor of {}", user.username),
                    false => println!("{} has no second factor to reset", user.username),
                }
            } else if let Some(passkey_id) = remove_passkey {
                crate::manage::passkeys::remove(state, &by(), user.id, passkey_id).await?;
                println!("removed passkey {passkey_id} of {}", user.username);
            } else {
                let status = users::second_factor(state, user.id).await?;
                match status.enrolled_at {
                    Some(at) if status.enrolled => {
                        println!("enrolled {}, {} recovery codes left", at.to_rfc3339(), status.recovery_codes_left);
                    }
                    _ => println!("none"),
                }
                for passkey in crate::manage::passkeys::list(state, user.id).await? {
                    let used = passkey
                        .last_used_at
                        .map_or("never used".to_owned(), |at| format!("last used {}", at.to_rfc3339()));
                    let kind = if passkey.synced { "synced" } else { "device-bound" };
                    println!(
                        "passkey {} {:?}: {kind}, added {}, {used}",
                        passkey.id,
                        passkey.name,
                        passkey.created_at.to_rfc3339()
                    );
                }
            }
        }
        UserCommand::Groups(change) => {
            let user = users::find_by_username(state, &change.username).await?;
            let user = if change.add.is_empty() && change.remove.is_empty() {
                user
            } else {
                let mut groups: Vec<String> =
                    user.groups.iter().filter(|g| !change.remove.contains(g)).cloned().collect();
                ensure_groups(state, &change.add).await?;
                groups.extend(change.add.into_iter().filter(|g| !user.groups.contains(g)));
                users::set_groups(state, &by(), user.id, groups).await?
            };
            println!("{}", user.groups.join(","));
        }
    }
    Ok(())
}

/// Creates the groups named that do not exist yet: at the command line, `--group`
/// creates a group on first use.
async fn ensure_groups(state: &AppState, names: &[String]) -> anyhow::Result<()> {
    for name in names {
        if state.store.find_group_by_name(name).await?.is_none() {
            crate::manage::groups::create(state, &by(), name, None).await?;
        }
    }
    Ok(())
}

/// The profile with what `update` gives in place of what it had.
fn updated(mut profile: Profile, update: UserUpdate) -> Profile {
    replace(&mut profile.email, update.email);
    if let Some(verified) = update.email_verified {
        profile.email_verified = verified;
    }
    replace(&mut profile.name, update.name);
    profile.claims = update.claims.apply(profile.claims);
    if let Some(verified) = update.phone_number_verified {
        profile.claims.phone_number_verified = verified;
    }
    profile
}

/// A user as `list` prints it.
fn line(user: &User) -> String {
    let email = user.email.as_deref().unwrap_or_default();
    let state = if user.disabled { "disabled" } else { "active" };
    format!("{}\t{}\t{}\t{}\t{}", user.id, user.username, email, state, user.groups.join(","))
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password: ").context("cannot read the password");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// A link lives in the session store: only Redis shares it with the running hub.
fn links_reach_the_running_hub(state: &AppState) -> anyhow::Result<()> {
    if state.settings.redis_url.is_none() {
        anyhow::bail!(
            "without HUB_REDIS_URL the link would live in this command only: use the admin API \
             (POST /admin/api/v1/users/{{id}}/password-reset-email or …/verification-email)"
        );
    }
    Ok(())
}
