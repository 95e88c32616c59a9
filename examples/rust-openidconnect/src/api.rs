//! The app as a resource server: its API accepts the hub's access tokens, and its
//! back-channel logout endpoint accepts the hub's logout tokens.

use std::sync::Arc;

use anyhow::{Context, ensure};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use openidconnect::AccessToken;
use openidconnect::TokenIntrospectionResponse;
use poem::http::StatusCode;
use poem::web::{Data, Form, Json};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::App;

/// `GET /api/me` with `Authorization: Bearer <access token>`: whose token it is. The hub's
/// introspection endpoint (RFC 7662) says whether the token is live, revoked tokens
/// included; the app authenticates there with its own client credentials. Only this
/// app's own tokens are taken: the hub's access tokens name the issuer as their audience,
/// whichever app they were issued to, so `client_id` tells them apart.
#[handler]
pub async fn me(req: &Request, Data(app): Data<&Arc<App>>) -> Response {
    let token = req.header("authorization").and_then(|value| value.strip_prefix("Bearer "));
    let Some(token) = token else { return unauthorized() };
    let token = AccessToken::new(token.to_owned());
    let own = app.hub.client.client_id();
    match app.hub.client.introspect(&token).request_async(&app.hub.http).await {
        Ok(answer) if answer.active() && answer.client_id() == Some(own) => {
            Json(json!({ "sub": answer.sub() })).into_response()
        }
        Ok(_) => unauthorized(),
        Err(error) => {
            eprintln!("introspection failed: {error}");
            StatusCode::BAD_GATEWAY.into_response()
        }
    }
}

fn unauthorized() -> Response {
    Response::builder()
        .status(StatusCode::UNAUTHORIZED)
        .header("www-authenticate", r#"Bearer error="invalid_token""#)
        .finish()
}

#[derive(Deserialize)]
pub struct LogoutForm {
    logout_token: String,
}

/// `POST /backchannel-logout` (Back-Channel Logout 1.0 §2.5): the hub says its session
/// `sid` ended; the app ends its sessions of it.
#[handler]
pub async fn backchannel_logout(Form(form): Form<LogoutForm>, Data(app): Data<&Arc<App>>) -> StatusCode {
    match verified_session_id(app, &form.logout_token).await {
        Ok(sid) => {
            app.sessions.end_hub_session(&sid);
            StatusCode::OK
        }
        Err(error) => {
            eprintln!("logout token refused: {error:#}");
            StatusCode::BAD_REQUEST
        }
    }
}

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// §2.6: signed by one of the hub's keys with an algorithm the app accepts, `iss`, `aud`,
/// `iat` and `exp`, the logout event, no `nonce`; then its `sid`.
async fn verified_session_id(app: &App, token: &str) -> anyhow::Result<String> {
    let header = jsonwebtoken::decode_header(token)?;
    ensure!(header.typ.as_deref() == Some("logout+jwt"), "not a logout token (typ)");
    ensure!(
        matches!(header.alg, Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 | Algorithm::EdDSA),
        "algorithm {:?} is not accepted",
        header.alg
    );
    let keys: JwkSet =
        app.hub.http.get(app.hub.jwks_uri.url().as_str()).send().await?.error_for_status()?.json().await?;
    let key = keys.find(header.kid.as_deref().context("no kid")?).context("not one of the hub's keys")?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[app.hub.issuer.as_str()]);
    validation.set_audience(&[app.hub.client.client_id().as_str()]);
    validation.set_required_spec_claims(&["iss", "aud", "iat", "exp"]);
    let claims: Value = jsonwebtoken::decode(token, &DecodingKey::from_jwk(key)?, &validation)?.claims;
    ensure!(claims["events"].get(EVENT).is_some_and(Value::is_object), "no logout event");
    ensure!(claims.get("nonce").is_none(), "a logout token never has a nonce");
    claims["sid"].as_str().map(str::to_owned).context("no sid")
}
