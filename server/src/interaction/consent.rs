//! `GET|POST /consent`: "Allow" remembers the grant for the configured time and ends the
//! step as consented; "Deny" ends it as denied, which the app hears as `access_denied`.

use chrono::Utc;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use crate::http::csrf::{self, Purpose};
use crate::http::page::ConsentPage;
use crate::http::{cookies, extract, page};
use crate::oidc::authorize::{self, Caller, Outcome, Recipient};
use crate::oidc::paths;
use crate::session::browser::BrowserSession;
use crate::state::AppState;

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let interaction = match authorize::interaction(state, req, params.get("interaction"), Caller::ConsentPage).await {
        Ok(interaction) => interaction,
        Err(response) => return response,
    };
    let session = match current_session(state, req).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let username = match state.store.find_user(session.user_id).await {
        Ok(Some(user)) => user.username,
        Ok(None) => return session_lost(state),
        Err(error) => return page::internal_error(state, &error),
    };
    let request = &interaction.pending.request;
    let consent = ConsentPage {
        action: state.settings.endpoint(paths::CONSENT),
        csrf_token: csrf::token(state, &interaction.browser, Purpose::Consent),
        interaction: interaction.id.clone(),
        client_name: request.client_name.clone(),
        returns_to: match &request.target {
            Recipient::Redirect(target) => url::Url::parse(&target.redirect_uri)
                .ok()
                .and_then(|url| url.host_str().map(str::to_owned))
                .unwrap_or_else(|| target.redirect_uri.clone()),
            Recipient::Device(_) => "your device".to_owned(),
        },
        unverified: request.unverified_client,
        username,
        scopes: request.scope.iter().map(crate::domain::scope::description).collect(),
    };
    page::render(state, StatusCode::OK, &consent)
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::form_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let interaction = match authorize::interaction(state, req, params.get("interaction"), Caller::ConsentPage).await {
        Ok(interaction) => interaction,
        Err(response) => return response,
    };
    if !csrf::verify(state, &interaction.browser, Purpose::Consent, params.get("csrf_token")) {
        return page::csrf_refused(state, "Please reload the page and try again.");
    }
    let session = match current_session(state, req).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let request = &interaction.pending.request;
    let outcome = match params.get("decision") {
        Some("allow") => {
            let ttl = chrono::Duration::seconds(i64::try_from(state.settings.consent_ttl_secs).unwrap_or(i64::MAX / 4));
            let remembered = state
                .store
                .remember_consent(session.user_id, &request.client_id, &request.scope, Utc::now() + ttl)
                .await;
            if let Err(error) = remembered {
                return page::internal_error(state, &error);
            }
            tracing::info!(client_id = %request.client_id, user = %session.user_id, scope = %request.scope, "consent granted");
            Outcome::Consented
        }
        Some("deny") => {
            tracing::info!(client_id = %request.client_id, user = %session.user_id, "consent denied");
            Outcome::Denied
        }
        _ => return page::error(state, StatusCode::BAD_REQUEST, "Invalid request", "Choose Allow or Deny."),
    };
    authorize::resume(state, req, interaction, outcome).await
}

/// The session the consent is given in; it may have ended while the page was open.
async fn current_session(state: &AppState, req: &Request) -> Result<BrowserSession, Response> {
    match cookies::session(state, req).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(session_lost(state)),
        Err(error) => Err(page::internal_error(state, &error)),
    }
}

fn session_lost(state: &AppState) -> Response {
    page::error(
        state,
        StatusCode::BAD_REQUEST,
        "Session ended",
        "Your session ended before you answered. Please return to the application and sign in again.",
    )
}
