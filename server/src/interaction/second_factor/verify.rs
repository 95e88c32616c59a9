//! `GET|POST /login/second-factor`: after the password, a code of the user's
//! authenticator or one of their recovery codes. A right code raises the session (`amr`
//! gains `otp` and `mfa`, `acr` becomes 2) and the flow goes on; a wrong or replayed one
//! shows the page again, and failures are throttled like passwords. A user with a passkey
//! is offered it here too (`interaction::passkeys::second_factor` checks it).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use super::{SECOND_FACTOR_AMR, flow_step, refusal};
use crate::accounts::{Proof, SecondFactorError};
use crate::domain::User;
use crate::domain::audit::{Actor, AuditRecord};
use crate::http::csrf::{self, Purpose};
use crate::http::extract;
use crate::http::page::{self, PasskeyForm, PasskeyPurpose, SecondFactorPage};
use crate::oidc::authorize::{self, Caller, Interaction, Outcome};
use crate::oidc::paths;
use crate::state::AppState;
use crate::telemetry::metrics::{self, SignInMethod, SignInOutcome};

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let params = match extract::query_params(req) {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (interaction, user) = match flow_step(state, req, &params, Caller::SecondFactorPage, false).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match factors(state, &user).await {
        Ok(factors) => page::render_scripted(state, StatusCode::OK, &form(state, &interaction, &user, factors, None)),
        Err(response) => response,
    }
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let params = match extract::form_params(req, body).await {
        Ok(params) => params,
        Err(error) => return page::bad_parameters(state, &error),
    };
    let (interaction, user) = match flow_step(state, req, &params, Caller::SecondFactorPage, true).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let client_id = interaction.pending.request.client_id.clone();
    let code = params.get("code").unwrap_or_default();
    let factors = match factors(state, &user).await {
        Ok(factors) => factors,
        Err(response) => return response,
    };
    match state.second_factors().verify(user.id, code, &address).await {
        Ok(proof) => {
            tracing::info!(%client_id, user = %user.id, ?proof, "second factor verified");
            metrics::sign_in(SignInMethod::SecondFactor, SignInOutcome::Success);
            let how = match proof {
                Proof::Totp => "authenticator code",
                Proof::RecoveryCode => "recovery code",
            };
            state.audit(audit(&user, &client_id, &address).detail(how)).await;
            let outcome = Outcome::SecondFactor { user_id: user.id, methods: SECOND_FACTOR_AMR.to_vec() };
            authorize::resume(state, req, interaction, outcome).await
        }
        Err(SecondFactorError::Throttled { retry_after }) => {
            tracing::warn!(%client_id, user = %user.id, %address, "second factor throttled");
            metrics::sign_in(SignInMethod::SecondFactor, SignInOutcome::Throttled);
            state.audit(audit(&user, &client_id, &address).failed().detail("throttled")).await;
            page::too_many_attempts(state, retry_after, |message| {
                form(state, &interaction, &user, factors, Some(message))
            })
        }
        Err(error) => match refusal(&error) {
            Some((status, message)) => {
                tracing::info!(%client_id, user = %user.id, %address, %error, "second factor refused");
                metrics::sign_in(SignInMethod::SecondFactor, SignInOutcome::Failure);
                state.audit(audit(&user, &client_id, &address).failed().detail(error.to_string())).await;
                let page = form(state, &interaction, &user, factors, Some(message.to_owned()));
                page::render_scripted(state, status, &page)
            }
            None if matches!(error, SecondFactorError::NotEnrolled) => page::error(
                state,
                StatusCode::CONFLICT,
                "No second factor",
                "Your second factor was reset meanwhile. Please return to the application and sign in again.",
            ),
            None => page::internal_error(state, &error),
        },
    }
}

pub(crate) fn audit(user: &User, client_id: &str, address: &str) -> AuditRecord {
    let actor = Actor::User { id: user.id, username: user.username.clone() };
    AuditRecord::new("login.second_factor", actor).user(user.id).client(client_id).address(address)
}

/// Which second factors the user has, for the page to offer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Factors {
    totp: bool,
    passkey: bool,
}

pub(crate) async fn factors(state: &AppState, user: &User) -> Result<Factors, Response> {
    let totp = state.second_factors().status(user.id).await.map(|status| status.enrolled);
    let totp = totp.map_err(|error| page::internal_error(state, &error))?;
    let passkey = state.passkeys().has_any(user.id).await.map_err(|error| page::internal_error(state, &error))?;
    Ok(Factors { totp, passkey: passkey && state.passkeys().supported() })
}

pub(crate) fn form(
    state: &AppState,
    interaction: &Interaction,
    user: &User,
    factors: Factors,
    error: Option<String>,
) -> SecondFactorPage {
    let passkey = factors.passkey.then(|| PasskeyForm {
        options: state.settings.endpoint(paths::SECOND_FACTOR_PASSKEY_OPTIONS),
        action: state.settings.endpoint(paths::SECOND_FACTOR_PASSKEY),
        purpose: PasskeyPurpose::SecondFactor,
    });
    SecondFactorPage {
        action: state.settings.endpoint(paths::SECOND_FACTOR),
        csrf_token: csrf::token(state, &interaction.browser, Purpose::SecondFactor),
        interaction: interaction.id.clone(),
        client_name: interaction.pending.request.client_name.clone(),
        username: user.username.clone(),
        error,
        totp: factors.totp,
        passkey,
    }
}
