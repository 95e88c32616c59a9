//! The next step of an authorization request, decided from what is known about it: the
//! request, what happened to it so far, the browser's session, the client's policy. Pure
//! (no I/O, no HTTP), so every rule is a row in the table below; `resume` gathers the
//! facts and `respond` carries the step out.
//!
//! - A session satisfies the request unless `prompt=login`/`select_account` asks for a
//!   fresh sign-in, `max_age` has passed, or `id_token_hint` names another user (OIDC
//!   Core §3.1.2.1); a sign-in during this very request always does.
//! - Without one: `prompt=none` fails with `login_required`; else the sign-in goes
//!   straight to an upstream when `idp_hint` names one the client may use, when the
//!   client is IdP-only, or when `login_hint` is an address in a domain a key serves
//!   (home-realm discovery); else to the login page.
//! - An essential `acr` the session does not meet needs a sign-in in this request; if
//!   that does not meet it either, the request fails (`unmet_authentication_requirements`).
//! - A client that names `allowed_groups` refuses (`access_denied`) a user in none of them.
//! - A second factor is asked once per session where the client, a group of the user or
//!   the administrators' rule requires one, or the app asks for `acr` 2 (essential, or
//!   first in its voluntary `acr_values` for an enrolled user). Enrolled means TOTP or a
//!   passkey; a passkey sign-in that verified its user has proved two factors already
//!   (`domain::sign_in::passkey_authentication`). Not enrolled: the hub's own
//!   sign-in enrols one; an upstream's sign-in (not trusted to assert one) is refused.
//!   `prompt=none` cannot show either page (`interaction_required`).
//! - Consent is asked unless the client skips it, the user gave it during this request,
//!   or a remembered consent covers every scope (and `prompt=consent` does not insist).

use uuid::Uuid;

use super::pending::{AuthorizationRequest, Awaiting, Notice, Progress};
use crate::domain::Prompt;
use crate::domain::sign_in::{self, SECOND_FACTOR_ACR, SecondFactorRule, SignInOptions};
use crate::oidc::{ErrorCode, OAuthError};

/// What the flow knows when it decides.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The browser's live SSO session, of a user who is not disabled.
    pub session: Option<SessionFacts>,
    /// The client is first-party (`skip_authorization`): consent is never asked.
    pub skip_consent: bool,
    /// A remembered consent of the session's user covers every requested scope. Only
    /// looked up when `decide` reads it.
    pub consent_remembered: bool,
    /// The ways in the client's sign-in offers.
    pub sign_in: SignInOptions,
    /// The groups whose members may use the client; empty: everyone.
    pub allowed_groups: Vec<String>,
    /// Unix seconds.
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct SessionFacts {
    pub sid: String,
    pub user_id: Uuid,
    /// The user's `sub`.
    pub subject: String,
    /// When the user last authenticated (unix seconds).
    pub auth_time: i64,
    /// How (`domain::sign_in::acr_of`).
    pub acr: String,
    /// The sign-in had a second factor (the hub's, or a trusted upstream's).
    pub second_factor: bool,
    /// The sign-in was at an upstream.
    pub upstream: bool,
    pub groups: Vec<String>,
    /// The user has one of the hub's second factors: TOTP, or a passkey.
    pub enrolled: bool,
    /// Why this user must prove a second factor here, if a rule says so.
    pub second_factor_rule: Option<SecondFactorRule>,
}

/// What happens next. A new kind of step (a second factor, choosing an account) is a new
/// variant here, a row in the table, and a branch in `respond`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The hub's login page, saying why the last attempt failed, if one did.
    Login(Option<Notice>),
    /// Straight to the sign-in at this Social Login Key; the login page is skipped.
    Upstream(String),
    /// The second-factor page: a code of the user's authenticator, a recovery code, or a
    /// passkey.
    SecondFactor,
    /// The enrolment page of a second factor, for a user who must have one and has none.
    EnrolSecondFactor,
    /// The consent page.
    Consent,
    /// The authorization response to the app.
    Issue,
    /// An error response to the app (OIDC Core §3.1.2.6).
    Fail(OAuthError),
}

fn login_required() -> OAuthError {
    OAuthError::new(ErrorCode::LoginRequired, "the user is not signed in")
}

pub fn decide(request: &AuthorizationRequest, progress: &Progress, facts: &Facts) -> Step {
    let session = match &facts.session {
        // Signed in during this request, in this very session: as fresh as it gets. The
        // app asked for a particular user, and someone else signed in: the request ends,
        // though their session stands.
        Some(session) if progress.signed_in_sid.as_deref() == Some(session.sid.as_str()) => {
            if request.expected_subject.as_ref().is_some_and(|sub| *sub != session.subject) {
                return Step::Fail(login_required());
            }
            if !acr_met(request, session) {
                let description = "the sign-in cannot meet the essential acr the app asked for";
                return Step::Fail(OAuthError::new(ErrorCode::UnmetAuthenticationRequirements, description));
            }
            Some(session)
        }
        Some(session) if !needs_fresh_sign_in(request, session, facts.now) => Some(session),
        _ => None,
    };
    let Some(session) = session else {
        if request.prompts(Prompt::None) {
            return Step::Fail(login_required());
        }
        return match upstream_for(request, &facts.sign_in) {
            Some(slug) => Step::Upstream(slug),
            None => Step::Login(None),
        };
    };

    if !crate::domain::client::admits_member_of(&facts.allowed_groups, &session.groups) {
        let description = "the user is not in a group allowed to use this application";
        return Step::Fail(OAuthError::new(ErrorCode::AccessDenied, description));
    }
    if let Some(step) = second_factor_step(request, session) {
        return step;
    }

    let consented_now = progress.consented_by == Some(session.user_id);
    let needs_consent =
        !facts.skip_consent && !consented_now && (request.prompts(Prompt::Consent) || !facts.consent_remembered);
    if needs_consent {
        if request.prompts(Prompt::None) {
            return Step::Fail(OAuthError::new(ErrorCode::ConsentRequired, "the user has not consented"));
        }
        return Step::Consent;
    }
    Step::Issue
}

/// Where a sign-in that failed (at an upstream, or refused by the hub's policy) goes.
pub fn after_failure(progress: &Progress, failure: OAuthError) -> Step {
    match progress.awaiting {
        Some(Awaiting::Upstream(_)) => Step::Fail(failure),
        _ => Step::Login(Some(Notice {
            code: failure.code,
            message: failure.description.map(|d| d.into_owned()).unwrap_or_default(),
        })),
    }
}

/// The session does not satisfy the request: a fresh sign-in was asked for, it is older
/// than `max_age`, or it is another user's than `id_token_hint` names.
fn needs_fresh_sign_in(request: &AuthorizationRequest, session: &SessionFacts, now: i64) -> bool {
    let too_old =
        request.max_age.is_some_and(|max_age| now - session.auth_time > i64::try_from(max_age).unwrap_or(i64::MAX));
    let other_user = request.expected_subject.as_ref().is_some_and(|sub| *sub != session.subject);
    request.prompts(Prompt::Login)
        || request.prompts(Prompt::SelectAccount)
        || too_old
        || other_user
        || !acr_met(request, session)
}

/// An essential `acr` the session's sign-in does not meet asks for another sign-in, which
/// may (an upstream's) or may not; voluntary `acr_values` never stop a request. Level 2
/// is met by the second-factor step on top of the session, not by another sign-in.
fn acr_met(request: &AuthorizationRequest, session: &SessionFacts) -> bool {
    request.acr.as_ref().is_none_or(|acr| {
        !acr.essential
            || acr.values.iter().any(|wanted| {
                sign_in::meets(wanted, &session.acr, session.second_factor) || wanted == SECOND_FACTOR_ACR
            })
    })
}

/// The second-factor step the session still needs, if any (the module doc's rule).
fn second_factor_step(request: &AuthorizationRequest, session: &SessionFacts) -> Option<Step> {
    if session.second_factor {
        return None;
    }
    let asked = request.acr.as_ref().map(|acr| {
        let essential = acr.essential
            && acr.values.iter().any(|v| v == SECOND_FACTOR_ACR)
            && !acr.values.iter().any(|v| sign_in::meets(v, &session.acr, false));
        let preferred = !acr.essential && acr.values.first().is_some_and(|v| v == SECOND_FACTOR_ACR);
        (essential, preferred)
    });
    let (essential, preferred) = asked.unwrap_or_default();
    let needed = session.second_factor_rule.is_some() || essential || (preferred && session.enrolled);
    if !needed {
        return None;
    }
    if request.prompts(Prompt::None) {
        let description = "a second factor is needed, and prompt=none allows no page";
        return Some(Step::Fail(OAuthError::new(ErrorCode::InteractionRequired, description)));
    }
    if session.enrolled {
        return Some(Step::SecondFactor);
    }
    if session.upstream {
        let step = match essential && session.second_factor_rule.is_none() {
            true => Step::Fail(OAuthError::new(
                ErrorCode::UnmetAuthenticationRequirements,
                "the upstream sign-in had no second factor the hub trusts, and the user has none at the hub",
            )),
            false => Step::Fail(OAuthError::new(
                ErrorCode::AccessDenied,
                "this application requires a second factor, which this upstream sign-in cannot provide",
            )),
        };
        return Some(step);
    }
    Some(Step::EnrolSecondFactor)
}

/// The key to send this sign-in to without showing the login page, if any. A hint the
/// client may not use is ignored, as Keycloak does: the login page shows what it may.
fn upstream_for(request: &AuthorizationRequest, options: &SignInOptions) -> Option<String> {
    if let Some(hint) = request.idp_hint.as_deref()
        && options.offers(hint)
    {
        return Some(hint.to_owned());
    }
    if let Some(default) = &options.default_key {
        return Some(default.clone());
    }
    let hint = request.login_hint.as_deref()?;
    options.serving(hint).map(|key| key.slug.clone())
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "decide_second_factor_tests.rs"]
mod second_factor_tests;
