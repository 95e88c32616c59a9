//! Revoking grants (a grant is one authorization: its refresh-token family and the
//! access tokens issued with it). A revoked grant's refresh tokens fail at once and its
//! access tokens are refused wherever the hub checks them (userinfo, the admin API).
//! Used by the token endpoint (a replayed code or refresh token revokes what it issued)
//! and by every administrator's revocation (a session, a consent, a user, a client).

use uuid::Uuid;

use crate::config::Settings;
use crate::session::{SessionError, Space};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::refresh_tokens::GrantFilter;

#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Revokes the grants that match; returns how many there were.
pub async fn revoke_matching(state: &AppState, filter: GrantFilter<'_>) -> Result<usize, RevokeError> {
    let grants = state.store.live_grants(filter).await?;
    for grant_id in &grants {
        revoke(state, *grant_id).await?;
    }
    Ok(grants.len())
}

/// Revokes one grant; returns how many of its refresh tokens were still live.
pub async fn revoke(state: &AppState, grant_id: Uuid) -> Result<u64, RevokeError> {
    let revoked = state.store.revoke_refresh_family(grant_id).await?;
    // Long enough to cover a refresh token a racing request may still insert.
    let ttl = Settings::secs(state.settings.access_token_ttl_secs.max(state.settings.refresh_token_ttl_secs));
    state.sessions.put(Space::RevokedGrant, &grant_id.to_string(), &true, ttl).await?;
    Ok(revoked)
}

/// Whether the grant was revoked (its access tokens must be refused).
pub async fn is_revoked(state: &AppState, grant_id: Uuid) -> Result<bool, SessionError> {
    state.sessions.exists(Space::RevokedGrant, &grant_id.to_string()).await
}
