//! The durable record of revocations (RFC 7009): the session store answers "is this
//! revoked?" on the hot path; this table is what it is filled from again after a restart.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::entities::revocation;
use super::{Store, StoreError};

/// What a revocation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// A grant: its refresh-token family and every access token issued with it.
    Grant,
    /// One access token, by `jti`.
    AccessToken,
}

impl Revoked {
    fn as_str(self) -> &'static str {
        match self {
            Revoked::Grant => "grant",
            Revoked::AccessToken => "access_token",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        [Revoked::Grant, Revoked::AccessToken].into_iter().find(|kind| kind.as_str() == value)
    }
}

pub struct Revocation {
    pub kind: Revoked,
    pub id: String,
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Records a revocation; recording one twice keeps the first.
    pub async fn record_revocation(
        &self,
        kind: Revoked,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let row = revocation::ActiveModel {
            kind: Set(kind.as_str().to_owned()),
            id: Set(id.to_owned()),
            revoked_at: Set(Utc::now()),
            expires_at: Set(expires_at),
        };
        revocation::Entity::insert(row)
            .on_conflict_do_nothing_on([revocation::Column::Kind, revocation::Column::Id])
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Whether any of `revocations` is recorded and unexpired: the answer when the
    /// session store has lost its copy.
    pub async fn any_revoked(&self, revocations: &[(Revoked, &str)], now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut matching = Condition::any();
        for (kind, id) in revocations {
            matching = matching.add(
                Condition::all().add(revocation::Column::Kind.eq(kind.as_str())).add(revocation::Column::Id.eq(*id)),
            );
        }
        let found = revocation::Entity::find()
            .filter(matching)
            .filter(revocation::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await?;
        Ok(found.is_some())
    }

    /// Revocations whose tokens could still be presented, all or those recorded since
    /// `since`. A full read deletes the expired ones first.
    pub async fn live_revocations(
        &self,
        now: DateTime<Utc>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Revocation>, StoreError> {
        let mut query = revocation::Entity::find().filter(revocation::Column::ExpiresAt.gt(now));
        match since {
            Some(since) => query = query.filter(revocation::Column::RevokedAt.gte(since)),
            None => {
                revocation::Entity::delete_many().filter(revocation::Column::ExpiresAt.lte(now)).exec(&self.db).await?;
            }
        }
        query
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                let kind = Revoked::parse(&row.kind).ok_or_else(|| StoreError::Corrupt("revocation kind".into()))?;
                Ok(Revocation { kind, id: row.id, expires_at: row.expires_at })
            })
            .collect()
    }
}
