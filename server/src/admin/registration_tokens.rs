//! `/registration-tokens`: initial access tokens for dynamic registration (RFC 7591 §3).
//! A token is answered once, by the request that mints it; the hub keeps its digest. The
//! rules are `manage::registration_tokens`.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::AdminAuth;
use super::paging::{Paging, page_of};
use super::problem::ApiResult;
use super::text::Text;
use crate::manage::registration_tokens;
use crate::state::AppState;
use crate::store::registration_tokens::RegistrationToken as Record;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegistrationToken {
    pub id: Uuid,
    pub description: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// Registrations allowed in all; unset: any number until it expires.
    pub max_uses: Option<u32>,
    /// Registrations made with it so far.
    pub uses: u32,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegistrationTokenInput {
    /// What the token is for (who it was given to).
    #[oai(validator(max_length = 200))]
    pub description: Option<Text>,
    /// Seconds until it expires: 60 to 31536000 (a year). Default: a day.
    #[oai(default = "a_day")]
    pub expires_in: u64,
    /// Registrations allowed in all; unset: any number until it expires.
    pub max_uses: Option<u32>,
}

fn a_day() -> u64 {
    24 * 3600
}

/// A token just minted: `token` is shown only in this response.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MintedRegistrationToken {
    /// The initial access token: `Authorization: Bearer` at the registration endpoint.
    pub token: String,
    #[oai(flatten)]
    pub record: RegistrationToken,
}

page_of!(
    /// A page of registration tokens, newest first.
    RegistrationTokenPage,
    RegistrationToken
);

#[derive(ApiResponse)]
enum Created {
    #[oai(status = 201)]
    Created(Json<MintedRegistrationToken>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// Withdrawn; clients it registered stay registered.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct RegistrationTokensApi;

#[OpenApi(prefix_path = "/registration-tokens", tag = "ApiTags::RegistrationTokens")]
impl RegistrationTokensApi {
    /// List registration tokens
    #[oai(path = "/", method = "get", operation_id = "listRegistrationTokens")]
    async fn list(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))] offset: Query<Option<u64>>,
        /// The `next` of the page before: the page after it.
        #[oai(validator(max_length = 1024))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<RegistrationTokenPage>> {
        let paging = Paging::by_offset(limit.0, offset.0, after.0)?;
        let page = registration_tokens::list(state, paging.window()).await?;
        Ok(Json(RegistrationTokenPage::from_store(page, &paging, to_api)))
    }

    /// Mint a registration token
    #[oai(path = "/", method = "post", operation_id = "createRegistrationToken")]
    async fn create(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        body: Json<RegistrationTokenInput>,
    ) -> ApiResult<Created> {
        let RegistrationTokenInput { description, expires_in, max_uses } = body.0;
        let minted =
            registration_tokens::mint(state, &auth.by(), description.map(Text::into_inner), expires_in, max_uses)
                .await?;
        Ok(Created::Created(Json(MintedRegistrationToken { token: minted.token, record: to_api(minted.record) })))
    }

    /// Withdraw a registration token
    #[oai(path = "/:id", method = "delete", operation_id = "deleteRegistrationToken")]
    async fn delete(&self, auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Deleted> {
        registration_tokens::delete(state, &auth.by(), id.0).await?;
        Ok(Deleted::NoContent)
    }
}

fn to_api(record: Record) -> RegistrationToken {
    RegistrationToken {
        id: record.id,
        description: record.description,
        created_at: record.created_at,
        expires_at: record.expires_at,
        max_uses: record.max_uses,
        uses: record.uses,
    }
}
