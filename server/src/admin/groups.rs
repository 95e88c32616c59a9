//! `/groups`: named sets of users; the names travel in the `groups` claim. Members are
//! managed on the user (`groups` of `PUT /users/{id}`); the rules are `manage::groups`.

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
use crate::manage::groups;
use crate::state::AppState;
use crate::store::groups::GroupRecord;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// Members must prove a second factor at every sign-in.
    pub require_second_factor: bool,
    pub member_count: u64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct GroupInput {
    /// 1-64 characters without spaces; what tokens carry in `groups`.
    #[oai(validator(max_length = 64))]
    pub name: Text,
    #[oai(validator(max_length = 500))]
    pub description: Option<Text>,
    /// Members must prove a second factor at every sign-in (enrolling one if they have none).
    #[oai(default)]
    pub require_second_factor: bool,
}

page_of!(
    /// A page of groups.
    GroupPage,
    Group
);

#[derive(ApiResponse)]
enum Created {
    #[oai(status = 201)]
    Created(Json<Group>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// Deleted; its members lose the membership.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct GroupsApi;

#[OpenApi(prefix_path = "/groups", tag = "ApiTags::Groups")]
impl GroupsApi {
    /// List groups
    #[oai(path = "/", method = "get", operation_id = "listGroups")]
    async fn list(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        /// A case-insensitive part of the name.
        #[oai(validator(max_length = 64))]
        search: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))] offset: Query<Option<u64>>,
        /// The `next` of the page before: the page after it.
        #[oai(validator(max_length = 1024))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<GroupPage>> {
        let paging = Paging::by_offset(limit.0, offset.0, after.0)?;
        let page = state.store.list_groups(search.0.as_deref(), paging.window()).await?;
        Ok(Json(GroupPage::from_store(page, &paging, to_api)))
    }

    /// Create a group
    #[oai(path = "/", method = "post", operation_id = "createGroup")]
    async fn create(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        body: Json<GroupInput>,
    ) -> ApiResult<Created> {
        let GroupInput { name, description, require_second_factor } = body.0;
        let group = groups::create(state, &auth.by(), &name, description.map(Text::into_inner)).await?;
        let group = groups::require_second_factor(state, &auth.by(), group.id, require_second_factor).await?;
        Ok(Created::Created(Json(to_api(group))))
    }

    /// Read a group
    #[oai(path = "/:id", method = "get", operation_id = "getGroup")]
    async fn get(&self, _auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<Group>> {
        Ok(Json(to_api(groups::find(state, id.0).await?)))
    }

    /// Rename or describe a group
    #[oai(path = "/:id", method = "put", operation_id = "updateGroup")]
    async fn update(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        id: Path<Uuid>,
        body: Json<GroupInput>,
    ) -> ApiResult<Json<Group>> {
        let GroupInput { name, description, require_second_factor } = body.0;
        let group = groups::update(state, &auth.by(), id.0, &name, description.map(Text::into_inner)).await?;
        let group = groups::require_second_factor(state, &auth.by(), group.id, require_second_factor).await?;
        Ok(Json(to_api(group)))
    }

    /// Delete a group
    #[oai(path = "/:id", method = "delete", operation_id = "deleteGroup")]
    async fn delete(&self, auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Deleted> {
        groups::delete(state, &auth.by(), id.0).await?;
        Ok(Deleted::NoContent)
    }
}

fn to_api(group: GroupRecord) -> Group {
    Group {
        id: group.id,
        name: group.name,
        description: group.description,
        require_second_factor: group.require_second_factor,
        member_count: group.member_count,
        created_at: group.created_at,
    }
}
