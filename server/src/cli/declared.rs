//! `hub apply FILE` and `hub export`: config as code (SPEC §6), through `declared`.

use std::path::PathBuf;

use crate::declared::{apply, export};
use crate::manage::By;
use crate::state::AppState;

/// Changes made by `hub apply` are audited as the command line's, through it.
pub fn by() -> By {
    super::by().via("hub apply")
}

/// Prints one line per change and a summary; with `dry_run`, the plan only.
pub async fn apply(state: &AppState, file: PathBuf, dry_run: bool) -> anyhow::Result<()> {
    let summary = apply::apply_file(state, &by(), &file, dry_run, &mut |line| println!("{line}")).await?;
    println!("{}", summary.describe(dry_run));
    Ok(())
}

pub async fn export(state: &AppState, secret_refs: bool) -> anyhow::Result<()> {
    let declared = export::export(state, secret_refs).await?;
    print!("{}", declared.to_toml()?);
    Ok(())
}
