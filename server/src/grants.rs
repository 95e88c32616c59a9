//! Revoking grants and access tokens (RFC 7009). A grant is one authorization: its
//! refresh-token family and the access tokens issued with it. A revoked grant's refresh
//! tokens fail at once and its access tokens are refused wherever the hub checks them
//! (userinfo, introspection, the admin API); so is a single revoked access token.
//!
//! Every revocation is written twice: to the database, which keeps it across any restart,
//! and to the session store, which answers the hot-path question "is this revoked?" for
//! every instance. `restore` fills the session store again from the database: at start-up
//! (the in-process store starts empty) and whenever Redis has lost its copy.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::session::{SessionError, Space};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::refresh_tokens::GrantFilter;
use crate::store::revocations::Revoked;

#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// How often each instance copies revocations recorded elsewhere into the session store.
pub const RESTORE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// The marker `restore` leaves; a session store without it has lost its revocations.
const RESTORED_MARKER: &str = "restored";

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
    let lifetime = i64::try_from(longest_token_lifetime(state)).unwrap_or(i64::MAX / 4);
    let until = Utc::now() + chrono::Duration::seconds(lifetime);
    record(state, Revoked::Grant, &grant_id.to_string(), until).await?;
    Ok(revoked)
}

/// Revokes one access token until it expires anyway.
pub async fn revoke_access_token(state: &AppState, jti: &str, expires_at: DateTime<Utc>) -> Result<(), RevokeError> {
    if expires_at > Utc::now() {
        record(state, Revoked::AccessToken, jti, expires_at).await?;
    }
    Ok(())
}

/// Whether the grant was revoked.
pub async fn is_grant_revoked(state: &AppState, grant_id: Uuid) -> Result<bool, RevokeError> {
    revoked(state, &[(Revoked::Grant, &grant_id.to_string())]).await
}

/// Whether an access token was revoked, by itself (`jti`) or with its grant.
pub async fn is_access_token_revoked(state: &AppState, jti: &str, grant_id: Option<Uuid>) -> Result<bool, RevokeError> {
    let grant = grant_id.map(|id| id.to_string());
    let mut asked = vec![(Revoked::AccessToken, jti)];
    if let Some(grant) = &grant {
        asked.push((Revoked::Grant, grant.as_str()));
    }
    revoked(state, &asked).await
}

/// One round trip to the session store, which also says whether it still holds its copy
/// of the revocations (the marker `restore` leaves). A store that lost it (Redis
/// restarted, or evicted the marker) is not trusted: the database answers until the next
/// `restore`.
async fn revoked(state: &AppState, asked: &[(Revoked, &str)]) -> Result<bool, RevokeError> {
    let mut keys: Vec<(Space, &str)> = vec![(Space::RevokedGrant, RESTORED_MARKER)];
    keys.extend(asked.iter().map(|(kind, id)| (space_of(*kind), *id)));
    let found = state.sessions.exist_many(&keys).await?;
    match found.split_first() {
        Some((true, revoked)) => Ok(revoked.iter().any(|hit| *hit)),
        _ => Ok(state.store.any_revoked(asked, Utc::now()).await?),
    }
}

fn space_of(kind: Revoked) -> Space {
    match kind {
        Revoked::Grant => Space::RevokedGrant,
        Revoked::AccessToken => Space::RevokedAccessToken,
    }
}

/// Copies the database's live revocations into the session store: all of them when the
/// store has lost its copy (a fresh in-process store, a restarted Redis), else those
/// recorded since `since` (by another process: `hub user disable` beside an in-process
/// hub). Returns how many were copied.
pub async fn restore(state: &AppState, since: Option<DateTime<Utc>>) -> Result<usize, RevokeError> {
    let complete = state.sessions.exists(Space::RevokedGrant, RESTORED_MARKER).await?;
    let now = Utc::now();
    let revocations = state.store.live_revocations(now, since.filter(|_| complete)).await?;
    for revocation in &revocations {
        mark(state, revocation.kind, &revocation.id, revocation.expires_at, now).await?;
    }
    if !complete {
        // Expiring now and then costs one more full copy; nothing is lost meanwhile.
        let lifetime = crate::config::Settings::secs(longest_token_lifetime(state));
        state.sessions.put(Space::RevokedGrant, RESTORED_MARKER, &true, lifetime).await?;
    }
    Ok(revocations.len())
}

/// Seconds: no token of a grant outlives this.
fn longest_token_lifetime(state: &AppState) -> u64 {
    state.settings.access_token_ttl_secs.max(state.settings.refresh_token_ttl_secs)
}

async fn record(state: &AppState, kind: Revoked, id: &str, until: DateTime<Utc>) -> Result<(), RevokeError> {
    state.store.record_revocation(kind, id, until).await?;
    mark(state, kind, id, until, Utc::now()).await?;
    Ok(())
}

async fn mark(
    state: &AppState,
    kind: Revoked,
    id: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), SessionError> {
    let space = space_of(kind);
    let ttl = (until - now).to_std().unwrap_or_default().max(std::time::Duration::from_secs(1));
    state.sessions.put(space, id, &true, ttl).await
}
