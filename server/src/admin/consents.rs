//! `/consents`: what users have allowed which clients. Revoking a consent also revokes
//! the refresh tokens that grant carried, so the app must ask again.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::AdminAuth;
use super::paging::{Paging, page_of};
use super::problem::ApiResult;
use crate::state::AppState;
use crate::store::consents::ConsentRecord;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Consent {
    pub id: Uuid,
    pub user_id: Uuid,
    pub username: Option<String>,
    pub client_id: String,
    /// The scopes granted.
    pub scope: Vec<String>,
    pub granted_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

page_of!(
    /// A page of consents.
    ConsentPage,
    Consent
);

#[derive(ApiResponse)]
enum Revoked {
    /// Revoked, with the grants of that user at that client: their refresh tokens stop
    /// working and their access tokens are refused.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct ConsentsApi;

#[OpenApi(prefix_path = "/consents", tag = "ApiTags::Consents")]
impl ConsentsApi {
    /// List consents in force
    #[oai(path = "/", method = "get", operation_id = "listConsents")]
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn list(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        /// Only this user's consents.
        user_id: Query<Option<Uuid>>,
        /// Only consents given to this client.
        #[oai(validator(max_length = 128))]
        client_id: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))] offset: Query<Option<u64>>,
        /// The `next` of the page before: the page after it.
        #[oai(validator(max_length = 1024))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<ConsentPage>> {
        let paging = Paging::by_offset(limit.0, offset.0, after.0)?;
        let page = state.store.list_consents(user_id.0, client_id.0.as_deref(), paging.window()).await?;
        let usernames = super::users::usernames(state, page.items.iter().map(|c| c.user_id)).await?;
        Ok(Json(ConsentPage::from_store(page, &paging, |record| {
            let username = usernames.get(&record.user_id).cloned().flatten();
            to_api(record, username)
        })))
    }

    /// Revoke a consent
    #[oai(path = "/:id", method = "delete", operation_id = "revokeConsent")]
    async fn revoke(&self, auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Revoked> {
        crate::manage::consents::revoke(state, &auth.by(), id.0).await?;
        Ok(Revoked::NoContent)
    }
}

fn to_api(record: ConsentRecord, username: Option<String>) -> Consent {
    Consent {
        id: record.id,
        user_id: record.user_id,
        username,
        client_id: record.client_id,
        scope: record.scope.iter().map(str::to_owned).collect(),
        granted_at: record.granted_at,
        expires_at: record.expires_at,
    }
}
