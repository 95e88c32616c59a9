//! Registered relying parties: RFC 7591 metadata plus `skip_authorization` and the
//! per-client upstream policy used by federation.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Clients {
    Table,
    ClientId,
    /// AES-GCM under the master key; null for public clients.
    ClientSecretSealed,
    ClientName,
    RedirectUris,
    PostLogoutRedirectUris,
    GrantTypes,
    ResponseTypes,
    TokenEndpointAuthMethod,
    IdTokenSignedResponseAlg,
    BackchannelLogoutUri,
    Scope,
    SkipAuthorization,
    AllowedSocialLoginKeys,
    DefaultSocialLoginKey,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clients::Table)
                    .col(string(Clients::ClientId).primary_key())
                    .col(blob_null(Clients::ClientSecretSealed))
                    .col(string(Clients::ClientName))
                    .col(json(Clients::RedirectUris))
                    .col(json(Clients::PostLogoutRedirectUris))
                    .col(json(Clients::GrantTypes))
                    .col(json(Clients::ResponseTypes))
                    .col(string(Clients::TokenEndpointAuthMethod))
                    .col(string(Clients::IdTokenSignedResponseAlg))
                    .col(string_null(Clients::BackchannelLogoutUri))
                    .col(string(Clients::Scope))
                    .col(boolean(Clients::SkipAuthorization).default(false))
                    .col(json(Clients::AllowedSocialLoginKeys))
                    .col(string_null(Clients::DefaultSocialLoginKey))
                    .col(timestamp_with_time_zone(Clients::CreatedAt))
                    .col(timestamp_with_time_zone(Clients::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Clients::Table).to_owned()).await
    }
}
