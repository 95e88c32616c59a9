//! Signing keys at rest: the private key sealed, the public JWK in clear.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};

use super::entities::signing_key;
use super::{Store, StoreError};

pub const ACTIVE: &str = "active";
pub const INACTIVE: &str = "inactive";

/// One stored key, as `keys` loads it.
#[derive(Clone)]
pub struct StoredSigningKey {
    pub kid: String,
    pub alg: String,
    pub private_key_sealed: Vec<u8>,
    pub public_jwk: serde_json::Value,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub publish_until: Option<DateTime<Utc>>,
}

impl Store {
    /// Keys to publish: the active one and inactive ones still inside their window,
    /// newest first.
    pub async fn published_signing_keys(&self, now: DateTime<Utc>) -> Result<Vec<StoredSigningKey>, StoreError> {
        let models = signing_key::Entity::find()
            .filter(
                Condition::any()
                    .add(signing_key::Column::State.eq(ACTIVE))
                    .add(signing_key::Column::PublishUntil.gt(now)),
            )
            .order_by_desc(signing_key::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(models.into_iter().map(to_stored).collect())
    }

    pub async fn all_signing_keys(&self) -> Result<Vec<StoredSigningKey>, StoreError> {
        let models = signing_key::Entity::find().order_by_desc(signing_key::Column::CreatedAt).all(&self.db).await?;
        Ok(models.into_iter().map(to_stored).collect())
    }

    /// Makes `key` the one active key of its algorithm. The previous active key of that
    /// algorithm stops signing now and stays published until `publish_until`. One
    /// transaction, so no reader sees two active keys of one algorithm.
    pub async fn activate_signing_key(
        &self,
        key: StoredSigningKey,
        publish_until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let txn = self.begin_write().await?;
        signing_key::Entity::update_many()
            .col_expr(signing_key::Column::State, Expr::val(INACTIVE))
            .col_expr(signing_key::Column::RotatedAt, Expr::val(now))
            .col_expr(signing_key::Column::PublishUntil, Expr::val(publish_until))
            .filter(signing_key::Column::State.eq(ACTIVE))
            .filter(signing_key::Column::Alg.eq(key.alg.as_str()))
            .exec(&txn)
            .await?;
        signing_key::ActiveModel {
            kid: Set(key.kid),
            alg: Set(key.alg),
            private_key_sealed: Set(key.private_key_sealed),
            public_jwk: Set(key.public_jwk),
            state: Set(ACTIVE.to_owned()),
            created_at: Set(key.created_at),
            rotated_at: Set(None),
            publish_until: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Stops publishing an inactive key now (say, one that leaked). The active key cannot
    /// be retired, only rotated out.
    pub async fn retire_signing_key(&self, kid: &str, now: DateTime<Utc>) -> Result<StoredSigningKey, StoreError> {
        let model = signing_key::Entity::find_by_id(kid.to_owned())
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("signing key"))?;
        if model.state == ACTIVE {
            return Err(StoreError::Conflict("the active signing key"));
        }
        let mut active: signing_key::ActiveModel = model.into();
        active.publish_until = Set(Some(now));
        Ok(to_stored(active.update(&self.db).await?))
    }
}

fn to_stored(model: signing_key::Model) -> StoredSigningKey {
    StoredSigningKey {
        active: model.state == ACTIVE,
        kid: model.kid,
        alg: model.alg,
        private_key_sealed: model.private_key_sealed,
        public_jwk: model.public_jwk,
        created_at: model.created_at,
        rotated_at: model.rotated_at,
        publish_until: model.publish_until,
    }
}
