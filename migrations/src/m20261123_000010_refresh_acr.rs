//! The authentication context class (`acr`) an upstream asserted, kept with each refresh
//! token, so ID tokens issued on refresh carry it like the first one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Acr,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(RefreshTokens::Table).add_column(string_null(RefreshTokens::Acr)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(RefreshTokens::Table).drop_column(RefreshTokens::Acr).to_owned()).await
    }
}
