//! What the token endpoint issues: RFC 9068 JWT access tokens, ID tokens (OIDC Core §2,
//! RS256 or the client's HS256), rotating refresh tokens, and the response around them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
use uuid::Uuid;

use crate::domain::sign_in::acr_of;
use crate::domain::{Client, ScopeSet, SigningAlg, User, claims};
use crate::keys::TokenType;
use crate::keys::jwe::Content;
use crate::oidc::{OAuthError, encryption};
use crate::secrets::{random_token, token_digest};
use crate::state::AppState;
use crate::store::refresh_tokens::RefreshGrant;

/// The authentication behind a user's tokens.
pub struct UserGrant<'a> {
    pub user: &'a User,
    /// The user's `sub` for this client (`subjects::issue`).
    pub subject: &'a str,
    pub auth_time: i64,
    pub amr: &'a [String],
    /// Carried from an upstream sign-in; absent for the hub's own password login.
    pub acr: Option<&'a str>,
    pub sid: Option<&'a str>,
    /// User claims the `claims` parameter asked for in the ID token.
    pub id_token_claims: &'a [String],
    pub grant_id: Uuid,
}

pub enum Subject<'a> {
    User(&'a UserGrant<'a>),
    /// client_credentials: the client is the subject.
    Client,
}

pub struct AccessToken {
    pub token: String,
    pub expires_in: u64,
}

pub fn access_token(
    state: &AppState,
    client: &Client,
    subject: &Subject<'_>,
    scope: &ScopeSet,
) -> Result<AccessToken, OAuthError> {
    let now = Utc::now().timestamp();
    let expires_in = state.settings.access_token_ttl_secs;
    let mut claims = json!({
        "iss": state.issuer(),
        // The resource is the hub itself (userinfo, the admin API); `client_id` names
        // the client, so an ID token (aud = client) can never pass for one (RFC 9068 §3).
        "aud": state.issuer(),
        "client_id": client.client_id,
        "iat": now,
        "exp": now + i64::try_from(expires_in).unwrap_or(i64::MAX / 2),
        "jti": Uuid::new_v4().to_string(),
        "scope": scope.to_string(),
    });
    match subject {
        Subject::User(grant) => {
            claims["sub"] = json!(grant.subject);
            claims["auth_time"] = json!(grant.auth_time);
            claims["gid"] = json!(grant.grant_id);
            if let Some(sid) = grant.sid {
                claims["sid"] = json!(sid);
            }
        }
        Subject::Client => claims["sub"] = json!(client.client_id),
    }
    // Never HS256 (settings refuse it): access tokens are verified with the hub's keys.
    let alg = state.settings.access_token_signing_alg;
    let token =
        state.keys.sign_for_client(alg, &claims, TokenType::AccessToken, None).map_err(|e| OAuthError::internal(&e))?;
    Ok(AccessToken { token, expires_in })
}

/// What an ID token is bound to besides the user (OIDC Core §3.1.3.6, §3.3.2.11): the
/// request's nonce, and the access token and the code issued with it (`at_hash`,
/// `c_hash`).
#[derive(Default, Clone, Copy)]
pub struct Bindings<'a> {
    pub nonce: Option<&'a str>,
    pub access_token: Option<&'a str>,
    pub code: Option<&'a str>,
    /// The scopes' user claims are for userinfo, not this ID token: one that travels the
    /// front channel while an access token exists or will (OIDC Core §5.4).
    pub claims_at_userinfo: bool,
}

/// The ID token for `client`, signed as it registered (`secret`: its secret in clear, for
/// HS256), and encrypted to its key when it registered that.
pub async fn id_token(
    state: &AppState,
    client: &Client,
    secret: Option<&[u8]>,
    grant: &UserGrant<'_>,
    scope: &ScopeSet,
    bindings: Bindings<'_>,
) -> Result<String, OAuthError> {
    let now = Utc::now().timestamp();
    let client_id = &client.client_id;
    let alg = client.id_token_signed_response_alg;
    let mut claims = json!({
        "iss": state.issuer(),
        "sub": grant.subject,
        "aud": client_id,
        "azp": client_id,
        "iat": now,
        "exp": now + i64::try_from(state.settings.id_token_ttl_secs).unwrap_or(i64::MAX / 2),
        "auth_time": grant.auth_time,
    });
    // An upstream that names no method leaves `amr` out rather than empty.
    if !grant.amr.is_empty() {
        claims["amr"] = json!(grant.amr);
    }
    if let Some(nonce) = bindings.nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(access_token) = bindings.access_token {
        claims["at_hash"] = json!(half_hash(alg, access_token));
    }
    if let Some(code) = bindings.code {
        claims["c_hash"] = json!(half_hash(alg, code));
    }
    if let Some(sid) = grant.sid {
        claims["sid"] = json!(sid);
    }
    claims["acr"] = json!(acr_of(grant.acr));
    if let Value::Object(map) = &mut claims {
        if !bindings.claims_at_userinfo {
            map.extend(claims::user_claims(grant.user, scope));
        }
        map.extend(claims::named_claims(grant.user, grant.id_token_claims, scope));
    }
    let signed =
        state.keys.sign_for_client(alg, &claims, TokenType::IdToken, secret).map_err(|e| OAuthError::internal(&e))?;
    match client.id_token_encryption {
        Some(encryption) => encryption::seal(state, client, encryption, signed.as_bytes(), Content::Jwt).await,
        None => Ok(signed),
    }
}

/// `at_hash` / `c_hash` (OIDC Core §3.1.3.6): the left half of the hash the ID token's
/// `alg` uses, base64url. SHA-256 for the 256 algorithms; SHA-512 for Ed25519, as
/// certified relying parties compute it.
pub fn half_hash(alg: SigningAlg, value: &str) -> String {
    match alg {
        SigningAlg::EdDSA => {
            let digest = Sha512::digest(value.as_bytes());
            URL_SAFE_NO_PAD.encode(&digest[..32])
        }
        SigningAlg::RS256 | SigningAlg::PS256 | SigningAlg::ES256 | SigningAlg::HS256 => {
            let digest = Sha256::digest(value.as_bytes());
            URL_SAFE_NO_PAD.encode(&digest[..16])
        }
    }
}

/// Whether this grant gets a refresh token: only a client registered for the
/// refresh_token grant can use one. Such clients get one with or without
/// `offline_access` (SPEC §4); for the others `offline_access` changes nothing.
pub fn wants_refresh_token(client: &Client) -> bool {
    client.allows_grant(crate::domain::GrantType::RefreshToken)
}

pub async fn refresh_token(state: &AppState, grant: &RefreshGrant) -> Result<String, OAuthError> {
    let token = random_token().map_err(|e| OAuthError::internal(&e))?;
    let ttl = chrono::Duration::seconds(i64::try_from(state.settings.refresh_token_ttl_secs).unwrap_or(i64::MAX / 4));
    state
        .store
        .insert_refresh_token(token_digest(&token), grant, Utc::now() + ttl)
        .await
        .map_err(|e| OAuthError::internal(&e))?;
    Ok(token)
}

pub fn response(
    access: AccessToken,
    scope: &ScopeSet,
    id_token: Option<String>,
    refresh_token: Option<String>,
) -> Value {
    let mut body = json!({
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": access.expires_in,
    });
    // An empty scope is not a valid `scope` value (RFC 6749 §3.3): leave it out.
    if !scope.is_empty() {
        body["scope"] = json!(scope.to_string());
    }
    if let Some(id_token) = id_token {
        body["id_token"] = json!(id_token);
    }
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    body
}

/// Revokes a grant whose code or refresh token was replayed: what it issued stops working.
pub async fn revoke_replayed(state: &AppState, grant_id: Uuid) -> Result<(), OAuthError> {
    let revoked = crate::grants::revoke(state, grant_id).await.map_err(|e| OAuthError::internal(&e))?;
    tracing::warn!(%grant_id, refresh_tokens_revoked = revoked, "grant revoked after token reuse");
    Ok(())
}
