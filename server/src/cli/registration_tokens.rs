//! `hub registration-token …`: mint, list and withdraw initial access tokens for dynamic
//! client registration (RFC 7591 §3).

use clap::Subcommand;
use uuid::Uuid;

use super::by;
use crate::manage::registration_tokens;
use crate::state::AppState;
use crate::store::Window;

#[derive(Debug, Subcommand)]
pub enum RegistrationTokenCommand {
    /// Mint a token and print it (shown only now).
    Add {
        /// What the token is for (who it is given to).
        #[arg(long)]
        description: Option<String>,
        /// Seconds until it expires (60 to 31536000).
        #[arg(long, default_value_t = 24 * 3600, value_name = "SECS")]
        expires_in: u64,
        /// Registrations allowed in all (default: any number until it expires).
        #[arg(long, value_name = "N")]
        max_uses: Option<u32>,
    },
    /// List tokens: id, uses/max, expiry, description (tab-separated; never the token).
    List,
    /// Withdraw a token; clients it registered stay registered.
    Delete {
        /// The token's id, as `list` prints it.
        id: Uuid,
    },
}

pub async fn run(state: &AppState, command: RegistrationTokenCommand) -> anyhow::Result<()> {
    match command {
        RegistrationTokenCommand::Add { description, expires_in, max_uses } => {
            let minted = registration_tokens::mint(state, &by(), description, expires_in, max_uses).await?;
            println!("{}", minted.token);
            eprintln!("(id {}, expires {}; the token is shown only now)", minted.record.id, minted.record.expires_at);
        }
        RegistrationTokenCommand::List => {
            for token in registration_tokens::list(state, Window::ALL).await?.items {
                let max = token.max_uses.map_or_else(|| "-".to_owned(), |max| max.to_string());
                println!(
                    "{}\t{}/{max}\t{}\t{}",
                    token.id,
                    token.uses,
                    token.expires_at.to_rfc3339(),
                    token.description
                );
            }
        }
        RegistrationTokenCommand::Delete { id } => {
            registration_tokens::delete(state, &by(), id).await?;
            println!("deleted {id}");
        }
    }
    Ok(())
}
