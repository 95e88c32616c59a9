//! The index of single sign-on sessions by user. The session itself lives in the session
//! store; a row here says whose it is and where to find it, so an administrator can list
//! a user's sessions and end them, on any instance.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::user_session;
use super::{Page, Store, StoreError, Window, json_strings, paginate, to_json_strings};

/// One indexed session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub sid: String,
    pub user_id: Uuid,
    /// The session store's key for it (a digest of the cookie, never the cookie).
    pub store_key: String,
    pub amr: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub auth_time: DateTime<Utc>,
    /// The absolute end; the session may end sooner when idle or signed out.
    pub expires_at: DateTime<Utc>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

impl Store {
    pub async fn insert_session(&self, record: &SessionRecord) -> Result<(), StoreError> {
        // Sessions past their absolute end are swept here, so the table stays small
        // without a background job.
        user_session::Entity::delete_many()
            .filter(user_session::Column::UserId.eq(record.user_id))
            .filter(user_session::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.db)
            .await?;
        user_session::ActiveModel {
            sid: Set(record.sid.clone()),
            user_id: Set(record.user_id),
            store_key: Set(record.store_key.clone()),
            amr: Set(to_json_strings(&record.amr)),
            created_at: Set(record.created_at),
            auth_time: Set(record.auth_time),
            expires_at: Set(record.expires_at),
            address: Set(record.address.clone()),
            user_agent: Set(record.user_agent.clone()),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    pub async fn find_session(&self, sid: &str) -> Result<Option<SessionRecord>, StoreError> {
        Ok(user_session::Entity::find_by_id(sid.to_owned()).one(&self.db).await?.map(to_record))
    }

    /// Sessions not yet past their absolute end, newest first; all users' when `user_id`
    /// is unset.
    pub async fn list_sessions(
        &self,
        user_id: Option<Uuid>,
        window: Window,
    ) -> Result<Page<SessionRecord>, StoreError> {
        let mut query = user_session::Entity::find().filter(user_session::Column::ExpiresAt.gt(Utc::now()));
        if let Some(user_id) = user_id {
            query = query.filter(user_session::Column::UserId.eq(user_id));
        }
        let query = query.order_by_desc(user_session::Column::CreatedAt).order_by_asc(user_session::Column::Sid);
        let page = paginate(&self.db, query, window).await?;
        Ok(Page { items: page.items.into_iter().map(to_record).collect(), total: page.total })
    }

    /// Every session of the user, for ending them all.
    pub async fn sessions_of_user(&self, user_id: Uuid) -> Result<Vec<SessionRecord>, StoreError> {
        let rows = user_session::Entity::find().filter(user_session::Column::UserId.eq(user_id)).all(&self.db).await?;
        Ok(rows.into_iter().map(to_record).collect())
    }

    pub async fn delete_session(&self, sid: &str) -> Result<bool, StoreError> {
        let result = user_session::Entity::delete_by_id(sid.to_owned()).exec(&self.db).await?;
        Ok(result.rows_affected > 0)
    }

    pub async fn delete_session_by_store_key(&self, store_key: &str) -> Result<(), StoreError> {
        user_session::Entity::delete_many().filter(user_session::Column::StoreKey.eq(store_key)).exec(&self.db).await?;
        Ok(())
    }
}

fn to_record(model: user_session::Model) -> SessionRecord {
    SessionRecord {
        sid: model.sid,
        user_id: model.user_id,
        store_key: model.store_key,
        amr: json_strings(&model.amr),
        created_at: model.created_at,
        auth_time: model.auth_time,
        expires_at: model.expires_at,
        address: model.address,
        user_agent: model.user_agent,
    }
}
