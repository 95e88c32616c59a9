//! `GET /account`: everything about the signed-in person's account on one page, each
//! section with its own form (`forms`). A form's outcome comes back as `?done=…` (after
//! its redirect) or as the page rendered again with the section's error.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};

use super::sign_in::{self, SignedIn};
use crate::domain::scope;
use crate::http::csrf::{self, Purpose};
use crate::http::{extract, page};
use crate::manage::account::OwnProfile;
use crate::oidc::paths;
use crate::state::AppState;
use crate::store::Window;
use crate::templates::{
    AccountActions, AccountPage, ConsentRow, LinkableKey, ProfileFields, SecondFactorSummary, SectionError, SessionRow,
    UpstreamRow,
};

#[handler]
pub async fn get(req: &Request, Data(state): Data<&AppState>) -> Response {
    let signed_in = match sign_in::require(state, req, paths::ACCOUNT).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let done = extract::query_params(req).ok().and_then(|params| params.get("done").and_then(notice_of));
    render(state, &signed_in, StatusCode::OK, done, None).await
}

/// What a finished form says, by the `done` its redirect names; nothing else is shown.
fn notice_of(done: &str) -> Option<String> {
    let text = match done {
        "profile" => "Your profile is saved.",
        "email-sent" => "We have sent a link to the new address. Open it to make the change.",
        "email" => "Your e-mail address is changed.",
        "password" => "Your password is changed, and your other sessions are signed out.",
        "session" => "That session is signed out.",
        "sessions" => "You are signed out everywhere else.",
        "consent" => "The app's access is revoked. It will ask again next time.",
        "unlinked" => "The sign-in is unlinked.",
        "linked" => "The sign-in is linked: you can use it to sign in from now on.",
        "second-factor-removed" => "The authenticator is removed.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// The account page, with a section's error when a form was refused.
pub async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<String>,
    error: Option<SectionError>,
) -> Response {
    match build(state, signed_in, notice, error).await {
        Ok(account) => page::render(state, status, &account),
        Err(error) => page::internal_error(state, &*error),
    }
}

type BuildError = Box<dyn std::error::Error + Send + Sync>;

async fn build(
    state: &AppState,
    signed_in: &SignedIn,
    notice: Option<String>,
    error: Option<SectionError>,
) -> Result<AccountPage, BuildError> {
    let user = &signed_in.user;
    let date = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    let factor = state.second_factors().status(user.id).await?;
    let passkeys = state.passkeys().list(user.id).await?.len();
    let links = state.store.upstream_identities_of(user.id).await?;
    let keys = state.store.all_social_login_keys().await?;
    let key_name = |slug: &str| {
        keys.iter().find(|k| k.key.slug == slug).map_or_else(|| slug.to_owned(), |k| k.key.display_name.clone())
    };
    let only_way_in = !user.has_password && links.len() == 1;
    let upstreams = links
        .iter()
        .map(|link| UpstreamRow {
            id: link.id.to_string(),
            display_name: key_name(&link.social_login_key),
            email: link.email.clone(),
            linked_at: date(link.created_at),
            last_used_at: date(link.last_login_at),
            can_unlink: !only_way_in,
        })
        .collect();
    let linkable = keys
        .iter()
        .filter(|k| k.key.enabled && !links.iter().any(|link| link.social_login_key == k.key.slug))
        .map(|k| LinkableKey { slug: k.key.slug.clone(), display_name: k.key.display_name.clone() })
        .collect();
    let sessions = state
        .store
        .sessions_of_user(user.id)
        .await?
        .into_iter()
        .map(|record| SessionRow {
            current: record.sid == signed_in.session.sid,
            sid: record.sid,
            started_at: date(record.created_at),
            address: record.address,
            device: record.user_agent.as_deref().map(device_of),
            via: record.upstream.map(|upstream| key_name(&upstream.key)),
        })
        .collect();
    let mut consents = Vec::new();
    for consent in state.store.list_consents(Some(user.id), None, Window::ALL).await?.items {
        let client = state.store.find_client(&consent.client_id).await?;
        consents.push(ConsentRow {
            id: consent.id.to_string(),
            client_name: client.map_or_else(|| consent.client_id.clone(), |c| c.client.client_name),
            scopes: consent.scope.iter().map(scope::description).collect(),
            granted_at: date(consent.granted_at),
        });
    }
    let own = OwnProfile::of(user);
    let text = |value: Option<String>| value.unwrap_or_default();
    Ok(AccountPage {
        csrf_token: csrf::token(state, &signed_in.browser, Purpose::Account),
        username: user.username.clone(),
        notice,
        error,
        actions: actions(state),
        profile: ProfileFields {
            name: text(own.name),
            given_name: text(own.given_name),
            family_name: text(own.family_name),
            nickname: text(own.nickname),
            zoneinfo: text(own.zoneinfo),
            locale: text(own.locale),
        },
        email: user.email.clone(),
        email_verified: user.email_verified,
        mail_enabled: state.mailer.is_some(),
        has_password: user.has_password,
        second_factor: SecondFactorSummary {
            enrolled: factor.enrolled,
            enrolled_at: factor.enrolled_at.map(|at| at.format("%Y-%m-%d").to_string()),
            recovery_codes_left: factor.recovery_codes_left,
        },
        passkeys,
        upstreams,
        linkable,
        sessions,
        consents,
        recent: signed_in.is_recent(),
    })
}

fn actions(state: &AppState) -> AccountActions {
    let at = |path: &str| state.settings.endpoint(path);
    AccountActions {
        profile: at(paths::ACCOUNT_PROFILE),
        email: at(paths::ACCOUNT_EMAIL),
        password: at(paths::ACCOUNT_PASSWORD),
        sessions: at(paths::ACCOUNT_SESSIONS),
        consents: at(paths::ACCOUNT_CONSENTS),
        upstreams: at(paths::ACCOUNT_UPSTREAMS),
        link_upstream: at(paths::ACCOUNT_UPSTREAMS_LINK),
        second_factor: at(paths::ACCOUNT_SECOND_FACTOR),
        second_factor_remove: at(paths::ACCOUNT_SECOND_FACTOR_REMOVE),
        passkeys: at(paths::ACCOUNT_PASSKEYS),
        sign_out: at(paths::END_SESSION),
    }
}

/// A short name for a browser from its `User-Agent`: enough to tell one's phone from
/// one's laptop, no fingerprinting.
fn device_of(user_agent: &str) -> String {
    let browser =
        ["Edg/", "Firefox/", "Chrome/", "Safari/"].iter().find(|marker| user_agent.contains(*marker)).map(|marker| {
            match *marker {
                "Edg/" => "Edge",
                "Firefox/" => "Firefox",
                "Chrome/" => "Chrome",
                _ => "Safari",
            }
        });
    let system = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows")]
        .iter()
        .chain(&[("Mac OS X", "macOS"), ("Linux", "Linux")])
        .find(|(marker, _)| user_agent.contains(marker))
        .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(name), None) | (None, Some(name)) => name.to_owned(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_named_shortly() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(device_of(chrome), "Chrome on Linux");
        let iphone =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Safari/604.1";
        assert_eq!(device_of(iphone), "Safari on iPhone");
        assert_eq!(device_of("curl/8.0"), "curl/8.0");
    }

    #[test]
    fn only_known_notices_are_shown() {
        assert!(notice_of("password").is_some());
        assert_eq!(notice_of("<script>"), None);
    }
}
