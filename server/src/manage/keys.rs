//! The token signing keys: rotate (the previous key stays published until the tokens it
//! signed have expired, `keys::keep_previous_for`) and retire (withdraw an inactive key
//! at once, say one that leaked).

use super::{By, ManageError, ManageResult};
use crate::keys::{self, KeyAlg, KeyError, KeyInfo};
use crate::state::AppState;
use crate::store::StoreError;

pub async fn list(state: &AppState) -> ManageResult<Vec<KeyInfo>> {
    Ok(keys::list(&state.store).await?)
}

/// New keys sign from now on, on this instance at once and on the others within their
/// reload interval: the key of `alg`, or of every algorithm. Returns the new keys.
pub async fn rotate(state: &AppState, by: &By, alg: Option<KeyAlg>) -> ManageResult<Vec<KeyInfo>> {
    let algs = match alg {
        Some(alg) => vec![alg],
        None => KeyAlg::ALL.to_vec(),
    };
    let mut kids = Vec::with_capacity(algs.len());
    for alg in algs {
        let kid = keys::rotate(&state.store, &state.master, alg, keys::keep_previous_for(&state.settings)).await?;
        by.audit(state, "key.rotate", format!("key:{kid}"), |r| r.detail(alg.as_str())).await;
        kids.push(kid);
    }
    state.keys.reload(&state.store, &state.master).await?;
    let all = keys::list(&state.store).await?;
    Ok(all.into_iter().filter(|k| kids.contains(&k.kid)).collect())
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
