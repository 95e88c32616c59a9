//! `GET|POST /login/second-factor/enrol`: the flow's enrolment, for a user a rule requires
//! a second factor of and who has none. The page shows a new secret (QR code and key) and
//! ten recovery codes; a current code confirms it, which also counts as this sign-in's
//! second factor. A reload shows a new secret and new codes. The page also offers a passkey
//! instead (`interaction::passkeys::enrol`).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use super::{SECOND_FACTOR_AMR, enrolment_page, flow_step, issuer_label, new_enrolment, refusal};
use crate::accounts::SecondFactorError;
use crate::domain::User;
use crate::domain::audit::{Actor, AuditRecord};
use crate::http::csrf::{self, Purpose};
use crate::http::extract;
use crate::http::page::{self, EnrolmentPage};
use crate::oidc::authorize::{self, Caller, Interaction, Outcome};
use crate::state::AppState;

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (interaction, user) = match flow_step(state, req, &params, Caller::EnrolmentPage, false).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state.second_factors().begin_enrolment(&user, &issuer_label(state)).await {
        Ok(enrolment) => new_enrolment(state, &user, enrolment, &interaction.browser, Some(bound(&interaction))),
        Err(SecondFactorError::AlreadyEnrolled) => already_enrolled(state),
        Err(error) => page::internal_error(state, &error),
    }
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::form_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (interaction, user) = match flow_step(state, req, &params, Caller::EnrolmentPage, true).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let code = params.get("code").unwrap_or_default();
    match state.second_factors().confirm_enrolment(user.id, code, &address).await {
        Ok(()) => {
            tracing::info!(user = %user.id, "second factor enrolled");
            enrolled(state, &user, &address, Some(&interaction.pending.request.client_id)).await;
            let outcome = Outcome::SecondFactor { user_id: user.id, methods: SECOND_FACTOR_AMR.to_vec() };
            authorize::resume(state, req, interaction, outcome).await
        }
        Err(SecondFactorError::AlreadyEnrolled) => already_enrolled(state),
        Err(error) => again(state, &interaction, &user, &error).await,
    }
}

/// A confirmed enrolment: audited, and told to the user's address (a second factor that
/// someone else added would lock the owner out).
pub(super) async fn enrolled(state: &AppState, user: &User, address: &str, client_id: Option<&str>) {
    let actor = Actor::User { id: user.id, username: user.username.clone() };
    let mut record = AuditRecord::new("second_factor.enrol", actor)
        .user(user.id)
        .target(format!("user:{}", user.id))
        .address(address);
    if let Some(client_id) = client_id {
        record = record.client(client_id);
    }
    state.audit(record).await;
    crate::mail::notify(state.mailer.as_ref(), user, crate::mail::Change::SecondFactorAdded, address);
}

/// The enrolment shown again after a refused code (the same secret, without the codes).
async fn again(state: &AppState, interaction: &Interaction, user: &User, error: &SecondFactorError) -> Response {
    match error {
        SecondFactorError::Throttled { retry_after } => {
            // Shown as `refused` shows it, so the passkey offer keeps its script.
            let (seconds, message) = page::wait_in_words(*retry_after);
            match shown_again(state, interaction, user, message).await {
                Ok(page) => page::with_retry_after(super::show(state, StatusCode::TOO_MANY_REQUESTS, &page), seconds),
                Err(response) => response,
            }
        }
        SecondFactorError::NotEnrolled => expired_enrolment(state),
        other => match refusal(other) {
            Some((status, message)) => refused(state, interaction, user, status, message).await,
            None => page::internal_error(state, other),
        },
    }
}

/// The enrolment page again, saying why a step was refused (a code, or a passkey).
pub(crate) async fn refused(
    state: &AppState,
    interaction: &Interaction,
    user: &User,
    status: StatusCode,
    message: &str,
) -> Response {
    match shown_again(state, interaction, user, message.to_owned()).await {
        Ok(page) => super::show(state, status, &page),
        Err(response) => response,
    }
}

/// The pending enrolment's page, with `message`; the expired page once it is gone.
async fn shown_again(
    state: &AppState,
    interaction: &Interaction,
    user: &User,
    message: String,
) -> Result<EnrolmentPage, Response> {
    let provisioning = match state.second_factors().pending_provisioning(user, &issuer_label(state)).await {
        Ok(provisioning) => provisioning,
        Err(SecondFactorError::NotEnrolled) => return Err(expired_enrolment(state)),
        Err(error) => return Err(page::internal_error(state, &error)),
    };
    let csrf_token = csrf::token(state, &interaction.browser, Purpose::SecondFactor);
    let bound = Some(bound(interaction));
    Ok(enrolment_page(state, user, provisioning, Vec::new(), csrf_token, bound, Some(message)))
}

fn bound(interaction: &Interaction) -> (String, String) {
    (interaction.id.clone(), interaction.pending.request.client_name.clone())
}

pub(crate) fn expired_enrolment(state: &AppState) -> Response {
    page::error(state, StatusCode::CONFLICT, "Set-up expired", "Please reload the page to start the set-up again.")
}

pub(crate) fn already_enrolled(state: &AppState) -> Response {
    page::error(
        state,
        StatusCode::CONFLICT,
        "Already set up",
        "Two-step verification is set up already. Please return to the application and sign in again.",
    )
}
