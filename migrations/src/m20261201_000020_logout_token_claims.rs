//! Per client, the user claims its logout tokens carry besides `sub` and `sid`, for apps
//! that find the user to sign out by one of them (EspoCRM's username claim).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clients {
    Table,
    BackchannelLogoutClaims,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = json_null(Clients::BackchannelLogoutClaims).to_owned();
        manager.alter_table(Table::alter().table(Clients::Table).add_column(column).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = Table::alter().table(Clients::Table).drop_column(Clients::BackchannelLogoutClaims).to_owned();
        manager.alter_table(drop).await
    }
}
