//! `/social-login-keys`: upstream identity providers (SPEC §5). The upstream client secret
//! is write-only: stored sealed, never returned. `test` asks the upstream for what the
//! hub will rely on and reports what it found (`manage::social_login_keys`).

mod model;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

pub use model::{
    SocialLoginKey, SocialLoginKeyCreate, SocialLoginKeyInput, SocialLoginKeyPage, SocialLoginKeyTest, to_api,
    to_domain,
};

use super::ApiTags;
use super::auth::AdminAuth;
use super::paging::Paging;
use super::problem::ApiResult;
use crate::manage::social_login_keys as keys;
use crate::state::AppState;

#[derive(ApiResponse)]
enum Created {
    #[oai(status = 201)]
    Created(Json<SocialLoginKey>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// Deleted, with the upstream identities linked through it.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct SocialLoginKeysApi;

#[OpenApi(prefix_path = "/social-login-keys", tag = "ApiTags::SocialLoginKeys")]
impl SocialLoginKeysApi {
    /// List social login keys
    #[oai(path = "/", method = "get", operation_id = "listSocialLoginKeys")]
    async fn list(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))] offset: Query<Option<u64>>,
        /// The `next` of the page before: the page after it.
        #[oai(validator(max_length = 1024))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<SocialLoginKeyPage>> {
        let paging = Paging::by_offset(limit.0, offset.0, after.0)?;
        let page = state.store.list_social_login_keys(paging.window()).await?;
        Ok(Json(SocialLoginKeyPage::from_store(page, &paging, |stored| to_api(state, stored))))
    }

    /// Add a social login key
    #[oai(path = "/", method = "post", operation_id = "createSocialLoginKey")]
    async fn create(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        body: Json<SocialLoginKeyCreate>,
    ) -> ApiResult<Created> {
        let SocialLoginKeyCreate { slug, input } = body.0;
        let key = to_domain(slug.into_inner(), input.settings);
        let stored = keys::create(state, &auth.by(), key, input.client_secret.as_deref()).await?;
        Ok(Created::Created(Json(to_api(state, stored))))
    }

    /// Read a social login key
    #[oai(path = "/:slug", method = "get", operation_id = "getSocialLoginKey")]
    async fn get(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        slug: Path<String>,
    ) -> ApiResult<Json<SocialLoginKey>> {
        Ok(Json(to_api(state, keys::find(state, &slug.0).await?)))
    }

    /// Update a social login key
    ///
    /// Replaces the settings; the client secret changes only when one is sent.
    #[oai(path = "/:slug", method = "put", operation_id = "updateSocialLoginKey")]
    async fn update(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        slug: Path<String>,
        body: Json<SocialLoginKeyInput>,
    ) -> ApiResult<Json<SocialLoginKey>> {
        let key = to_domain(slug.0, body.0.settings);
        let stored = keys::update(state, &auth.by(), key, body.0.client_secret.as_deref()).await?;
        Ok(Json(to_api(state, stored)))
    }

    /// Delete a social login key
    ///
    /// A key that clients name in their upstream policy is not deleted (409): change the
    /// clients first.
    #[oai(path = "/:slug", method = "delete", operation_id = "deleteSocialLoginKey")]
    async fn delete(&self, auth: AdminAuth, Data(state): Data<&AppState>, slug: Path<String>) -> ApiResult<Deleted> {
        keys::delete(state, &auth.by(), &slug.0).await?;
        Ok(Deleted::NoContent)
    }

    /// Test a social login key against its upstream
    ///
    /// Fetches the discovery document and the JWKS (or, for kinds without discovery, calls
    /// the configured endpoints) and reports each check. Upstream failures are part of the
    /// report, not errors of this operation.
    #[oai(path = "/:slug/test", method = "post", operation_id = "testSocialLoginKey")]
    async fn test(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        slug: Path<String>,
    ) -> ApiResult<Json<SocialLoginKeyTest>> {
        Ok(Json(keys::test(state, &slug.0).await?.into()))
    }
}
