//! Refresh tokens, stored as SHA-256 digests. Every rotation adds a token to the same
//! family; presenting a used token revokes the family (OAuth 2.0 Security BCP §4.14).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_users_and_groups::Users;
use crate::m20261123_000002_create_clients::Clients;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    TokenHash,
    FamilyId,
    ClientId,
    UserId,
    Scope,
    AuthTime,
    Amr,
    Sid,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(uuid(RefreshTokens::Id).primary_key())
                    .col(string_uniq(RefreshTokens::TokenHash))
                    .col(uuid(RefreshTokens::FamilyId))
                    .col(string(RefreshTokens::ClientId))
                    .col(uuid(RefreshTokens::UserId))
                    .col(string(RefreshTokens::Scope))
                    .col(timestamp_with_time_zone(RefreshTokens::AuthTime))
                    .col(json(RefreshTokens::Amr))
                    .col(string_null(RefreshTokens::Sid))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::ClientId)
                            .to(Clients::Table, Clients::ClientId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in
            [("idx_refresh_tokens_family", RefreshTokens::FamilyId), ("idx_refresh_tokens_user", RefreshTokens::UserId)]
        {
            manager.create_index(Index::create().name(name).table(RefreshTokens::Table).col(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RefreshTokens::Table).to_owned()).await
    }
}
