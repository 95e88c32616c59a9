//! Users' passkeys at rest: the credential (webauthn-rs's `Passkey` as JSON, opaque here),
//! its name, and the sign counter and backup flags beside it. Accepting an assertion is one
//! conditional UPDATE on the counter it was checked against, so two requests racing with
//! assertions of one credential cannot both succeed.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::passkey;
use super::{Store, StoreError, conflict_on};

/// One stored passkey.
#[derive(Debug, Clone)]
pub struct StoredPasskey {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// The credential id, base64url.
    pub credential_id: String,
    /// webauthn-rs's `Passkey`, serialised by `accounts::passkeys`.
    pub credential: String,
    pub sign_count: u32,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// What an accepted assertion changes.
pub struct PasskeyUse<'a> {
    pub credential: &'a str,
    pub sign_count: u32,
    pub backup_state: bool,
    pub backup_eligible: bool,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Adds a passkey; a credential id registered already (to anyone) is a conflict.
    pub async fn insert_passkey(&self, passkey: &StoredPasskey) -> Result<(), StoreError> {
        let row = passkey::ActiveModel {
            id: Set(passkey.id),
            user_id: Set(passkey.user_id),
            name: Set(passkey.name.clone()),
            credential_id: Set(passkey.credential_id.clone()),
            credential: Set(passkey.credential.clone()),
            sign_count: Set(i64::from(passkey.sign_count)),
            backup_eligible: Set(passkey.backup_eligible),
            backup_state: Set(passkey.backup_state),
            created_at: Set(passkey.created_at),
            last_used_at: Set(passkey.last_used_at),
        };
        passkey::Entity::insert(row).exec(&self.db).await.map_err(conflict_on("passkey"))?;
        Ok(())
    }

    /// The user's passkeys, oldest first.
    pub async fn passkeys_of(&self, user_id: Uuid) -> Result<Vec<StoredPasskey>, StoreError> {
        let rows = passkey::Entity::find()
            .filter(passkey::Column::UserId.eq(user_id))
            .order_by_asc(passkey::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(from_model).collect())
    }

    /// Whether the user has any passkey (the second-factor policy's question).
    pub async fn has_passkey(&self, user_id: Uuid) -> Result<bool, StoreError> {
        Ok(passkey::Entity::find().filter(passkey::Column::UserId.eq(user_id)).count(&self.db).await? > 0)
    }

    pub async fn find_passkey_by_credential(&self, credential_id: &str) -> Result<Option<StoredPasskey>, StoreError> {
        let found =
            passkey::Entity::find().filter(passkey::Column::CredentialId.eq(credential_id)).one(&self.db).await?;
        Ok(found.map(from_model))
    }

    /// Records an accepted assertion, if the counter is still `seen` (the one the caller
    /// checked the new one against). False: another assertion was accepted meanwhile.
    pub async fn use_passkey(&self, id: Uuid, seen: u32, used: &PasskeyUse<'_>) -> Result<bool, StoreError> {
        let result = passkey::Entity::update_many()
            .col_expr(passkey::Column::Credential, Expr::value(used.credential.to_owned()))
            .col_expr(passkey::Column::SignCount, Expr::value(i64::from(used.sign_count)))
            .col_expr(passkey::Column::BackupState, Expr::value(used.backup_state))
            .col_expr(passkey::Column::BackupEligible, Expr::value(used.backup_eligible))
            .col_expr(passkey::Column::LastUsedAt, Expr::value(Some(used.at)))
            .filter(passkey::Column::Id.eq(id))
            .filter(passkey::Column::SignCount.eq(i64::from(seen)))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Renames one of the user's passkeys; false when the user has no such passkey.
    pub async fn rename_passkey(&self, user_id: Uuid, id: Uuid, name: &str) -> Result<bool, StoreError> {
        let result = passkey::Entity::update_many()
            .col_expr(passkey::Column::Name, Expr::value(name.to_owned()))
            .filter(passkey::Column::Id.eq(id))
            .filter(passkey::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Removes one of the user's passkeys; the removed one, if there was one.
    pub async fn delete_passkey(&self, user_id: Uuid, id: Uuid) -> Result<Option<StoredPasskey>, StoreError> {
        let found = passkey::Entity::find_by_id(id)
            .filter(passkey::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .map(from_model);
        let Some(found) = found else { return Ok(None) };
        let result = passkey::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok((result.rows_affected == 1).then_some(found))
    }
}

fn from_model(model: passkey::Model) -> StoredPasskey {
    StoredPasskey {
        id: model.id,
        user_id: model.user_id,
        name: model.name,
        credential_id: model.credential_id,
        credential: model.credential,
        sign_count: u32::try_from(model.sign_count).unwrap_or(u32::MAX),
        backup_eligible: model.backup_eligible,
        backup_state: model.backup_state,
        created_at: model.created_at,
        last_used_at: model.last_used_at,
    }
}
