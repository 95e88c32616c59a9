//! Which user a pairwise `sub` stands for, per sector (OIDC Core §8.1). The identifier is
//! a one-way MAC of the sector and the user (`subjects`); this table is how the hub finds
//! the user again when a client presents one.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use super::entities::pairwise_subject;
use super::{Store, StoreError};

impl Store {
    /// Records that `subject` is `user_id` in `sector`; recording it again changes nothing.
    pub async fn record_pairwise_subject(&self, sector: &str, subject: &str, user_id: Uuid) -> Result<(), StoreError> {
        let row = pairwise_subject::ActiveModel {
            sector: Set(sector.to_owned()),
            subject: Set(subject.to_owned()),
            user_id: Set(user_id),
            created_at: Set(Utc::now()),
        };
        pairwise_subject::Entity::insert(row)
            .on_conflict_do_nothing_on([pairwise_subject::Column::Sector, pairwise_subject::Column::Subject])
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The user that `subject` stands for in `sector`.
    pub async fn find_pairwise_subject(&self, sector: &str, subject: &str) -> Result<Option<Uuid>, StoreError> {
        let found = pairwise_subject::Entity::find_by_id((sector.to_owned(), subject.to_owned())).one(&self.db).await?;
        Ok(found.map(|row| row.user_id))
    }
}
