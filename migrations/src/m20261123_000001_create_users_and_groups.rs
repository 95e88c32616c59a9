//! Users (the subjects of ID tokens), groups and memberships.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Username,
    Email,
    EmailVerified,
    Name,
    GivenName,
    FamilyName,
    PhoneNumber,
    PhoneNumberVerified,
    Address,
    PasswordHash,
    Disabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Groups {
    Table,
    Id,
    Name,
    Description,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserGroups {
    Table,
    UserId,
    GroupId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    .col(string_uniq(Users::Username))
                    .col(string_null(Users::Email))
                    .col(boolean(Users::EmailVerified).default(false))
                    .col(string_null(Users::Name))
                    .col(string_null(Users::GivenName))
                    .col(string_null(Users::FamilyName))
                    .col(string_null(Users::PhoneNumber))
                    .col(boolean(Users::PhoneNumberVerified).default(false))
                    .col(json_null(Users::Address))
                    // argon2id PHC string; null for users who only sign in through an upstream.
                    .col(string_null(Users::PasswordHash))
                    .col(boolean(Users::Disabled).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_users_email").table(Users::Table).col(Users::Email).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Groups::Table)
                    .col(uuid(Groups::Id).primary_key())
                    .col(string_uniq(Groups::Name))
                    .col(string_null(Groups::Description))
                    .col(timestamp_with_time_zone(Groups::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserGroups::Table)
                    .col(uuid(UserGroups::UserId))
                    .col(uuid(UserGroups::GroupId))
                    .primary_key(Index::create().col(UserGroups::UserId).col(UserGroups::GroupId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserGroups::Table, UserGroups::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserGroups::Table, UserGroups::GroupId)
                            .to(Groups::Table, Groups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(UserGroups::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Groups::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}
