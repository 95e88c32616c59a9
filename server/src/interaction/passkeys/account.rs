//! `GET|POST /account/passkeys` and `POST /account/passkeys/options`: a signed-in user's
//! own passkeys. The list, renaming and removing are plain forms (no JavaScript); adding
//! one takes the hub's script, which fetches the registration's options, asks the
//! authenticator and posts its answer with the name. Adding and removing are audited with
//! the user's address, and need a session that proved a second factor once the account
//! has one (`accounts::passkeys::may_change_factors`).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use uuid::Uuid;

use super::{challenge, refusal, script_error};
use crate::accounts::PasskeyError;
use crate::accounts::passkeys::{self, NAME_MAX_CHARS, Summary};
use crate::domain::User;
use crate::domain::audit::{Actor, AuditRecord};
use crate::http::csrf::{self, Purpose};
use crate::http::extract;
use crate::http::page::{self, AccountPasskeysPage, PasskeyRow};
use crate::interaction::second_factor::signed_in_here;
use crate::mail::Change;
use crate::oidc::paths;
use crate::state::AppState;

/// Who is at the page: the user, the browser their forms are bound to, and whether this
/// session may add and remove passkeys.
struct Visitor {
    user: User,
    browser: String,
    may_change: bool,
}

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    match visitor(state, req).await {
        Ok(visitor) => render(state, &visitor, StatusCode::OK, None, None).await,
        Err(response) => response,
    }
}

#[handler]
pub async fn options(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let (visitor, params) = match posted(state, req, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !visitor.may_change {
        return script_error(state, StatusCode::FORBIDDEN, "Please sign in again with your second step first.");
    }
    let name = params.get("name").unwrap_or_default();
    challenge(state, state.passkeys().begin_registration(&visitor.user, name, &visitor.browser).await)
}

#[handler]
pub async fn post(req: &Request, body: Body, Data(state): Data<&AppState>) -> Response {
    let (visitor, params) = match posted(state, req, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let passkey_id = params.get("passkey").and_then(|id| Uuid::parse_str(id).ok());
    let operation = params.get("operation").unwrap_or_default();
    if matches!(operation, "add" | "remove") && !visitor.may_change {
        let message = "To add or remove a passkey, please sign in again with your second step first.";
        return render(state, &visitor, StatusCode::FORBIDDEN, None, Some(message.to_owned())).await;
    }
    let passkeys = state.passkeys();
    let done = match (operation, passkey_id) {
        ("add", _) if params.get("credential").unwrap_or_default().is_empty() => {
            let message = "Adding a passkey needs JavaScript. Please turn it on for this site and try again.";
            return render(state, &visitor, StatusCode::BAD_REQUEST, None, Some(message.to_owned())).await;
        }
        ("add", _) => {
            let (ceremony, answer) =
                (params.get("ceremony").unwrap_or_default(), params.get("credential").unwrap_or_default());
            passkeys.finish_registration(&visitor.user, &visitor.browser, ceremony, answer).await.map(|added| {
                let record = record("passkey.register", &visitor.user, &added, &address);
                (record, format!("Passkey “{}” added.", added.name), Some(Change::PasskeyAdded))
            })
        }
        ("rename", Some(id)) => {
            passkeys.rename(visitor.user.id, id, params.get("name").unwrap_or_default()).await.map(|name| {
                let record = record_of("passkey.rename", &visitor.user, id, &name, &address);
                (record, format!("Passkey renamed to “{name}”."), None)
            })
        }
        ("remove", Some(id)) => passkeys.remove(visitor.user.id, id).await.map(|removed| {
            let record = record("passkey.remove", &visitor.user, &removed, &address);
            (record, format!("Passkey “{}” removed.", removed.name), Some(Change::PasskeyRemoved))
        }),
        _ => Err(PasskeyError::NotFound),
    };
    match done {
        // A new or removed passkey is told to the owner's address; a new name is not.
        Ok((record, notice, change)) => {
            tracing::info!(user = %visitor.user.id, action = record.action, "passkeys changed");
            if let Some(change) = change {
                crate::mail::notify(state.mailer.as_ref(), &visitor.user, change, &address);
            }
            state.audit(record).await;
            // A first passkey changes what this session may do next.
            match self::visitor(state, req).await {
                Ok(now) => render(state, &now, StatusCode::OK, Some(notice), None).await,
                Err(response) => response,
            }
        }
        Err(PasskeyError::Refused) => {
            let message = "Your device's answer was not accepted, so no passkey was added. Please try again.";
            render(state, &visitor, StatusCode::UNAUTHORIZED, None, Some(message.to_owned())).await
        }
        Err(error) => match refusal(&error) {
            Some((status, message)) => render(state, &visitor, status, None, Some(message.to_owned())).await,
            None => page::internal_error(state, &error),
        },
    }
}

/// The signed-in visitor of a posted form, its CSRF token checked, and its parameters.
async fn posted(state: &AppState, req: &Request, body: Body) -> Result<(Visitor, extract::Params), Response> {
    let params = extract::form_params(req, body).await.map_err(|error| page::bad_parameters(state, &error))?;
    let visitor = visitor(state, req).await?;
    if !csrf::verify(state, &visitor.browser, Purpose::AccountPasskeys, params.get("csrf_token")) {
        return Err(page::csrf_refused(state, "Please reload the page and try again."));
    }
    Ok((visitor, params))
}

async fn visitor(state: &AppState, req: &Request) -> Result<Visitor, Response> {
    let (user, session, browser) = signed_in_here(state, req).await?;
    let has_factor = state.has_second_factor(user.id).await.map_err(|error| page::internal_error(state, &error))?;
    let may_change = passkeys::may_change_factors(session.second_factor, has_factor);
    Ok(Visitor { user, browser, may_change })
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let listed = match state.passkeys().list(visitor.user.id).await {
        Ok(listed) => listed,
        Err(failure) => return page::internal_error(state, &failure),
    };
    let page = AccountPasskeysPage {
        username: visitor.user.username.clone(),
        action: state.settings.endpoint(paths::ACCOUNT_PASSKEYS),
        options: state.settings.endpoint(paths::ACCOUNT_PASSKEYS_OPTIONS),
        csrf_token: csrf::token(state, &visitor.browser, Purpose::AccountPasskeys),
        passkeys: listed.iter().map(row).collect(),
        name_max: NAME_MAX_CHARS,
        may_change: visitor.may_change,
        supported: state.passkeys().supported(),
        notice,
        error,
    };
    page::render_scripted(state, status, &page)
}

fn row(passkey: &Summary) -> PasskeyRow {
    PasskeyRow {
        id: passkey.id.to_string(),
        name: passkey.name.clone(),
        created: passkey.created_at.format("%Y-%m-%d").to_string(),
        last_used: passkey.last_used_at.map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string()),
        synced: passkey.synced,
    }
}

/// The audit record of a change to one of the user's own passkeys.
fn record(action: &'static str, user: &User, passkey: &Summary, address: &str) -> AuditRecord {
    record_of(action, user, passkey.id, &passkey.name, address)
}

fn record_of(action: &'static str, user: &User, id: Uuid, name: &str, address: &str) -> AuditRecord {
    let actor = Actor::User { id: user.id, username: user.username.clone() };
    AuditRecord::new(action, actor)
        .user(user.id)
        .target(format!("passkey:{id}"))
        .address(address)
        .detail(name.to_owned())
}
