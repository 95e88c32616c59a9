//! Indexes that keep the admin lists cheap at millions of rows (docs/benchmarks.md,
//! "Cost as data grows"):
//!
//! - the audit log is read newest first by `(occurred_at, id)`, alone or for one user or
//!   one action: each index ends in that order, so a page is a short index range and the
//!   next one starts where it ended;
//! - the user search (a part of the username, e-mail address or name) is a `LIKE '%…%'`:
//!   on PostgreSQL, trigram indexes (the `pg_trgm` extension that ships with it) answer it
//!   without reading every user. Where the extension is not available the search still
//!   works, by reading the table, and the migration says so in the log.
//!
//! On a large database this migration takes a while: it rebuilds the audit indexes, and
//! writes to the audit log (every sign-in) wait until it is done (docs/operations.md).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    OccurredAt,
    Id,
    UserId,
    Action,
}

/// The audit indexes before (`m20261123_000007`) and after.
const AUDIT_INDEXES: [(&str, &str, Option<AuditEvents>); 3] = [
    ("idx_audit_events_occurred_at", "idx_audit_events_newest", None),
    ("idx_audit_events_user", "idx_audit_events_user_newest", Some(AuditEvents::UserId)),
    ("idx_audit_events_action", "idx_audit_events_action_newest", Some(AuditEvents::Action)),
];

/// The user columns the search reads, as `lower(column)` expressions.
const SEARCHED: [(&str, &str); 3] = [
    ("idx_users_username_trigram", "username"),
    ("idx_users_email_trigram", "email"),
    ("idx_users_name_trigram", "name"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (old, new, leading) in AUDIT_INDEXES {
            manager.drop_index(Index::drop().name(old).table(AuditEvents::Table).to_owned()).await?;
            let mut index = Index::create();
            index.name(new).table(AuditEvents::Table);
            if let Some(column) = leading {
                index.col(column);
            }
            manager.create_index(index.col(AuditEvents::OccurredAt).col(AuditEvents::Id).to_owned()).await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            create_trigram_indexes(manager).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for (name, _) in SEARCHED {
                db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
            }
        }
        for (old, new, leading) in AUDIT_INDEXES {
            manager.drop_index(Index::drop().name(new).table(AuditEvents::Table).to_owned()).await?;
            let column = leading.unwrap_or(AuditEvents::OccurredAt);
            manager.create_index(Index::create().name(old).table(AuditEvents::Table).col(column).to_owned()).await?;
        }
        Ok(())
    }
}

async fn create_trigram_indexes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let available = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'",
        ))
        .await?
        .is_some();
    if !available {
        tracing::warn!(
            "PostgreSQL has no pg_trgm extension: the user search reads the whole table (install postgresql-contrib)"
        );
        return Ok(());
    }
    // pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm").await?;
    for (name, column) in SEARCHED {
        db.execute_unprepared(&format!("CREATE INDEX {name} ON users USING gin (lower({column}) gin_trgm_ops)"))
            .await?;
    }
    Ok(())
}
