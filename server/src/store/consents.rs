//! Remembered consent (SPEC §4): one row per user and client, with an expiry.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::consent;
use super::{Page, Store, StoreError, Window, conflict_on, paginate};
use crate::domain::ScopeSet;

#[derive(Debug, Clone)]
pub struct ConsentRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub client_id: String,
    pub scope: ScopeSet,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

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

    /// Consents still in force, newest first, filtered by user and client where given.
    pub async fn list_consents(
        &self,
        user_id: Option<Uuid>,
        client_id: Option<&str>,
        window: Window,
    ) -> Result<Page<ConsentRecord>, StoreError> {
        let mut query = consent::Entity::find().filter(consent::Column::ExpiresAt.gt(Utc::now()));
        if let Some(user_id) = user_id {
            query = query.filter(consent::Column::UserId.eq(user_id));
        }
        if let Some(client_id) = client_id {
            query = query.filter(consent::Column::ClientId.eq(client_id));
        }
        let query = query.order_by_desc(consent::Column::GrantedAt).order_by_asc(consent::Column::Id);
        let page = paginate(&self.db, query, window).await?;
        let items = page
            .items
            .into_iter()
            .map(|row| {
                let scope = ScopeSet::parse(&row.scope)
                    .ok_or_else(|| StoreError::Corrupt(format!("consent {}: scope", row.id)))?;
                Ok(ConsentRecord {
                    id: row.id,
                    user_id: row.user_id,
                    client_id: row.client_id,
                    scope,
                    granted_at: row.granted_at,
                    expires_at: row.expires_at,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page { items, extent: page.extent })
    }

    /// Deletes a consent; returns whose it was, so their grants can be revoked too.
    pub async fn delete_consent(&self, id: Uuid) -> Result<(Uuid, String), StoreError> {
        let row = consent::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound("consent"))?;
        consent::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok((row.user_id, row.client_id))
    }
}
