//! `POST /login/second-factor/passkey/options` and `POST /login/second-factor/passkey`:
//! one of the signed-in user's passkeys as the second factor, instead of a TOTP code. A
//! verified passkey raises the session as a code does (`amr` gains `hwk` or `swk`, `user`
//! where verified, and `mfa`; `acr` becomes 2); a refused one shows the page again, and
//! failures are throttled like passwords.

use poem::web::Data;
use poem::{Body, Request, Response, handler};

use super::{assertion_audit, challenge, refusal};
use crate::accounts::PasskeyError;
use crate::domain::User;
use crate::domain::sign_in::{self, PasskeyFacts};
use crate::http::{extract, page};
use crate::interaction::second_factor::flow_step;
use crate::interaction::second_factor::verify::{audit, factors, form};
use crate::oidc::authorize::{self, Caller, Interaction, Outcome};
use crate::state::AppState;
use crate::telemetry::metrics::{self, SignInMethod, SignInOutcome};

#[handler]
pub async fn options(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let (interaction, user, _) = match step(state, req, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    challenge(state, state.passkeys().begin_second_factor(user.id, &interaction.browser, &interaction.id).await)
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let (interaction, user, params) = match step(state, req, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let client_id = interaction.pending.request.client_id.clone();
    let (ceremony, answer) = (params.get("ceremony").unwrap_or_default(), params.get("credential").unwrap_or_default());
    let passkeys = state.passkeys();
    let checked = passkeys
        .finish_assertion(&interaction.browser, &interaction.id, Some(user.id), ceremony, answer, &address)
        .await;
    match checked {
        Ok(proof) => {
            tracing::info!(%client_id, user = %user.id, "second factor verified with a passkey");
            metrics::sign_in(SignInMethod::SecondFactor, SignInOutcome::Success);
            state.audit(assertion_audit("login.second_factor", &proof, &client_id, &address)).await;
            let facts =
                PasskeyFacts { synced: proof.passkey.synced, user_verified: proof.user_verified, after_password: true };
            let methods = sign_in::passkey_authentication(facts).methods;
            authorize::resume(state, req, interaction, Outcome::SecondFactor { user_id: user.id, methods }).await
        }
        Err(error) => again(state, &interaction, &user, &address, error).await,
    }
}

/// The second-factor page again, saying why the passkey was refused.
async fn again(
    state: &AppState,
    interaction: &Interaction,
    user: &User,
    address: &str,
    error: PasskeyError,
) -> Response {
    let client_id = &interaction.pending.request.client_id;
    let factors = match factors(state, user).await {
        Ok(factors) => factors,
        Err(response) => return response,
    };
    let record = audit(user, client_id, address).failed();
    if let PasskeyError::Throttled { retry_after } = error {
        tracing::warn!(%client_id, user = %user.id, %address, "passkey second factor throttled");
        metrics::sign_in(SignInMethod::SecondFactor, SignInOutcome::Throttled);
        state.audit(record.detail("passkey: throttled")).await;
        return page::too_many_attempts(state, retry_after, |message| {
            form(state, interaction, user, factors, Some(message))
        });
    }
    let Some((status, message)) = refusal(&error) else { return page::internal_error(state, &error) };
    tracing::info!(%client_id, user = %user.id, %address, %error, "passkey second factor refused");
    metrics::sign_in(SignInMethod::SecondFactor, SignInOutcome::Failure);
    state.audit(record.detail(format!("passkey: {error}"))).await;
    page::render_scripted(state, status, &form(state, interaction, user, factors, Some(message.to_owned())))
}

/// The second-factor step, its CSRF token checked, the signed-in user, and the parameters.
async fn step(state: &AppState, req: &Request, body: Body) -> Result<(Interaction, User, extract::Params), Response> {
    let params = extract::form_params(req, body).await.map_err(|error| page::bad_parameters(state, &error))?;
    let (interaction, user) = flow_step(state, req, &params, Caller::SecondFactorPage, true).await?;
    Ok((interaction, user, params))
}
