//! The OpenID Connect Core §5.1 claims users lacked: middle name, nickname, the profile
//! and website links, gender, birthdate and time zone. Each is optional text.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    MiddleName,
    Nickname,
    Profile,
    Website,
    Gender,
    /// `YYYY-MM-DD`, `YYYY` or `0000-MM-DD` (§5.1), as text: the year may be missing.
    Birthdate,
    Zoneinfo,
}

const COLUMNS: [Users; 7] = [
    Users::MiddleName,
    Users::Nickname,
    Users::Profile,
    Users::Website,
    Users::Gender,
    Users::Birthdate,
    Users::Zoneinfo,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in COLUMNS {
            let mut column = string_null(column);
            manager.alter_table(Table::alter().table(Users::Table).add_column(&mut column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS.into_iter().rev() {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
