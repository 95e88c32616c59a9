//! What e-mailed links do (SPEC §7a): reset a forgotten password, verify an address, and
//! create an account where the deployment lets anyone (`HUB_SELF_REGISTRATION`). None of
//! the answers tells whether an account exists: a request for a reset or an account looks
//! the same whatever is found, and the message goes out in the background.
//!
//! Each address may ask for a few messages per throttle window, and each account gets at
//! most one message a minute, so the hub cannot be used to flood someone's inbox.

use std::time::Duration;

use super::{By, ManageError, ManageResult};
use crate::accounts::links::{self, LinkPurpose, password_fingerprint};
use crate::domain::User;
use crate::domain::user::{Profile, validate_password};
use crate::mail::{Change, Letter, Mailer, notify_at};
use crate::session::Space;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::users::{NewUser, UserProfile};

/// Messages one address may ask for within `HUB_LOGIN_THROTTLE_WINDOW_SECS`.
const MESSAGES_PER_ADDRESS: u64 = 10;
/// The least time between two messages to one account.
const PER_ACCOUNT: Duration = Duration::from_secs(60);
/// Users one address may name in a reset request (several may share an address).
const USERS_PER_ADDRESS: u64 = 5;

/// The absolute URL of an e-mailed link's page.
pub fn link_url(state: &AppState, token: &str) -> String {
    state.settings.endpoint(&format!("{}/{token}", crate::oidc::paths::ACCOUNT_LINK))
}

/// How a request for a message went: it is the same for every account, found or not.
#[derive(Debug, PartialEq, Eq)]
pub enum Requested {
    /// Answered "if an account matches, a message is on its way".
    Accepted,
    /// This address asked for too many messages: wait.
    Throttled(Duration),
}

fn mailer(state: &AppState) -> ManageResult<&Mailer> {
    state.mailer.as_ref().ok_or_else(|| ManageError::conflict("the hub has no e-mail configured (HUB_SMTP_HOST)"))
}

async fn within_address_limit(state: &AppState, address: &str) -> ManageResult<Option<Duration>> {
    let window = crate::config::Settings::secs(state.settings.login_throttle_window_secs);
    let count = state.sessions.increment(Space::Throttle, &format!("mail:{address}"), window).await?;
    Ok((count > MESSAGES_PER_ADDRESS).then_some(window))
}

/// Whether `user` may be sent another message now.
async fn account_may_be_sent(state: &AppState, user: &User) -> ManageResult<bool> {
    Ok(state.sessions.increment(Space::Throttle, &format!("mail-to:{}", user.id), PER_ACCOUNT).await? == 1)
}

/// Sends a reset link to the account named by `identifier` (a username, or an address
/// several accounts may share), if there is one that is enabled and has an address.
pub async fn request_password_reset(state: &AppState, identifier: &str, address: &str) -> ManageResult<Requested> {
    let mailer = mailer(state)?;
    if let Some(wait) = within_address_limit(state, address).await? {
        return Ok(Requested::Throttled(wait));
    }
    let identifier = identifier.trim();
    let ids = match identifier.contains('@') {
        true => state.store.users_with_email(identifier, false, USERS_PER_ADDRESS).await?,
        false => state.store.find_user_for_login(identifier).await?.map(|found| found.id).into_iter().collect(),
    };
    for id in ids {
        let Some(user) = state.store.find_user(id).await? else { continue };
        let Some(email) = user.email.clone().filter(|_| !user.disabled) else { continue };
        if !account_may_be_sent(state, &user).await? {
            continue;
        }
        send_reset_link(state, mailer, &user, &email).await?;
        let record = |r: crate::domain::audit::AuditRecord| r.user(user.id);
        By::anonymous(address).audit(state, "account.password_reset_sent", format!("user:{}", user.id), record).await;
    }
    Ok(Requested::Accepted)
}

/// Where an administrator's message went, and how long its link works.
#[derive(Debug, Clone)]
pub struct Sent {
    pub to: String,
    pub valid_for: Duration,
}

/// An administrator sends `id` a link to choose a new password (a user who cannot sign
/// in, or one an administrator does not want to give a password to). Audited.
pub async fn send_password_reset(state: &AppState, by: &By, id: uuid::Uuid) -> ManageResult<Sent> {
    let mailer = mailer(state)?;
    let (user, email) = addressee(state, id).await?;
    let valid_for = send_reset_link(state, mailer, &user, &email).await?;
    by.audit(state, "user.password_reset_sent", format!("user:{id}"), |r| r.user(id)).await;
    Ok(Sent { to: email, valid_for })
}

/// An administrator sends `id` a link that confirms their address (one set, or imported,
/// unverified). Audited.
pub async fn send_verification(state: &AppState, by: &By, id: uuid::Uuid) -> ManageResult<Sent> {
    let mailer = mailer(state)?;
    let (user, email) = addressee(state, id).await?;
    if user.email_verified {
        return Err(ManageError::conflict_on("email_verified", "the user's address is verified already"));
    }
    let valid_for = send_verification_link(state, mailer, &user, &email).await?;
    by.audit(state, "user.verification_sent", format!("user:{id}"), |r| r.user(id)).await;
    Ok(Sent { to: email, valid_for })
}

/// The user `id` and their address, for a link an administrator sends: none for a
/// disabled user, whom no link could sign in.
async fn addressee(state: &AppState, id: uuid::Uuid) -> ManageResult<(User, String)> {
    let user = super::super::users::find(state, id).await?;
    if user.disabled {
        return Err(ManageError::conflict("the user is disabled: enable them first"));
    }
    let email =
        user.email.clone().ok_or_else(|| ManageError::conflict_on("email", "the user has no e-mail address"))?;
    Ok((user, email))
}

/// Mails `user` a single-use link to choose a new password, void once the password
/// changes; how long it works.
async fn send_reset_link(state: &AppState, mailer: &Mailer, user: &User, email: &str) -> ManageResult<Duration> {
    let fingerprint = password_fingerprint(current_password_hash(state, user).await?.as_deref());
    let purpose = LinkPurpose::ResetPassword { user_id: user.id, password_fingerprint: fingerprint };
    let ttl = crate::config::Settings::secs(state.settings.password_reset_ttl_secs);
    let token = links::issue(&state.sessions, &purpose, ttl).await?;
    let letter =
        Letter::ResetPassword { username: user.username.clone(), link: link_url(state, &token), valid_for: ttl };
    mailer.send(email, user.claims.locale.as_deref(), letter);
    Ok(ttl)
}

/// Mails `email` a single-use link that makes it `user`'s verified address; how long it
/// works.
pub(super) async fn send_verification_link(
    state: &AppState,
    mailer: &Mailer,
    user: &User,
    email: &str,
) -> ManageResult<Duration> {
    let purpose = LinkPurpose::VerifyEmail { user_id: user.id, email: email.to_owned() };
    let ttl = crate::config::Settings::secs(state.settings.email_verification_ttl_secs);
    let token = links::issue(&state.sessions, &purpose, ttl).await?;
    let letter =
        Letter::VerifyAddress { username: user.username.clone(), link: link_url(state, &token), valid_for: ttl };
    mailer.send(email, user.claims.locale.as_deref(), letter);
    Ok(ttl)
}

async fn current_password_hash(state: &AppState, user: &User) -> ManageResult<Option<String>> {
    Ok(state.store.find_user_for_login(&user.username).await?.and_then(|found| found.password_hash))
}

/// What a link will do, for its page; none for a link that is used, expired or void.
pub async fn describe(state: &AppState, token: &str) -> ManageResult<Option<(LinkPurpose, Option<User>)>> {
    let Some(purpose) = links::peek(&state.sessions, token).await? else { return Ok(None) };
    let user = match &purpose {
        LinkPurpose::ResetPassword { user_id, password_fingerprint: fingerprint } => {
            match state.store.find_user(*user_id).await? {
                Some(user)
                    if !user.disabled
                        && password_fingerprint(current_password_hash(state, &user).await?.as_deref())
                            == *fingerprint =>
                {
                    Some(user)
                }
                _ => return Ok(None),
            }
        }
        LinkPurpose::VerifyEmail { user_id, .. } => match state.store.find_user(*user_id).await? {
            Some(user) if !user.disabled => Some(user),
            _ => return Ok(None),
        },
        LinkPurpose::Register { .. } => None,
    };
    Ok(Some((purpose, user)))
}

/// How following a link went.
#[derive(Debug)]
pub enum Followed {
    /// The password is reset; the user's sessions ended.
    PasswordReset(User),
    /// The address is the user's, verified.
    EmailVerified(User),
    /// The account exists now.
    Registered(User),
    /// The link was used, expired, or is void (the password changed since it was sent).
    Gone,
}

/// Uses the link (once). `new_password` is what a reset link's form posted; it is checked
/// before the link is spent, so a too-short password does not cost the person their link.
pub async fn follow(
    state: &AppState,
    token: &str,
    new_password: Option<&str>,
    address: &str,
) -> ManageResult<Followed> {
    let Some((purpose, user)) = describe(state, token).await? else { return Ok(Followed::Gone) };
    if let LinkPurpose::ResetPassword { .. } = purpose {
        validate_password(new_password.unwrap_or_default())
            .map_err(|message| ManageError::invalid("password", message))?;
    }
    // Taken only now: of two concurrent posts, one gets it.
    if links::take(&state.sessions, token).await?.as_ref() != Some(&purpose) {
        return Ok(Followed::Gone);
    }
    match (purpose, user) {
        (LinkPurpose::ResetPassword { .. }, Some(user)) => {
            reset_password(state, &user, new_password.unwrap_or_default(), address).await.map(Followed::PasswordReset)
        }
        (LinkPurpose::VerifyEmail { email, .. }, Some(user)) => {
            verify_email(state, &user, &email, address).await.map(Followed::EmailVerified)
        }
        (LinkPurpose::Register { username, email, name, password_hash }, _) => {
            let new = NewUser {
                username,
                email: Some(email),
                email_verified: true,
                name,
                password_hash: Some(password_hash),
                disabled: false,
                claims: Default::default(),
                groups: Vec::new(),
            };
            register(state, new, address).await.map(Followed::Registered)
        }
        _ => Ok(Followed::Gone),
    }
}

/// Sets the new password; the link went to the user's address, which is verified by it.
/// Every session of the user ends (whoever else had the account is signed out).
async fn reset_password(state: &AppState, user: &User, password: &str, address: &str) -> ManageResult<User> {
    let hash = state.passwords.hash(password).await?;
    state.store.set_password_hash_of(user.id, hash).await?;
    if !user.email_verified {
        let mut profile = stored_profile(user);
        profile.email_verified = true;
        state.store.update_user(user.id, profile, &user.groups).await?;
    }
    crate::sso::end_all(state, user.id).await?;
    By::own(user, address)
        .audit(state, "account.password_reset", format!("user:{}", user.id), |r| r.user(user.id))
        .await;
    let user = state.store.find_user(user.id).await?.ok_or(ManageError::NotFound("user"))?;
    crate::mail::notify(state.mailer.as_ref(), &user, Change::PasswordReset, address);
    Ok(user)
}

async fn verify_email(state: &AppState, user: &User, email: &str, address: &str) -> ManageResult<User> {
    let previous = user.email.clone().filter(|old| user.email_verified && !old.eq_ignore_ascii_case(email));
    let mut profile = stored_profile(user);
    profile.email = Some(email.to_owned());
    profile.email_verified = true;
    let updated = state.store.update_user(user.id, profile, &user.groups).await?;
    By::own(user, address)
        .audit(state, "account.email_verified", format!("user:{}", user.id), |r| r.user(user.id))
        .await;
    if let (Some(previous), Some(mailer)) = (previous, &state.mailer) {
        notify_at(mailer, &previous, &updated, Change::Email, address);
    }
    Ok(updated)
}

fn stored_profile(user: &User) -> UserProfile {
    UserProfile {
        username: user.username.clone(),
        email: user.email.clone(),
        email_verified: user.email_verified,
        name: user.name.clone(),
        claims: user.claims.clone(),
        disabled: user.disabled,
    }
}

async fn register(state: &AppState, new: NewUser, address: &str) -> ManageResult<User> {
    let user = match state.store.create_user(new).await {
        Err(StoreError::Conflict(_)) => {
            return Err(ManageError::conflict_on("username", "that username was taken meanwhile"));
        }
        other => other?,
    };
    By::own(&user, address).audit(state, "account.register", format!("user:{}", user.id), |r| r.user(user.id)).await;
    Ok(user)
}

/// A request for a new account, as the sign-up form posts it.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub username: String,
    pub email: String,
    pub name: Option<String>,
    pub password: String,
}

/// Starts a sign-up: a link to create the account goes to the address. A username that
/// is taken is said (usernames are not secret: the login form takes them); an address
/// that has an account gets a message saying so, and the page looks the same.
pub async fn sign_up(state: &AppState, form: SignUp, address: &str) -> ManageResult<Requested> {
    if !state.settings.self_registration {
        return Err(ManageError::NotFound("sign-up"));
    }
    let mailer = mailer(state)?;
    let profile = Profile {
        username: form.username.trim().to_owned(),
        email: Some(form.email.trim().to_owned()),
        name: form.name.map(|name| name.trim().to_owned()).filter(|name| !name.is_empty()),
        ..Profile::default()
    };
    let mut errors = profile.validate();
    errors.check("password", validate_password(&form.password));
    if errors.is_empty() && state.store.username_taken(&profile.username).await? {
        errors.add("username", "that username is taken");
    }
    errors.into_result()?;
    if let Some(wait) = within_address_limit(state, address).await? {
        return Ok(Requested::Throttled(wait));
    }
    let email = profile.email.unwrap_or_default();
    if !state.store.users_with_email(&email, false, 1).await?.is_empty() {
        let reset_link = Some(state.settings.endpoint(crate::oidc::paths::ACCOUNT_RESET));
        mailer.send(&email, None, Letter::AccountExists { reset_link });
        return Ok(Requested::Accepted);
    }
    let password_hash = state.passwords.hash(&form.password).await?;
    let purpose = LinkPurpose::Register {
        username: profile.username.clone(),
        email: email.clone(),
        name: profile.name,
        password_hash,
    };
    let ttl = crate::config::Settings::secs(state.settings.email_verification_ttl_secs);
    let token = links::issue(&state.sessions, &purpose, ttl).await?;
    let letter = Letter::Register { username: profile.username, link: link_url(state, &token), valid_for: ttl };
    mailer.send(&email, None, letter);
    Ok(Requested::Accepted)
}
