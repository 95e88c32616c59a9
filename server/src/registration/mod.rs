//! Dynamic client registration (RFC 7591, OIDC Registration 1.0) and management (RFC
//! 7592): the self-service shell beside the admin API. Apps register themselves at
//! `POST /register` (with an initial access token unless the policy is open) and read,
//! replace or delete their registration at `/register/{client_id}` with the registration
//! access token they got. Every rule is `manage::clients`'; this module speaks the wire.

mod wire;

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::json;

use crate::config::RegistrationPolicy;
use crate::domain::client::SECRET_CONTEXT;
use crate::http::extract;
use crate::manage::{self, By, ManageError};
use crate::oidc::error::json_response as json;
use crate::rate_limit::{Caller, Endpoint};
use crate::secrets::constant_time_eq;
use crate::state::AppState;
use wire::{Refused, Registration};

/// A registration request is a page of JSON at most.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// `POST /register` (RFC 7591 §3.1).
#[handler]
pub async fn register(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    if state.settings.registration == RegistrationPolicy::Off {
        return error(StatusCode::NOT_FOUND, "invalid_request", "dynamic registration is turned off at this hub");
    }
    let initial_access_token = match state.settings.registration {
        RegistrationPolicy::Token => match extract::bearer_token(req) {
            Ok(Some(token)) => Some(token),
            _ => return invalid_token("registration needs an initial access token (Authorization: Bearer)"),
        },
        _ => None,
    };
    let metadata = match read_registration(body).await.and_then(Registration::into_metadata) {
        Ok(metadata) => metadata,
        Err(refused) => return refused_response(&refused),
    };
    // The metadata is checked before a use of the token is spent on it.
    let allow_private = state.settings.registration_allow_private_urls;
    if let Err(errors) = metadata.clone().into_registered_client("registration-check".into(), allow_private) {
        return refused_response(&Refused::from_fields(&errors));
    }
    // Counted once the request is one the hub would register (a token presented, with the
    // token policy, and acceptable metadata): a malformed attempt spends no allowance.
    match state.rate_limits.count(Endpoint::Registration, Caller::Address(&address)).await {
        Ok(verdict) => {
            if let Some(secs) = verdict.retry_after_secs() {
                return too_many(secs);
            }
        }
        Err(e) => return manage_error(ManageError::from(e)),
    }
    let token_id = match &initial_access_token {
        Some(token) => match manage::registration_tokens::redeem(state, token).await {
            Ok(id) => Some(id),
            Err(ManageError::NotFound(_)) => {
                return invalid_token("the initial access token is unknown, expired or used up");
            }
            Err(other) => return manage_error(other),
        },
        None => None,
    };
    match manage::clients::register(state, &By::registration(token_id, address), metadata).await {
        Ok(registered) => {
            let client = &registered.client;
            let body = wire::information(
                &state.settings,
                &client.client,
                client.secret.as_deref(),
                Some(&registered.registration_access_token),
            );
            json(StatusCode::CREATED, &body)
        }
        Err(error) => manage_error(error),
    }
}

/// `GET /register/{client_id}` (RFC 7592 §2.1).
#[handler]
pub async fn read(req: &Request, Path(client_id): Path<String>, Data(state): Data<&AppState>) -> Response {
    match registered(state, req, &client_id).await {
        Ok((stored, token)) => json(StatusCode::OK, &wire::information(&state.settings, &stored, None, Some(&token))),
        Err(response) => response,
    }
}

/// `PUT /register/{client_id}` (RFC 7592 §2.2): the whole metadata again; what it omits is
/// reset to its default.
#[handler]
pub async fn replace(
    req: &Request,
    Path(client_id): Path<String>,
    body: Body,
    Data(state): Data<&AppState>,
) -> Response {
    let (existing, token) = match registered(state, req, &client_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let registration = match read_registration(body).await {
        Ok(registration) => registration,
        Err(refused) => return refused_response(&refused),
    };
    if registration.client_id.as_deref() != Some(client_id.as_str()) {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "client_id must be the client's own");
    }
    if let Some(presented) = &registration.client_secret {
        let current = existing.secret_sealed.as_ref().and_then(|sealed| state.master.open(SECRET_CONTEXT, sealed).ok());
        if !current.is_some_and(|secret| constant_time_eq(&secret, presented.as_bytes())) {
            return error(StatusCode::BAD_REQUEST, "invalid_request", "client_secret is not the client's secret");
        }
    }
    let mut metadata = match registration.into_metadata() {
        Ok(metadata) => metadata,
        Err(refused) => return refused_response(&refused),
    };
    // The upstream policy is the administrator's, whatever the client sends.
    metadata.allowed_social_login_keys = existing.client.allowed_social_login_keys.clone();
    metadata.default_social_login_key = existing.client.default_social_login_key.clone();
    metadata.require_second_factor = existing.client.require_second_factor;
    metadata.allowed_groups = existing.client.allowed_groups.clone();
    let by = By::client(&client_id, extract::client_address(req, state.settings.trust_forwarded_for));
    match manage::clients::update(state, &by, &client_id, metadata).await {
        Ok(updated) => {
            let body = wire::information(&state.settings, &updated.client, updated.secret.as_deref(), Some(&token));
            json(StatusCode::OK, &body)
        }
        Err(error) => manage_error(error),
    }
}

/// `DELETE /register/{client_id}` (RFC 7592 §2.3): the client, its grants and consents.
#[handler]
pub async fn delete(req: &Request, Path(client_id): Path<String>, Data(state): Data<&AppState>) -> Response {
    if let Err(response) = registered(state, req, &client_id).await {
        return response;
    }
    let by = By::client(&client_id, extract::client_address(req, state.settings.trust_forwarded_for));
    match manage::clients::delete(state, &by, &client_id).await {
        Ok(()) => Response::builder().status(StatusCode::NO_CONTENT).finish(),
        Err(error) => manage_error(error),
    }
}

/// The client the registration access token belongs to, and the token; 401 for anything
/// else, including a client that does not exist (RFC 7592 §2.1). The token goes back in
/// the answer (OIDC Registration 1.0 §4.3 pairs it with `registration_client_uri`): the
/// caller holds it already, and the hub has only its digest.
async fn registered(
    state: &AppState,
    req: &Request,
    client_id: &str,
) -> Result<(crate::store::clients::StoredClient, String), Response> {
    let Ok(Some(token)) = extract::bearer_token(req) else {
        return Err(invalid_token("the registration access token is missing (Authorization: Bearer)"));
    };
    match manage::clients::find_registered(state, client_id, &token).await {
        Ok(stored) => Ok((stored, token)),
        Err(ManageError::NotFound(_)) => {
            Err(invalid_token("the registration access token is not valid for this client"))
        }
        Err(other) => Err(manage_error(other)),
    }
}

async fn read_registration(body: Body) -> Result<Registration, Refused> {
    let bytes = body.into_bytes_limit(MAX_BODY_BYTES).await.map_err(|_| Refused {
        code: "invalid_client_metadata",
        description: "the body is not readable JSON of at most 64 KiB".into(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| Refused {
        code: "invalid_client_metadata",
        description: format!("the body is not client metadata: {e}"),
    })
}

fn too_many(retry_after_secs: u64) -> Response {
    let mut response =
        error(StatusCode::TOO_MANY_REQUESTS, "temporarily_unavailable", "too many registrations from this address");
    response.headers_mut().insert("retry-after", retry_after_secs.into());
    response
}

fn manage_error(failure: ManageError) -> Response {
    match failure {
        ManageError::Invalid(errors) => refused_response(&Refused::from_fields(&errors)),
        ManageError::Conflict { detail, .. } => error(StatusCode::BAD_REQUEST, "invalid_client_metadata", &detail),
        ManageError::NotFound(what) => {
            error(StatusCode::BAD_REQUEST, "invalid_client_metadata", &format!("no such {what}"))
        }
        ManageError::Unavailable(cause) => {
            crate::outage::report(cause.as_ref());
            tracing::error!(error = %crate::telemetry::ErrorChain(cause.as_ref()), "registration failed");
            let mut response = error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the hub cannot register clients now",
            );
            response.headers_mut().insert("retry-after", poem::http::HeaderValue::from_static("5"));
            response
        }
    }
}

fn refused_response(refused: &Refused) -> Response {
    json(StatusCode::BAD_REQUEST, &refused.body())
}

/// A bearer-token failure (RFC 6750 §3.1).
fn invalid_token(description: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, "invalid_token", description);
    response.headers_mut().insert(
        "www-authenticate",
        poem::http::HeaderValue::from_static(r#"Bearer realm="hub", error="invalid_token""#),
    );
    response
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    json(status, &json!({ "error": code, "error_description": description }))
}
