//! Initial access tokens for dynamic registration (RFC 7591 §3), by SHA-256 digest, with
//! an expiry and an optional number of uses.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::registration_token;
use super::{Page, Store, StoreError, Window, paginate};

#[derive(Debug, Clone)]
pub struct RegistrationToken {
    pub id: Uuid,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// None: any number of registrations until `expires_at`.
    pub max_uses: Option<u32>,
    pub uses: u32,
}

impl Store {
    pub async fn create_registration_token(
        &self,
        token_hash: String,
        description: String,
        expires_at: DateTime<Utc>,
        max_uses: Option<u32>,
    ) -> Result<RegistrationToken, StoreError> {
        let row = registration_token::ActiveModel {
            id: Set(Uuid::new_v4()),
            token_hash: Set(token_hash),
            description: Set(description),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            max_uses: Set(max_uses.map(|uses| i32::try_from(uses).unwrap_or(i32::MAX))),
            uses: Set(0),
        }
        .insert(&self.db)
        .await?;
        Ok(to_record(row))
    }

    /// Counts one use of the token if it is unexpired and has a use left, and returns its
    /// id; None otherwise. The count is one conditional statement, so two registrations
    /// racing for the last use cannot both win.
    pub async fn use_registration_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>, StoreError> {
        let found = registration_token::Entity::find()
            .filter(registration_token::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?;
        let Some(row) = found else { return Ok(None) };
        let result =
            registration_token::Entity::update_many()
                .col_expr(registration_token::Column::Uses, Expr::col(registration_token::Column::Uses).add(1))
                .filter(registration_token::Column::Id.eq(row.id))
                .filter(registration_token::Column::ExpiresAt.gt(now))
                .filter(Condition::any().add(registration_token::Column::MaxUses.is_null()).add(
                    Expr::col(registration_token::Column::Uses).lt(Expr::col(registration_token::Column::MaxUses)),
                ))
                .exec(&self.db)
                .await?;
        Ok((result.rows_affected == 1).then_some(row.id))
    }

    /// Newest first.
    pub async fn list_registration_tokens(&self, window: Window) -> Result<Page<RegistrationToken>, StoreError> {
        let query = registration_token::Entity::find().order_by_desc(registration_token::Column::CreatedAt);
        let page = paginate(&self.db, query, window).await?;
        Ok(Page { items: page.items.into_iter().map(to_record).collect(), extent: page.extent })
    }

    pub async fn delete_registration_token(&self, id: Uuid) -> Result<(), StoreError> {
        let result = registration_token::Entity::delete_by_id(id).exec(&self.db).await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound("registration token"));
        }
        Ok(())
    }
}

fn to_record(row: registration_token::Model) -> RegistrationToken {
    RegistrationToken {
        id: row.id,
        description: row.description,
        created_at: row.created_at,
        expires_at: row.expires_at,
        max_uses: row.max_uses.and_then(|uses| u32::try_from(uses).ok()),
        uses: u32::try_from(row.uses).unwrap_or(0),
    }
}
