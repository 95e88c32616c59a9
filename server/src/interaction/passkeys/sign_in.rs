//! `POST /login/passkey/options` and `POST /login/passkey`: "Sign in with a passkey" on
//! the login page, without a username (a discoverable credential). A verified passkey
//! ends the login step as a sign-in, whose `amr` and `acr` follow
//! `domain::sign_in::passkey_authentication`; a refused one goes back to the login page
//! with the reason, as a failed upstream sign-in does. The password form is untouched.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};

use super::{assertion_audit, challenge, refusal, script_error};
use crate::accounts::PasskeyError;
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::sign_in::{self, PasskeyFacts};
use crate::http::csrf::{self, Purpose};
use crate::http::{extract, page};
use crate::oidc::authorize::{self, Caller, Interaction, Outcome, SignIn};
use crate::oidc::{ErrorCode, OAuthError};
use crate::session::browser::Authentication;
use crate::state::AppState;
use crate::telemetry::metrics::{self, SignInMethod, SignInOutcome};

#[handler]
pub async fn options(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let interaction = match login_step(state, req, body).await {
        Ok((interaction, _)) => interaction,
        Err(response) => return response,
    };
    challenge(state, state.passkeys().begin_sign_in(&interaction.browser, &interaction.id).await)
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let (interaction, params) = match login_step(state, req, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let client_id = interaction.pending.request.client_id.clone();
    let ceremony = params.get("ceremony").unwrap_or_default();
    let answer = params.get("credential").unwrap_or_default();
    let passkeys = state.passkeys();
    match passkeys.finish_assertion(&interaction.browser, &interaction.id, None, ceremony, answer, &address).await {
        Ok(proof) => {
            tracing::info!(%client_id, user = %proof.user.id, %address, "signed in with a passkey");
            metrics::sign_in(SignInMethod::Passkey, SignInOutcome::Success);
            state.audit(assertion_audit("login.passkey", &proof, &client_id, &address)).await;
            let facts = PasskeyFacts {
                synced: proof.passkey.synced,
                user_verified: proof.user_verified,
                after_password: false,
            };
            let proved = sign_in::passkey_authentication(facts);
            let authentication = Authentication {
                user_id: proof.user.id,
                amr: proved.methods.iter().map(|method| (*method).to_owned()).collect(),
                acr: proved.multi_factor.then(|| sign_in::SECOND_FACTOR_ACR.to_owned()),
                second_factor: proved.multi_factor,
                ..Authentication::default()
            };
            authorize::resume(state, req, interaction, Outcome::SignedIn(SignIn { authentication, address })).await
        }
        Err(error) => failed(state, req, interaction, &client_id, &address, error).await,
    }
}

/// A refused passkey: throttled (a page that says how long to wait), or back to the login
/// page with the reason.
async fn failed(
    state: &AppState,
    req: &Request,
    interaction: Interaction,
    client_id: &str,
    address: &str,
    error: PasskeyError,
) -> Response {
    let record = AuditRecord::new("login.passkey", Actor::Anonymous).failed().client(client_id).address(address);
    if let PasskeyError::Throttled { retry_after } = error {
        tracing::warn!(%client_id, %address, "passkey sign-in throttled");
        metrics::sign_in(SignInMethod::Passkey, SignInOutcome::Throttled);
        state.audit(record.detail("throttled: too many failed attempts")).await;
        let (seconds, message) = page::wait_in_words(retry_after);
        let mut response = page::error(state, StatusCode::TOO_MANY_REQUESTS, "Too many attempts", &message);
        response.headers_mut().insert(poem::http::header::RETRY_AFTER, seconds.into());
        return response;
    }
    let Some((_, message)) = refusal(&error) else { return page::internal_error(state, &error) };
    tracing::info!(%client_id, %address, %error, "passkey sign-in refused");
    metrics::sign_in(SignInMethod::Passkey, SignInOutcome::Failure);
    state.audit(record.detail(error.to_string())).await;
    let failure = OAuthError::new(ErrorCode::AccessDenied, message);
    authorize::resume(state, req, interaction, Outcome::Failed(failure)).await
}

/// The login step a passkey post works on, its CSRF token checked, and its parameters.
/// A client that signs in only at its identity provider offers no passkey either.
async fn login_step(state: &AppState, req: &Request, body: Body) -> Result<(Interaction, extract::Params), Response> {
    let params = extract::form_params(req, body).await.map_err(|error| page::bad_parameters(state, &error))?;
    let interaction = authorize::interaction(state, req, params.get("interaction"), Caller::LoginPage).await?;
    if !csrf::verify(state, &interaction.browser, Purpose::Login, params.get("csrf_token")) {
        return Err(page::csrf_refused(state, "Please reload the sign-in page and try again."));
    }
    match authorize::sign_in_options(state, &interaction.pending.request.client_id).await {
        Ok(offered) if offered.password => Ok((interaction, params)),
        Ok(_) => Err(script_error(
            state,
            StatusCode::FORBIDDEN,
            "This application signs you in through its identity provider only.",
        )),
        Err(error) => Err(page::internal_error(state, error.as_ref())),
    }
}
