//! The user claims a grant's `claims` parameter asked for in the ID token (OIDC Core
//! §5.5), so that ID tokens issued on refresh carry them too.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    IdTokenClaims,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = json_null(RefreshTokens::IdTokenClaims).to_owned();
        manager.alter_table(Table::alter().table(RefreshTokens::Table).add_column(column).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = RefreshTokens::IdTokenClaims;
        manager.alter_table(Table::alter().table(RefreshTokens::Table).drop_column(column).to_owned()).await
    }
}
