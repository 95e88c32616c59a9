//! Refresh tokens by SHA-256 digest, in rotation families (OAuth 2.0 Security BCP §4.14.2).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::entities::refresh_token;
use super::{Store, StoreError, json_strings, to_json_strings};
use crate::domain::ScopeSet;

/// The grant a refresh token carries forward.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub family_id: Uuid,
    pub client_id: String,
    pub user_id: Uuid,
    pub scope: ScopeSet,
    pub auth_time: DateTime<Utc>,
    pub amr: Vec<String>,
    /// From an upstream sign-in, for the ID tokens issued on refresh.
    pub acr: Option<String>,
    pub sid: Option<String>,
    /// User claims the `claims` parameter asked for in the ID token.
    pub id_token_claims: Vec<String>,
    /// The user's `sub` for the client, fixed when the user authorized it (None: granted
    /// before the hub kept it; computed then).
    pub subject: Option<String>,
}

/// Which grants `live_grants` looks for.
#[derive(Debug, Clone, Copy)]
pub enum GrantFilter<'a> {
    User(Uuid),
    UserAtClient(Uuid, &'a str),
    Client(&'a str),
    Session(&'a str),
}

pub struct StoredRefreshToken {
    pub id: Uuid,
    pub grant: RefreshGrant,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub revoked: bool,
}

impl Store {
    pub async fn insert_refresh_token(
        &self,
        token_hash: String,
        grant: &RefreshGrant,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        refresh_token::ActiveModel {
            id: Set(Uuid::new_v4()),
            token_hash: Set(token_hash),
            family_id: Set(grant.family_id),
            client_id: Set(grant.client_id.clone()),
            user_id: Set(grant.user_id),
            scope: Set(grant.scope.to_string()),
            auth_time: Set(grant.auth_time),
            amr: Set(to_json_strings(&grant.amr)),
            acr: Set(grant.acr.clone()),
            sid: Set(grant.sid.clone()),
            id_token_claims: Set((!grant.id_token_claims.is_empty()).then(|| to_json_strings(&grant.id_token_claims))),
            subject: Set(grant.subject.clone()),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    pub async fn find_refresh_token(&self, token_hash: &str) -> Result<Option<StoredRefreshToken>, StoreError> {
        let found =
            refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(token_hash)).one(&self.db).await?;
        let Some(row) = found else { return Ok(None) };
        let scope = ScopeSet::parse(&row.scope).ok_or_else(|| StoreError::Corrupt("refresh token scope".into()))?;
        Ok(Some(StoredRefreshToken {
            id: row.id,
            grant: RefreshGrant {
                family_id: row.family_id,
                client_id: row.client_id,
                user_id: row.user_id,
                scope,
                auth_time: row.auth_time,
                amr: json_strings(&row.amr),
                acr: row.acr,
                sid: row.sid,
                id_token_claims: row.id_token_claims.as_ref().map(json_strings).unwrap_or_default(),
                subject: row.subject,
            },
            expires_at: row.expires_at,
            used: row.used_at.is_some(),
            revoked: row.revoked_at.is_some(),
        }))
    }

    /// Marks the token used; false when another request used it first (a reuse).
    pub async fn mark_refresh_token_used(&self, id: Uuid) -> Result<bool, StoreError> {
        let result = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::val(Utc::now()))
            .filter(refresh_token::Column::Id.eq(id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Revokes every token of the family; returns how many were still live.
    pub async fn revoke_refresh_family(&self, family_id: Uuid) -> Result<u64, StoreError> {
        let result = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::val(Utc::now()))
            .filter(refresh_token::Column::FamilyId.eq(family_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    /// The grants (refresh families) with live tokens that match: a user's, a user's at one
    /// client, or those issued in one SSO session.
    pub async fn live_grants(&self, filter: GrantFilter<'_>) -> Result<Vec<Uuid>, StoreError> {
        let mut query = refresh_token::Entity::find()
            .select_only()
            .column(refresh_token::Column::FamilyId)
            .distinct()
            .filter(refresh_token::Column::RevokedAt.is_null());
        query = match filter {
            GrantFilter::User(user_id) => query.filter(refresh_token::Column::UserId.eq(user_id)),
            GrantFilter::UserAtClient(user_id, client_id) => query
                .filter(refresh_token::Column::UserId.eq(user_id))
                .filter(refresh_token::Column::ClientId.eq(client_id)),
            GrantFilter::Client(client_id) => query.filter(refresh_token::Column::ClientId.eq(client_id)),
            GrantFilter::Session(sid) => query.filter(refresh_token::Column::Sid.eq(sid)),
        };
        Ok(query.into_tuple::<Uuid>().all(&self.db).await?)
    }
}
