//! What signing in through an upstream needs beyond the keys themselves: profile claims
//! an upstream brings (picture, locale), memberships that remember which key granted
//! them (so a sync removes only its own), per-key claim mapping and client
//! authentication, the upstream session behind each hub session (for logout through the
//! chain), and the clients that took part in each session (for back-channel logout).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Picture,
    Locale,
}

#[derive(DeriveIden)]
enum UserGroups {
    Table,
    /// The Social Login Key whose sync granted the membership; null when granted in the hub.
    Source,
}

#[derive(DeriveIden)]
enum SocialLoginKeys {
    Table,
    /// Hub claim → where it is in the upstream's claims (a dotted path).
    ClaimMapping,
    /// `client_secret_basic` or `client_secret_post`; null picks from discovery or the preset.
    TokenEndpointAuthMethod,
}

#[derive(DeriveIden)]
enum UserSessions {
    Table,
    Sid,
    /// The Social Login Key the session was signed in through.
    UpstreamKey,
    /// The upstream's own session id (its ID token's `sid`), for back-channel logout.
    UpstreamSid,
    /// The upstream's subject, for back-channel logout tokens that name only `sub`.
    UpstreamSubject,
}

#[derive(DeriveIden)]
enum SessionClients {
    Table,
    Sid,
    ClientId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let columns = [
            (Users::Table.into_iden(), string_null(Users::Picture)),
            (Users::Table.into_iden(), string_null(Users::Locale)),
            (UserGroups::Table.into_iden(), string_null(UserGroups::Source)),
            (SocialLoginKeys::Table.into_iden(), json(SocialLoginKeys::ClaimMapping).default("{}").to_owned()),
            (SocialLoginKeys::Table.into_iden(), string_null(SocialLoginKeys::TokenEndpointAuthMethod)),
            (UserSessions::Table.into_iden(), string_null(UserSessions::UpstreamKey)),
            (UserSessions::Table.into_iden(), string_null(UserSessions::UpstreamSid)),
            (UserSessions::Table.into_iden(), string_null(UserSessions::UpstreamSubject)),
        ];
        for (table, mut column) in columns {
            manager.alter_table(Table::alter().table(table).add_column(&mut column).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_user_sessions_upstream")
                    .table(UserSessions::Table)
                    .col(UserSessions::UpstreamKey)
                    .col(UserSessions::UpstreamSid)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SessionClients::Table)
                    .col(string(SessionClients::Sid))
                    .col(string(SessionClients::ClientId))
                    .primary_key(Index::create().col(SessionClients::Sid).col(SessionClients::ClientId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SessionClients::Table, SessionClients::Sid)
                            .to(UserSessions::Table, UserSessions::Sid)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SessionClients::Table).to_owned()).await?;
        manager
            .drop_index(Index::drop().name("idx_user_sessions_upstream").table(UserSessions::Table).to_owned())
            .await?;
        let columns = [
            (UserSessions::Table.into_iden(), UserSessions::UpstreamSubject.into_iden()),
            (UserSessions::Table.into_iden(), UserSessions::UpstreamSid.into_iden()),
            (UserSessions::Table.into_iden(), UserSessions::UpstreamKey.into_iden()),
            (SocialLoginKeys::Table.into_iden(), SocialLoginKeys::TokenEndpointAuthMethod.into_iden()),
            (SocialLoginKeys::Table.into_iden(), SocialLoginKeys::ClaimMapping.into_iden()),
            (UserGroups::Table.into_iden(), UserGroups::Source.into_iden()),
            (Users::Table.into_iden(), Users::Locale.into_iden()),
            (Users::Table.into_iden(), Users::Picture.into_iden()),
        ];
        for (table, column) in columns {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
