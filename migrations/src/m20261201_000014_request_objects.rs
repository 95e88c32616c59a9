//! Request objects (OIDC Core §6, RFC 9101): how a client signs its request objects, and
//! the request URIs it registered (the hub fetches only those).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clients {
    Table,
    RequestObjectSigningAlg,
    RequestUris,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for mut column in [string_null(Clients::RequestObjectSigningAlg), json_null(Clients::RequestUris)] {
            manager.alter_table(Table::alter().table(Clients::Table).add_column(&mut column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Clients::RequestObjectSigningAlg, Clients::RequestUris] {
            manager.alter_table(Table::alter().table(Clients::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
