//! Remembered consent (SPEC §4): one row per user and client, with an expiry.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entities::consent;
use super::{Store, StoreError, conflict_on};
use crate::domain::ScopeSet;

impl Store {
    /// The scopes the user has granted the client and not yet seen expire.
    pub async fn granted_scopes(
        &self,
        user_id: Uuid,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ScopeSet>, StoreError> {
        let found = consent::Entity::find()
            .filter(consent::Column::UserId.eq(user_id))
            .filter(consent::Column::ClientId.eq(client_id))
            .filter(consent::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await?;
        Ok(found.and_then(|row| ScopeSet::parse(&row.scope)))
    }

    /// Records a grant, widening an existing one (scopes accumulate) and renewing its expiry.
    pub async fn remember_consent(
        &self,
        user_id: Uuid,
        client_id: &str,
        scopes: &ScopeSet,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Two first consents at once (two tabs) race on the unique index: the loser
        // finds the winner's row on its second pass and widens it.
        for _ in 0..2 {
            let now = Utc::now();
            let existing = consent::Entity::find()
                .filter(consent::Column::UserId.eq(user_id))
                .filter(consent::Column::ClientId.eq(client_id))
                .one(&self.db)
                .await?;
            if let Some(row) = existing {
                let previous = if row.expires_at > now { ScopeSet::parse(&row.scope) } else { None };
                let merged = match previous {
                    Some(previous) => previous.iter().chain(scopes.iter()).collect(),
                    None => scopes.clone(),
                };
                let mut active: consent::ActiveModel = row.into();
                active.scope = Set(merged.to_string());
                active.granted_at = Set(now);
                active.expires_at = Set(expires_at);
                active.update(&self.db).await?;
                return Ok(());
            }
            let inserted = consent::ActiveModel {
                id: Set(Uuid::new_v4()),
                user_id: Set(user_id),
                client_id: Set(client_id.to_owned()),
                scope: Set(scopes.to_string()),
                granted_at: Set(now),
                expires_at: Set(expires_at),
            }
            .insert(&self.db)
            .await
            .map_err(conflict_on("consent"));
            match inserted {
                Err(StoreError::Conflict(_)) => continue,
                other => return other.map(|_| ()),
            }
        }
        Err(StoreError::Conflict("consent"))
    }
}
