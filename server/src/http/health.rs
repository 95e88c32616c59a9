//! `/healthz` (the process answers) and `/readyz` (its database and session store answer).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{IntoResponse, Response, handler};

use crate::state::AppState;

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

#[handler]
pub async fn readyz(Data(state): Data<&AppState>) -> Response {
    // Both at once: each waits at most its own timeout.
    let (database, sessions) = tokio::join!(state.store.ping(), state.sessions.ping());
    match (database, sessions) {
        (Ok(()), Ok(())) => "ready".into_response(),
        (database, sessions) => {
            tracing::warn!(database_ok = database.is_ok(), sessions_ok = sessions.is_ok(), "not ready");
            if database.is_err() {
                crate::telemetry::metrics::unavailable(crate::outage::Unreachable::Database.label());
            }
            if sessions.is_err() {
                crate::telemetry::metrics::unavailable(crate::outage::Unreachable::SessionStore.label());
            }
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response();
            response.headers_mut().insert(poem::http::header::RETRY_AFTER, crate::outage::RETRY_AFTER_SECS.into());
            response
        }
    }
}
