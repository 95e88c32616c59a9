//! Pairwise subject identifiers (OIDC Core §8.1): per client, which kind of `sub` it gets
//! and the sector document that names its sector; and, per sector, which user a pairwise
//! `sub` stands for, so that userinfo, introspection and `id_token_hint` can find the user
//! again (the identifier itself is a one-way MAC).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clients {
    Table,
    SubjectType,
    SectorIdentifierUri,
}

#[derive(DeriveIden)]
enum PairwiseSubjects {
    Table,
    Sector,
    Subject,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [
            string(Clients::SubjectType).default("public").to_owned(),
            string_null(Clients::SectorIdentifierUri).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Clients::Table).add_column(column).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PairwiseSubjects::Table)
                    .col(string(PairwiseSubjects::Sector))
                    .col(string(PairwiseSubjects::Subject))
                    .col(uuid(PairwiseSubjects::UserId))
                    .col(timestamp_with_time_zone(PairwiseSubjects::CreatedAt))
                    .primary_key(Index::create().col(PairwiseSubjects::Sector).col(PairwiseSubjects::Subject))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PairwiseSubjects::Table, PairwiseSubjects::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PairwiseSubjects::Table).to_owned()).await?;
        for column in [Clients::SubjectType, Clients::SectorIdentifierUri] {
            manager.alter_table(Table::alter().table(Clients::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
