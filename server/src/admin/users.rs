//! `/users`: hub users, their passwords (write-only) and their groups. Disabling or
//! deleting a user ends their sessions and refresh tokens at once.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::AdminAuth;
use super::paging::{Paging, page_of};
use super::problem::{ApiError, ApiResult};
use super::text::Text;
use super::{ApiTags, audit_change};
use crate::accounts::sessions;
use crate::domain::User as DomainUser;
use crate::domain::user::validate_username;
use crate::domain::validation::{self, FieldErrors};
use crate::oidc::token::issue::revoke_grants;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::refresh_tokens::GrantFilter;
use crate::store::users::{NewUser, UserFilter, UserProfile};

/// Passwords are hashed with argon2id; longer ones only cost time.
const PASSWORD_MIN: usize = 8;
const PASSWORD_MAX: usize = 1024;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct User {
    /// Stable and never reassigned: the `sub` of the user's tokens.
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// As an upstream provides it (synced on sign-in where the key says so).
    pub picture: Option<String>,
    /// As an upstream provides it (synced on sign-in where the key says so).
    pub locale: Option<String>,
    /// Names of the groups the user is a member of (the `groups` claim).
    pub groups: Vec<String>,
    /// A disabled user cannot sign in and has no sessions.
    pub disabled: bool,
    /// False for users who sign in only through an upstream.
    pub has_password: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A new user. Left out, `groups` is empty and the user is enabled.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserCreate {
    #[oai(validator(max_length = 64))]
    pub username: Text,
    #[oai(validator(max_length = 320))]
    pub email: Option<Text>,
    #[oai(default)]
    pub email_verified: bool,
    #[oai(validator(max_length = 200))]
    pub name: Option<Text>,
    /// Names of existing groups.
    #[oai(default, validator(max_items = 100))]
    pub groups: Vec<Text>,
    #[oai(default)]
    pub disabled: bool,
    /// At least 8 characters. Without one, the user signs in only through an upstream.
    #[oai(write_only, validator(max_length = 1024))]
    pub password: Option<Text>,
}

/// A user's profile and memberships, replaced as a whole. `groups` and `disabled` are
/// required: a script that leaves them out must not re-enable a user or strip their groups.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserUpdate {
    #[oai(validator(max_length = 64))]
    pub username: Text,
    /// Left out: the user has no e-mail address.
    #[oai(validator(max_length = 320))]
    pub email: Option<Text>,
    pub email_verified: bool,
    /// Left out: the user has no name.
    #[oai(validator(max_length = 200))]
    pub name: Option<Text>,
    /// Names of existing groups; replaces the user's memberships.
    #[oai(validator(max_items = 100))]
    pub groups: Vec<Text>,
    /// A disabled user cannot sign in: disabling ends their sessions and revokes their
    /// grants.
    pub disabled: bool,
}

/// A create or update with its texts unwrapped.
struct Profile {
    username: String,
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
    groups: Vec<String>,
    disabled: bool,
}

impl UserCreate {
    fn into_plain(self) -> (Profile, Option<String>) {
        let profile = Profile {
            username: self.username.into_inner(),
            email: self.email.map(Text::into_inner),
            email_verified: self.email_verified,
            name: self.name.map(Text::into_inner),
            groups: Text::unwrap_all(self.groups),
            disabled: self.disabled,
        };
        (profile, self.password.map(Text::into_inner))
    }
}

impl UserUpdate {
    fn into_plain(self) -> Profile {
        Profile {
            username: self.username.into_inner(),
            email: self.email.map(Text::into_inner),
            email_verified: self.email_verified,
            name: self.name.map(Text::into_inner),
            groups: Text::unwrap_all(self.groups),
            disabled: self.disabled,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PasswordInput {
    /// At least 8 characters.
    #[oai(write_only, validator(max_length = 1024))]
    pub password: Text,
}

page_of!(
    /// A page of users.
    UserPage,
    User
);

#[derive(ApiResponse)]
enum Created {
    #[oai(status = 201)]
    Created(Json<User>),
}

#[derive(ApiResponse)]
enum Done {
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct UsersApi;

#[OpenApi(prefix_path = "/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// List users
    #[oai(path = "/", method = "get", operation_id = "listUsers")]
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn list(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        /// A case-insensitive part of the username, e-mail address or name.
        #[oai(validator(max_length = 200))]
        search: Query<Option<String>>,
        /// Only members of the group with this name.
        #[oai(validator(max_length = 64))]
        group: Query<Option<String>>,
        /// Only disabled (true) or only active (false) users.
        disabled: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))] offset: Query<Option<u64>>,
    ) -> ApiResult<Json<UserPage>> {
        let paging = Paging::new(limit.0, offset.0);
        let filter = UserFilter { search: search.0, group: group.0, disabled: disabled.0 };
        let page = state.store.list_users(&filter, paging.window()).await?;
        Ok(Json(UserPage::from_store(page, paging, to_api)))
    }

    /// Create a user
    #[oai(path = "/", method = "post", operation_id = "createUser")]
    async fn create(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        body: Json<UserCreate>,
    ) -> ApiResult<Created> {
        let (input, password) = body.0.into_plain();
        let mut errors = check_profile(&input.username, input.email.as_deref(), input.name.as_deref());
        if let Some(password) = &password {
            errors.check("password", check_password(password));
        }
        check_groups(state, &input.groups, &mut errors).await?;
        errors.into_result()?;
        let password_hash = match &password {
            Some(password) => Some(state.passwords.hash(password).await.map_err(|e| ApiError::unavailable(&e))?),
            None => None,
        };
        let new = NewUser {
            username: input.username,
            email: input.email,
            email_verified: input.email_verified,
            name: input.name,
            password_hash,
            disabled: input.disabled,
            groups: input.groups,
            ..NewUser::default()
        };
        let user = match state.store.create_user(new).await {
            Err(StoreError::Conflict(_)) => return Err(ApiError::conflict_on("username", "the username is taken")),
            other => other?,
        };
        let detail = (!user.groups.is_empty()).then(|| format!("groups: {}", user.groups.join(", ")));
        audit_change(state, &auth, "user.create", format!("user:{}", user.id), |r| {
            with_detail(r.user(user.id), detail)
        })
        .await;
        Ok(Created::Created(Json(to_api(user))))
    }

    /// Read a user
    #[oai(path = "/:id", method = "get", operation_id = "getUser")]
    async fn get(&self, _auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<User>> {
        Ok(Json(to_api(find(state, id.0).await?)))
    }

    /// Update a user
    ///
    /// Replaces the profile and the group memberships. Disabling ends the user's sessions
    /// and revokes their grants (refresh tokens stop working, access tokens are refused).
    #[oai(path = "/:id", method = "put", operation_id = "updateUser")]
    async fn update(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
        body: Json<UserUpdate>,
    ) -> ApiResult<Json<User>> {
        let input = body.0.into_plain();
        let existing = find(state, id.0).await?;
        let mut errors = check_profile(&input.username, input.email.as_deref(), input.name.as_deref());
        check_groups(state, &input.groups, &mut errors).await?;
        errors.into_result()?;
        let groups = input.groups;
        let profile = UserProfile {
            username: input.username,
            email: input.email,
            email_verified: input.email_verified,
            name: input.name,
            disabled: input.disabled,
        };
        let updated = match state.store.update_user(id.0, profile, &groups).await {
            Err(StoreError::Conflict(_)) => return Err(ApiError::conflict_on("username", "the username is taken")),
            other => other?,
        };
        // On every update that leaves the user disabled, so a retry after a failure
        // finishes what the first attempt started.
        let ended = if updated.disabled { Some(cut_off(state, id.0).await?) } else { None };
        let detail = changes(&existing, &updated, ended);
        audit_change(state, &auth, "user.update", format!("user:{}", id.0), |r| with_detail(r.user(id.0), detail))
            .await;
        Ok(Json(to_api(updated)))
    }

    /// Delete a user
    ///
    /// Their sessions end; their consents, refresh tokens and upstream links go with them.
    #[oai(path = "/:id", method = "delete", operation_id = "deleteUser")]
    async fn delete(&self, auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Done> {
        find(state, id.0).await?;
        cut_off(state, id.0).await?;
        state.store.delete_user(id.0).await?;
        audit_change(state, &auth, "user.delete", format!("user:{}", id.0), |r| r.user(id.0)).await;
        Ok(Done::NoContent)
    }

    /// Set a user's password
    #[oai(path = "/:id/password", method = "put", operation_id = "setUserPassword")]
    async fn set_password(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
        body: Json<PasswordInput>,
    ) -> ApiResult<Done> {
        find(state, id.0).await?;
        check_password(&body.0.password).map_err(|message| ApiError::invalid("password", message))?;
        let hash = state.passwords.hash(&body.0.password).await.map_err(|e| ApiError::unavailable(&e))?;
        state.store.set_password_hash_of(id.0, hash).await?;
        audit_change(state, &auth, "user.set_password", format!("user:{}", id.0), |r| r.user(id.0)).await;
        Ok(Done::NoContent)
    }

    /// List a user's upstream identities
    ///
    /// The identities at Social Login Keys that sign in as this user, oldest first.
    #[oai(path = "/:id/upstream-identities", method = "get", operation_id = "listUserUpstreamIdentities")]
    async fn upstream_identities(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<UpstreamIdentity>>> {
        find(state, id.0).await?;
        let links = state.store.upstream_identities_of(id.0).await?;
        Ok(Json(links.into_iter().map(to_api_identity).collect()))
    }

    /// Unlink an upstream identity
    ///
    /// The next sign-in with it is treated as a first one (linked by e-mail, signed up,
    /// or refused, as its key says). The user's sessions from it stay until they end.
    #[oai(path = "/:id/upstream-identities/:link_id", method = "delete", operation_id = "unlinkUserUpstreamIdentity")]
    async fn unlink(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
        link_id: Path<Uuid>,
    ) -> ApiResult<Done> {
        find(state, id.0).await?;
        let link = state.store.upstream_identities_of(id.0).await?.into_iter().find(|link| link.id == link_id.0);
        let link = link.ok_or_else(|| ApiError::not_found("upstream identity"))?;
        if !state.store.unlink_upstream_identity(id.0, link.id).await? {
            return Err(ApiError::not_found("upstream identity"));
        }
        audit_change(state, &auth, "upstream.unlink", format!("social-login-key:{}", link.social_login_key), |r| {
            r.user(id.0).detail(format!("issuer {} subject {}", link.issuer, link.subject))
        })
        .await;
        Ok(Done::NoContent)
    }
}

/// An identity at an upstream that signs in as a hub user.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UpstreamIdentity {
    pub id: Uuid,
    /// The Social Login Key it signs in through.
    pub social_login_key: String,
    /// With `subject`, what identifies it: the upstream's issuer.
    pub issuer: String,
    /// The upstream's `sub` for the user.
    pub subject: String,
    pub email: Option<String>,
    /// The mapped claims of the last sign-in (never a token).
    pub claims: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_login_at: chrono::DateTime<chrono::Utc>,
}

fn to_api_identity(link: crate::store::upstream_identities::UpstreamIdentity) -> UpstreamIdentity {
    UpstreamIdentity {
        id: link.id,
        social_login_key: link.social_login_key,
        issuer: link.issuer,
        subject: link.subject,
        email: link.email,
        claims: link.claims,
        created_at: link.created_at,
        last_login_at: link.last_login_at,
    }
}

/// The usernames of these users (`None` for one deleted meanwhile), for lists that show
/// who a session or consent belongs to.
pub(super) async fn usernames(
    state: &AppState,
    ids: impl Iterator<Item = Uuid>,
) -> ApiResult<std::collections::HashMap<Uuid, Option<String>>> {
    let mut names = std::collections::HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(entry) = names.entry(id) {
            entry.insert(state.store.find_user(id).await?.map(|u| u.username));
        }
    }
    Ok(names)
}

async fn find(state: &AppState, id: Uuid) -> ApiResult<DomainUser> {
    state.store.find_user(id).await?.ok_or_else(|| ApiError::not_found("user"))
}

/// Ends every session of the user and revokes their refresh tokens.
async fn cut_off(state: &AppState, user_id: Uuid) -> ApiResult<usize> {
    let ended = sessions::end_all(&state.store, &state.sessions, user_id).await?;
    let count = ended.len();
    crate::oidc::backchannel_logout::notify(state, ended);
    revoke_grants(state, GrantFilter::User(user_id)).await?;
    Ok(count)
}

/// What an update changed that matters for security, for the audit log: the name,
/// the state, and each group gained or lost (`admins` among them).
fn changes(before: &DomainUser, after: &DomainUser, sessions_ended: Option<usize>) -> Option<String> {
    let mut notes = Vec::new();
    if before.username != after.username {
        notes.push(format!("renamed from {}", before.username));
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

fn check_profile(username: &str, email: Option<&str>, name: Option<&str>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.check("username", validate_username(username));
    if let Some(email) = email {
        errors.check("email", check_email(email));
    }
    if let Some(name) = name {
        errors.check("name", validation::text(name, 200));
    }
    errors
}

/// A plausible address: something@domain, printable, no spaces. Deliverability is the
/// upstream's or the mail server's business.
fn check_email(email: &str) -> Result<(), String> {
    let plausible = email.len() <= 320
        && email.chars().all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_control() && !c.is_whitespace()))
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'));
    if plausible { Ok(()) } else { Err("not an e-mail address".into()) }
}

fn check_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        return Err(format!("a password has at least {PASSWORD_MIN} characters"));
    }
    if length > PASSWORD_MAX {
        return Err(format!("a password has at most {PASSWORD_MAX} characters"));
    }
    Ok(())
}

async fn check_groups(state: &AppState, names: &[String], errors: &mut FieldErrors) -> ApiResult<()> {
    for (i, name) in names.iter().enumerate() {
        if state.store.find_group_by_name(name).await?.is_none() {
            errors.add(format!("groups[{i}]"), format!("no group named {name}"));
        }
    }
    Ok(())
}

fn to_api(user: DomainUser) -> User {
    User {
        id: user.id,
        username: user.username,
        email: user.email,
        email_verified: user.email_verified,
        name: user.name,
        picture: user.picture,
        locale: user.locale,
        groups: user.groups,
        disabled: user.disabled,
        has_password: user.has_password,
        created_at: user.created_at,
        updated_at: user.updated_at,
    }
}
