//! The account page's forms (`POST /account/…`): each checks the CSRF token, calls its
//! operation in `manage::account`, and answers with a redirect to the page saying what
//! was done, or with the page again showing why not. The changes that could lock the
//! person out or let someone in ask for a recent sign-in first (`sign_in::recent`).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use uuid::Uuid;

use super::overview;
use super::sign_in::{self, SignedIn};
use crate::http::csrf::{self, Purpose};
use crate::http::extract::{self, Params};
use crate::http::page;
use crate::manage::ManageError;
use crate::manage::account::{self as own, OwnProfile, PasswordChange};
use crate::oidc::paths;
use crate::state::AppState;
use crate::templates::SectionError;

/// A posted form of a signed-in person, its CSRF token checked.
struct Posted {
    params: Params,
    signed_in: SignedIn,
    address: String,
}

/// `recent` says, of the signed-in person, whether the change needs a recent sign-in.
async fn posted(
    state: &AppState,
    req: &Request,
    body: Body,
    recent: impl FnOnce(&SignedIn) -> bool,
) -> Result<Posted, Response> {
    let params = extract::form_params(req, body).await.map_err(|error| page::bad_parameters(state, &error))?;
    let signed_in = sign_in::require(state, req, paths::ACCOUNT).await?;
    let signed_in = match recent(&signed_in) {
        true => sign_in::recent(state, signed_in, paths::ACCOUNT).await?,
        false => signed_in,
    };
    if !csrf::verify(state, &signed_in.browser, Purpose::Account, params.get("csrf_token")) {
        return Err(page::csrf_refused(state, "Please reload the page and try again."));
    }
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    Ok(Posted { params, signed_in, address })
}

fn done(state: &AppState, what: &str) -> Response {
    page::see_other(&state.settings.endpoint_with(paths::ACCOUNT, "done", what))
}

/// The page again, with `section`'s form refused for the reason `error` gives; an
/// outage or a fault of ours is the error page.
async fn refused(state: &AppState, posted: &Posted, section: &'static str, error: ManageError) -> Response {
    let (status, message) = match error {
        ManageError::Invalid(errors) => {
            // Each refusal in the page's language, as one message the template shows as it is.
            let catalogues = state.templates.catalogues();
            let sentences: Vec<String> =
                errors.iter().map(|e| crate::i18n::message(catalogues, &super::sentence(&e.message))).collect();
            (StatusCode::BAD_REQUEST, sentences.join(" "))
        }
        ManageError::Conflict { detail, .. } => (StatusCode::CONFLICT, detail),
        ManageError::NotFound(what) => (StatusCode::NOT_FOUND, format!("That {what} no longer exists.")),
        ManageError::Unavailable(cause) => return page::internal_error(state, &*cause),
    };
    let error = SectionError { section, message };
    overview::render(state, &posted.signed_in, status, None, Some(error)).await
}

/// A form field: trimmed, and none when empty.
fn field(params: &Params, name: &str) -> Option<String> {
    params.get(name).map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned)
}

#[handler]
pub async fn profile(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let posted = match posted(state, req, body, |_| false).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let p = &posted.params;
    let edits = OwnProfile {
        name: field(p, "name"),
        given_name: field(p, "given_name"),
        family_name: field(p, "family_name"),
        nickname: field(p, "nickname"),
        zoneinfo: field(p, "zoneinfo"),
        locale: field(p, "locale"),
    };
    match own::update_profile(state, &posted.signed_in.user, edits, &posted.address).await {
        Ok(_) => done(state, "profile"),
        Err(error) => refused(state, &posted, "profile", error).await,
    }
}

#[handler]
pub async fn email(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let posted = match posted(state, req, body, |_| false).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let email = field(&posted.params, "email").unwrap_or_default();
    match own::change_email(state, &posted.signed_in.user, &email, &posted.address).await {
        Ok(()) if state.mailer.is_some() => done(state, "email-sent"),
        Ok(()) => done(state, "email"),
        Err(error) => refused(state, &posted, "email", error).await,
    }
}

#[handler]
pub async fn password(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    // A first password is a new way in: only right after a sign-in.
    let posted = match posted(state, req, body, |signed_in| !signed_in.user.has_password).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let p = &posted.params;
    let new = p.get("new_password").unwrap_or_default();
    let (user, sid) = (&posted.signed_in.user, &posted.signed_in.session.sid);
    match own::change_password(state, user, p.get("current_password"), new, sid, &posted.address).await {
        Ok(PasswordChange::Changed) => done(state, "password"),
        Ok(PasswordChange::Refused) => {
            let error = ManageError::invalid("current_password", "The current password is not right.");
            refused(state, &posted, "password", error).await
        }
        Ok(PasswordChange::Throttled(wait)) => {
            let (seconds, message) = page::wait_in_words(wait);
            let error = SectionError { section: "password", message };
            let mut response =
                overview::render(state, &posted.signed_in, StatusCode::TOO_MANY_REQUESTS, None, Some(error)).await;
            response.headers_mut().insert(poem::http::header::RETRY_AFTER, seconds.into());
            response
        }
        Err(error) => refused(state, &posted, "password", error).await,
    }
}

#[handler]
pub async fn sessions(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let posted = match posted(state, req, body, |_| false).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let (user, current) = (&posted.signed_in.user, &posted.signed_in.session.sid);
    match posted.params.get("sid").unwrap_or_default() {
        "others" => match own::end_other_sessions(state, user, current, &posted.address).await {
            Ok(_) => done(state, "sessions"),
            Err(error) => refused(state, &posted, "sessions", error).await,
        },
        sid if sid == current.as_str() => {
            refused(state, &posted, "sessions", ManageError::conflict("To end this session, sign out.")).await
        }
        sid => match own::end_session(state, user, sid, &posted.address).await {
            Ok(()) => done(state, "session"),
            Err(error) => refused(state, &posted, "sessions", error).await,
        },
    }
}

#[handler]
pub async fn consents(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let posted = match posted(state, req, body, |_| false).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let Some(id) = posted.params.get("consent").and_then(|id| Uuid::parse_str(id).ok()) else {
        return refused(state, &posted, "consents", ManageError::NotFound("consent")).await;
    };
    match own::revoke_consent(state, &posted.signed_in.user, id, &posted.address).await {
        Ok(()) => done(state, "consent"),
        Err(error) => refused(state, &posted, "consents", error).await,
    }
}

#[handler]
pub async fn upstreams(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let posted = match posted(state, req, body, |_| true).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let Some(id) = posted.params.get("link").and_then(|id| Uuid::parse_str(id).ok()) else {
        return refused(state, &posted, "upstreams", ManageError::NotFound("upstream identity")).await;
    };
    match own::unlink(state, &posted.signed_in.user, id, &posted.address).await {
        Ok(()) => done(state, "unlinked"),
        Err(error) => refused(state, &posted, "upstreams", error).await,
    }
}

/// Links one more upstream: the person signs in there, and comes back to the page.
#[handler]
pub async fn link_upstream(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let posted = match posted(state, req, body, |_| true).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let slug = posted.params.get("slug").unwrap_or_default();
    let signed_in = &posted.signed_in;
    match crate::federation::link_account::start(state, &signed_in.user, &signed_in.browser, slug).await {
        Ok(upstream) => page::see_other(&upstream),
        Err(crate::federation::flow::Failure::Internal(error)) => page::internal_error(state, &*error),
        Err(failure) => {
            let error = SectionError { section: "upstreams", message: failure.message() };
            overview::render(state, signed_in, StatusCode::BAD_REQUEST, None, Some(error)).await
        }
    }
}

#[handler]
pub async fn remove_second_factor(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let posted = match posted(state, req, body, |_| true).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    match own::remove_second_factor(state, &posted.signed_in.user, &posted.address).await {
        Ok(()) => done(state, "second-factor-removed"),
        Err(error) => refused(state, &posted, "second_factor", error).await,
    }
}
