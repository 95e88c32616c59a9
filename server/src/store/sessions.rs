//! The index of single sign-on sessions by user. The session itself lives in the session
//! store; a row here says whose it is and where to find it, so an administrator can list
//! a user's sessions and end them, on any instance.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use sea_orm::sea_query::OnConflict;

use super::entities::{session_client, user_session};
use super::{Page, Store, StoreError, Window, json_strings, paginate, to_json_strings};
use crate::session::browser::UpstreamLogin;

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
    /// The upstream sign-in behind the session, if any.
    pub upstream: Option<UpstreamLogin>,
}

impl Store {
    pub async fn insert_session(&self, record: &SessionRecord) -> Result<(), StoreError> {
        // Sessions past their absolute end are swept here, so the table stays small
        // without a background job.
        // Their `session_clients` rows go with them (ON DELETE CASCADE; sqlx turns SQLite's
        // foreign keys on for every connection).
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
            upstream_key: Set(record.upstream.as_ref().map(|u| u.key.clone())),
            upstream_sid: Set(record.upstream.as_ref().and_then(|u| u.sid.clone())),
            upstream_subject: Set(record.upstream.as_ref().map(|u| u.subject.clone())),
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
        Ok(Page { items: page.items.into_iter().map(to_record).collect(), extent: page.extent })
    }

    /// Every session of the user, for ending them all.
    pub async fn sessions_of_user(&self, user_id: Uuid) -> Result<Vec<SessionRecord>, StoreError> {
        let rows = user_session::Entity::find().filter(user_session::Column::UserId.eq(user_id)).all(&self.db).await?;
        Ok(rows.into_iter().map(to_record).collect())
    }

    /// The session's methods after a second factor raised it.
    pub async fn update_session_amr(&self, sid: &str, amr: &[String]) -> Result<(), StoreError> {
        user_session::Entity::update_many()
            .col_expr(user_session::Column::Amr, sea_orm::sea_query::Expr::value(to_json_strings(amr)))
            .filter(user_session::Column::Sid.eq(sid))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, sid: &str) -> Result<bool, StoreError> {
        let result = user_session::Entity::delete_by_id(sid.to_owned()).exec(&self.db).await?;
        Ok(result.rows_affected > 0)
    }

    /// Remembers that `client_id` was given a code in the session, so the client can be
    /// told when the session ends (Back-Channel Logout 1.0).
    pub async fn record_session_client(&self, sid: &str, client_id: &str) -> Result<(), StoreError> {
        let row = session_client::ActiveModel { sid: Set(sid.to_owned()), client_id: Set(client_id.to_owned()) };
        let insert = session_client::Entity::insert(row).on_conflict(
            OnConflict::columns([session_client::Column::Sid, session_client::Column::ClientId])
                .do_nothing()
                .to_owned(),
        );
        match insert.exec_without_returning(&self.db).await {
            Ok(_) => Ok(()),
            // The session ended meanwhile (its row, and so the foreign key, is gone).
            Err(error) if matches!(error.sql_err(), Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// The clients that took part in the session.
    pub async fn session_clients(&self, sid: &str) -> Result<Vec<String>, StoreError> {
        let rows = session_client::Entity::find().filter(session_client::Column::Sid.eq(sid)).all(&self.db).await?;
        Ok(rows.into_iter().map(|row| row.client_id).collect())
    }

    /// Sessions signed in through the Social Login Key `key` at the upstream session
    /// `upstream_sid`, or, without one, by the upstream subject.
    pub async fn sessions_from_upstream(
        &self,
        key: &str,
        upstream_sid: Option<&str>,
        upstream_subject: Option<&str>,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let mut query = user_session::Entity::find().filter(user_session::Column::UpstreamKey.eq(key));
        if let Some(sid) = upstream_sid {
            query = query.filter(user_session::Column::UpstreamSid.eq(sid));
        }
        if let Some(subject) = upstream_subject {
            query = query.filter(user_session::Column::UpstreamSubject.eq(subject));
        }
        if upstream_sid.is_none() && upstream_subject.is_none() {
            return Ok(Vec::new());
        }
        Ok(query.all(&self.db).await?.into_iter().map(to_record).collect())
    }

    pub async fn find_session_by_store_key(&self, store_key: &str) -> Result<Option<SessionRecord>, StoreError> {
        let found =
            user_session::Entity::find().filter(user_session::Column::StoreKey.eq(store_key)).one(&self.db).await?;
        Ok(found.map(to_record))
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
        upstream: match (model.upstream_key, model.upstream_subject) {
            (Some(key), Some(subject)) => Some(UpstreamLogin { key, subject, sid: model.upstream_sid }),
            _ => None,
        },
    }
}
