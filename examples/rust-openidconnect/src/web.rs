//! The pages: home, "Log in" (off to the hub), the hub's answer, and "Log out".

use std::sync::Arc;

use anyhow::Context;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreIdToken, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, CsrfToken, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PostLogoutRedirectUrl,
    Scope, TokenResponse,
};
use poem::http::StatusCode;
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem::web::{Data, Html, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::App;
use crate::sessions::{Pending, Session, SignedIn};

const COOKIE: &str = "app_session";

#[handler]
pub async fn index(jar: &CookieJar, Data(app): Data<&Arc<App>>) -> Html<String> {
    let user = jar.get(COOKIE).and_then(|cookie| app.sessions.signed_in(cookie.value_str()));
    let body = match user {
        None => r#"<p>Signed out.</p><p><a href="/login">Log in</a></p>"#.to_owned(),
        Some(user) => {
            let api = call_api(app, &user.access_token).await.unwrap_or_else(|error| format!("refused: {error:#}"));
            format!(
                r#"<p>Signed in as {}</p><p>Email: {}</p><p>API: {}</p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>"#,
                escape(&user.username),
                escape(&user.email),
                escape(&api)
            )
        }
    };
    Html(format!("<!doctype html><title>Rust app</title><h1>Rust app</h1>{body}"))
}

/// What the app's own API says of the access token: the `sub` it belongs to.
async fn call_api(app: &App, access_token: &str) -> anyhow::Result<String> {
    let response = app.hub.http.get(format!("{}/api/me", app.url)).bearer_auth(access_token).send().await?;
    let answer: serde_json::Value = response.error_for_status()?.json().await?;
    answer["sub"].as_str().map(str::to_owned).context("no sub")
}

/// Off to the hub's authorization endpoint, remembering what its answer must match.
#[handler]
pub fn login(jar: &CookieJar, Data(app): Data<&Arc<App>>) -> Response {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = app
        .hub
        .client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let id = CsrfToken::new_random().secret().clone();
    app.sessions.put(id.clone(), Session::Pending(Pending { state, nonce, verifier }));
    jar.add(session_cookie(app, id));
    Redirect::see_other(url.as_str()).into_response()
}

fn session_cookie(app: &App, id: String) -> Cookie {
    let mut cookie = Cookie::new_with_str(COOKIE, id);
    cookie.set_http_only(true);
    cookie.set_secure(app.url.starts_with("https:"));
    // Lax: the cookie comes along on the hub's redirect back, never on a cross-site POST,
    // which is what keeps the logout form safe from other sites.
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie
}

#[derive(Deserialize)]
pub struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The hub's answer: the same `state`, then the code exchanged and the ID token checked.
#[handler]
pub async fn callback(jar: &CookieJar, Query(answer): Query<Answer>, Data(app): Data<&Arc<App>>) -> Response {
    let session = jar.get(COOKIE).map(|cookie| cookie.value_str().to_owned());
    let Some(Session::Pending(pending)) = session.and_then(|id| app.sessions.take(&id)) else {
        return refused("No sign-in is in progress.");
    };
    if answer.state.as_deref() != Some(pending.state.secret().as_str()) {
        return refused("The answer does not belong to this sign-in.");
    }
    let Some(code) = answer.code else {
        return refused(&format!("The hub said: {}", answer.error.unwrap_or_default()));
    };
    match finish(app, code, pending).await {
        Ok(user) => {
            // A new session id once signed in, so that an id planted before cannot be
            // ridden (session fixation).
            let id = CsrfToken::new_random().secret().clone();
            app.sessions.put(id.clone(), Session::SignedIn(Box::new(user)));
            jar.add(session_cookie(app, id));
            Redirect::see_other("/").into_response()
        }
        Err(error) => refused(&format!("Sign-in failed: {error:#}")),
    }
}

async fn finish(app: &App, code: String, pending: Pending) -> anyhow::Result<SignedIn> {
    let (client, http) = (&app.hub.client, &app.hub.http);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))?
        .set_pkce_verifier(pending.verifier)
        .request_async(http)
        .await?;
    let id_token = tokens.id_token().context("the hub sent no ID token")?.clone();
    let claims = id_token.claims(&client.id_token_verifier(), &pending.nonce)?;
    let subject = claims.subject().clone();
    let userinfo: CoreUserInfoClaims =
        client.user_info(tokens.access_token().clone(), Some(subject.clone()))?.request_async(http).await?;
    Ok(SignedIn {
        username: userinfo.preferred_username().map(|name| name.to_string()).unwrap_or_default(),
        email: userinfo.email().map(|email| email.to_string()).unwrap_or_default(),
        sid: session_id(&id_token),
        id_token,
        access_token: tokens.access_token().secret().clone(),
    })
}

/// The `sid` claim (Back-Channel Logout 1.0 §2.1), which openidconnect's standard claims
/// leave out: read from the ID token whose signature `finish` has just checked.
fn session_id(id_token: &CoreIdToken) -> Option<String> {
    let jwt = id_token.to_string();
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1)?).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    claims["sid"].as_str().map(str::to_owned)
}

/// Ends the app's session, then the hub's: its end-session endpoint asks the user to
/// confirm and sends the browser back to the app's home page.
#[handler]
pub fn logout(jar: &CookieJar, Data(app): Data<&Arc<App>>) -> Response {
    let session = jar.get(COOKIE).and_then(|cookie| app.sessions.take(cookie.value_str()));
    jar.remove(COOKIE);
    let Some(Session::SignedIn(user)) = session else { return Redirect::see_other("/").into_response() };
    let mut request = LogoutRequest::from(app.hub.end_session.clone()).set_id_token_hint(&user.id_token);
    if let Ok(home) = PostLogoutRedirectUrl::new(format!("{}/", app.url)) {
        request = request.set_post_logout_redirect_uri(home);
    }
    Redirect::see_other(request.http_get_url().as_str()).into_response()
}

fn refused(message: &str) -> Response {
    let body =
        format!(r#"<!doctype html><title>Rust app</title><p>{}</p><p><a href="/">Home</a></p>"#, escape(message));
    Html(body).with_status(StatusCode::BAD_REQUEST).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
