//! Which hub user an upstream identity is (SPEC §5), by an explicit policy:
//!
//! 1. `(issuer, subject)` already linked: that user.
//! 2. Else, when the key trusts e-mail and the upstream asserts the address verified:
//!    the one hub user with that address, verified in the hub too (an unverified one may
//!    have been put there by anyone). Several is an error, never a silent pick, and an
//!    administrator's account is never linked this way.
//! 3. Else, when the key allows sign-up: a new hub user (just in time).
//! 4. Else: refused, with the reason shown to the person.
//!
//! Every link and sign-up is in the audit log. On every sign-in through a key that syncs,
//! the profile and the key's groups are brought up to date.

use uuid::Uuid;

use super::identity::MappedIdentity;
use crate::domain::User;
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::social_login_key::SocialLoginKey;
use crate::domain::user::StandardClaims;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::upstream_identities::IdentitySeen;
use crate::store::users::NewUser;

/// Why the identity does not sign anyone in; each is shown to the person as it is.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("Your hub account is disabled.")]
    Disabled,
    #[error(
        "More than one hub account uses the e-mail address your {provider} account gave, so the hub cannot tell which is yours. Ask an administrator to sort it out."
    )]
    AmbiguousEmail { provider: String },
    #[error(
        "The e-mail address your {provider} account gave belongs to an administrator's hub account, which is never linked automatically. Sign in with your password instead."
    )]
    AdministratorEmail { provider: String },
    #[error(
        "A hub account already uses the e-mail address your {provider} account gave, but {provider} is not trusted to prove it. Sign in with your password, or ask an administrator to link the accounts."
    )]
    EmailTaken { provider: String },
    #[error(
        "There is no hub account for your {provider} account, and {provider} does not create new ones. Ask an administrator for access."
    )]
    SignupClosed { provider: String },
    #[error("The hub could not choose a username for your {provider} account. Ask an administrator for access.")]
    NoUsername { provider: String },
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How the identity found its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Linked,
    LinkedByEmail,
    SignedUp,
}

/// The hub user for `identity`, linked, matched or created, with their profile and
/// groups synced where the key says so.
pub async fn resolve(
    state: &AppState,
    key: &SocialLoginKey,
    identity: &MappedIdentity,
    address: &str,
) -> Result<(User, Outcome), LinkError> {
    let summary = identity.summary();
    let seen = seen(key, identity, &summary);
    let audit = |action: &'static str, user: &User| {
        AuditRecord::new(action, Actor::User { id: user.id, username: user.username.clone() })
            .user(user.id)
            .target(format!("social-login-key:{}", key.slug))
            .address(address)
    };

    let (user, outcome) = match state.store.find_upstream_identity(&identity.issuer, &identity.subject).await? {
        Some(link) => {
            state.store.touch_upstream_identity(link.id, &seen).await?;
            (existing_user(state, link.user_id).await?, Outcome::Linked)
        }
        None => match by_email(state, key, identity).await? {
            Some(user) => match link(state, user.id, &seen).await {
                Ok(()) => {
                    state.audit(audit("upstream.link", &user).detail("linked by verified e-mail")).await;
                    (user, Outcome::LinkedByEmail)
                }
                // A concurrent first sign-in linked it: whoever it linked to is the user.
                Err(LinkError::Store(StoreError::Conflict(_))) => {
                    (linked_user(state, identity).await?, Outcome::Linked)
                }
                Err(error) => return Err(error),
            },
            None => {
                let user = sign_up(state, key, identity).await?;
                match link(state, user.id, &seen).await {
                    Ok(()) => {
                        state.audit(audit("upstream.signup", &user).detail("created on first sign-in")).await;
                        (user, Outcome::SignedUp)
                    }
                    // A concurrent first sign-in linked the identity first: that user it is.
                    Err(LinkError::Store(StoreError::Conflict(_))) => {
                        state.store.delete_user(user.id).await?;
                        (linked_user(state, identity).await?, Outcome::Linked)
                    }
                    Err(error) => return Err(error),
                }
            }
        },
    };
    if user.disabled {
        return Err(Refusal::Disabled.into());
    }
    let synced = sync(state, key, identity, &user, outcome).await?;
    Ok((synced.unwrap_or(user), outcome))
}

/// What the store keeps of a sign-in through `key` as `identity` (`summary` its claims).
pub fn seen<'a>(
    key: &'a SocialLoginKey,
    identity: &'a MappedIdentity,
    summary: &'a serde_json::Value,
) -> IdentitySeen<'a> {
    IdentitySeen {
        social_login_key: &key.slug,
        issuer: &identity.issuer,
        subject: &identity.subject,
        email: identity.profile.email.as_deref(),
        claims: summary,
    }
}

async fn existing_user(state: &AppState, id: Uuid) -> Result<User, LinkError> {
    state.store.find_user(id).await?.ok_or(LinkError::Store(StoreError::NotFound("user")))
}

/// The user an identity is linked to, after a concurrent sign-in linked it.
async fn linked_user(state: &AppState, identity: &MappedIdentity) -> Result<User, LinkError> {
    let link = state.store.find_upstream_identity(&identity.issuer, &identity.subject).await?;
    let link = link.ok_or(LinkError::Store(StoreError::NotFound("upstream identity")))?;
    existing_user(state, link.user_id).await
}

async fn link(state: &AppState, user_id: Uuid, seen: &IdentitySeen<'_>) -> Result<(), LinkError> {
    state.store.link_upstream_identity(user_id, seen).await?;
    Ok(())
}

/// Step 2: the one user with the verified address, if the key may vouch for it.
async fn by_email(
    state: &AppState,
    key: &SocialLoginKey,
    identity: &MappedIdentity,
) -> Result<Option<User>, LinkError> {
    let Some(email) = identity.profile.email.as_deref() else { return Ok(None) };
    if !key.trust_email || !identity.profile.email_verified {
        return Ok(None);
    }
    let matches = state.store.users_with_email(email, true, 2).await?;
    match matches.as_slice() {
        [] => Ok(None),
        [one] => {
            let user = existing_user(state, *one).await?;
            if user.groups.iter().any(|g| g == crate::domain::user::ADMINS_GROUP) {
                return Err(Refusal::AdministratorEmail { provider: key.display_name.clone() }.into());
            }
            Ok(Some(user))
        }
        _ => Err(Refusal::AmbiguousEmail { provider: key.display_name.clone() }.into()),
    }
}

/// Step 3: a new user, when the key allows it and nobody else holds the address.
async fn sign_up(state: &AppState, key: &SocialLoginKey, identity: &MappedIdentity) -> Result<User, LinkError> {
    if !key.allow_signup {
        return Err(Refusal::SignupClosed { provider: key.display_name.clone() }.into());
    }
    // A verified address is someone's: a new account must not take it over. (An
    // unverified one proves nothing and does not block.)
    if let Some(email) = identity.profile.email.as_deref()
        && !state.store.users_with_email(email, true, 1).await?.is_empty()
    {
        return Err(Refusal::EmailTaken { provider: key.display_name.clone() }.into());
    }
    let base = identity.username.clone().unwrap_or_else(|| format!("{}-{}", key.slug, identity.subject));
    let profile = &identity.profile;
    for candidate in username_candidates(&base, &key.slug) {
        if state.store.username_taken(&candidate).await? {
            continue;
        }
        let new = NewUser {
            username: candidate,
            email: profile.email.clone(),
            // The upstream's word on the address counts only where the key trusts it.
            email_verified: profile.email_verified && key.trust_email,
            name: profile.name.clone(),
            claims: StandardClaims {
                given_name: profile.given_name.clone(),
                family_name: profile.family_name.clone(),
                picture: profile.picture.clone(),
                locale: profile.locale.clone(),
                ..StandardClaims::default()
            },
            ..NewUser::default()
        };
        match state.store.create_user(new).await {
            Ok(user) => return Ok(user),
            Err(StoreError::Conflict(_)) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(Refusal::NoUsername { provider: key.display_name.clone() }.into())
}

/// The upstream's username, then the same qualified by the key (`alice-corp`), then
/// numbered, each cut to the 64 characters a username may have.
fn username_candidates(base: &str, slug: &str) -> Vec<String> {
    let cut = |name: String| name.chars().take(64).collect::<String>();
    let mut candidates = vec![cut(base.to_owned()), cut(format!("{base}-{slug}"))];
    candidates.extend((2..=9).map(|n| cut(format!("{base}-{slug}-{n}"))));
    candidates.retain(|c| crate::domain::user::validate_username(c).is_ok());
    candidates.dedup();
    candidates
}

/// Brings the profile and the key's groups up to date; the user as they are now, when
/// anything changed.
async fn sync(
    state: &AppState,
    key: &SocialLoginKey,
    identity: &MappedIdentity,
    user: &User,
    outcome: Outcome,
) -> Result<Option<User>, LinkError> {
    // A new user already has the profile; a linked one gets it when the key syncs.
    let profile_changed = if key.sync_profile && outcome != Outcome::SignedUp {
        let mut profile = identity.profile.clone();
        // The address changes only to one the upstream verified, the key trusts, and no
        // other hub user has.
        if let Some(email) = profile.email.as_deref() {
            let vouched = key.trust_email && profile.email_verified;
            // Whether another user has it matters only for a new address.
            let taken = user.email.as_deref() != Some(email)
                && state.store.users_with_email(email, false, 2).await?.iter().any(|other| *other != user.id);
            if !vouched || taken {
                profile.email = None;
            }
        }
        match state.store.sync_upstream_profile(user.id, &profile).await {
            Ok(changed) => changed,
            // The address is another user's: keep the profile as it was.
            Err(StoreError::Conflict(_)) => false,
            Err(error) => return Err(error.into()),
        }
    } else {
        false
    };
    let groups_changed = match &identity.groups {
        Some(groups) if key.sync_profile || outcome == Outcome::SignedUp => {
            match state.store.sync_upstream_groups(user.id, &key.slug, groups).await {
                // A concurrent sign-in created one of the groups first: once more finds it.
                Err(StoreError::Conflict(_)) => state.store.sync_upstream_groups(user.id, &key.slug, groups).await?,
                other => other?,
            }
        }
        _ => false,
    };
    if profile_changed || groups_changed {
        return Ok(Some(existing_user(state, user.id).await?));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fall_back_to_qualified_then_numbered() {
        let candidates = username_candidates("alice", "corp");
        assert_eq!(candidates[..3], ["alice", "alice-corp", "alice-corp-2"]);
        assert!(candidates.iter().all(|c| c.chars().count() <= 64));
        assert!(username_candidates(&"x".repeat(70), "corp").iter().all(|c| c.chars().count() <= 64));
    }
}
