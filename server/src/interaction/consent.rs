//! `GET|POST /consent`: "Allow" remembers the grant for the configured time and resumes
//! the request; "Deny" answers the client with `access_denied`.

use chrono::Utc;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::json;

use crate::http::cookies::Cookie;
use crate::http::csrf::{self, Purpose};
use crate::http::{cookies, extract, page};
use crate::oidc::ErrorCode;
use crate::oidc::authorize::flow;
use crate::oidc::authorize::lifetimes;
use crate::oidc::authorize::pending::Step;
use crate::oidc::paths;
use crate::session::browser::{self, BrowserSession};
use crate::state::AppState;

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (id, browser, pending) = match super::pending_for(state, req, params.get("interaction"), Step::Consent).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(session) = current_session(state, req).await else {
        return session_lost(state);
    };
    let username = match state.store.find_user(session.user_id).await {
        Ok(Some(user)) => user.username,
        Ok(None) => return session_lost(state),
        Err(error) => return page::internal_error(state, &error),
    };
    let scopes: Vec<String> = pending.scope.iter().map(super::describe_scope).collect();
    let context = json!({
        "action": state.settings.endpoint(paths::CONSENT),
        "csrf_token": csrf::token(state, &browser, Purpose::Consent),
        "interaction": id,
        "client_name": pending.client_name,
        "username": username,
        "scopes": scopes,
    });
    page::render(state, StatusCode::OK, "consent.html", &context)
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::form_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (id, browser, mut pending) =
        match super::pending_for(state, req, params.get("interaction"), Step::Consent).await {
            Ok(found) => found,
            Err(response) => return response,
        };
    if !csrf::verify(state, &browser, Purpose::Consent, params.get("csrf_token")) {
        return page::error(state, StatusCode::FORBIDDEN, "Request expired", "Please reload the page and try again.");
    }
    let Some(session) = current_session(state, req).await else {
        return session_lost(state);
    };
    let next = match params.get("decision") {
        Some("allow") => {
            let ttl = chrono::Duration::seconds(i64::try_from(state.settings.consent_ttl_secs).unwrap_or(i64::MAX / 4));
            if let Err(error) = state
                .store
                .remember_consent(session.user_id, &pending.client_id, &pending.scope, Utc::now() + ttl)
                .await
            {
                return page::internal_error(state, &error);
            }
            tracing::info!(client_id = %pending.client_id, user = %session.user_id, scope = %pending.scope, "consent granted");
            pending.consented_by = Some(session.user_id);
            flow::advance(state, Some(&id), pending, Some(&session)).await
        }
        Some("deny") => {
            tracing::info!(client_id = %pending.client_id, user = %session.user_id, "consent denied");
            flow::fail(state, Some(&id), &pending, ErrorCode::AccessDenied).await
        }
        _ => {
            return page::error(state, StatusCode::BAD_REQUEST, "Invalid request", "Choose Allow or Deny.");
        }
    };
    flow::into_response(state, next)
}

async fn current_session(state: &AppState, req: &Request) -> Option<BrowserSession> {
    let cookie = cookies::read(req, &state.settings, Cookie::Session)?;
    browser::resume(&state.sessions, lifetimes(state), &cookie).await.ok().flatten()
}

fn session_lost(state: &AppState) -> Response {
    page::error(
        state,
        StatusCode::BAD_REQUEST,
        "Session ended",
        "Your session ended before you answered. Please return to the application and sign in again.",
    )
}
