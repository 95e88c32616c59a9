//! Outages of the database or the session store (SPEC §8): answered fast with 503 and
//! `Retry-After`, never a 500 or a hang, and healed without a restart (the pools and the
//! Redis connection reconnect by themselves; their timeouts bound every wait).

use sea_orm::{DbErr, RuntimeErr, SqlxError};

use crate::session::SessionError;
use crate::store::StoreError;

/// What `Retry-After` says: about how long a restart of Redis or a database failover takes.
pub const RETRY_AFTER_SECS: u64 = 5;

/// What could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreachable {
    Database,
    SessionStore,
}

impl Unreachable {
    pub fn label(self) -> &'static str {
        match self {
            Unreachable::Database => "database",
            Unreachable::SessionStore => "session_store",
        }
    }
}

/// Whether `error`, or anything that caused it, is the database or the session store
/// being unreachable (rather than a fault of the request's or of ours), about to be
/// answered with a 503: which store, counted in the metrics (`hub_unavailable_total`).
/// None for any other failure.
pub fn report(error: &(dyn std::error::Error + 'static)) -> Option<Unreachable> {
    let unreachable = of(error)?;
    crate::telemetry::metrics::unavailable(unreachable.label());
    Some(unreachable)
}

/// The chain is searched for the store's, the session store's, the database driver's and
/// Redis's own errors, since wrappers (`#[error(transparent)]`) hide some layers of it.
fn of(error: &(dyn std::error::Error + 'static)) -> Option<Unreachable> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        let database = matches!(error.downcast_ref::<StoreError>(), Some(StoreError::Database(db)) if unreachable(db))
            || error.downcast_ref::<DbErr>().is_some_and(unreachable);
        if database {
            return Some(Unreachable::Database);
        }
        let session_store = matches!(error.downcast_ref::<SessionError>(), Some(SessionError::Unavailable(_)))
            || error.downcast_ref::<redis::RedisError>().is_some_and(|redis| {
                redis.is_io_error()
                    || redis.is_timeout()
                    || redis.is_connection_dropped()
                    || redis.is_connection_refusal()
            });
        if session_store {
            return Some(Unreachable::SessionStore);
        }
        cause = error.source();
    }
    None
}

/// No connection to be had, or the one in use broke: the database is down or unreachable.
fn unreachable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => matches!(
            sqlx.as_ref(),
            SqlxError::Io(_) | SqlxError::PoolTimedOut | SqlxError::PoolClosed | SqlxError::WorkerCrashed
        ),
        _ => false,
    }
}
