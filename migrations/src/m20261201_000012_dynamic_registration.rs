//! Dynamic client registration (RFC 7591/7592, OIDC Registration 1.0): the rest of the
//! client metadata, the registration access token of a registered client (by digest), and
//! the initial access tokens administrators mint for registration.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clients {
    Table,
    ApplicationType,
    UserinfoSignedResponseAlg,
    Jwks,
    JwksUri,
    DefaultMaxAge,
    RequireAuthTime,
    BackchannelLogoutSessionRequired,
    LogoUri,
    ClientUri,
    PolicyUri,
    TosUri,
    InitiateLoginUri,
    Contacts,
    RegistrationAccessTokenHash,
}

#[derive(DeriveIden)]
enum RegistrationTokens {
    Table,
    Id,
    TokenHash,
    Description,
    CreatedAt,
    ExpiresAt,
    /// None: any number of registrations until the expiry.
    MaxUses,
    Uses,
}

fn new_client_columns() -> Vec<ColumnDef> {
    vec![
        string(Clients::ApplicationType).default("web").to_owned(),
        string_null(Clients::UserinfoSignedResponseAlg),
        json_null(Clients::Jwks),
        string_null(Clients::JwksUri),
        big_integer_null(Clients::DefaultMaxAge),
        boolean(Clients::RequireAuthTime).default(false).to_owned(),
        boolean(Clients::BackchannelLogoutSessionRequired).default(false).to_owned(),
        string_null(Clients::LogoUri),
        string_null(Clients::ClientUri),
        string_null(Clients::PolicyUri),
        string_null(Clients::TosUri),
        string_null(Clients::InitiateLoginUri),
        json_null(Clients::Contacts),
        string_null(Clients::RegistrationAccessTokenHash),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for mut column in new_client_columns() {
            manager.alter_table(Table::alter().table(Clients::Table).add_column(&mut column).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(RegistrationTokens::Table)
                    .col(uuid(RegistrationTokens::Id).primary_key())
                    .col(string_uniq(RegistrationTokens::TokenHash))
                    .col(string(RegistrationTokens::Description))
                    .col(timestamp_with_time_zone(RegistrationTokens::CreatedAt))
                    .col(timestamp_with_time_zone(RegistrationTokens::ExpiresAt))
                    .col(integer_null(RegistrationTokens::MaxUses))
                    .col(integer(RegistrationTokens::Uses).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RegistrationTokens::Table).to_owned()).await?;
        for column in new_client_columns() {
            let name = Alias::new(column.get_column_name());
            manager.alter_table(Table::alter().table(Clients::Table).drop_column(name).to_owned()).await?;
        }
        Ok(())
    }
}
