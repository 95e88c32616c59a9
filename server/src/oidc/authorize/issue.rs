//! What a successful authorization response carries (OIDC Core §3.1.2.5): a single-use
//! authorization code bound to the client, the redirect URI, PKCE, the nonce and the
//! session it was issued in.

use uuid::Uuid;

use super::pending::AuthorizationRequest;
use crate::config::Settings;
use crate::oidc::code::{self, AuthorizationCode};
use crate::session::browser::BrowserSession;
use crate::state::AppState;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The response's parameters (besides `state` and `iss`, which delivery adds).
pub async fn authorization_response(
    state: &AppState,
    request: &AuthorizationRequest,
    session: &BrowserSession,
) -> Result<Vec<(&'static str, String)>, Error> {
    let code = AuthorizationCode {
        client_id: request.client_id.clone(),
        redirect_uri: request.target.redirect_uri.clone(),
        user_id: session.user_id,
        scope: request.scope.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        auth_time: session.auth_time,
        amr: session.amr.clone(),
        acr: session.acr.clone(),
        sid: session.sid.clone(),
        grant_id: Uuid::new_v4(),
    };
    let value = code::issue(&state.sessions, &code, Settings::secs(state.settings.authorization_code_ttl_secs)).await?;
    // Back-channel logout tells each client that took part when the session ends.
    state.store.record_session_client(&session.sid, &request.client_id).await?;
    tracing::info!(client_id = %request.client_id, user = %session.user_id, "authorization code issued");
    Ok(vec![("code", value)])
}
