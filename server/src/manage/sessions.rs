//! Ending a user's single sign-on session as an administrator: the browser is signed
//! out, the session's apps are told (back-channel logout), and the grants issued in it
//! are revoked (offline ones included).

use super::{By, ManageError, ManageResult};
use crate::grants;
use crate::state::AppState;
use crate::store::refresh_tokens::GrantFilter;

pub async fn revoke(state: &AppState, by: &By, sid: &str) -> ManageResult<()> {
    let record = state.store.find_session(sid).await?.ok_or(ManageError::NotFound("session"))?;
    crate::sso::end(state, sid).await?;
    grants::revoke_matching(state, GrantFilter::Session(sid)).await?;
    by.audit(state, "session.revoke", format!("session:{sid}"), |r| r.user(record.user_id)).await;
    Ok(())
}
