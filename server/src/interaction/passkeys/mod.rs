//! The passkey pages (issue 13): the passwordless sign-in of the login page (`sign_in`),
//! a passkey as the second factor (`second_factor`), one created as the first second
//! factor at the enrolment a rule asks for (`enrol`), and a signed-in user's own list
//! (`account`). Each ceremony is two posts from the hub's script: one for the options
//! (answered as JSON), then the browser's answer in a plain form post, answered as a page
//! (or, in the flow, by `oidc::authorize::resume`).

pub mod account;
pub mod enrol;
pub mod second_factor;
pub mod sign_in;

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use serde_json::json;

use crate::accounts::PasskeyError;
use crate::accounts::passkeys::{Challenge, Proof};
use crate::domain::audit::{Actor, AuditRecord};
use crate::state::AppState;

/// The options for the script: the ceremony id and what `navigator.credentials` takes.
fn challenge(state: &AppState, result: Result<Challenge, PasskeyError>) -> Response {
    match result {
        Ok(challenge) => json_response(
            StatusCode::OK,
            json!({ "ceremony": challenge.ceremony, "publicKey": challenge.options["publicKey"] }),
        ),
        Err(error) => match refusal(&error) {
            Some((status, message)) => script_error(state, status, message),
            None => {
                tracing::error!(error = %crate::telemetry::ErrorChain(&error), "passkey options failed");
                script_error(state, StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong. Please try again.")
            }
        },
    }
}

/// An answer the script shows the person as it is, in the page's language.
fn script_error(state: &AppState, status: StatusCode, message: &str) -> Response {
    let message = crate::i18n::message(state.templates.catalogues(), message);
    json_response(status, json!({ "error": message }))
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    (status, poem::web::Json(body)).into_response()
}

/// What the person reads when a passkey step is refused, and the status of the page;
/// None for the hub's own failures.
fn refusal(error: &PasskeyError) -> Option<(StatusCode, &'static str)> {
    let refused = |message| Some((StatusCode::UNAUTHORIZED, message));
    match error {
        PasskeyError::Unsupported => {
            Some((StatusCode::NOT_FOUND, "Passkeys cannot be used at this address of the sign-in service."))
        }
        PasskeyError::Expired => Some((StatusCode::BAD_REQUEST, "The passkey request expired. Please try again.")),
        PasskeyError::Refused => refused("That passkey was not accepted. It may have been removed from your account."),
        PasskeyError::CounterRegressed => {
            refused("That passkey was not accepted: it looks like a copy of the one registered.")
        }
        PasskeyError::Throttled { .. } => {
            Some((StatusCode::TOO_MANY_REQUESTS, "Too many failed attempts. Please wait and try again."))
        }
        PasskeyError::InvalidName => {
            Some((StatusCode::BAD_REQUEST, "Please give the passkey a name of at most 64 characters."))
        }
        PasskeyError::AlreadyRegistered => Some((StatusCode::CONFLICT, "This passkey is registered already.")),
        PasskeyError::NotFound => Some((StatusCode::NOT_FOUND, "There is no such passkey.")),
        PasskeyError::Store(_) | PasskeyError::Session(_) | PasskeyError::Corrupt(_) => None,
    }
}

/// The audit record of a passkey assertion in the flow, under `action`.
fn assertion_audit(action: &'static str, proof: &Proof, client_id: &str, address: &str) -> AuditRecord {
    let actor = Actor::User { id: proof.user.id, username: proof.user.username.clone() };
    AuditRecord::new(action, actor)
        .user(proof.user.id)
        .client(client_id)
        .address(address)
        .target(format!("passkey:{}", proof.passkey.id))
        .detail(format!("passkey {}", proof.passkey.name))
}
