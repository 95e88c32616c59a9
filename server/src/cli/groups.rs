//! `hub group …`: add, list, update (rename or describe), delete.

use clap::Subcommand;

use super::by;
use crate::manage::groups;
use crate::state::AppState;
use crate::store::Window;

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group.
    Add {
        /// 1 to 64 characters without spaces; what tokens carry in `groups`.
        name: String,
        /// What the group is for.
        #[arg(long)]
        description: Option<String>,
        /// Members must use a second factor at every sign-in.
        #[arg(long)]
        require_second_factor: bool,
    },
    /// List groups: name, members, description (tab-separated).
    List,
    /// Rename a group or change its description (`admins` cannot be renamed).
    Update {
        /// The group's current name.
        name: String,
        /// The new name.
        #[arg(long = "name", value_name = "NEW_NAME")]
        new_name: Option<String>,
        /// The new description.
        #[arg(long)]
        description: Option<String>,
        /// true: members must use a second factor at every sign-in; false: as clients say.
        #[arg(long, value_name = "BOOL")]
        require_second_factor: Option<bool>,
    },
    /// Delete a group; its members lose the membership (`admins` cannot be deleted).
    Delete {
        /// The group's name.
        name: String,
    },
}

pub async fn run(state: &AppState, command: GroupCommand) -> anyhow::Result<()> {
    match command {
        GroupCommand::Add { name, description, require_second_factor } => {
            let group = groups::create(state, &by(), &name, description).await?;
            groups::require_second_factor(state, &by(), group.id, require_second_factor).await?;
            println!("{}", group.id);
        }
        GroupCommand::List => {
            for group in state.store.list_groups(None, Window::ALL).await?.items {
                let description = group.description.unwrap_or_default();
                println!("{}\t{}\t{description}", group.name, group.member_count);
            }
        }
        GroupCommand::Update { name, new_name, description, require_second_factor } => {
            let group = groups::find_by_name(state, &name).await?;
            let description = description.or(group.description);
            let name = new_name.unwrap_or(group.name);
            let updated = groups::update(state, &by(), group.id, &name, description).await?;
            if let Some(required) = require_second_factor {
                groups::require_second_factor(state, &by(), group.id, required).await?;
            }
            println!("{}", updated.name);
        }
        GroupCommand::Delete { name } => {
            let group = groups::find_by_name(state, &name).await?;
            groups::delete(state, &by(), group.id).await?;
            println!("deleted {name}");
        }
    }
    Ok(())
}
