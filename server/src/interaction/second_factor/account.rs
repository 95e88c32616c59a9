//! `GET|POST /account/second-factor`: a signed-in user enrols a second factor of their own
//! accord (until the account page of issue 13 exists), or sees that they have one and how
//! many recovery codes are left. Replacing a confirmed factor takes an administrator's
//! reset, so a stolen password alone cannot swap it.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use super::enrol::{enrolled, expired_enrolment};
use super::{enrolment_page, issuer_label, new_enrolment, refusal, signed_in_here};
use crate::accounts::SecondFactorError;
use crate::domain::User;
use crate::http::csrf::{self, Purpose};
use crate::http::extract;
use crate::http::page::{self, AccountSecondFactorPage};
use crate::state::AppState;

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let (user, browser) = match signed_in(state, req).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let factors = state.second_factors();
    match factors.status(user.id).await {
        Ok(status) if status.enrolled => return status_page(state, &user, false).await,
        Ok(_) => {}
        Err(error) => return page::internal_error(state, &error),
    }
    match factors.begin_enrolment(&user, &issuer_label(state)).await {
        Ok(enrolment) => new_enrolment(state, &user, enrolment, &browser, None),
        Err(SecondFactorError::AlreadyEnrolled) => status_page(state, &user, false).await,
        Err(error) => page::internal_error(state, &error),
    }
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::form_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (user, browser) = match signed_in(state, req).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !csrf::verify(state, &browser, Purpose::SecondFactor, params.get("csrf_token")) {
        return page::csrf_refused(state, "Please reload the page and try again.");
    }
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let factors = state.second_factors();
    match factors.confirm_enrolment(user.id, params.get("code").unwrap_or_default(), &address).await {
        Ok(()) => {
            tracing::info!(user = %user.id, "second factor enrolled");
            enrolled(state, &user, &address, None).await;
            // The code just typed proves the factor: this session has it from now on.
            if let Err(error) = prove_in_session(state, req).await {
                return page::internal_error(state, &*error);
            }
            status_page(state, &user, true).await
        }
        Err(SecondFactorError::AlreadyEnrolled) => status_page(state, &user, false).await,
        Err(SecondFactorError::NotEnrolled) => expired_enrolment(state),
        Err(error) => {
            let provisioning = match factors.pending_provisioning(&user, &issuer_label(state)).await {
                Ok(provisioning) => provisioning,
                Err(SecondFactorError::NotEnrolled) => return expired_enrolment(state),
                Err(other) => return page::internal_error(state, &other),
            };
            let csrf_token = csrf::token(state, &browser, Purpose::SecondFactor);
            let build = |message: String| {
                enrolment_page(state, &user, provisioning, Vec::new(), csrf_token, None, Some(message))
            };
            match (&error, refusal(&error)) {
                (SecondFactorError::Throttled { retry_after }, _) => {
                    page::too_many_attempts(state, *retry_after, build)
                }
                (_, Some((status, message))) => page::render(state, status, &build(message.to_owned())),
                (_, None) => page::internal_error(state, &error),
            }
        }
    }
}

/// The signed-in user and the browser binding their forms are tied to. One who has a
/// second factor (a passkey) and has not proved it in this session is sent to the account
/// page, which asks for it: a stolen password alone adds no factor.
async fn signed_in(state: &AppState, req: &Request) -> Result<(User, String), Response> {
    let (user, session, browser) = signed_in_here(state, req).await?;
    match state.has_second_factor(user.id).await {
        Ok(true) if !session.second_factor => {
            Err(page::see_other(&state.settings.endpoint(crate::oidc::paths::ACCOUNT)))
        }
        Ok(_) => Ok((user, browser)),
        Err(error) => Err(page::internal_error(state, &error)),
    }
}

/// The session of this browser raised by the second factor just confirmed.
async fn prove_in_session(state: &AppState, req: &Request) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let cookie = crate::http::cookies::read(req, &state.settings, crate::http::cookies::Cookie::Session);
    let Some(cookie) = cookie else { return Ok(()) };
    if let Some(session) = crate::sso::current(state, &cookie).await? {
        let acr = crate::domain::sign_in::SECOND_FACTOR_ACR;
        crate::sso::add_second_factor(state, &cookie, session, super::SECOND_FACTOR_AMR, acr).await?;
    }
    Ok(())
}

async fn status_page(state: &AppState, user: &User, just_enrolled: bool) -> Response {
    match state.second_factors().status(user.id).await {
        Ok(status) => {
            let page = AccountSecondFactorPage {
                username: user.username.clone(),
                account_href: state.settings.endpoint(crate::oidc::paths::ACCOUNT),
                just_enrolled,
                enrolled_at: status.enrolled_at.map(|at| at.format("%Y-%m-%d").to_string()),
                recovery_codes_left: status.recovery_codes_left,
            };
            page::render(state, StatusCode::OK, &page)
        }
        Err(error) => page::internal_error(state, &error),
    }
}
