//! `/sessions`: live single sign-on sessions, by user; revoking one signs that browser
//! out at once and revokes what was issued in it.

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
use crate::store::sessions::SessionRecord;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Session {
    /// The session id, as in the `sid` claim of the tokens issued in it.
    pub sid: String,
    pub user_id: Uuid,
    pub username: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When the user last authenticated.
    pub auth_time: chrono::DateTime<chrono::Utc>,
    /// The latest the session can last; it ends sooner when idle or signed out.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// How the user authenticated (RFC 8176), such as `pwd`.
    pub amr: Vec<String>,
}

page_of!(
    /// A page of sessions.
    SessionPage,
    Session
);

#[derive(ApiResponse)]
enum Revoked {
    /// The session has ended.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct SessionsApi;

#[OpenApi(prefix_path = "/sessions", tag = "ApiTags::Sessions")]
impl SessionsApi {
    /// List live sessions
    #[oai(path = "/", method = "get", operation_id = "listSessions")]
    async fn list(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        /// Only this user's sessions.
        user_id: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))] offset: Query<Option<u64>>,
        /// The `next` of the page before: the page after it.
        #[oai(validator(max_length = 1024))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<SessionPage>> {
        let paging = Paging::by_offset(limit.0, offset.0, after.0)?;
        let page = crate::sso::list(state, user_id.0, paging.window()).await?;
        let usernames = super::users::usernames(state, page.items.iter().map(|s| s.user_id)).await?;
        Ok(Json(SessionPage::from_store(page, &paging, |record| {
            let username = usernames.get(&record.user_id).cloned().flatten();
            to_api(record, username)
        })))
    }

    /// Revoke a session
    ///
    /// Signs that browser out, and revokes the grants issued in the session (offline ones
    /// included): their refresh tokens stop working and their access tokens are refused.
    #[oai(path = "/:sid", method = "delete", operation_id = "revokeSession")]
    async fn revoke(&self, auth: AdminAuth, Data(state): Data<&AppState>, sid: Path<String>) -> ApiResult<Revoked> {
        crate::manage::sessions::revoke(state, &auth.by(), &sid.0).await?;
        Ok(Revoked::NoContent)
    }
}

fn to_api(record: SessionRecord, username: Option<String>) -> Session {
    Session {
        sid: record.sid,
        user_id: record.user_id,
        username,
        created_at: record.created_at,
        auth_time: record.auth_time,
        expires_at: record.expires_at,
        address: record.address,
        user_agent: record.user_agent,
        amr: record.amr,
    }
}
