//! What a successful authorization response carries (OIDC Core §3.1.2.5, §3.2.2.5,
//! §3.3.2.5), as the response type asks: a single-use authorization code bound to the
//! client, the redirect URI, PKCE, the nonce and the session; an access token; an ID token
//! bound to the nonce and to what it came with (`at_hash`, `c_hash`). Everything issued
//! here belongs to one grant, so a replayed code revokes the tokens that came with it.

use uuid::Uuid;

use super::pending::AuthorizationRequest;
use crate::config::Settings;
use crate::domain::client::SECRET_CONTEXT;
use crate::domain::{ResponseType, scope};
use crate::oidc::code::{self, AuthorizationCode};
use crate::oidc::token::issue::{self as tokens, Bindings, Subject, UserGrant};
use crate::session::browser::BrowserSession;
use crate::state::AppState;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The response's parameters (besides `state` and `iss`, which delivery adds) for the
/// app at `redirect_uri`.
pub async fn authorization_response(
    state: &AppState,
    request: &AuthorizationRequest,
    redirect_uri: &str,
    session: &BrowserSession,
) -> Result<Vec<(&'static str, String)>, Error> {
    let response_type = request.response_type;
    let grant_id = Uuid::new_v4();
    let mut params = Vec::new();
    let stored = state.store.find_client(&request.client_id).await?.ok_or("the client is gone")?;
    let subject = crate::subjects::issue(state, &stored.client, session.user_id).await?;
    let code = if response_type.issues_code() {
        let code = AuthorizationCode {
            client_id: request.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            user_id: session.user_id,
            subject: Some(subject.clone()),
            scope: request.scope.clone(),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            auth_time: session.auth_time,
            amr: session.amr.clone(),
            acr: session.acr.clone(),
            sid: session.sid.clone(),
            id_token_claims: request.id_token_claims.clone(),
            grant_id,
        };
        let ttl = Settings::secs(state.settings.authorization_code_ttl_secs);
        let value = code::issue(&state.sessions, &code, ttl).await?;
        params.push(("code", value.clone()));
        Some(value)
    } else {
        None
    };
    if response_type.uses_implicit() {
        let user = state.store.find_user(session.user_id).await?.filter(|u| !u.disabled).ok_or("the user is gone")?;
        let grant = UserGrant {
            user: &user,
            subject: &subject,
            auth_time: session.auth_time,
            amr: &session.amr,
            acr: session.acr.as_deref(),
            sid: Some(&session.sid),
            id_token_claims: &request.id_token_claims,
            grant_id,
        };
        let access = if response_type.issues_access_token() {
            let access = tokens::access_token(state, &stored.client, &Subject::User(&grant), &request.scope)?;
            params.push(("access_token", access.token.clone()));
            params.push(("token_type", "Bearer".to_owned()));
            params.push(("expires_in", access.expires_in.to_string()));
            params.push(("scope", request.scope.to_string()));
            Some(access)
        } else {
            None
        };
        if response_type.issues_id_token() && request.scope.contains(scope::OPENID) {
            let secret = match &stored.secret_sealed {
                Some(sealed) => Some(state.master.open(SECRET_CONTEXT, sealed)?),
                None => None,
            };
            let bindings = Bindings {
                nonce: request.nonce.as_deref(),
                access_token: access.as_ref().map(|a| a.token.as_str()),
                code: code.as_deref(),
                claims_at_userinfo: response_type != ResponseType::IdToken,
            };
            let id_token =
                tokens::id_token(state, &stored.client, secret.as_deref(), &grant, &request.scope, bindings).await?;
            params.push(("id_token", id_token));
        }
    }
    // Back-channel logout tells each client that took part when the session ends.
    state.store.record_session_client(&session.sid, &request.client_id).await?;
    tracing::info!(
        client_id = %request.client_id, user = %session.user_id, response_type = %response_type, "authorization issued"
    );
    Ok(params)
}
