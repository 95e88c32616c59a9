//! The second factor (RFC 6238 TOTP with one-time recovery codes) and the policies that ask
//! for it: per client (`require_second_factor`) and per group; the client's group
//! restriction (`allowed_groups`); and whether a Social Login Key is trusted to say that
//! its sign-in had a second factor.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    UserId,
    /// The confirmed TOTP secret, sealed with the master key; unset until confirmed.
    TotpSecretSealed,
    ConfirmedAt,
    /// The last time step whose code was accepted: a code of it or an earlier one is a replay.
    LastUsedStep,
    /// Keyed digests (hex) of the recovery codes not yet used, comma-separated: text, so that
    /// using one up can compare the list it read on PostgreSQL too.
    RecoveryCodes,
    /// An enrolment shown but not yet confirmed with a code.
    PendingSecretSealed,
    PendingRecoveryCodes,
    PendingCreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    RequireSecondFactor,
    AllowedGroups,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    RequireSecondFactor,
}

#[derive(DeriveIden)]
enum SocialLoginKeys {
    Table,
    TrustMfa,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SecondFactors::Table)
                    .col(uuid(SecondFactors::UserId).primary_key())
                    .col(binary_null(SecondFactors::TotpSecretSealed))
                    .col(timestamp_with_time_zone_null(SecondFactors::ConfirmedAt))
                    .col(big_integer_null(SecondFactors::LastUsedStep))
                    .col(text(SecondFactors::RecoveryCodes))
                    .col(binary_null(SecondFactors::PendingSecretSealed))
                    .col(text_null(SecondFactors::PendingRecoveryCodes))
                    .col(timestamp_with_time_zone_null(SecondFactors::PendingCreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SecondFactors::Table, SecondFactors::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one at a time.
        let columns = [
            (Clients::Table.into_iden(), boolean(Clients::RequireSecondFactor).default(false).to_owned()),
            (Clients::Table.into_iden(), json_null(Clients::AllowedGroups).to_owned()),
            (Groups::Table.into_iden(), boolean(Groups::RequireSecondFactor).default(false).to_owned()),
            (SocialLoginKeys::Table.into_iden(), boolean(SocialLoginKeys::TrustMfa).default(false).to_owned()),
        ];
        for (table, column) in columns {
            manager.alter_table(Table::alter().table(table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (Clients::Table.into_iden(), Clients::RequireSecondFactor.into_iden()),
            (Clients::Table.into_iden(), Clients::AllowedGroups.into_iden()),
            (Groups::Table.into_iden(), Groups::RequireSecondFactor.into_iden()),
            (SocialLoginKeys::Table.into_iden(), SocialLoginKeys::TrustMfa.into_iden()),
        ];
        for (table, column) in columns {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(SecondFactors::Table).to_owned()).await
    }
}
