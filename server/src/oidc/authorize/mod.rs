//! `GET|POST /authorize` (OIDC Core §3.1.2) and the authorization flow it owns: the
//! request is taken out of its request object if it has one (`request_object`), checked
//! (`checks`), kept while the user signs in and consents (`pending`),
//! and after every step `decide` picks the next one from the facts, which `respond`
//! carries out. Pages and sign-in methods hand the request back through `resume`; the
//! flow never calls them, and knows each only as a path to send the browser to. A user
//! code confirmed on the device grant's page starts the same flow (`device`).

mod checks;
mod decide;
mod device;
mod issue;
mod pending;
mod pushed;
mod request_object;
mod respond;
mod resume;

pub use device::{begin_device, device_scope};
pub use pending::{Caller, Notice, PendingAuthorization, Recipient};
pub use pushed::{PushedRequest, push};
pub use respond::expired;
pub use resume::{Interaction, Outcome, SignIn, interaction, resume, sign_in_options, take_notice};

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use crate::http::cookies::{self, Cookie};
use crate::http::{extract, page};
use crate::state::AppState;
use checks::AuthorizeError;

#[handler]
pub async fn endpoint(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::request_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let request = match validate(state, &params).await {
        Ok(request) => request,
        Err(AuthorizeError::Render { title, message }) => {
            return page::error(state, StatusCode::BAD_REQUEST, title, &message);
        }
        Err(AuthorizeError::Redirect { target, error }) => return respond::error(state, &target, &error),
        Err(AuthorizeError::Internal(error)) => return page::internal_error(state, error.as_ref()),
    };
    crate::telemetry::note_client(req, &request.client_id);
    start(state, req, request).await
}

/// Keeps a checked request pending, bound to this browser (given a binding if it has
/// none yet), and takes the first step.
async fn start(state: &AppState, req: &Request, request: pending::AuthorizationRequest) -> Response {
    let (browser_id, new_browser) = match cookies::browser_id(req, &state.settings) {
        Ok(found) => found,
        Err(error) => return page::internal_error(state, &error),
    };
    let mut response = resume::begin(state, req, PendingAuthorization::new(request, browser_id.clone())).await;
    if new_browser {
        cookies::set(&mut response, &state.settings, Cookie::Browser, &browser_id, None);
    }
    response
}

/// The request as the query carries it, or as the client pushed it (RFC 9126), checked.
async fn validate(state: &AppState, query: &extract::Params) -> Result<pending::AuthorizationRequest, AuthorizeError> {
    let client = checks::check_client(state, query).await?;
    match pushed::take(state, &client, query).await? {
        Some(pushed) => checks::validate_for(state, client, &pushed).await,
        None if client.require_pushed_authorization_requests => {
            let error =
                crate::oidc::OAuthError::invalid_request("this client pushes its authorization requests (RFC 9126)");
            Err(AuthorizeError::Redirect { target: checks::check_redirect_uri(&client, query)?, error })
        }
        None => checks::validate_for(state, client, query).await,
    }
}
