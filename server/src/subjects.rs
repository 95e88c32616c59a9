//! The `sub` a client knows a user by (OIDC Core §8). Most clients get the hub's user id
//! (`public`). A `pairwise` client gets a MAC of its sector and the user under the master
//! key: the same for every client of one sector, unrelated across sectors, and not the
//! user id (so two sectors cannot correlate their users by `sub`). A pairwise subject is
//! recorded when it is issued, since the MAC cannot be reversed: userinfo, introspection
//! and `id_token_hint` find the user again through that record.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::domain::Client;
use crate::state::AppState;
use crate::store::StoreError;

/// Keeps pairwise MACs apart from the master key's other uses.
const CONTEXT: &[u8] = b"pairwise-subject";

/// The subject to put in a token for `client`, recorded so that it can be resolved.
pub async fn issue(state: &AppState, client: &Client, user_id: Uuid) -> Result<String, StoreError> {
    let Some(sector) = client.pairwise_sector() else { return Ok(user_id.to_string()) };
    let subject = pairwise(state, &sector, user_id);
    state.store.record_pairwise_subject(&sector, &subject, user_id).await?;
    Ok(subject)
}

/// The subject `client` already knows the user by (a logout token, say, for a user the
/// client was issued tokens for).
pub fn of(state: &AppState, client: &Client, user_id: Uuid) -> String {
    match client.pairwise_sector() {
        Some(sector) => pairwise(state, &sector, user_id),
        None => user_id.to_string(),
    }
}

/// The user a subject from one of `client`'s tokens stands for; None for anything the hub
/// did not issue to the client's sector.
pub async fn resolve(state: &AppState, client: &Client, subject: &str) -> Result<Option<Uuid>, StoreError> {
    match client.pairwise_sector() {
        Some(sector) => state.store.find_pairwise_subject(&sector, subject).await,
        None => Ok(Uuid::parse_str(subject).ok()),
    }
}

fn pairwise(state: &AppState, sector: &str, user_id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(state.master.mac(&[CONTEXT, sector.as_bytes(), user_id.as_bytes()]))
}
