//! What a person does to their own account at the account page (SPEC §7a), with the same
//! rules as an administrator's change: edit the profile, change the password (the current
//! one first), change the address (it counts once verified), end sessions, revoke a
//! consent, unlink an upstream identity (never the last way in), remove the second factor.
//! Each is audited as done by the user (`account.*`) and, where it matters, followed by a
//! notice to their address (`notices`). Reset, verification and sign-up by e-mail are in
//! `recovery`.

pub mod recovery;

use std::time::Duration;

use uuid::Uuid;

use super::{By, ManageError, ManageResult};
use crate::accounts::{LoginError, authenticate};
use crate::domain::User;
use crate::domain::audit::Actor;
use crate::domain::user::validate_password;
use crate::domain::validation::FieldErrors;
use crate::mail::Change;

use crate::state::AppState;
use crate::store::Window;
use crate::store::users::UserProfile;

/// Tells the user of `change` (`mail::notify`), where the hub sends e-mail.
fn notify(state: &AppState, user: &User, change: Change, address: &str) {
    crate::mail::notify(state.mailer.as_ref(), user, change, address);
}

impl By {
    /// A person acting on their own account, from `address`.
    pub fn own(user: &User, address: &str) -> Self {
        Self {
            actor: Actor::User { id: user.id, username: user.username.clone() },
            address: Some(address.to_owned()),
            via: Some("account page"),
        }
    }

    /// Someone not signed in (asking for a reset link, signing up), from `address`.
    pub fn anonymous(address: &str) -> Self {
        Self { actor: Actor::Anonymous, address: Some(address.to_owned()), via: None }
    }
}

/// What a person may change of their profile themselves; the rest (username, groups, the
/// address, verified flags) is the administrator's or the verification's.
#[derive(Debug, Clone, Default)]
pub struct OwnProfile {
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub nickname: Option<String>,
    pub zoneinfo: Option<String>,
    pub locale: Option<String>,
}

impl OwnProfile {
    pub fn of(user: &User) -> Self {
        Self {
            name: user.name.clone(),
            given_name: user.claims.given_name.clone(),
            family_name: user.claims.family_name.clone(),
            nickname: user.claims.nickname.clone(),
            zoneinfo: user.claims.zoneinfo.clone(),
            locale: user.claims.locale.clone(),
        }
    }
}

pub async fn update_profile(state: &AppState, user: &User, edits: OwnProfile, address: &str) -> ManageResult<User> {
    let before = super::users::profile_of(user);
    let mut after = before.clone();
    after.name = edits.name;
    after.claims.given_name = edits.given_name;
    after.claims.family_name = edits.family_name;
    after.claims.nickname = edits.nickname;
    after.claims.zoneinfo = edits.zoneinfo;
    after.claims.locale = edits.locale;
    after.validate_changes(Some(&before)).into_result()?;
    if after == before {
        return Ok(user.clone());
    }
    let profile = UserProfile {
        username: after.username,
        email: after.email,
        email_verified: after.email_verified,
        name: after.name,
        claims: after.claims,
        disabled: after.disabled,
    };
    let updated = state.store.update_user(user.id, profile, &user.groups).await?;
    By::own(user, address).audit(state, "account.profile", format!("user:{}", user.id), |r| r.user(user.id)).await;
    Ok(updated)
}

/// How a password change went, when nothing failed.
#[derive(Debug, PartialEq, Eq)]
pub enum PasswordChange {
    Changed,
    /// The current password was not right.
    Refused,
    /// Too many wrong current passwords from this address: wait.
    Throttled(Duration),
}

/// Changes the password after checking the current one (throttled like the login form);
/// a user who signs in only upstream sets a first one. The user's other sessions end.
pub async fn change_password(
    state: &AppState,
    user: &User,
    current: Option<&str>,
    new: &str,
    keep_sid: &str,
    address: &str,
) -> ManageResult<PasswordChange> {
    validate_password(new).map_err(|message| ManageError::invalid("new_password", message))?;
    if user.has_password {
        let current = current.unwrap_or_default();
        match authenticate(&state.store, &state.passwords, &state.throttle, &user.username, current, address).await {
            Ok(_) => {}
            Err(LoginError::InvalidCredentials { .. }) => return Ok(PasswordChange::Refused),
            Err(LoginError::Throttled { retry_after }) => return Ok(PasswordChange::Throttled(retry_after)),
            Err(LoginError::Store(e)) => return Err(e.into()),
            Err(LoginError::Session(e)) => return Err(e.into()),
            Err(LoginError::Password(e)) => return Err(e.into()),
        }
    }
    let hash = state.passwords.hash(new).await?;
    state.store.set_password_hash_of(user.id, hash).await?;
    end_other_sessions_quietly(state, user.id, keep_sid).await?;
    By::own(user, address).audit(state, "account.password", format!("user:{}", user.id), |r| r.user(user.id)).await;
    notify(state, user, Change::Password, address);
    Ok(PasswordChange::Changed)
}

/// Asks to change the address to `email`: a link goes to it, and the change is made when
/// it is followed (`recovery::follow`). Without e-mail, the address is set unverified.
pub async fn change_email(state: &AppState, user: &User, email: &str, address: &str) -> ManageResult<()> {
    let mut errors = FieldErrors::new();
    errors.check("email", crate::domain::validation::email(email));
    errors.into_result()?;
    let by = By::own(user, address);
    let Some(mailer) = &state.mailer else {
        let mut profile = super::users::profile_of(user);
        profile.email = Some(email.to_owned());
        profile.email_verified = false;
        super::users::update(state, &by, user.id, profile).await?;
        return Ok(());
    };
    recovery::send_verification_link(state, mailer, user, email).await?;
    by.audit(state, "account.email_verification_sent", format!("user:{}", user.id), |r| r.user(user.id)).await;
    Ok(())
}

/// Ends one of the user's own sessions (signing that browser out, revoking its grants).
pub async fn end_session(state: &AppState, user: &User, sid: &str, address: &str) -> ManageResult<()> {
    match state.store.find_session(sid).await? {
        Some(record) if record.user_id == user.id => super::sessions::revoke(state, &By::own(user, address), sid).await,
        _ => Err(ManageError::NotFound("session")),
    }
}

/// Ends every session of the user but `keep_sid`; answers how many ended.
pub async fn end_other_sessions(state: &AppState, user: &User, keep_sid: &str, address: &str) -> ManageResult<usize> {
    let ended = end_other_sessions_quietly(state, user.id, keep_sid).await?;
    By::own(user, address)
        .audit(state, "account.end_other_sessions", format!("user:{}", user.id), |r| {
            r.user(user.id).detail(format!("{ended} sessions ended"))
        })
        .await;
    Ok(ended)
}

async fn end_other_sessions_quietly(state: &AppState, user_id: Uuid, keep_sid: &str) -> ManageResult<usize> {
    let others: Vec<_> =
        state.store.sessions_of_user(user_id).await?.into_iter().filter(|record| record.sid != keep_sid).collect();
    for record in &others {
        crate::grants::revoke_matching(state, crate::store::refresh_tokens::GrantFilter::Session(&record.sid)).await?;
    }
    Ok(crate::sso::end_each(state, &others).await?.count)
}

/// Revokes one of the user's consents: the app must ask again, its grants end.
pub async fn revoke_consent(state: &AppState, user: &User, id: Uuid, address: &str) -> ManageResult<()> {
    let consents = state.store.list_consents(Some(user.id), None, Window::ALL).await?;
    if !consents.items.iter().any(|consent| consent.id == id) {
        return Err(ManageError::NotFound("consent"));
    }
    super::consents::revoke(state, &By::own(user, address), id).await
}

/// Unlinks one of the user's upstream identities, unless it is their only way to sign in.
pub async fn unlink(state: &AppState, user: &User, link_id: Uuid, address: &str) -> ManageResult<()> {
    let links = state.store.upstream_identities_of(user.id).await?;
    if !links.iter().any(|link| link.id == link_id) {
        return Err(ManageError::NotFound("upstream identity"));
    }
    if !user.has_password && links.len() == 1 {
        return Err(ManageError::conflict(
            "this is the only way you can sign in: set a password first, then unlink it",
        ));
    }
    super::users::unlink(state, &By::own(user, address), user.id, link_id).await?;
    notify(state, user, Change::UpstreamUnlinked, address);
    Ok(())
}

/// Removes the user's second factor; the page asks for a recent sign-in first.
pub async fn remove_second_factor(state: &AppState, user: &User, address: &str) -> ManageResult<()> {
    if !state.store.delete_second_factor(user.id).await? {
        return Err(ManageError::NotFound("second factor"));
    }
    By::own(user, address)
        .audit(state, "account.second_factor_remove", format!("user:{}", user.id), |r| r.user(user.id))
        .await;
    notify(state, user, Change::SecondFactorRemoved, address);
    Ok(())
}
