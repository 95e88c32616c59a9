//! `/users`: hub users, their passwords (write-only) and their groups. Disabling or
//! deleting a user ends their sessions and refresh tokens at once (`manage::users`).

mod model;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

pub use model::{EmailSent, PasswordInput, SecondFactor, UpstreamIdentity, User, UserCreate, UserPage, UserUpdate};

use super::ApiTags;
use super::auth::AdminAuth;
use super::paging::Paging;
use super::problem::ApiResult;
use crate::manage::account::recovery;
use crate::manage::{passkeys, users};
use crate::state::AppState;
use crate::store::users::UserFilter;

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

#[derive(ApiResponse)]
enum Sent {
    /// The message is on its way (it is sent in the background).
    #[oai(status = 202)]
    Accepted(Json<EmailSent>),
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
        /// The `next` of the page before: the page after it.
        #[oai(validator(max_length = 1024))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<UserPage>> {
        let paging = Paging::by_key(limit.0, offset.0, after.0)?;
        let filter = UserFilter { search: search.0, group: group.0, disabled: disabled.0 };
        let page = state.store.list_users(&filter, paging.window(), paging.after.as_deref()).await?;
        Ok(Json(UserPage::from_store_by_key(page, &paging, |user| user.username.clone(), User::from)))
    }

    /// Create a user
    #[oai(path = "/", method = "post", operation_id = "createUser")]
    async fn create(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        body: Json<UserCreate>,
    ) -> ApiResult<Created> {
        let (profile, password) = body.0.into_domain();
        let user = users::create(state, &auth.by(), profile, password.as_deref()).await?;
        Ok(Created::Created(Json(user.into())))
    }

    /// Read a user
    #[oai(path = "/:id", method = "get", operation_id = "getUser")]
    async fn get(&self, _auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<User>> {
        Ok(Json(users::find(state, id.0).await?.into()))
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
        Ok(Json(users::update(state, &auth.by(), id.0, body.0.into_domain()).await?.into()))
    }

    /// Delete a user
    ///
    /// Their sessions end; their consents, refresh tokens and upstream links go with them.
    #[oai(path = "/:id", method = "delete", operation_id = "deleteUser")]
    async fn delete(&self, auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Done> {
        users::delete(state, &auth.by(), id.0).await?;
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
        users::set_password(state, &auth.by(), id.0, &body.0.password).await?;
        Ok(Done::NoContent)
    }

    /// E-mail a user a password reset link
    ///
    /// A single-use link to choose a new password, valid for `HUB_PASSWORD_RESET_TTL_SECS`,
    /// void once the password changes. For a user who forgot theirs, or one who should set
    /// a first one themselves. 409 when the hub sends no e-mail, the user has no address,
    /// or is disabled. Audited.
    #[oai(path = "/:id/password-reset-email", method = "post", operation_id = "sendUserPasswordReset")]
    async fn send_password_reset(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
    ) -> ApiResult<Sent> {
        Ok(Sent::Accepted(Json(recovery::send_password_reset(state, &auth.by(), id.0).await?.into())))
    }

    /// E-mail a user a link that verifies their address
    ///
    /// A single-use link, valid for `HUB_EMAIL_VERIFICATION_TTL_SECS`; opened, it makes
    /// `email_verified` true. 409 when the hub sends no e-mail, the user has no address, or
    /// it is verified already. Audited.
    #[oai(path = "/:id/verification-email", method = "post", operation_id = "sendUserVerification")]
    async fn send_verification(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
    ) -> ApiResult<Sent> {
        Ok(Sent::Accepted(Json(recovery::send_verification(state, &auth.by(), id.0).await?.into())))
    }

    /// Read a user's second factors
    ///
    /// Whether a TOTP authenticator is enrolled, since when, and how many recovery codes
    /// are left; and the user's passkeys (name, created, last used). Never a secret, a
    /// code or a credential.
    #[oai(path = "/:id/second-factors", method = "get", operation_id = "getUserSecondFactors")]
    async fn second_factors(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
    ) -> ApiResult<Json<SecondFactor>> {
        let status = users::second_factor(state, id.0).await?;
        Ok(Json(SecondFactor::of(status, passkeys::list(state, id.0).await?)))
    }

    /// Remove one of a user's passkeys
    ///
    /// A lost or suspect passkey: it no longer signs in, and the user's sessions end.
    /// Audited. 404 when the user has no such passkey.
    #[oai(path = "/:id/second-factors/passkeys/:passkey_id", method = "delete", operation_id = "removeUserPasskey")]
    async fn remove_passkey(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
        passkey_id: Path<Uuid>,
    ) -> ApiResult<Done> {
        passkeys::remove(state, &auth.by(), id.0, passkey_id.0).await?;
        Ok(Done::NoContent)
    }

    /// Reset a user's second factor
    ///
    /// Removes the authenticator and the recovery codes (a lost phone) and ends the user's
    /// sessions; where a second factor is required, the next sign-in enrols a new one
    /// (unless the user has a passkey, which stays: remove those one by one). Audited.
    /// Resetting a user who has none changes nothing, and is no error.
    #[oai(path = "/:id/second-factors", method = "delete", operation_id = "resetUserSecondFactors")]
    async fn reset_second_factors(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
    ) -> ApiResult<Done> {
        users::reset_second_factor(state, &auth.by(), id.0).await?;
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
        users::find(state, id.0).await?;
        let links = state.store.upstream_identities_of(id.0).await?;
        Ok(Json(links.into_iter().map(UpstreamIdentity::from).collect()))
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
        users::unlink(state, &auth.by(), id.0, link_id.0).await?;
        Ok(Done::NoContent)
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
