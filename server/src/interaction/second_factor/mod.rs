//! The second-factor pages (issue 13): the code after the password (`verify`), the
//! enrolment the flow asks for when a rule requires a factor the user lacks (`enrol`), and
//! the enrolment a signed-in user starts of their own accord (`account`). Each ends a flow
//! step through `oidc::authorize::resume`, or stands alone (`account`).

pub mod account;
pub mod enrol;
pub mod verify;

use poem::http::StatusCode;
use poem::{Request, Response};

use crate::accounts::second_factor::Enrolment;
use crate::accounts::{Provisioning, SecondFactorError};
use crate::domain::User;
use crate::http::cookies;
use crate::http::csrf::{self, Purpose};
use crate::http::extract::Params;
use crate::http::page::{self, EnrolmentPage, PasskeyEnrolment};
use crate::oidc::authorize::{self, Caller, Interaction};
use crate::session::browser::BrowserSession;
use crate::state::AppState;

/// What `amr` gains with the hub's second factor (RFC 8176): a one-time password, and
/// more than one factor. A recovery code is a one-time password too.
pub const SECOND_FACTOR_AMR: &[&str] = &["otp", "mfa"];

/// The flow step a page of `caller` works on, and the signed-in user it is for; a posted
/// form's CSRF token is checked.
pub(crate) async fn flow_step(
    state: &AppState,
    req: &Request,
    params: &Params,
    caller: Caller<'_>,
    posted: bool,
) -> Result<(Interaction, User), Response> {
    let interaction = authorize::interaction(state, req, params.get("interaction"), caller).await?;
    if posted && !csrf::verify(state, &interaction.browser, Purpose::SecondFactor, params.get("csrf_token")) {
        return Err(page::csrf_refused(state, "Please reload the page and try again."));
    }
    let user = signed_in_user(state, req).await?;
    Ok((interaction, user))
}

/// A new enrolment's page: the QR code, the key and the recovery codes, shown once.
fn new_enrolment(
    state: &AppState,
    user: &User,
    enrolment: Enrolment,
    browser: &str,
    interaction: Option<(String, String)>,
) -> Response {
    let csrf_token = csrf::token(state, browser, Purpose::SecondFactor);
    let page =
        enrolment_page(state, user, enrolment.provisioning, enrolment.recovery_codes, csrf_token, interaction, None);
    show(state, StatusCode::OK, &page)
}

/// An enrolment page, with the hub's script where it offers a passkey.
pub(crate) fn show(state: &AppState, status: StatusCode, page: &EnrolmentPage) -> Response {
    match page.passkey {
        Some(_) => page::render_scripted(state, status, page),
        None => page::render(state, status, page),
    }
}

/// The user signed in in this browser, whose second factor the page is about.
async fn signed_in_user(state: &AppState, req: &Request) -> Result<User, Response> {
    signed_in_session(state, req).await.map(|(user, _)| user)
}

/// The user signed in in this browser, and their session.
async fn signed_in_session(state: &AppState, req: &Request) -> Result<(User, BrowserSession), Response> {
    let session = match cookies::session(state, req).await {
        Ok(Some(session)) => session,
        Ok(None) => return Err(not_signed_in(state)),
        Err(error) => return Err(page::internal_error(state, &error)),
    };
    match state.store.find_user(session.user_id).await {
        Ok(Some(user)) if !user.disabled => Ok((user, session)),
        Ok(_) => Err(not_signed_in(state)),
        Err(error) => Err(page::internal_error(state, &error)),
    }
}

/// For a signed-in user's own pages: the user, their session, and the browser binding
/// their forms are tied to.
pub(crate) async fn signed_in_here(
    state: &AppState,
    req: &Request,
) -> Result<(User, BrowserSession, String), Response> {
    let (user, session) = signed_in_session(state, req).await?;
    match cookies::browser_id(req, &state.settings) {
        Ok((browser, false)) => Ok((user, session, browser)),
        // A session cookie without the browser binding it was made with: not this browser's.
        Ok((_, true)) => Err(page::csrf_refused(state, "Please sign in again in this browser.")),
        Err(error) => Err(page::internal_error(state, &error)),
    }
}

fn not_signed_in(state: &AppState) -> Response {
    page::error(
        state,
        StatusCode::UNAUTHORIZED,
        "Not signed in",
        "Your session has ended. Please return to the application and sign in again.",
    )
}

/// The name authenticator apps file the account under: the hub's host.
fn issuer_label(state: &AppState) -> String {
    state.settings.issuer.host_str().unwrap_or("hub").to_owned()
}

/// What the person reads when a code is refused, and the status of the page.
fn refusal(error: &SecondFactorError) -> Option<(StatusCode, &'static str)> {
    match error {
        SecondFactorError::Wrong => Some((
            StatusCode::UNAUTHORIZED,
            "That code is not right. Check that the time on your device is correct, and try again.",
        )),
        SecondFactorError::Replayed => {
            Some((StatusCode::UNAUTHORIZED, "That code was used already. Please wait for the next one."))
        }
        _ => None,
    }
}

/// The enrolment form, for a new enrolment (with its recovery codes) or shown again.
fn enrolment_page(
    state: &AppState,
    user: &User,
    provisioning: Provisioning,
    recovery_codes: Vec<String>,
    csrf_token: String,
    interaction: Option<(String, String)>,
    error: Option<String>,
) -> EnrolmentPage {
    let (interaction, client_name) = interaction.unzip();
    let action = match interaction {
        Some(_) => crate::oidc::paths::SECOND_FACTOR_ENROLMENT,
        None => crate::oidc::paths::ACCOUNT_SECOND_FACTOR,
    };
    // The account page has passkeys of its own; the flow offers one beside the app.
    let passkey = (interaction.is_some() && state.passkeys().supported()).then(|| PasskeyEnrolment {
        options: state.settings.endpoint(crate::oidc::paths::ENROLMENT_PASSKEY_OPTIONS),
        action: state.settings.endpoint(crate::oidc::paths::ENROLMENT_PASSKEY),
        name_max: crate::accounts::passkeys::NAME_MAX_CHARS,
    });
    EnrolmentPage {
        action: state.settings.endpoint(action),
        csrf_token,
        interaction,
        client_name,
        username: user.username.clone(),
        qr_png_base64: provisioning.qr_png_base64,
        secret: provisioning.secret_base32,
        recovery_codes,
        error,
        passkey,
    }
}
