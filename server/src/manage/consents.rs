//! Revoking a remembered consent: the grants of that user at that client go with it, so
//! the app must ask again.

use uuid::Uuid;

use super::{By, ManageResult};
use crate::grants;
use crate::state::AppState;
use crate::store::refresh_tokens::GrantFilter;

pub async fn revoke(state: &AppState, by: &By, id: Uuid) -> ManageResult<()> {
    let (user_id, client_id) = state.store.delete_consent(id).await?;
    grants::revoke_matching(state, GrantFilter::UserAtClient(user_id, &client_id)).await?;
    by.audit(state, "consent.revoke", format!("consent:{id}"), |r| r.user(user_id).client(client_id)).await;
    Ok(())
}
