//! Initial access tokens (RFC 7591 §3): what an administrator hands a developer so that
//! their app may register itself. Each is shown once, kept as a digest, expires, and may
//! be limited to a number of registrations.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::{By, ManageError, ManageResult};
use crate::domain::validation::{self, FieldErrors};
use crate::secrets::{random_token, token_digest};
use crate::state::AppState;
use crate::store::registration_tokens::RegistrationToken;
use crate::store::{Page, Window};

/// A token just minted: the only time it is shown.
pub struct Minted {
    pub token: String,
    pub record: RegistrationToken,
}

/// From a minute to a year.
const LIFETIME_SECS: std::ops::RangeInclusive<u64> = 60..=365 * 24 * 3600;
const MAX_USES: u32 = 1_000_000;

pub async fn mint(
    state: &AppState,
    by: &By,
    description: Option<String>,
    expires_in_secs: u64,
    max_uses: Option<u32>,
) -> ManageResult<Minted> {
    let mut errors = FieldErrors::new();
    let description = description.unwrap_or_default();
    if !description.is_empty() {
        errors.check("description", validation::text(&description, 200));
    }
    if !LIFETIME_SECS.contains(&expires_in_secs) {
        errors.add("expires_in", format!("{} to {} seconds", LIFETIME_SECS.start(), LIFETIME_SECS.end()));
    }
    if max_uses.is_some_and(|uses| uses == 0 || uses > MAX_USES) {
        errors.add("max_uses", format!("1 to {MAX_USES}, or unset for no limit"));
    }
    errors.into_result()?;
    let token = random_token()?;
    let expires_at = Utc::now() + Duration::seconds(i64::try_from(expires_in_secs).unwrap_or(i64::MAX / 4));
    let record = state.store.create_registration_token(token_digest(&token), description, expires_at, max_uses).await?;
    by.audit(state, "registration_token.create", format!("registration-token:{}", record.id), |r| r).await;
    Ok(Minted { token, record })
}

pub async fn list(state: &AppState, window: Window) -> ManageResult<Page<RegistrationToken>> {
    Ok(state.store.list_registration_tokens(window).await?)
}

/// Withdraws a token; clients it registered stay registered.
pub async fn delete(state: &AppState, by: &By, id: Uuid) -> ManageResult<()> {
    state.store.delete_registration_token(id).await?;
    by.audit(state, "registration_token.delete", format!("registration-token:{id}"), |r| r).await;
    Ok(())
}

/// Spends one registration of `token`; returns the token's id, or `NotFound` when it is
/// unknown, expired or used up (the caller learns no more than "not valid").
pub async fn redeem(state: &AppState, token: &str) -> ManageResult<Uuid> {
    state
        .store
        .use_registration_token(&token_digest(token), Utc::now())
        .await?
        .ok_or(ManageError::NotFound("registration token"))
}
