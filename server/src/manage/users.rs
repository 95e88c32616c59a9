//! Hub users: create, change, disable, delete, set a password, unlink an upstream
//! identity. Disabling or deleting a user ends their sessions (telling their apps) and
//! revokes their grants at once.

use uuid::Uuid;

use super::{By, ManageError, ManageResult};
use crate::domain::User;
use crate::domain::user::{Profile, validate_password};
use crate::domain::validation::FieldErrors;
use crate::grants;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::refresh_tokens::GrantFilter;
use crate::store::upstream_identities::UpstreamIdentity;
use crate::store::users::{NewUser, UserProfile};

pub async fn find(state: &AppState, id: Uuid) -> ManageResult<User> {
    state.store.find_user(id).await?.ok_or(ManageError::NotFound("user"))
}

/// The user named `username` (as typed at the command line), compared exactly.
pub async fn find_by_username(state: &AppState, username: &str) -> ManageResult<User> {
    let found = state.store.find_user_for_login(username).await?.ok_or(ManageError::NotFound("user"))?;
    find(state, found.id).await
}

/// Creates a user; without a password, they sign in only through an upstream.
pub async fn create(state: &AppState, by: &By, profile: Profile, password: Option<&str>) -> ManageResult<User> {
    let mut errors = profile.validate();
    if let Some(password) = password {
        errors.check("password", validate_password(password));
    }
    check_groups(state, &profile.groups, &mut errors).await?;
    errors.into_result()?;
    let password_hash = match password {
        Some(password) => Some(state.passwords.hash(password).await?),
        None => None,
    };
    let new = NewUser {
        username: profile.username,
        email: profile.email,
        email_verified: profile.email_verified,
        name: profile.name,
        password_hash,
        disabled: profile.disabled,
        claims: profile.claims,
        groups: profile.groups,
    };
    let user = match state.store.create_user(new).await {
        Err(StoreError::Conflict(_)) => return Err(ManageError::conflict_on("username", "the username is taken")),
        other => other?,
    };
    let detail = (!user.groups.is_empty()).then(|| format!("groups: {}", user.groups.join(", ")));
    by.audit(state, "user.create", format!("user:{}", user.id), |r| with_detail(r.user(user.id), detail)).await;
    Ok(user)
}

/// Replaces the profile and the group memberships. Leaving the user disabled ends their
/// sessions and revokes their grants (on every such update, so a retry after a failure
/// finishes what the first attempt started).
pub async fn update(state: &AppState, by: &By, id: Uuid, profile: Profile) -> ManageResult<User> {
    replace(state, by, find(state, id).await?, profile).await
}

/// Disables or enables the user, keeping the rest of the profile.
pub async fn set_disabled(state: &AppState, by: &By, id: Uuid, disabled: bool) -> ManageResult<User> {
    let user = find(state, id).await?;
    let profile = Profile { disabled, ..profile_of(&user) };
    replace(state, by, user, profile).await
}

/// Replaces the user's group memberships, keeping the rest of the profile.
pub async fn set_groups(state: &AppState, by: &By, id: Uuid, groups: Vec<String>) -> ManageResult<User> {
    let user = find(state, id).await?;
    let profile = Profile { groups, ..profile_of(&user) };
    replace(state, by, user, profile).await
}

async fn replace(state: &AppState, by: &By, existing: User, profile: Profile) -> ManageResult<User> {
    let id = existing.id;
    let mut errors = profile.validate_changes(Some(&profile_of(&existing)));
    check_groups(state, &profile.groups, &mut errors).await?;
    errors.into_result()?;
    let stored = UserProfile {
        username: profile.username,
        email: profile.email,
        email_verified: profile.email_verified,
        name: profile.name,
        claims: profile.claims,
        disabled: profile.disabled,
    };
    let updated = match state.store.update_user(id, stored, &profile.groups).await {
        Err(StoreError::Conflict(_)) => return Err(ManageError::conflict_on("username", "the username is taken")),
        other => other?,
    };
    let ended = if updated.disabled { Some(cut_off(state, id).await?) } else { None };
    let detail = changes(&existing, &updated, ended);
    by.audit(state, "user.update", format!("user:{id}"), |r| with_detail(r.user(id), detail)).await;
    Ok(updated)
}

/// Deletes the user: their sessions end; their consents, refresh tokens and upstream
/// links go with them.
pub async fn delete(state: &AppState, by: &By, id: Uuid) -> ManageResult<()> {
    find(state, id).await?;
    cut_off(state, id).await?;
    state.store.delete_user(id).await?;
    by.audit(state, "user.delete", format!("user:{id}"), |r| r.user(id)).await;
    Ok(())
}

pub async fn set_password(state: &AppState, by: &By, id: Uuid, password: &str) -> ManageResult<()> {
    find(state, id).await?;
    validate_password(password).map_err(|message| ManageError::invalid("password", message))?;
    let hash = state.passwords.hash(password).await?;
    state.store.set_password_hash_of(id, hash).await?;
    by.audit(state, "user.set_password", format!("user:{id}"), |r| r.user(id)).await;
    Ok(())
}

/// Unlinks one of the user's upstream identities: its next sign-in is treated as a first
/// one. The user's sessions from it stay until they end.
pub async fn unlink(state: &AppState, by: &By, id: Uuid, link_id: Uuid) -> ManageResult<()> {
    find(state, id).await?;
    let link = state.store.upstream_identities_of(id).await?.into_iter().find(|link| link.id == link_id);
    let link: UpstreamIdentity = link.ok_or(ManageError::NotFound("upstream identity"))?;
    if !state.store.unlink_upstream_identity(id, link.id).await? {
        return Err(ManageError::NotFound("upstream identity"));
    }
    by.audit(state, "upstream.unlink", format!("social-login-key:{}", link.social_login_key), |r| {
        r.user(id).detail(format!("issuer {} subject {}", link.issuer, link.subject))
    })
    .await;
    Ok(())
}

/// The user's second factor: enrolled or not, since when, recovery codes left.
pub async fn second_factor(state: &AppState, id: Uuid) -> ManageResult<crate::accounts::second_factor::Status> {
    find(state, id).await?;
    Ok(state.second_factors().status(id).await?)
}

/// Removes the user's second factor (a lost phone): the next sign-in that requires one
/// enrols a new one. Their sessions end, so none keeps the old factor's standing. False,
/// and nothing done, when there was none (a repeated reset is no error).
pub async fn reset_second_factor(state: &AppState, by: &By, id: Uuid) -> ManageResult<bool> {
    find(state, id).await?;
    if !state.store.delete_second_factor(id).await? {
        return Ok(false);
    }
    crate::sso::end_all(state, id).await?;
    by.audit(state, "second_factor.reset", format!("user:{id}"), |r| r.user(id)).await;
    Ok(true)
}

/// What an administrator sets, as the user has it now.
pub fn profile_of(user: &User) -> Profile {
    Profile {
        username: user.username.clone(),
        email: user.email.clone(),
        email_verified: user.email_verified,
        name: user.name.clone(),
        claims: user.claims.clone(),
        groups: user.groups.clone(),
        disabled: user.disabled,
    }
}

/// Ends every session of the user and revokes their grants; returns how many sessions.
async fn cut_off(state: &AppState, user_id: Uuid) -> ManageResult<usize> {
    let ended = crate::sso::end_all(state, user_id).await?;
    grants::revoke_matching(state, GrantFilter::User(user_id)).await?;
    Ok(ended.count)
}

async fn check_groups(state: &AppState, names: &[String], errors: &mut FieldErrors) -> ManageResult<()> {
    for (i, name) in names.iter().enumerate() {
        if state.store.find_group_by_name(name).await?.is_none() {
            errors.add(format!("groups[{i}]"), format!("no group named {name}"));
        }
    }
    Ok(())
}

/// What an update changed, for the audit log: the username, the names of the profile
/// fields changed (not their values: personal data), each group gained or lost
/// (`admins` among them), and the state.
fn changes(before: &User, after: &User, sessions_ended: Option<usize>) -> Option<String> {
    let mut notes = Vec::new();
    if before.username != after.username {
        notes.push(format!("renamed from {}", before.username));
    }
    let mut fields = Vec::new();
    for (field, changed) in [
        ("email", before.email != after.email),
        ("email_verified", before.email_verified != after.email_verified),
        ("name", before.name != after.name),
    ] {
        if changed {
            fields.push(field);
        }
    }
    fields.extend(after.claims.differences(&before.claims));
    if !fields.is_empty() {
        notes.push(format!("changed {}", fields.join(", ")));
    }
    for group in after.groups.iter().filter(|g| !before.groups.contains(g)) {
        notes.push(format!("+group {group}"));
    }
    for group in before.groups.iter().filter(|g| !after.groups.contains(g)) {
        notes.push(format!("-group {group}"));
    }
    match (before.disabled, after.disabled, sessions_ended) {
        (false, true, Some(ended)) => notes.push(format!("disabled; {ended} sessions ended")),
        (true, false, _) => notes.push("enabled".into()),
        _ => {}
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

fn with_detail(record: crate::domain::audit::AuditRecord, detail: Option<String>) -> crate::domain::audit::AuditRecord {
    match detail {
        Some(detail) => record.detail(detail),
        None => record,
    }
}
