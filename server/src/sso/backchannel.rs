//! OpenID Connect Back-Channel Logout 1.0, the hub as OP: when an SSO session ends
//! (signed out, replaced, revoked by an administrator, ended by an upstream's logout),
//! every client that took part in it and registered a `backchannel_logout_uri` is sent a
//! logout token naming the session (`sid`) and the user (`sub`, and the user claims the
//! client chose, for apps that find their user by another name). Delivery runs in the
//! background with the outbound client's timeouts; a client that does not answer 200 is
//! logged, not retried.

use chrono::Utc;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::accounts;
use crate::domain::{Client, SigningAlg, claims};
use crate::keys::TokenType;
use crate::state::AppState;
use crate::store::StoreError;

/// The event that makes a JWT a logout token (§2.4).
pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How long a logout token is valid: long enough for delivery, short against replay.
const LIFETIME_SECS: i64 = 120;

/// Tells each client of the ended session `sid`, in the background.
pub(super) fn notify(state: &AppState, sid: &str, user_id: Uuid, clients: Vec<String>) {
    for client_id in clients {
        let task_state = state.clone();
        let sid = sid.to_owned();
        state.background.spawn(async move { deliver(&task_state, &client_id, &sid, user_id).await });
    }
}

async fn deliver(state: &AppState, client_id: &str, sid: &str, user_id: Uuid) {
    let client = match state.store.find_client(client_id).await {
        Ok(Some(stored)) => stored,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(client_id, error = %crate::telemetry::ErrorChain(&error), "back-channel logout skipped");
            return;
        }
    };
    let Some(uri) = client.client.backchannel_logout_uri.clone() else { return };
    // Without them the app may not find its user, but the logout still goes out.
    let user_claims = user_claims(state, &client.client, user_id).await.unwrap_or_else(|error| {
        tracing::warn!(client_id, error = %crate::telemetry::ErrorChain(&error), "logout token without user claims");
        Map::new()
    });
    let token = match logout_token(state, &client.client, client.secret_sealed.as_deref(), sid, user_id, user_claims) {
        Ok(token) => token,
        Err(error) => {
            tracing::warn!(client_id, %error, "logout token not signed");
            return;
        }
    };
    let http = state.outbound.for_client(&client.client, state.settings.registration_allow_private_urls);
    let sent = http.post(&uri).form(&[("logout_token", token)]).send().await;
    match sent {
        Ok(response) if response.status().is_success() => {
            tracing::info!(client_id, sid, "back-channel logout delivered");
        }
        Ok(response) => tracing::warn!(client_id, status = response.status().as_u16(), "back-channel logout refused"),
        Err(error) => {
            tracing::warn!(client_id, error = %crate::outbound::describe(&error), "back-channel logout failed")
        }
    }
}

/// The user claims the client chose for its logout tokens (`backchannel_logout_claims`),
/// of those the user granted it (every scope it may ask for, for a client that skips
/// consent), so that a logout token tells the app nothing its ID tokens could not. An
/// e-mail address only when it names this user alone: the app finds its user by it.
async fn user_claims(state: &AppState, client: &Client, user_id: Uuid) -> Result<Map<String, Value>, StoreError> {
    if client.backchannel_logout_claims.is_empty() {
        return Ok(Map::new());
    }
    let granted = match client.skip_authorization {
        true => Some(client.scope.clone()),
        false => state.store.granted_scopes(user_id, &client.client_id, Utc::now()).await?,
    };
    let (Some(granted), Some(user)) = (granted, state.store.find_user(user_id).await?) else { return Ok(Map::new()) };
    let mut claims = claims::named_claims(&user, &client.backchannel_logout_claims, &granted);
    if let Some(email) = user.email.as_deref().filter(|_| claims.contains_key("email"))
        && (!user.email_verified || !accounts::email_names_one_user(&state.store, email).await?)
    {
        claims.remove("email");
    }
    Ok(claims)
}

/// §2.4: `iss`, `aud`, `iat`, `exp`, `jti`, `events`, `sid` and `sub`, never `nonce`;
/// signed as the client's ID tokens are.
fn logout_token(
    state: &AppState,
    client: &Client,
    secret_sealed: Option<&[u8]>,
    sid: &str,
    user_id: Uuid,
    user_claims: Map<String, Value>,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let now = Utc::now().timestamp();
    let mut claims = json!({
        "iss": state.issuer(),
        "aud": client.client_id,
        "iat": now,
        "exp": now + LIFETIME_SECS,
        "jti": Uuid::new_v4().to_string(),
        "events": { EVENT: {} },
        "sid": sid,
        "sub": crate::subjects::of(state, client, user_id),
    });
    if let Value::Object(token) = &mut claims {
        token.extend(user_claims);
    }
    let alg = client.id_token_signed_response_alg;
    let secret = match (alg, secret_sealed) {
        (SigningAlg::HS256, Some(sealed)) => Some(state.master.open(crate::domain::client::SECRET_CONTEXT, sealed)?),
        _ => None,
    };
    Ok(state.keys.sign_for_client(alg, &claims, TokenType::LogoutToken, secret.as_deref())?)
}
