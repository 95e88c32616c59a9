//! `hub keys …`: list, rotate and retire token signing keys.

use clap::Subcommand;

use super::by;
use anyhow::Context;

use crate::keys::{KeyAlg, KeyInfo, KeyState};
use crate::manage::keys;
use crate::state::AppState;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List published signing keys: kid, alg, created, state (tab-separated).
    List,
    /// Publish new active keys (each algorithm's, or `--alg`'s) and print their kids; each
    /// previous key stays published until its tokens expire.
    Rotate {
        /// Only this algorithm's key: RS256, PS256, ES256 or EdDSA.
        #[arg(long)]
        alg: Option<String>,
    },
    /// Withdraw an inactive key from the JWKS now (one that leaked): its tokens stop verifying.
    Retire {
        /// The key's `kid`, as `list` shows it.
        kid: String,
    },
}

pub async fn run(state: &AppState, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::List => {
            for key in keys::list(state).await?.into_iter().filter(KeyInfo::published) {
                let published = if key.state == KeyState::Active {
                    "active".to_owned()
                } else {
                    format!("published until {}", key.publish_until.map(|t| t.to_rfc3339()).unwrap_or_default())
                };
                println!("{}\t{}\t{}\t{published}", key.kid, key.alg, key.created_at.to_rfc3339());
            }
        }
        KeysCommand::Rotate { alg } => {
            let alg = match alg {
                Some(name) => Some(KeyAlg::parse(&name).context("--alg must be RS256, PS256, ES256 or EdDSA")?),
                None => None,
            };
            for key in keys::rotate(state, &by(), alg).await? {
                println!("{}\t{}", key.kid, key.alg);
            }
        }
        KeysCommand::Retire { kid } => println!("retired {}", keys::retire(state, &by(), &kid).await?.kid),
    }
    Ok(())
}
