//! Token signing keys. One is `active` (signs); rotated-out keys stay `inactive` and
//! published in the JWKS until `publish_until`, when every token they signed has expired.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Kid,
    Alg,
    /// PKCS#8 DER, sealed with the master key.
    PrivateKeySealed,
    PublicJwk,
    State,
    CreatedAt,
    /// When the key stopped signing.
    RotatedAt,
    /// When it leaves the JWKS.
    PublishUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .col(string(SigningKeys::Kid).primary_key())
                    .col(string(SigningKeys::Alg))
                    .col(blob(SigningKeys::PrivateKeySealed))
                    .col(json(SigningKeys::PublicJwk))
                    .col(string(SigningKeys::State))
                    .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(SigningKeys::RotatedAt))
                    .col(timestamp_with_time_zone_null(SigningKeys::PublishUntil))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SigningKeys::Table).to_owned()).await
    }
}
