//! Every response of the authorization flow: a step of `decide` carried out (to the login
//! page, to an upstream's sign-in, to the second-factor or consent page, or back to the app), and the
//! delivery of the app's response to its verified redirect URI, in the query, in the
//! fragment, or as an auto-submitted form (form_post). Every response to the app carries
//! `iss` (RFC 9207).

use poem::Response;
use poem::http::StatusCode;

use super::decide::Step;
use super::pending::{self, Awaiting, PendingAuthorization, Recipient, ResponseTarget};
use super::{device, issue};
use crate::config::Settings;
use crate::domain::ResponseMode;
use crate::http::page::{self, FormField, FormPostPage};
use crate::oidc::{OAuthError, paths};
use crate::session::browser::BrowserSession;
use crate::state::AppState;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Carries out `step` for the request saved under `id` (none yet: it came straight from
/// `/authorize`). `session` is the browser's session that satisfied the request, for
/// `Step::Issue`.
pub async fn carry_out(
    state: &AppState,
    id: Option<&str>,
    mut pending: PendingAuthorization,
    step: Step,
    session: Option<&BrowserSession>,
) -> Result<Response, Error> {
    let progress = &mut pending.progress;
    let page = match step {
        Step::Login(notice) => {
            (progress.awaiting, progress.notice) = (Some(Awaiting::LoginPage), notice);
            paths::LOGIN.to_owned()
        }
        Step::Upstream(slug) => {
            let start = paths::Upstream::of(&slug).start;
            (progress.awaiting, progress.notice) = (Some(Awaiting::Upstream(slug)), None);
            start
        }
        Step::SecondFactor => {
            progress.awaiting = Some(Awaiting::SecondFactor);
            paths::SECOND_FACTOR.to_owned()
        }
        Step::EnrolSecondFactor => {
            progress.awaiting = Some(Awaiting::SecondFactorEnrolment);
            paths::SECOND_FACTOR_ENROLMENT.to_owned()
        }
        Step::Consent => {
            progress.awaiting = Some(Awaiting::Consent);
            paths::CONSENT.to_owned()
        }
        Step::Issue => {
            let session = session.ok_or("a code can only be issued in a session")?;
            let target = match &pending.request.target {
                Recipient::Redirect(target) => target,
                Recipient::Device(device) => {
                    finished(state, id).await?;
                    return device::approve(state, &pending.request, device, session).await;
                }
            };
            let params =
                match issue::authorization_response(state, &pending.request, &target.redirect_uri, session).await {
                    Ok(params) => params,
                    // What the client's registration rules out (keys to encrypt to, say) is its
                    // to hear, at its verified redirect URI.
                    Err(failure) => match failure.downcast::<OAuthError>() {
                        Ok(failure) => {
                            finished(state, id).await?;
                            return Ok(error(state, target, &failure));
                        }
                        Err(other) => return Err(other),
                    },
                };
            finished(state, id).await?;
            return Ok(deliver(state, target, params));
        }
        Step::Fail(failure) => {
            finished(state, id).await?;
            return match &pending.request.target {
                Recipient::Redirect(target) => Ok(error(state, target, &failure)),
                Recipient::Device(device) => device::deny(state, &pending.request, device, &failure).await,
            };
        }
    };
    let ttl = Settings::secs(state.settings.interaction_ttl_secs);
    let id = pending::save(&state.sessions, id, &pending, ttl).await?;
    Ok(page::see_other(&state.settings.endpoint_with(&page, "interaction", &id)))
}

async fn finished(state: &AppState, id: Option<&str>) -> Result<(), Error> {
    if let Some(id) = id {
        pending::forget(&state.sessions, id).await?;
    }
    Ok(())
}

/// An error response to the app, at its verified redirect URI.
pub fn error(state: &AppState, target: &ResponseTarget, error: &OAuthError) -> Response {
    let mut params = vec![("error", error.code.as_str().to_owned())];
    if let Some(description) = &error.description {
        params.push(("error_description", description.to_string()));
    }
    deliver(state, target, params)
}

/// The page for an interaction that is gone: expired, answered already, or another
/// browser's.
pub fn expired(state: &AppState) -> Response {
    page::error(
        state,
        StatusCode::BAD_REQUEST,
        "Sign-in expired",
        "This sign-in has expired, was already completed, or was started in another browser. Please return to the application and start again.",
    )
}

fn deliver(state: &AppState, target: &ResponseTarget, mut params: Vec<(&'static str, String)>) -> Response {
    if let Some(value) = &target.state {
        params.push(("state", value.clone()));
    }
    params.push(("iss", state.issuer().to_owned()));
    match target.mode {
        ResponseMode::FormPost => form_post(state, &target.redirect_uri, &params),
        ResponseMode::Query | ResponseMode::Fragment => {
            let Ok(mut url) = url::Url::parse(&target.redirect_uri) else {
                return page::error(
                    state,
                    StatusCode::BAD_REQUEST,
                    "Invalid redirect",
                    "The redirect URI is not a URL.",
                );
            };
            if target.mode == ResponseMode::Query {
                url.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
            } else {
                let fragment = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())))
                    .finish();
                url.set_fragment(Some(&fragment));
            }
            page::see_other(url.as_str())
        }
    }
}

/// OAuth 2.0 Form Post Response Mode: a page that posts the parameters to the client. The
/// one script is allowed by a per-response nonce; without JavaScript a button remains.
fn form_post(state: &AppState, action: &str, params: &[(&'static str, String)]) -> Response {
    let nonce = crate::secrets::random_token().unwrap_or_default();
    let fields = params.iter().map(|(name, value)| FormField { name: (*name).to_owned(), value: value.clone() });
    let csp = format!("default-src 'none'; script-src 'nonce-{nonce}'; frame-ancestors 'none'; base-uri 'none'");
    let context = FormPostPage { action: action.to_owned(), fields: fields.collect(), script_nonce: nonce };
    page::render_with_csp(state, StatusCode::OK, &context, csp)
}
