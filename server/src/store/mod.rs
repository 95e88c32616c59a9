//! Persistence: sea-orm over SQLite (embedded default) or PostgreSQL. Everything above
//! this module sees domain types and `StoreError`, never `Model`, `ActiveModel` or `DbErr`.

mod cache;
mod entities;

pub mod audit;
pub mod clients;
pub mod consents;
pub mod groups;
pub mod pairwise_subjects;
pub mod passkeys;
pub mod refresh_tokens;
pub mod registration_tokens;
pub mod revocations;
pub mod second_factors;
pub mod sessions;
pub mod signing_keys;
pub mod social_login_keys;
pub mod upstream_identities;
pub mod users;

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Unreachable, failing, or returned something unexpected; details go to the log only.
    #[error("database error")]
    Database(#[source] DbErr),
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A row the code cannot interpret (an unknown enum value written by a newer version).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        StoreError::Database(error)
    }
}

/// Turns a unique-key violation into a conflict on `what`; other errors stay database errors.
fn conflict_on(what: &'static str) -> impl Fn(DbErr) -> StoreError {
    move |error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(what),
        _ => StoreError::Database(error),
    }
}

/// How long a cached client or user may be stale on other instances.
pub const CACHE_TTL: Duration = Duration::from_secs(5);
const CACHE_CAPACITY: usize = 10_000;

/// The database handle and its read caches; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    clients: std::sync::Arc<cache::TtlCache<String, clients::StoredClient>>,
    users: std::sync::Arc<cache::TtlCache<uuid::Uuid, crate::domain::User>>,
    /// Every Social Login Key, read by each login page and authorization request.
    social_login_keys:
        std::sync::Arc<cache::TtlCache<(), std::sync::Arc<Vec<social_login_keys::StoredSocialLoginKey>>>>,
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn connect_without_migrating(url: &str) -> Result<Self, StoreError> {
        let sqlite = url.starts_with("sqlite:");
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(if sqlite { 8 } else { 20 })
            .min_connections(1)
            // An unreachable database is a fast 503 (crate::outage), not a hang.
            .connect_timeout(Duration::from_secs(2))
            .acquire_timeout(Duration::from_secs(2))
            .sqlx_logging(false);
        let db = Database::connect(options).await?;
        if sqlite {
            // WAL lets readers proceed while the CLI or another writer holds the lock.
            db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
            db.execute_unprepared("PRAGMA foreign_keys=ON").await?;
        }
        Ok(Self {
            db,
            clients: std::sync::Arc::new(cache::TtlCache::new(CACHE_TTL, CACHE_CAPACITY)),
            users: std::sync::Arc::new(cache::TtlCache::new(CACHE_TTL, CACHE_CAPACITY)),
            social_login_keys: std::sync::Arc::new(cache::TtlCache::new(CACHE_TTL, 1)),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// The names of the migrations this build would apply, oldest first.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        let pending = Migrator::get_pending_migrations(&self.db).await?;
        Ok(pending.iter().map(|migration| migration.name().to_owned()).collect())
    }

    /// A transaction that writes. On SQLite it begins IMMEDIATE, taking the write lock at
    /// once (waiting for it as long as the busy timeout allows): a deferred transaction whose
    /// read turns into a write after another writer committed fails with "database is
    /// locked" instead. PostgreSQL ignores the mode.
    async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, DbErr> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        self.db.begin_with_options(options).await
    }

    /// For readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }
}

/// Which slice of a list to read.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub limit: u64,
    pub offset: u64,
}

impl Window {
    /// The whole list, for the CLI and for checks across every row.
    pub const ALL: Window = Window { limit: i64::MAX as u64, offset: 0 };
}

/// How far a list's `total` counts: enough for any page a person turns to, cheap however
/// large the table grows (a full COUNT(*) over ten million audit events takes seconds).
pub const COUNT_LIMIT: u64 = 10_000;

/// One slice of a list, with how far the whole list reaches.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub extent: Extent,
}

/// The whole list a page was cut from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extent {
    /// Items in the whole list, counted up to `COUNT_LIMIT`.
    pub total: u64,
    /// There are more than `total` (the count stopped at `COUNT_LIMIT`).
    pub total_is_lower_bound: bool,
    /// Items follow this page.
    pub has_more: bool,
}

/// Reads one window of `query` (one item more, to know whether more follow) and counts
/// the whole of it up to `COUNT_LIMIT`.
async fn paginate<E, M>(
    db: &DatabaseConnection,
    query: sea_orm::Select<E>,
    window: Window,
) -> Result<Page<M>, StoreError>
where
    E: sea_orm::EntityTrait<Model = M>,
    M: sea_orm::FromQueryResult + Send + Sync,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    // `count` keeps the limit inside its COUNT(*) subquery.
    let counted = query.clone().limit(COUNT_LIMIT + 1).count(db).await?;
    let fetch = window.limit.saturating_add(1).min(i64::MAX as u64);
    let mut items = query.offset(window.offset).limit(fetch).all(db).await?;
    let has_more = items.len() as u64 > window.limit;
    items.truncate(usize::try_from(window.limit).unwrap_or(usize::MAX));
    let extent = Extent { total: counted.min(COUNT_LIMIT), total_is_lower_bound: counted > COUNT_LIMIT, has_more };
    Ok(Page { items, extent })
}

/// `text` for a LIKE pattern, its wildcards escaped with `\\`.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A case-insensitive substring pattern for LIKE.
fn contains_pattern(text: &str) -> String {
    format!("%{}%", like_escaped(&text.to_lowercase()))
}

/// `column LIKE 'prefix%' ESCAPE '\\'`, with the wildcards in `prefix` taken literally.
fn starts_with<C: sea_orm::ColumnTrait>(column: C, prefix: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    Expr::col(column).like(LikeExpr::new(format!("{}%", like_escaped(prefix))).escape('\\'))
}

/// `lower(column) LIKE pattern ESCAPE '\'`, the same on SQLite and PostgreSQL.
fn lower_contains<C: sea_orm::ColumnTrait>(column: C, text: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(contains_pattern(text)).escape('\\'))
}

fn json_strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn to_json_strings<S: AsRef<str>>(items: &[S]) -> serde_json::Value {
    serde_json::Value::Array(items.iter().map(|s| serde_json::Value::String(s.as_ref().to_owned())).collect())
}
