//! One active signing key per algorithm (RS256, PS256, ES256, EdDSA) instead of one in
//! all: the partial unique index moves from `state` to `alg`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX idx_signing_keys_one_active").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_signing_keys_one_active_per_alg ON signing_keys (alg) WHERE state = 'active'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX idx_signing_keys_one_active_per_alg").await?;
        // Only the RS256 key stays active, as before this migration.
        db.execute_unprepared("DELETE FROM signing_keys WHERE alg <> 'RS256'").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_signing_keys_one_active ON signing_keys (state) WHERE state = 'active'",
        )
        .await?;
        Ok(())
    }
}
