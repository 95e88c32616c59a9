//! Revocations that must outlive any restart (RFC 7009): a revoked grant or a revoked access
//! token, by id, until the tokens it covers have expired anyway.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Revocations {
    Table,
    /// `grant` or `access_token`.
    Kind,
    /// The grant id or the access token's `jti`.
    Id,
    RevokedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Revocations::Table)
                    .col(string(Revocations::Kind))
                    .col(string(Revocations::Id))
                    .col(timestamp_with_time_zone(Revocations::RevokedAt))
                    .col(timestamp_with_time_zone(Revocations::ExpiresAt))
                    .primary_key(Index::create().col(Revocations::Kind).col(Revocations::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_revocations_expires_at")
                    .table(Revocations::Table)
                    .col(Revocations::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Revocations::Table).to_owned()).await
    }
}
