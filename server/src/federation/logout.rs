//! `POST /upstream/{slug}/backchannel-logout`: an upstream tells the hub that a user's
//! session there has ended (Back-Channel Logout 1.0, the hub as RP). The logout token is
//! validated (§2.6): signature through the upstream's JWKS, or its client secret for
//! HMAC, on the same algorithm allow-list as ID tokens; `iss`, `aud`, `iat`, `exp`
//! (required, as in the final specification), `jti`
//! (accepted once), the logout event, `sid` or `sub`, and no `nonce`. The hub sessions
//! signed in through that upstream session end, and their clients are told in turn.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::Validation;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, IntoResponse, Request, Response, handler};
use serde_json::{Map, Value, json};

use super::UpstreamError;
use super::metadata::{self, ResolvedUpstream};
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::social_login_key::SocialLoginKey;
use crate::http::extract;
use crate::outbound::Outbound;
use crate::outbound::foreign_jwt::{self, ForeignJwtError, SIGNED_ALGS, VerifyingKeys};
use crate::secrets::token_digest;
use crate::session::Space;
use crate::sso::{self, LOGOUT_EVENT as EVENT};
use crate::state::AppState;

/// Clock skew tolerated on `iat` and `exp`.
const LEEWAY_SECS: u64 = 60;
/// How long a `jti` is remembered; older tokens are refused by `iat` anyway.
const REPLAY_WINDOW: Duration = Duration::from_secs(600);

#[handler]
pub async fn backchannel(
    req: &Request,
    body: Body,
    Path(slug): Path<String>,
    Data(state): Data<&AppState>,
) -> Response {
    let params = match extract::form_params(req, body).await {
        Ok(params) => params,
        Err(error) => return refuse(&error.to_string()),
    };
    let Some(token) = params.get("logout_token") else { return refuse("logout_token is required") };
    let stored = match state.store.find_social_login_key(&slug).await {
        Ok(Some(stored)) => stored,
        Ok(None) => return refuse("no such social login key"),
        Err(error) => return unavailable(&error),
    };
    let secret = match super::client_secret(&state.master, &stored) {
        Ok(secret) => secret,
        Err(error) => return unavailable(error.as_ref()),
    };
    let upstream = match metadata::resolve(&state.outbound, &stored.key).await {
        Ok(upstream) => upstream,
        Err(error) => return unavailable(&error),
    };
    let claims =
        match validate(&state.outbound, &stored.key, &upstream, secret.as_deref().map(str::as_bytes), token).await {
            Ok(claims) => claims,
            Err(Invalid::Token(reason)) => {
                tracing::warn!(key = %slug, %reason, "logout token refused");
                return refuse(&reason);
            }
            Err(Invalid::Upstream(error)) => return unavailable(&error),
        };
    // Accepted once: a replayed token is refused (§2.6 step 10).
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let replay_key = token_digest(&format!("{}\u{0}{}", upstream.issuer, text("jti").unwrap_or_default()));
    match state.sessions.get::<bool>(Space::LogoutToken, &replay_key).await {
        Ok(Some(_)) => return refuse("this logout token was already used"),
        Ok(None) => {}
        Err(error) => return unavailable(&error),
    }

    let (sid, sub) = (text("sid"), text("sub"));
    let records = match state.store.sessions_from_upstream(&slug, sid, sub).await {
        Ok(records) => records,
        Err(error) => return unavailable(&error),
    };
    // Their apps are told in the background (back-channel logout, the hub as OP).
    if let Err(error) = sso::end_each(state, &records).await {
        return unavailable(&error);
    }
    // Remembered once it has done its work: an upstream that retries after a 503 is heard.
    if let Err(error) = state.sessions.put(Space::LogoutToken, &replay_key, &true, REPLAY_WINDOW).await {
        return unavailable(&error);
    }
    tracing::info!(key = %slug, sessions = records.len(), "upstream back-channel logout");
    for session in &records {
        let record = AuditRecord::new("logout.backchannel", Actor::Anonymous)
            .user(session.user_id)
            .target(format!("social-login-key:{slug}"))
            .detail(format!("session {} ended by the upstream", session.sid));
        state.audit(record).await;
    }
    // §2.8: 200, and never cached.
    Response::builder().status(StatusCode::OK).header("cache-control", "no-store").finish()
}

enum Invalid {
    /// The token is not a valid logout token: 400.
    Token(String),
    /// The hub could not check it (the upstream's keys are unreachable): 503.
    Upstream(UpstreamError),
}

async fn validate(
    outbound: &Outbound,
    key: &SocialLoginKey,
    upstream: &ResolvedUpstream,
    secret: Option<&[u8]>,
    token: &str,
) -> Result<Map<String, Value>, Invalid> {
    let bad = |reason: &str| Invalid::Token(reason.to_owned());
    let failed = |error: ForeignJwtError| match error {
        ForeignJwtError::Invalid(reason) => Invalid::Token(reason),
        ForeignJwtError::Unavailable(fetch) => Invalid::Upstream(fetch.into()),
    };
    let header = foreign_jwt::header(token, SIGNED_ALGS).map_err(failed)?;
    if header
        .typ
        .as_deref()
        .is_some_and(|typ| !typ.eq_ignore_ascii_case("logout+jwt") && !typ.eq_ignore_ascii_case("JWT"))
    {
        return Err(bad("typ is not logout+jwt"));
    }
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[&key.client_id]);
    if upstream.issuer_template.is_none() {
        validation.set_issuer(&[&upstream.issuer]);
    }
    validation.required_spec_claims = HashSet::from(["iss".to_owned(), "aud".to_owned(), "exp".to_owned()]);
    validation.leeway = LEEWAY_SECS;
    let keys = if foreign_jwt::is_hmac(header.alg) {
        VerifyingKeys::Secret(secret.ok_or_else(|| bad("an HMAC-signed token, and the hub has no client secret"))?)
    } else {
        VerifyingKeys::Url(upstream.jwks_uri.as_deref().ok_or_else(|| bad("the upstream publishes no keys"))?)
    };
    let claims =
        foreign_jwt::verify(outbound, &outbound.http, token, &header, keys, &validation).await.map_err(failed)?;

    if !upstream.tenant_issuer_matches(&claims) {
        return Err(bad("iss does not match its tenant"));
    }
    let now = Utc::now().timestamp();
    match claims.get("iat").and_then(Value::as_i64) {
        Some(iat) if iat <= now + LEEWAY_SECS as i64 && iat >= now - REPLAY_WINDOW.as_secs() as i64 => {}
        Some(_) => return Err(bad("iat is out of range")),
        None => return Err(bad("iat is required")),
    }
    if claims.get("jti").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(bad("jti is required"));
    }
    if !claims.get("events").and_then(|events| events.get(EVENT)).is_some_and(Value::is_object) {
        return Err(bad("events has no back-channel logout event"));
    }
    let names = |name: &str| claims.get(name).and_then(Value::as_str).is_some_and(|v| !v.is_empty());
    if !names("sid") && !names("sub") {
        return Err(bad("neither sid nor sub"));
    }
    if claims.contains_key("nonce") {
        return Err(bad("a logout token must not have a nonce"));
    }
    Ok(claims)
}

/// §2.8: 400 with an OAuth error body.
fn refuse(reason: &str) -> Response {
    let body = json!({ "error": "invalid_request", "error_description": reason });
    (StatusCode::BAD_REQUEST, poem::web::Json(body)).with_header("cache-control", "no-store").into_response()
}

fn unavailable(error: &dyn std::error::Error) -> Response {
    tracing::error!(error = %crate::telemetry::ErrorChain(error), "back-channel logout could not be processed");
    let body = json!({ "error": "temporarily_unavailable", "error_description": "try again later" });
    (StatusCode::SERVICE_UNAVAILABLE, poem::web::Json(body)).with_header("cache-control", "no-store").into_response()
}
