//! What a refresh grant fixes when the user authorizes: the user claims its `claims`
//! parameter asked for in the ID token (OIDC Core §5.5), so that refreshed ID tokens carry
//! them too, and the user's `sub` for the client, so that a later change of the client's
//! pairwise sector never changes it (§12.2: a refreshed ID token names the same `sub`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    IdTokenClaims,
    Subject,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in
            [json_null(RefreshTokens::IdTokenClaims).to_owned(), string_null(RefreshTokens::Subject).to_owned()]
        {
            manager.alter_table(Table::alter().table(RefreshTokens::Table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [RefreshTokens::IdTokenClaims, RefreshTokens::Subject] {
            manager.alter_table(Table::alter().table(RefreshTokens::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
