//! Groups and memberships. A group's name is what tokens carry in the `groups` claim.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::entities::{group, user_group};
use super::{Page, Store, StoreError, Window, conflict_on, lower_contains, paginate};

#[derive(Debug, Clone)]
pub struct GroupRecord {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// Members must prove a second factor at every sign-in.
    pub require_second_factor: bool,
    pub member_count: u64,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn create_group(&self, name: &str, description: Option<String>) -> Result<GroupRecord, StoreError> {
        let model = group::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set(name.to_owned()),
            description: Set(description),
            require_second_factor: Set(false),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await
        .map_err(conflict_on("group"))?;
        Ok(GroupRecord {
            id: model.id,
            name: model.name,
            description: model.description,
            require_second_factor: model.require_second_factor,
            member_count: 0,
            created_at: model.created_at,
        })
    }

    pub async fn find_group(&self, id: Uuid) -> Result<Option<GroupRecord>, StoreError> {
        match group::Entity::find_by_id(id).one(&self.db).await? {
            Some(model) => Ok(Some(self.with_member_count(model).await?)),
            None => Ok(None),
        }
    }

    pub async fn find_group_by_name(&self, name: &str) -> Result<Option<GroupRecord>, StoreError> {
        match group::Entity::find().filter(group::Column::Name.eq(name)).one(&self.db).await? {
            Some(model) => Ok(Some(self.with_member_count(model).await?)),
            None => Ok(None),
        }
    }

    pub async fn list_groups(&self, search: Option<&str>, window: Window) -> Result<Page<GroupRecord>, StoreError> {
        let mut query = group::Entity::find();
        if let Some(text) = search {
            query = query.filter(lower_contains(group::Column::Name, text));
        }
        let page = paginate(&self.db, query.order_by_asc(group::Column::Name), window).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for model in page.items {
            items.push(self.with_member_count(model).await?);
        }
        Ok(Page { items, extent: page.extent })
    }

    /// Whether any of the groups `names` requires its members to prove a second factor.
    pub async fn groups_require_second_factor(&self, names: &[String]) -> Result<bool, StoreError> {
        if names.is_empty() {
            return Ok(false);
        }
        let requiring = group::Entity::find()
            .filter(group::Column::Name.is_in(names.iter().cloned()))
            .filter(group::Column::RequireSecondFactor.eq(true))
            .count(&self.db)
            .await?;
        Ok(requiring > 0)
    }

    /// Sets whether members of the group must prove a second factor.
    pub async fn set_group_requires_second_factor(&self, id: Uuid, required: bool) -> Result<(), StoreError> {
        let result = group::Entity::update_many()
            .col_expr(group::Column::RequireSecondFactor, sea_orm::sea_query::Expr::value(required))
            .filter(group::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        match result.rows_affected {
            0 => Err(StoreError::NotFound("group")),
            _ => Ok(()),
        }
    }

    /// Renames or re-describes a group. Members' cached groups change with the name.
    pub async fn update_group(
        &self,
        id: Uuid,
        name: &str,
        description: Option<String>,
    ) -> Result<GroupRecord, StoreError> {
        let model = group::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound("group"))?;
        let mut active: group::ActiveModel = model.into();
        active.name = Set(name.to_owned());
        active.description = Set(description);
        let model = active.update(&self.db).await.map_err(conflict_on("group"))?;
        self.users.clear();
        self.with_member_count(model).await
    }

    pub async fn delete_group(&self, id: Uuid) -> Result<(), StoreError> {
        let result = group::Entity::delete_by_id(id).exec(&self.db).await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound("group"));
        }
        self.users.clear();
        Ok(())
    }

    async fn with_member_count(&self, model: group::Model) -> Result<GroupRecord, StoreError> {
        let member_count =
            user_group::Entity::find().filter(user_group::Column::GroupId.eq(model.id)).count(&self.db).await?;
        Ok(GroupRecord {
            id: model.id,
            name: model.name,
            description: model.description,
            require_second_factor: model.require_second_factor,
            member_count,
            created_at: model.created_at,
        })
    }
}

/// Makes the user a member of exactly these groups, by name, inside the caller's
/// transaction; an unknown name is a `NotFound`. Memberships that stay keep their source,
/// so an upstream's next sync still knows which ones are its own.
pub(super) async fn replace_memberships<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    names: &[String],
) -> Result<(), StoreError> {
    let mut wanted = Vec::with_capacity(names.len());
    for name in names {
        let found = group::Entity::find().filter(group::Column::Name.eq(name.as_str())).one(conn).await?;
        wanted.push(found.ok_or(StoreError::NotFound("group"))?.id);
    }
    let current: Vec<Uuid> = user_group::Entity::find()
        .filter(user_group::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|membership| membership.group_id)
        .collect();
    let dropped: Vec<Uuid> = current.iter().copied().filter(|id| !wanted.contains(id)).collect();
    if !dropped.is_empty() {
        user_group::Entity::delete_many()
            .filter(user_group::Column::UserId.eq(user_id))
            .filter(user_group::Column::GroupId.is_in(dropped))
            .exec(conn)
            .await?;
    }
    wanted.sort();
    wanted.dedup();
    for group_id in wanted.into_iter().filter(|id| !current.contains(id)) {
        user_group::ActiveModel { user_id: Set(user_id), group_id: Set(group_id), source: Set(None) }
            .insert(conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Makes the user's memberships granted by the Social Login Key `source` exactly
    /// `names`, creating groups on first use. Memberships granted in the hub, or by another
    /// key, are left alone. Returns whether anything changed.
    pub async fn sync_upstream_groups(
        &self,
        user_id: Uuid,
        source: &str,
        names: &[String],
    ) -> Result<bool, StoreError> {
        let txn = self.begin_write().await?;
        let mut wanted = Vec::with_capacity(names.len());
        for name in names {
            let existing = group::Entity::find().filter(group::Column::Name.eq(name.as_str())).one(&txn).await?;
            let id = match existing {
                Some(found) => found.id,
                None => {
                    let created = group::ActiveModel {
                        id: Set(Uuid::new_v4()),
                        name: Set(name.clone()),
                        description: Set(Some(format!("Synced from the social login key {source}"))),
                        require_second_factor: Set(false),
                        created_at: Set(Utc::now()),
                    };
                    created.insert(&txn).await.map_err(conflict_on("group"))?.id
                }
            };
            wanted.push(id);
        }
        let current = user_group::Entity::find().filter(user_group::Column::UserId.eq(user_id)).all(&txn).await?;
        let mut changed = false;
        for membership in &current {
            if membership.source.as_deref() == Some(source) && !wanted.contains(&membership.group_id) {
                user_group::Entity::delete_many()
                    .filter(user_group::Column::UserId.eq(user_id))
                    .filter(user_group::Column::GroupId.eq(membership.group_id))
                    .exec(&txn)
                    .await?;
                changed = true;
            }
        }
        wanted.sort();
        wanted.dedup();
        for group_id in wanted {
            if current.iter().all(|membership| membership.group_id != group_id) {
                let membership = user_group::ActiveModel {
                    user_id: Set(user_id),
                    group_id: Set(group_id),
                    source: Set(Some(source.to_owned())),
                };
                membership.insert(&txn).await?;
                changed = true;
            }
        }
        txn.commit().await?;
        if changed {
            self.users.invalidate(&user_id);
        }
        Ok(changed)
    }
}
