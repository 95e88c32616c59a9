//! Per client, whether its authorization requests must be pushed first (RFC 9126 §6).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clients {
    Table,
    RequirePushedAuthorizationRequests,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = boolean(Clients::RequirePushedAuthorizationRequests).default(false).to_owned();
        manager.alter_table(Table::alter().table(Clients::Table).add_column(column).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = Clients::RequirePushedAuthorizationRequests;
        manager.alter_table(Table::alter().table(Clients::Table).drop_column(column).to_owned()).await
    }
}
