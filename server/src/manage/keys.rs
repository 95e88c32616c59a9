//! The token signing keys: rotate (the previous key stays published until the tokens it
//! signed have expired, `keys::keep_previous_for`) and retire (withdraw an inactive key
//! at once, say one that leaked).

use super::{By, ManageError, ManageResult};
use crate::keys::{self, KeyError, KeyInfo};
use crate::state::AppState;
use crate::store::StoreError;

pub async fn list(state: &AppState) -> ManageResult<Vec<KeyInfo>> {
    Ok(keys::list(&state.store).await?)
}

/// A new key signs from now on, on this instance at once and on the others within their
/// reload interval.
pub async fn rotate(state: &AppState, by: &By) -> ManageResult<KeyInfo> {
    let kid = keys::rotate(&state.store, &state.master, keys::keep_previous_for(&state.settings)).await?;
    state.keys.reload(&state.store, &state.master).await?;
    by.audit(state, "key.rotate", format!("key:{kid}"), |r| r).await;
    let all = keys::list(&state.store).await?;
    all.into_iter().find(|k| k.kid == kid).ok_or(ManageError::NotFound("signing key"))
}

/// Withdraws an inactive key from the JWKS now: tokens it signed stop verifying. The
/// active key cannot be retired, only rotated out.
pub async fn retire(state: &AppState, by: &By, kid: &str) -> ManageResult<KeyInfo> {
    let key = match keys::retire(&state.store, &state.master, &state.keys, kid).await {
        Err(KeyError::Store(StoreError::Conflict(_))) => {
            return Err(ManageError::conflict("the active key cannot be retired; rotate first"));
        }
        Err(KeyError::Store(StoreError::NotFound(what))) => return Err(ManageError::NotFound(what)),
        other => other?,
    };
    by.audit(state, "key.retire", format!("key:{kid}"), |r| r).await;
    Ok(key)
}
