//! The audit log (every admin change and every sign-in, success or failure) and the index
//! of single sign-on sessions by user, which lets an administrator list and end them. The
//! session content itself stays in the session store; a row here only points at it.
//! Also: at most one active signing key, even when two rotations race.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_users_and_groups::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    Action,
    Outcome,
    Actor,
    /// The acting user's id, when a user acted: their username may change later.
    ActorId,
    UserId,
    ClientId,
    Target,
    Address,
    Detail,
}

#[derive(DeriveIden)]
enum UserSessions {
    Table,
    Sid,
    UserId,
    /// Digest of the cookie value: the session store's key, not the cookie itself.
    StoreKey,
    Amr,
    CreatedAt,
    AuthTime,
    ExpiresAt,
    Address,
    UserAgent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(uuid(AuditEvents::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    .col(string(AuditEvents::Action))
                    .col(string(AuditEvents::Outcome))
                    .col(string(AuditEvents::Actor))
                    .col(uuid_null(AuditEvents::ActorId))
                    // No foreign keys: the log outlives the users and clients it mentions.
                    .col(uuid_null(AuditEvents::UserId))
                    .col(string_null(AuditEvents::ClientId))
                    .col(string_null(AuditEvents::Target))
                    .col(string_null(AuditEvents::Address))
                    .col(string_null(AuditEvents::Detail))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_events_occurred_at", AuditEvents::OccurredAt),
            ("idx_audit_events_user", AuditEvents::UserId),
            ("idx_audit_events_action", AuditEvents::Action),
        ] {
            manager.create_index(Index::create().name(name).table(AuditEvents::Table).col(column).to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(UserSessions::Table)
                    .col(string(UserSessions::Sid).primary_key())
                    .col(uuid(UserSessions::UserId))
                    .col(string_uniq(UserSessions::StoreKey))
                    .col(json(UserSessions::Amr))
                    .col(timestamp_with_time_zone(UserSessions::CreatedAt))
                    .col(timestamp_with_time_zone(UserSessions::AuthTime))
                    .col(timestamp_with_time_zone(UserSessions::ExpiresAt))
                    .col(string_null(UserSessions::Address))
                    .col(string_null(UserSessions::UserAgent))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserSessions::Table, UserSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_sessions_user")
                    .table(UserSessions::Table)
                    .col(UserSessions::UserId)
                    .to_owned(),
            )
            .await?;
        // A partial unique index: the same statement on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_signing_keys_one_active ON signing_keys (state) WHERE state = 'active'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX idx_signing_keys_one_active").await?;
        manager.drop_table(Table::drop().table(UserSessions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await
    }
}
