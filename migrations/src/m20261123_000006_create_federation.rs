//! Federation: upstream providers ("Social Login Keys", SPEC §5) and the upstream
//! identities `(issuer, subject)` linked to hub users.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_users_and_groups::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SocialLoginKeys {
    Table,
    Slug,
    DisplayName,
    /// `oidc`, `oauth2` or a preset (`google`, `github`, `keycloak`, `frappe`, `hub`, …).
    Kind,
    Issuer,
    AuthorizationEndpoint,
    TokenEndpoint,
    UserinfoEndpoint,
    JwksUri,
    EndSessionEndpoint,
    ClientId,
    ClientSecretSealed,
    Scopes,
    Enabled,
    AllowSignup,
    TrustEmail,
    UsernameClaim,
    GroupsClaim,
    GroupMapping,
    SyncProfile,
    EmailDomains,
    Icon,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UpstreamIdentities {
    Table,
    Id,
    UserId,
    SocialLoginKey,
    Issuer,
    Subject,
    Email,
    Claims,
    CreatedAt,
    LastLoginAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SocialLoginKeys::Table)
                    .col(string(SocialLoginKeys::Slug).primary_key())
                    .col(string(SocialLoginKeys::DisplayName))
                    .col(string(SocialLoginKeys::Kind))
                    .col(string_null(SocialLoginKeys::Issuer))
                    .col(string_null(SocialLoginKeys::AuthorizationEndpoint))
                    .col(string_null(SocialLoginKeys::TokenEndpoint))
                    .col(string_null(SocialLoginKeys::UserinfoEndpoint))
                    .col(string_null(SocialLoginKeys::JwksUri))
                    .col(string_null(SocialLoginKeys::EndSessionEndpoint))
                    .col(string(SocialLoginKeys::ClientId))
                    .col(blob_null(SocialLoginKeys::ClientSecretSealed))
                    .col(string(SocialLoginKeys::Scopes))
                    .col(boolean(SocialLoginKeys::Enabled).default(true))
                    .col(boolean(SocialLoginKeys::AllowSignup).default(false))
                    .col(boolean(SocialLoginKeys::TrustEmail).default(false))
                    .col(string(SocialLoginKeys::UsernameClaim))
                    .col(string_null(SocialLoginKeys::GroupsClaim))
                    .col(json(SocialLoginKeys::GroupMapping))
                    .col(boolean(SocialLoginKeys::SyncProfile).default(false))
                    .col(json(SocialLoginKeys::EmailDomains))
                    .col(string_null(SocialLoginKeys::Icon))
                    .col(timestamp_with_time_zone(SocialLoginKeys::CreatedAt))
                    .col(timestamp_with_time_zone(SocialLoginKeys::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UpstreamIdentities::Table)
                    .col(uuid(UpstreamIdentities::Id).primary_key())
                    .col(uuid(UpstreamIdentities::UserId))
                    .col(string(UpstreamIdentities::SocialLoginKey))
                    .col(string(UpstreamIdentities::Issuer))
                    .col(string(UpstreamIdentities::Subject))
                    .col(string_null(UpstreamIdentities::Email))
                    .col(json(UpstreamIdentities::Claims))
                    .col(timestamp_with_time_zone(UpstreamIdentities::CreatedAt))
                    .col(timestamp_with_time_zone(UpstreamIdentities::LastLoginAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UpstreamIdentities::Table, UpstreamIdentities::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UpstreamIdentities::Table, UpstreamIdentities::SocialLoginKey)
                            .to(SocialLoginKeys::Table, SocialLoginKeys::Slug)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_upstream_identities_issuer_subject")
                    .table(UpstreamIdentities::Table)
                    .col(UpstreamIdentities::Issuer)
                    .col(UpstreamIdentities::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_upstream_identities_user")
                    .table(UpstreamIdentities::Table)
                    .col(UpstreamIdentities::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(UpstreamIdentities::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SocialLoginKeys::Table).to_owned()).await
    }
}
