//! Whether signing out of the hub continues to the upstream's end-session endpoint, per
//! Social Login Key (RP-Initiated Logout through the chain).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SocialLoginKeys {
    Table,
    EndUpstreamSession,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SocialLoginKeys::Table)
                    .add_column(boolean(SocialLoginKeys::EndUpstreamSession).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SocialLoginKeys::Table)
                    .drop_column(SocialLoginKeys::EndUpstreamSession)
                    .to_owned(),
            )
            .await
    }
}
