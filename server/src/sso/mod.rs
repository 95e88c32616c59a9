//! Single sign-on sessions (SPEC §4) as the rest of the hub sees them: the session in the
//! session store (what a cookie resolves to) and its row in the database index (what an
//! administrator lists and ends), created and removed together. Ending a session is one
//! operation that also tells its apps (`backchannel`), so no caller can forget to.

mod backchannel;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use backchannel::EVENT as LOGOUT_EVENT;

use crate::session::SessionError;
use crate::session::browser::{self, Authentication, BrowserSession, BrowserSessionError, Lifetimes, UpstreamLogin};
use crate::state::AppState;
use crate::store::sessions::SessionRecord;
use crate::store::{Page, StoreError, Window};

#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Browser(#[from] BrowserSessionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sessions that have just ended; their apps are being told in the background
/// (`AppState::background`).
#[derive(Debug, Default)]
pub struct Ended {
    /// How many sessions ended.
    pub count: usize,
    /// The upstream sign-in behind the (last) ended session, for signing out there too.
    pub upstream: Option<UpstreamLogin>,
}

/// Where a sign-in came from, for the session list.
pub struct Origin<'a> {
    pub address: &'a str,
    pub user_agent: Option<&'a str>,
}

/// Starts a session for a user who has just authenticated; returns the cookie value.
pub async fn start(
    state: &AppState,
    authentication: Authentication,
    origin: Origin<'_>,
) -> Result<(String, BrowserSession), SessionsError> {
    let lifetimes = Lifetimes::of(&state.settings);
    let (cookie, session) = browser::start(&state.sessions, lifetimes, authentication).await?;
    let created_at = timestamp(session.created_at);
    let absolute = chrono::Duration::from_std(lifetimes.absolute).unwrap_or(chrono::Duration::MAX);
    let record = SessionRecord {
        sid: session.sid.clone(),
        user_id: session.user_id,
        store_key: browser::store_key(&cookie),
        amr: session.amr.clone(),
        created_at,
        auth_time: timestamp(session.auth_time),
        expires_at: created_at.checked_add_signed(absolute).unwrap_or(DateTime::<Utc>::MAX_UTC),
        address: Some(origin.address.to_owned()),
        user_agent: origin.user_agent.map(|agent| agent.chars().take(256).collect()),
        upstream: session.upstream.clone(),
    };
    if let Err(error) = state.store.insert_session(&record).await {
        // An unindexed session could not be ended by an administrator: do not keep it.
        browser::end(&state.sessions, &cookie).await?;
        return Err(error.into());
    }
    Ok((cookie, session))
}

/// Raises the session behind `cookie` by a second factor: `amr` gains `methods` (RFC
/// 8176) and `acr` becomes `acr`. False when the session ended meanwhile.
pub async fn add_second_factor(
    state: &AppState,
    cookie: &str,
    mut session: BrowserSession,
    methods: &[&str],
    acr: &str,
) -> Result<Option<BrowserSession>, SessionsError> {
    for method in methods {
        if !session.amr.iter().any(|m| m == method) {
            session.amr.push((*method).to_owned());
        }
    }
    session.acr = Some(acr.to_owned());
    session.second_factor = true;
    if !browser::replace(&state.sessions, Lifetimes::of(&state.settings), cookie, &session).await? {
        return Ok(None);
    }
    state.store.update_session_amr(&session.sid, &session.amr).await?;
    Ok(Some(session))
}

/// The live session behind a session cookie, if any.
pub async fn current(state: &AppState, cookie: &str) -> Result<Option<BrowserSession>, SessionError> {
    browser::resume(&state.sessions, Lifetimes::of(&state.settings), cookie).await
}

/// Ends the session behind a cookie (sign-out, or a new sign-in replacing it).
pub async fn end_by_cookie(state: &AppState, cookie: &str) -> Result<Ended, SessionsError> {
    match state.store.find_session_by_store_key(&browser::store_key(cookie)).await? {
        Some(record) => end_each(state, &[record]).await,
        // Not in the index (it was never written, or was swept): the store may hold it still.
        None => {
            browser::end(&state.sessions, cookie).await?;
            Ok(Ended::default())
        }
    }
}

/// Ends one session by its `sid`; `None` when there was none.
pub async fn end(state: &AppState, sid: &str) -> Result<Option<Ended>, SessionsError> {
    let Some(record) = state.store.find_session(sid).await? else { return Ok(None) };
    Ok(Some(end_each(state, &[record]).await?))
}

/// Ends every session of the user.
pub async fn end_all(state: &AppState, user_id: Uuid) -> Result<Ended, SessionsError> {
    end_each(state, &state.store.sessions_of_user(user_id).await?).await
}

/// Ends each of these sessions and tells the apps that took part in them.
pub async fn end_each(state: &AppState, records: &[SessionRecord]) -> Result<Ended, SessionsError> {
    let mut ended = Ended::default();
    for record in records {
        // Read before the row goes: its clients go with it.
        let clients = state.store.session_clients(&record.sid).await?;
        browser::end_by_key(&state.sessions, &record.store_key).await?;
        state.store.delete_session(&record.sid).await?;
        backchannel::notify(state, &record.sid, record.user_id, clients);
        ended.count += 1;
        ended.upstream = record.upstream.clone().or(ended.upstream.take());
    }
    Ok(ended)
}

/// Whether the session with this `sid` is still live.
pub async fn is_live(state: &AppState, sid: &str) -> Result<bool, SessionsError> {
    match state.store.find_session(sid).await? {
        Some(record) => Ok(browser::is_live(&state.sessions, &record.store_key).await?),
        None => Ok(false),
    }
}

/// Live sessions, newest first. Sessions that ended without a sign-out (idle timeout, a
/// Redis eviction) are dropped from the index as the listing meets them.
pub async fn list(
    state: &AppState,
    user_id: Option<Uuid>,
    window: Window,
) -> Result<Page<SessionRecord>, SessionsError> {
    // A few passes: each removes the dead rows it saw, so the next one reads live ones.
    for _ in 0..3 {
        let page = state.store.list_sessions(user_id, window).await?;
        let mut dead = false;
        for record in &page.items {
            if !browser::is_live(&state.sessions, &record.store_key).await? {
                state.store.delete_session(&record.sid).await?;
                dead = true;
            }
        }
        if !dead {
            return Ok(page);
        }
    }
    Ok(state.store.list_sessions(user_id, window).await?)
}

fn timestamp(unix_seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix_seconds, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}
