//! Passkeys (WebAuthn, issue 13): several per user, each with the name its user gave it.
//! The credential is webauthn-rs's serialised `Passkey`; the sign counter and backup flags
//! are kept beside it as columns, so that accepting an assertion is one conditional UPDATE
//! (a counter that did not move forward is refused) and lists need not parse JSON.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Id,
    UserId,
    Name,
    /// The credential id (base64url), unique: one credential never belongs to two users.
    CredentialId,
    /// webauthn-rs's `Passkey`, as JSON text.
    Credential,
    SignCount,
    /// The authenticator may sync the key to other devices (a "synced passkey").
    BackupEligible,
    BackupState,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Passkeys::Table)
                    .col(uuid(Passkeys::Id).primary_key())
                    .col(uuid(Passkeys::UserId))
                    .col(string(Passkeys::Name))
                    .col(text(Passkeys::CredentialId).unique_key())
                    .col(text(Passkeys::Credential))
                    .col(big_integer(Passkeys::SignCount))
                    .col(boolean(Passkeys::BackupEligible))
                    .col(boolean(Passkeys::BackupState))
                    .col(timestamp_with_time_zone(Passkeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(Passkeys::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Passkeys::Table, Passkeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_passkeys_user_id").table(Passkeys::Table).col(Passkeys::UserId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Passkeys::Table).to_owned()).await
    }
}
