//! Single sign-on sessions as the rest of the hub sees them: the session in the session
//! store (what a cookie resolves to) and its row in the database index (what an
//! administrator lists and ends), created and removed together.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::session::browser::{self, Authentication, BrowserSession, BrowserSessionError, Lifetimes, UpstreamLogin};
use crate::session::{SessionError, SessionStore};
use crate::store::sessions::SessionRecord;
use crate::store::{Page, Store, StoreError, Window};

#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Browser(#[from] BrowserSessionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A session that has just ended, with the clients that took part in it: what
/// back-channel logout tells them.
#[derive(Debug, Clone)]
pub struct EndedSession {
    pub sid: String,
    pub user_id: Uuid,
    pub clients: Vec<String>,
    /// The upstream sign-in it came from, if any.
    pub upstream: Option<UpstreamLogin>,
}

/// Where a sign-in came from, for the session list.
pub struct Origin<'a> {
    pub address: &'a str,
    pub user_agent: Option<&'a str>,
}

/// Starts a session for a user who has just authenticated; returns the cookie value.
pub async fn sign_in(
    store: &Store,
    sessions: &SessionStore,
    lifetimes: Lifetimes,
    authentication: Authentication,
    origin: Origin<'_>,
) -> Result<(String, BrowserSession), SessionsError> {
    let (cookie, session) = browser::start(sessions, lifetimes, authentication).await?;
    let user_id = session.user_id;
    let created_at = timestamp(session.created_at);
    let absolute = chrono::Duration::from_std(lifetimes.absolute).unwrap_or(chrono::Duration::MAX);
    let record = SessionRecord {
        sid: session.sid.clone(),
        user_id,
        store_key: browser::store_key(&cookie),
        amr: session.amr.clone(),
        created_at,
        auth_time: timestamp(session.auth_time),
        expires_at: created_at.checked_add_signed(absolute).unwrap_or(DateTime::<Utc>::MAX_UTC),
        address: Some(origin.address.to_owned()),
        user_agent: origin.user_agent.map(|agent| agent.chars().take(256).collect()),
        upstream: session.upstream.clone(),
    };
    if let Err(error) = store.insert_session(&record).await {
        // An unindexed session could not be ended by an administrator: do not keep it.
        browser::end(sessions, &cookie).await?;
        return Err(error.into());
    }
    Ok((cookie, session))
}

/// Ends the session behind a cookie (sign-out, or a new sign-in replacing it).
pub async fn sign_out(
    store: &Store,
    sessions: &SessionStore,
    cookie: &str,
) -> Result<Option<EndedSession>, SessionsError> {
    match store.find_session_by_store_key(&browser::store_key(cookie)).await? {
        Some(record) => Ok(Some(end_indexed(store, sessions, &record).await?)),
        // Not in the index (it was never written, or was swept): the store may hold it still.
        None => {
            browser::end(sessions, cookie).await?;
            Ok(None)
        }
    }
}

/// Ends one session by its `sid`; `None` when there was none.
pub async fn end(store: &Store, sessions: &SessionStore, sid: &str) -> Result<Option<EndedSession>, SessionsError> {
    let Some(record) = store.find_session(sid).await? else { return Ok(None) };
    Ok(Some(end_indexed(store, sessions, &record).await?))
}

/// Ends every session of the user.
pub async fn end_all(
    store: &Store,
    sessions: &SessionStore,
    user_id: Uuid,
) -> Result<Vec<EndedSession>, SessionsError> {
    end_each(store, sessions, &store.sessions_of_user(user_id).await?).await
}

/// Ends each of these sessions.
pub async fn end_each(
    store: &Store,
    sessions: &SessionStore,
    records: &[SessionRecord],
) -> Result<Vec<EndedSession>, SessionsError> {
    let mut ended = Vec::with_capacity(records.len());
    for record in records {
        ended.push(end_indexed(store, sessions, record).await?);
    }
    Ok(ended)
}

async fn end_indexed(
    store: &Store,
    sessions: &SessionStore,
    record: &SessionRecord,
) -> Result<EndedSession, SessionsError> {
    // Read before the row goes: its clients go with it.
    let clients = store.session_clients(&record.sid).await?;
    browser::end_by_key(sessions, &record.store_key).await?;
    store.delete_session(&record.sid).await?;
    Ok(EndedSession { sid: record.sid.clone(), user_id: record.user_id, clients, upstream: record.upstream.clone() })
}

/// Whether the session with this `sid` is still live.
pub async fn is_live(store: &Store, sessions: &SessionStore, sid: &str) -> Result<bool, SessionsError> {
    match store.find_session(sid).await? {
        Some(record) => Ok(browser::is_live(sessions, &record.store_key).await?),
        None => Ok(false),
    }
}

/// Live sessions, newest first. Sessions that ended without a sign-out (idle timeout, a
/// Redis eviction) are dropped from the index as the listing meets them.
pub async fn list(
    store: &Store,
    sessions: &SessionStore,
    user_id: Option<Uuid>,
    window: Window,
) -> Result<Page<SessionRecord>, SessionsError> {
    // A few passes: each removes the dead rows it saw, so the next one reads live ones.
    for _ in 0..3 {
        let page = store.list_sessions(user_id, window).await?;
        let mut dead = false;
        for record in &page.items {
            if !browser::is_live(sessions, &record.store_key).await? {
                store.delete_session(&record.sid).await?;
                dead = true;
            }
        }
        if !dead {
            return Ok(page);
        }
    }
    Ok(store.list_sessions(user_id, window).await?)
}

fn timestamp(unix_seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix_seconds, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}
