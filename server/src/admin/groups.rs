//! `/groups`: named sets of users; the names travel in the `groups` claim. Members are
//! managed on the user (`groups` of `PUT /users/{id}`).

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
use crate::domain::user::{ADMINS_GROUP, validate_group_name};
use crate::domain::validation::{self, FieldErrors};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::groups::GroupRecord;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
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
    ) -> ApiResult<Json<GroupPage>> {
        let paging = Paging::new(limit.0, offset.0);
        let page = state.store.list_groups(search.0.as_deref(), paging.window()).await?;
        Ok(Json(GroupPage::from_store(page, paging, to_api)))
    }

    /// Create a group
    #[oai(path = "/", method = "post", operation_id = "createGroup")]
    async fn create(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        body: Json<GroupInput>,
    ) -> ApiResult<Created> {
        check(&body.0)?;
        let group = match state.store.create_group(&body.0.name, body.0.description.clone().map(Text::into_inner)).await
        {
            Err(StoreError::Conflict(_)) => return Err(taken(&body.0.name)),
            other => other?,
        };
        audit_change(state, &auth, "group.create", format!("group:{}", group.name), |r| r).await;
        Ok(Created::Created(Json(to_api(group))))
    }

    /// Read a group
    #[oai(path = "/:id", method = "get", operation_id = "getGroup")]
    async fn get(&self, _auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<Group>> {
        let group = state.store.find_group(id.0).await?.ok_or_else(|| ApiError::not_found("group"))?;
        Ok(Json(to_api(group)))
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
        let existing = state.store.find_group(id.0).await?.ok_or_else(|| ApiError::not_found("group"))?;
        check(&body.0)?;
        if existing.name == ADMINS_GROUP && *body.0.name != *ADMINS_GROUP {
            return Err(ApiError::conflict_on("name", "the admins group grants the admin API and cannot be renamed"));
        }
        let group = match state
            .store
            .update_group(id.0, &body.0.name, body.0.description.clone().map(Text::into_inner))
            .await
        {
            Err(StoreError::Conflict(_)) => return Err(taken(&body.0.name)),
            other => other?,
        };
        audit_change(state, &auth, "group.update", format!("group:{}", group.name), |r| r).await;
        Ok(Json(to_api(group)))
    }

    /// Delete a group
    #[oai(path = "/:id", method = "delete", operation_id = "deleteGroup")]
    async fn delete(&self, auth: AdminAuth, Data(state): Data<&AppState>, id: Path<Uuid>) -> ApiResult<Deleted> {
        let existing = state.store.find_group(id.0).await?.ok_or_else(|| ApiError::not_found("group"))?;
        if existing.name == ADMINS_GROUP {
            return Err(ApiError::conflict("the admins group grants the admin API and cannot be deleted"));
        }
        state.store.delete_group(id.0).await?;
        audit_change(state, &auth, "group.delete", format!("group:{}", existing.name), |r| r).await;
        Ok(Deleted::NoContent)
    }
}

fn check(input: &GroupInput) -> ApiResult<()> {
    let mut errors = FieldErrors::new();
    errors.check("name", validate_group_name(&input.name));
    if let Some(description) = &input.description {
        errors.check("description", validation::text(description, 500));
    }
    Ok(errors.into_result()?)
}

fn taken(name: &str) -> ApiError {
    ApiError::conflict_on("name", format!("a group named {name} exists"))
}

fn to_api(group: GroupRecord) -> Group {
    Group {
        id: group.id,
        name: group.name,
        description: group.description,
        member_count: group.member_count,
        created_at: group.created_at,
    }
}
