//! Upstream identities: `(issuer, subject)` at a Social Login Key, linked to one hub user.
//! A hub user may have several; an upstream identity belongs to exactly one user.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::upstream_identity;
use super::{Store, StoreError, conflict_on};

#[derive(Debug, Clone)]
pub struct UpstreamIdentity {
    pub id: Uuid,
    pub user_id: Uuid,
    pub social_login_key: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// The mapped claims of the last sign-in (no tokens).
    pub claims: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub last_login_at: DateTime<Utc>,
}

/// What a sign-in learnt about the identity.
#[derive(Debug, Clone)]
pub struct IdentitySeen<'a> {
    pub social_login_key: &'a str,
    pub issuer: &'a str,
    pub subject: &'a str,
    pub email: Option<&'a str>,
    pub claims: &'a serde_json::Value,
}

impl Store {
    pub async fn find_upstream_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<UpstreamIdentity>, StoreError> {
        let found = upstream_identity::Entity::find()
            .filter(upstream_identity::Column::Issuer.eq(issuer))
            .filter(upstream_identity::Column::Subject.eq(subject))
            .one(&self.db)
            .await?;
        Ok(found.map(to_identity))
    }

    /// Links the identity to the user; a `Conflict` when it is already linked (a
    /// concurrent first sign-in won).
    pub async fn link_upstream_identity(
        &self,
        user_id: Uuid,
        seen: &IdentitySeen<'_>,
    ) -> Result<UpstreamIdentity, StoreError> {
        let now = Utc::now();
        let model = upstream_identity::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(user_id),
            social_login_key: Set(seen.social_login_key.to_owned()),
            issuer: Set(seen.issuer.to_owned()),
            subject: Set(seen.subject.to_owned()),
            email: Set(seen.email.map(str::to_owned)),
            claims: Set(seen.claims.clone()),
            created_at: Set(now),
            last_login_at: Set(now),
        }
        .insert(&self.db)
        .await
        .map_err(conflict_on("upstream identity"))?;
        Ok(to_identity(model))
    }

    /// Records a sign-in through a linked identity.
    pub async fn touch_upstream_identity(&self, id: Uuid, seen: &IdentitySeen<'_>) -> Result<(), StoreError> {
        let model = upstream_identity::ActiveModel {
            id: Set(id),
            email: Set(seen.email.map(str::to_owned)),
            claims: Set(seen.claims.clone()),
            last_login_at: Set(Utc::now()),
            ..Default::default()
        };
        model.update(&self.db).await?;
        Ok(())
    }

    pub async fn upstream_identities_of(&self, user_id: Uuid) -> Result<Vec<UpstreamIdentity>, StoreError> {
        let rows = upstream_identity::Entity::find()
            .filter(upstream_identity::Column::UserId.eq(user_id))
            .order_by_asc(upstream_identity::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(to_identity).collect())
    }

    /// Unlinks one of the user's identities; false when the user has no such link.
    pub async fn unlink_upstream_identity(&self, user_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let result = upstream_identity::Entity::delete_many()
            .filter(upstream_identity::Column::Id.eq(id))
            .filter(upstream_identity::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }
}

fn to_identity(model: upstream_identity::Model) -> UpstreamIdentity {
    UpstreamIdentity {
        id: model.id,
        user_id: model.user_id,
        social_login_key: model.social_login_key,
        issuer: model.issuer,
        subject: model.subject,
        email: model.email,
        claims: model.claims,
        created_at: model.created_at,
        last_login_at: model.last_login_at,
    }
}
