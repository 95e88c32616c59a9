//! The one way back into an authorization request, as node-oidc-provider's `resume`:
//! the login and consent pages and the sign-in at an upstream only leave an `Outcome`
//! here. `begin` is the way in from `/authorize`. Both gather the facts, ask `decide`
//! for the next step, and have `respond` carry it out. The flow knows that someone
//! signed in and how, never by which page or protocol.

use chrono::Utc;
use poem::{Request, Response};

use super::decide::{self, Facts, SessionFacts, Step};
use super::pending::{self, Caller, Notice, PendingAuthorization};
use super::respond;
use crate::domain::Client;
use crate::domain::sign_in::{self, SignInOptions};
use crate::http::cookies::{self, Cookie};
use crate::http::page;
use crate::oidc::{ErrorCode, OAuthError};
use crate::session::browser::{Authentication, BrowserSession};
use crate::sso;
use crate::state::AppState;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// How a step ended.
pub enum Outcome {
    /// Someone proved who they are (by password, at an upstream, …).
    SignedIn(SignIn),
    /// The user of the browser's session proved a second factor; `methods` are what the
    /// session's `amr` gains (RFC 8176).
    SecondFactor { user_id: uuid::Uuid, methods: Vec<&'static str> },
    /// The consent page's "Allow" (the consent is already remembered).
    Consented,
    /// The consent page's "Deny".
    Denied,
    /// The sign-in did not succeed; the description is for the person or the app.
    Failed(OAuthError),
}

/// A completed sign-in.
pub struct SignIn {
    /// Who, and how: methods (`amr`), `acr`, `auth_time`, the upstream session.
    pub authentication: Authentication,
    /// Where they signed in from.
    pub address: String,
}

/// A pending request that a page or a sign-in method is working on.
pub struct Interaction {
    pub id: String,
    /// The browser binding the request belongs to (also the pages' CSRF binding).
    pub browser: String,
    pub pending: PendingAuthorization,
}

/// The pending request named by `id`, if it exists, was started by this browser and waits
/// for a step `caller` may do; otherwise the page to show instead.
pub async fn interaction(
    state: &AppState,
    req: &Request,
    id: Option<&str>,
    caller: Caller<'_>,
) -> Result<Interaction, Response> {
    let Some(id) = id else { return Err(respond::expired(state)) };
    let browser = match cookies::browser_id(req, &state.settings) {
        Ok((browser, false)) => browser,
        Ok((_, true)) => return Err(respond::expired(state)),
        Err(error) => return Err(page::internal_error(state, &error)),
    };
    match pending::load(&state.sessions, id).await {
        Ok(Some(pending))
            if pending.belongs_to(&browser) && pending.progress.awaiting.as_ref().is_some_and(|a| a.admits(caller)) =>
        {
            // The pages of this request are in the language its app asked for, if any.
            if let Some(tags) = &pending.request.ui_locales {
                crate::i18n::asked_for(tags);
            }
            Ok(Interaction { id: id.to_owned(), browser, pending })
        }
        Ok(_) => Err(respond::expired(state)),
        Err(error) => Err(page::internal_error(state, &error)),
    }
}

/// A request that has just passed `/authorize`'s checks.
pub async fn begin(state: &AppState, req: &Request, pending: PendingAuthorization) -> Response {
    match cookies::session(state, req).await {
        Ok(session) => proceed(state, None, pending, session).await,
        Err(error) => page::internal_error(state, &error),
    }
}

/// Takes the request up again after a step.
pub async fn resume(state: &AppState, req: &Request, interaction: Interaction, outcome: Outcome) -> Response {
    let Interaction { id, mut pending, .. } = interaction;
    match outcome {
        Outcome::SignedIn(sign_in) => {
            let (cookie, session) = match start_session(state, req, sign_in).await {
                Ok(started) => started,
                Err(error) => return page::internal_error(state, &error),
            };
            pending.progress.signed_in_sid = Some(session.sid.clone());
            let mut response = proceed(state, Some(&id), pending, Some(session)).await;
            cookies::set(&mut response, &state.settings, Cookie::Session, &cookie, None);
            response
        }
        Outcome::SecondFactor { user_id, methods } => {
            let raised = match raise_session(state, req, user_id, &methods).await {
                Ok(raised) => raised,
                Err(error) => return page::internal_error(state, error.as_ref()),
            };
            match raised {
                Some(session) => proceed(state, Some(&id), pending, Some(session)).await,
                // The session ended (or changed hands) while the page was open: sign in again.
                None => proceed(state, Some(&id), pending, None).await,
            }
        }
        Outcome::Consented => match cookies::session(state, req).await {
            Ok(session) => {
                pending.progress.consented_by = session.as_ref().map(|session| session.user_id);
                proceed(state, Some(&id), pending, session).await
            }
            Err(error) => page::internal_error(state, &error),
        },
        Outcome::Denied => {
            let denied = OAuthError::new(ErrorCode::AccessDenied, "the user denied the request");
            carry_out(state, Some(&id), pending, Step::Fail(denied), None).await
        }
        Outcome::Failed(failure) => {
            let step = decide::after_failure(&pending.progress, failure);
            carry_out(state, Some(&id), pending, step, None).await
        }
    }
}

/// The browser's session raised by the second factor its user just proved.
async fn raise_session(
    state: &AppState,
    req: &Request,
    user_id: uuid::Uuid,
    methods: &[&str],
) -> Result<Option<BrowserSession>, Error> {
    let Some(cookie) = cookies::read(req, &state.settings, Cookie::Session) else { return Ok(None) };
    let Some(session) = sso::current(state, &cookie).await?.filter(|session| session.user_id == user_id) else {
        return Ok(None);
    };
    Ok(sso::add_second_factor(state, &cookie, session, methods, sign_in::SECOND_FACTOR_ACR).await?)
}

/// Why the last sign-in failed, if it did, for the login page to say once: a reload
/// shows the page without it.
pub async fn take_notice(state: &AppState, interaction: &mut Interaction) -> Result<Option<Notice>, Error> {
    let Some(notice) = interaction.pending.progress.notice.take() else { return Ok(None) };
    let ttl = crate::config::Settings::secs(state.settings.interaction_ttl_secs);
    pending::save(&state.sessions, Some(&interaction.id), &interaction.pending, ttl).await?;
    Ok(Some(notice))
}

/// The ways in the sign-in of `client_id` offers, for the login page.
pub async fn sign_in_options(state: &AppState, client_id: &str) -> Result<SignInOptions, Error> {
    let client = state.store.find_client(client_id).await?.ok_or("client vanished during authorization")?;
    options_for(state, &client.client).await
}

async fn options_for(state: &AppState, client: &Client) -> Result<SignInOptions, Error> {
    let keys = state.store.all_social_login_keys().await?;
    Ok(SignInOptions::for_client(client, keys.iter().map(|stored| &stored.key)))
}

/// A fresh SSO session (a new id, so a planted one is worthless), replacing any session
/// the browser had; that one's apps are told it ended.
async fn start_session(
    state: &AppState,
    req: &Request,
    sign_in: SignIn,
) -> Result<(String, BrowserSession), sso::SessionsError> {
    if let Some(old) = cookies::read(req, &state.settings, Cookie::Session) {
        sso::end_by_cookie(state, &old).await?;
    }
    let origin = sso::Origin { address: &sign_in.address, user_agent: req.header("user-agent") };
    sso::start(state, sign_in.authentication, origin).await
}

async fn proceed(
    state: &AppState,
    id: Option<&str>,
    pending: PendingAuthorization,
    session: Option<BrowserSession>,
) -> Response {
    let gathered = match gather(state, &pending, session).await {
        Ok(gathered) => gathered,
        Err(error) => return page::internal_error(state, error.as_ref()),
    };
    let (facts, session) = gathered;
    let step = decide::decide(&pending.request, &pending.progress, &facts);
    carry_out(state, id, pending, step, session.as_ref()).await
}

async fn carry_out(
    state: &AppState,
    id: Option<&str>,
    pending: PendingAuthorization,
    step: Step,
    session: Option<&BrowserSession>,
) -> Response {
    match respond::carry_out(state, id, pending, step, session).await {
        Ok(response) => response,
        Err(error) => page::internal_error(state, error.as_ref()),
    }
}

/// What `decide` needs, and the session that satisfies the request, if one may.
async fn gather(
    state: &AppState,
    pending: &PendingAuthorization,
    session: Option<BrowserSession>,
) -> Result<(Facts, Option<BrowserSession>), Error> {
    let request = &pending.request;
    let client = state.store.find_client(&request.client_id).await?.ok_or("client vanished during authorization")?;
    let client = client.client;
    // A session of a user who was disabled (or deleted) meanwhile is no session.
    let user = match &session {
        Some(session) => state.store.find_user(session.user_id).await?.filter(|user| !user.disabled),
        None => None,
    };
    let session = session.filter(|_| user.is_some());
    let consent_remembered = match &session {
        Some(session) if !client.skip_authorization && pending.progress.consented_by != Some(session.user_id) => {
            let granted = state.store.granted_scopes(session.user_id, &client.client_id, Utc::now()).await?;
            granted.is_some_and(|granted| request.scope.is_subset(&granted))
        }
        _ => false,
    };
    let session_facts = match session.as_ref().zip(user.as_ref()) {
        Some((session, user)) => {
            // A session that proved a second factor needs no policy: `decide` reads
            // neither fact then, so most requests skip both lookups.
            let (enrolled, rule) = if session.second_factor {
                (true, None)
            } else {
                // A passkey is a second factor too: a user with one is never made to enrol TOTP.
                let enrolled = state.has_second_factor(user.id).await?;
                let group_requires = state.store.groups_require_second_factor(&user.groups).await?;
                let rule = sign_in::second_factor_rule(
                    client.require_second_factor,
                    group_requires,
                    user.is_admin(),
                    enrolled,
                    state.settings.admins_require_second_factor,
                );
                (enrolled, rule)
            };
            Some(SessionFacts {
                sid: session.sid.clone(),
                user_id: user.id,
                subject: user.subject(),
                auth_time: session.auth_time,
                acr: sign_in::acr_of(session.acr.as_deref()).to_owned(),
                second_factor: session.second_factor,
                upstream: session.upstream.is_some(),
                groups: user.groups.clone(),
                enrolled,
                second_factor_rule: rule,
            })
        }
        None => None,
    };
    let facts = Facts {
        session: session_facts,
        allowed_groups: client.allowed_groups.clone(),
        skip_consent: client.skip_authorization,
        consent_remembered,
        sign_in: options_for(state, &client).await?,
        now: Utc::now().timestamp(),
    };
    Ok((facts, session))
}
