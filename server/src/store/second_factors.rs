//! A user's second factor at rest: the TOTP secret (sealed with the master key, as client
//! secrets are), the last time step a code was accepted for, the digests of the unused
//! recovery codes, and an enrolment that was shown but not yet confirmed. Accepting a
//! code or using up a recovery code is one conditional UPDATE, so two requests racing
//! with the same code cannot both succeed.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, sea_query::OnConflict};
use uuid::Uuid;

use super::entities::second_factor;
use super::{Store, StoreError};

/// What is stored of one user's second factor.
#[derive(Clone)]
pub struct StoredSecondFactor {
    pub user_id: Uuid,
    /// The confirmed TOTP secret, sealed; None until an enrolment is confirmed.
    pub secret_sealed: Option<Vec<u8>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_used_step: Option<u64>,
    /// Digests of the recovery codes not yet used.
    pub recovery_codes: Vec<String>,
    pub pending: Option<PendingEnrolment>,
}

/// An enrolment shown to the user and waiting for its first code.
#[derive(Clone)]
pub struct PendingEnrolment {
    pub secret_sealed: Vec<u8>,
    pub recovery_codes: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl StoredSecondFactor {
    pub fn is_enrolled(&self) -> bool {
        self.secret_sealed.is_some() && self.confirmed_at.is_some()
    }
}

impl Store {
    pub async fn find_second_factor(&self, user_id: Uuid) -> Result<Option<StoredSecondFactor>, StoreError> {
        let found = second_factor::Entity::find_by_id(user_id).one(&self.db).await?;
        Ok(found.map(from_model))
    }

    /// Keeps an enrolment waiting for confirmation, replacing any earlier one; a confirmed
    /// factor stays in force until this one is confirmed.
    pub async fn save_pending_enrolment(&self, user_id: Uuid, pending: &PendingEnrolment) -> Result<(), StoreError> {
        let row = second_factor::ActiveModel {
            user_id: Set(user_id),
            totp_secret_sealed: Set(None),
            confirmed_at: Set(None),
            last_used_step: Set(None),
            recovery_codes: Set(String::new()),
            pending_secret_sealed: Set(Some(pending.secret_sealed.clone())),
            pending_recovery_codes: Set(Some(pending.recovery_codes.join(","))),
            pending_created_at: Set(Some(pending.created_at)),
        };
        let on_conflict = OnConflict::column(second_factor::Column::UserId)
            .update_columns([
                second_factor::Column::PendingSecretSealed,
                second_factor::Column::PendingRecoveryCodes,
                second_factor::Column::PendingCreatedAt,
            ])
            .to_owned();
        second_factor::Entity::insert(row).on_conflict(on_conflict).exec(&self.db).await?;
        Ok(())
    }

    /// Makes the pending enrolment the user's factor, its code's step already used. False
    /// when the pending enrolment changed meanwhile (a newer page was shown).
    pub async fn confirm_enrolment(
        &self,
        user_id: Uuid,
        pending: &PendingEnrolment,
        step: u64,
    ) -> Result<bool, StoreError> {
        let result = second_factor::Entity::update_many()
            .col_expr(second_factor::Column::TotpSecretSealed, Expr::value(Some(pending.secret_sealed.clone())))
            .col_expr(second_factor::Column::ConfirmedAt, Expr::value(Some(Utc::now())))
            .col_expr(second_factor::Column::LastUsedStep, Expr::value(Some(step_value(step))))
            .col_expr(second_factor::Column::RecoveryCodes, Expr::value(pending.recovery_codes.join(",")))
            .col_expr(second_factor::Column::PendingSecretSealed, Expr::value(Option::<Vec<u8>>::None))
            .col_expr(second_factor::Column::PendingRecoveryCodes, Expr::value(Option::<String>::None))
            .col_expr(second_factor::Column::PendingCreatedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(second_factor::Column::UserId.eq(user_id))
            .filter(second_factor::Column::PendingSecretSealed.eq(pending.secret_sealed.clone()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Records that a code of `step` was accepted, if no code of it or of a later step was
    /// (RFC 6238 §5.2). False: a replay.
    pub async fn use_totp_step(&self, user_id: Uuid, step: u64) -> Result<bool, StoreError> {
        let step = step_value(step);
        let result = second_factor::Entity::update_many()
            .col_expr(second_factor::Column::LastUsedStep, Expr::value(Some(step)))
            .filter(second_factor::Column::UserId.eq(user_id))
            .filter(second_factor::Column::ConfirmedAt.is_not_null())
            .filter(
                Condition::any()
                    .add(second_factor::Column::LastUsedStep.is_null())
                    .add(Expr::col(second_factor::Column::LastUsedStep).lt(step)),
            )
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Removes a used recovery code from the list `seen` was read with. False when the
    /// list changed meanwhile (the code was used by a request racing this one).
    pub async fn use_recovery_code(&self, user_id: Uuid, seen: &[String], left: &[String]) -> Result<bool, StoreError> {
        let result = second_factor::Entity::update_many()
            .col_expr(second_factor::Column::RecoveryCodes, Expr::value(left.join(",")))
            .filter(second_factor::Column::UserId.eq(user_id))
            .filter(second_factor::Column::RecoveryCodes.eq(seen.join(",")))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Forgets an enrolment that was shown but never confirmed, when the user chose another
    /// factor (a passkey) instead; a confirmed factor is left alone.
    pub async fn discard_unconfirmed_enrolment(&self, user_id: Uuid) -> Result<(), StoreError> {
        second_factor::Entity::delete_many()
            .filter(second_factor::Column::UserId.eq(user_id))
            .filter(second_factor::Column::ConfirmedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Removes the user's second factor (an administrator's reset); false when there was none.
    pub async fn delete_second_factor(&self, user_id: Uuid) -> Result<bool, StoreError> {
        let result = second_factor::Entity::delete_by_id(user_id).exec(&self.db).await?;
        Ok(result.rows_affected == 1)
    }
}

fn step_value(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

fn from_model(model: second_factor::Model) -> StoredSecondFactor {
    let pending = match (model.pending_secret_sealed, model.pending_created_at) {
        (Some(secret_sealed), Some(created_at)) => Some(PendingEnrolment {
            secret_sealed,
            recovery_codes: model.pending_recovery_codes.as_deref().map(digests).unwrap_or_default(),
            created_at,
        }),
        _ => None,
    };
    StoredSecondFactor {
        user_id: model.user_id,
        secret_sealed: model.totp_secret_sealed,
        confirmed_at: model.confirmed_at,
        last_used_step: model.last_used_step.and_then(|step| u64::try_from(step).ok()),
        recovery_codes: digests(&model.recovery_codes),
        pending,
    }
}

fn digests(joined: &str) -> Vec<String> {
    joined.split(',').filter(|digest| !digest.is_empty()).map(str::to_owned).collect()
}
