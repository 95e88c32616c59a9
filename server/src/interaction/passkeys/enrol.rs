//! `POST /login/second-factor/enrol/passkey/options` and `POST
//! /login/second-factor/enrol/passkey`: at the enrolment a rule asks for, a passkey created
//! instead of an authenticator app. Created after the password, it is this sign-in's second
//! factor, as a confirmed app code is (`amr` gains `hwk` or `swk` and `mfa`). Only for a user
//! with no second factor yet: adding one to an account that has one takes that one first.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use super::{challenge, refusal, script_error};
use crate::accounts::PasskeyError;
use crate::accounts::passkeys::Summary;
use crate::domain::User;
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::sign_in::{self, PasskeyFacts};
use crate::http::{extract, page};
use crate::interaction::second_factor::enrol::{already_enrolled, refused};
use crate::interaction::second_factor::flow_step;
use crate::oidc::authorize::{self, Caller, Interaction, Outcome};
use crate::state::AppState;

#[handler]
pub async fn options(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let (interaction, user, params) = match step(state, req, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let name = params.get("name").unwrap_or_default();
    challenge(state, state.passkeys().begin_registration(&user, name, &interaction.browser).await)
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let (interaction, user, params) = match step(state, req, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (ceremony, answer) = (params.get("ceremony").unwrap_or_default(), params.get("credential").unwrap_or_default());
    if answer.is_empty() {
        let message = "Adding a passkey needs JavaScript. Please turn it on for this site and try again.";
        return refused(state, &interaction, &user, StatusCode::BAD_REQUEST, message).await;
    }
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    match state.passkeys().finish_registration(&user, &interaction.browser, ceremony, answer).await {
        Ok(added) => {
            if let Err(error) = state.second_factors().discard_unconfirmed_enrolment(user.id).await {
                return page::internal_error(state, &error);
            }
            let client_id = interaction.pending.request.client_id.clone();
            tracing::info!(%client_id, user = %user.id, "second factor enrolled: a passkey");
            state.audit(record(&user, &added, &client_id, &address)).await;
            crate::mail::notify(state.mailer.as_ref(), &user, crate::mail::Change::PasskeyAdded, &address);
            // Made after the password, whatever the authenticator says of its user.
            let facts = PasskeyFacts { synced: added.synced, user_verified: false, after_password: true };
            let methods = sign_in::passkey_authentication(facts).methods;
            authorize::resume(state, req, interaction, Outcome::SecondFactor { user_id: user.id, methods }).await
        }
        Err(PasskeyError::Refused) => {
            let message = "Your device's answer was not accepted, so no passkey was added. Please try again.";
            refused(state, &interaction, &user, StatusCode::UNAUTHORIZED, message).await
        }
        Err(error) => match refusal(&error) {
            Some((status, message)) => refused(state, &interaction, &user, status, message).await,
            None => page::internal_error(state, &error),
        },
    }
}

/// The enrolment step, its CSRF token checked, for a user who has no second factor yet.
async fn step(state: &AppState, req: &Request, body: Body) -> Result<(Interaction, User, extract::Params), Response> {
    let params = extract::form_params(req, body).await.map_err(|error| page::bad_parameters(state, &error))?;
    let (interaction, user) = flow_step(state, req, &params, Caller::EnrolmentPage, true).await?;
    match state.has_second_factor(user.id).await {
        Ok(false) => Ok((interaction, user, params)),
        Ok(true) if params.get("credential").is_some() => Err(already_enrolled(state)),
        Ok(true) => Err(script_error(
            state,
            StatusCode::CONFLICT,
            "Two-step verification is set up already. Please return to the application and sign in again.",
        )),
        Err(error) => Err(page::internal_error(state, &error)),
    }
}

fn record(user: &User, passkey: &Summary, client_id: &str, address: &str) -> AuditRecord {
    let actor = Actor::User { id: user.id, username: user.username.clone() };
    AuditRecord::new("passkey.register", actor)
        .user(user.id)
        .client(client_id)
        .target(format!("passkey:{}", passkey.id))
        .address(address)
        .detail(passkey.name.clone())
}
