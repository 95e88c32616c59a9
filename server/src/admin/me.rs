//! `/me`: who the caller is, for the admin UI's header.

use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use super::ApiTags;
use super::auth::{Admin, AdminAuth};
use super::problem::ApiResult;

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Credential {
    /// The bootstrap `HUB_ADMIN_TOKEN`.
    AdminToken,
    /// An access token of a member of the `admins` group.
    AccessToken,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Me {
    /// The user's id (`sub`), or `admin-token`.
    pub subject: String,
    pub username: Option<String>,
    pub via: Credential,
}

#[derive(Default)]
pub struct MeApi;

#[OpenApi(tag = "ApiTags::Me")]
impl MeApi {
    /// Who is calling
    #[oai(path = "/me", method = "get", operation_id = "getMe")]
    async fn me(&self, auth: AdminAuth) -> ApiResult<Json<Me>> {
        Ok(Json(match auth.0.admin {
            Admin::BootstrapToken => Me { subject: "admin-token".into(), username: None, via: Credential::AdminToken },
            Admin::User { id, username } => {
                Me { subject: id.to_string(), username: Some(username), via: Credential::AccessToken }
            }
        }))
    }
}
