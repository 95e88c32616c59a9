//! A user's passkeys as administrators see them (name, created, last used, synced or
//! device-bound; never the credential), and their removal: a lost or suspect passkey.
//! Removing one ends the user's sessions, so none keeps the standing it gave.

use uuid::Uuid;

use super::users::find;
use super::{By, ManageError, ManageResult};
use crate::accounts::PasskeyError;
use crate::accounts::passkeys::Summary;
use crate::state::AppState;

pub async fn list(state: &AppState, user_id: Uuid) -> ManageResult<Vec<Summary>> {
    find(state, user_id).await?;
    Ok(state.passkeys().list(user_id).await?)
}

pub async fn remove(state: &AppState, by: &By, user_id: Uuid, passkey_id: Uuid) -> ManageResult<()> {
    find(state, user_id).await?;
    let removed = match state.passkeys().remove(user_id, passkey_id).await {
        Ok(removed) => removed,
        Err(PasskeyError::NotFound) => return Err(ManageError::NotFound("passkey")),
        Err(other) => return Err(ManageError::unavailable(other)),
    };
    crate::sso::end_all(state, user_id).await?;
    by.audit(state, "passkey.remove", format!("passkey:{passkey_id}"), |r| r.user(user_id).detail(removed.name)).await;
    Ok(())
}
