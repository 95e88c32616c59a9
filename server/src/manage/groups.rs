//! Groups: named sets of users whose names travel in the `groups` claim. The `admins`
//! group grants the admin API; it cannot be renamed or deleted.

use uuid::Uuid;

use super::{By, ManageError, ManageResult};
use crate::domain::user::{ADMINS_GROUP, validate_group_name};
use crate::domain::validation::{self, FieldErrors};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::groups::GroupRecord;

pub async fn find(state: &AppState, id: Uuid) -> ManageResult<GroupRecord> {
    state.store.find_group(id).await?.ok_or(ManageError::NotFound("group"))
}

pub async fn find_by_name(state: &AppState, name: &str) -> ManageResult<GroupRecord> {
    state.store.find_group_by_name(name).await?.ok_or(ManageError::NotFound("group"))
}

pub async fn create(state: &AppState, by: &By, name: &str, description: Option<String>) -> ManageResult<GroupRecord> {
    check(name, description.as_deref())?;
    let group = match state.store.create_group(name, description).await {
        Err(StoreError::Conflict(_)) => return Err(taken(name)),
        other => other?,
    };
    by.audit(state, "group.create", format!("group:{}", group.name), |r| r).await;
    Ok(group)
}

/// Renames or describes a group.
pub async fn update(
    state: &AppState,
    by: &By,
    id: Uuid,
    name: &str,
    description: Option<String>,
) -> ManageResult<GroupRecord> {
    let existing = find(state, id).await?;
    check(name, description.as_deref())?;
    if existing.name == ADMINS_GROUP && name != ADMINS_GROUP {
        return Err(ManageError::conflict_on("name", "the admins group grants the admin API and cannot be renamed"));
    }
    let group = match state.store.update_group(id, name, description).await {
        Err(StoreError::Conflict(_)) => return Err(taken(name)),
        other => other?,
    };
    by.audit(state, "group.update", format!("group:{}", group.name), |r| r).await;
    Ok(group)
}

/// Sets whether the group's members must prove a second factor at every sign-in.
pub async fn require_second_factor(state: &AppState, by: &By, id: Uuid, required: bool) -> ManageResult<GroupRecord> {
    let existing = find(state, id).await?;
    if existing.require_second_factor == required {
        return Ok(existing);
    }
    state.store.set_group_requires_second_factor(id, required).await?;
    by.audit(state, "group.update", format!("group:{}", existing.name), |r| {
        r.detail(format!("require_second_factor: {required}"))
    })
    .await;
    find(state, id).await
}

/// Deletes a group; its members lose the membership.
pub async fn delete(state: &AppState, by: &By, id: Uuid) -> ManageResult<()> {
    let existing = find(state, id).await?;
    if existing.name == ADMINS_GROUP {
        return Err(ManageError::conflict("the admins group grants the admin API and cannot be deleted"));
    }
    state.store.delete_group(id).await?;
    by.audit(state, "group.delete", format!("group:{}", existing.name), |r| r).await;
    Ok(())
}

fn check(name: &str, description: Option<&str>) -> ManageResult<()> {
    let mut errors = FieldErrors::new();
    errors.check("name", validate_group_name(name));
    if let Some(description) = description {
        errors.check("description", validation::text(description, 500));
    }
    Ok(errors.into_result()?)
}

fn taken(name: &str) -> ManageError {
    ManageError::conflict_on("name", format!("a group named {name} exists"))
}
