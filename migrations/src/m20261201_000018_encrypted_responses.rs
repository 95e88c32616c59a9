//! Per client, whether its ID tokens and userinfo responses are encrypted to its public
//! key, and how (OIDC Registration 1.0 §2: `*_encrypted_response_alg` / `_enc`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Clients {
    Table,
    IdTokenEncryptedResponseAlg,
    IdTokenEncryptedResponseEnc,
    UserinfoEncryptedResponseAlg,
    UserinfoEncryptedResponseEnc,
}

const COLUMNS: [Clients; 4] = [
    Clients::IdTokenEncryptedResponseAlg,
    Clients::IdTokenEncryptedResponseEnc,
    Clients::UserinfoEncryptedResponseAlg,
    Clients::UserinfoEncryptedResponseEnc,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in COLUMNS {
            let column = string_null(column).to_owned();
            manager.alter_table(Table::alter().table(Clients::Table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            manager.alter_table(Table::alter().table(Clients::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
