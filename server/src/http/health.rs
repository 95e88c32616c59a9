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
    let database = state.store.ping().await;
    let sessions = state.sessions.ping().await;
    match (database, sessions) {
        (Ok(()), Ok(())) => "ready".into_response(),
        (database, sessions) => {
            tracing::warn!(database_ok = database.is_ok(), sessions_ok = sessions.is_ok(), "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
        }
    }
}
