//! Users, their password hashes and their groups.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::{group, user, user_group};
use super::{Store, StoreError, conflict_on};
use crate::domain::{Address, User};

/// What a new user is created with. The password arrives already hashed.
#[derive(Debug, Default)]
pub struct NewUser {
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub password_hash: Option<String>,
}

/// What the login form checks: the user's id, whether they may sign in, and their hash.
pub struct LoginCandidate {
    pub id: Uuid,
    pub disabled: bool,
    pub password_hash: Option<String>,
}

impl Store {
    pub async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let now = Utc::now();
        let model = user::ActiveModel {
            id: Set(Uuid::new_v4()),
            username: Set(new.username),
            email: Set(new.email),
            email_verified: Set(new.email_verified),
            name: Set(new.name),
            given_name: Set(None),
            family_name: Set(None),
            phone_number: Set(None),
            phone_number_verified: Set(false),
            address: Set(None),
            password_hash: Set(new.password_hash),
            disabled: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .map_err(conflict_on("user"))?;
        Ok(to_user(model, Vec::new()))
    }

    /// Read by userinfo and every token request; cached for `CACHE_TTL`.
    pub async fn find_user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        if let Some(cached) = self.users.get(&id) {
            return Ok(Some(cached));
        }
        match user::Entity::find_by_id(id).one(&self.db).await? {
            Some(model) => {
                let groups = self.groups_of(model.id).await?;
                let user = to_user(model, groups);
                self.users.insert(id, user.clone());
                Ok(Some(user))
            }
            None => Ok(None),
        }
    }

    /// One query, the same for every username, so timing does not tell which exist.
    pub async fn find_user_for_login(&self, username: &str) -> Result<Option<LoginCandidate>, StoreError> {
        let found = user::Entity::find().filter(user::Column::Username.eq(username)).one(&self.db).await?;
        Ok(found.map(|model| LoginCandidate {
            id: model.id,
            disabled: model.disabled,
            password_hash: model.password_hash,
        }))
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let models = user::Entity::find().order_by_asc(user::Column::Username).all(&self.db).await?;
        let mut users = Vec::with_capacity(models.len());
        for model in models {
            let groups = self.groups_of(model.id).await?;
            users.push(to_user(model, groups));
        }
        Ok(users)
    }

    pub async fn set_password_hash(&self, username: &str, hash: String) -> Result<(), StoreError> {
        let model = user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        self.users.invalidate(&model.id);
        let mut active: user::ActiveModel = model.into();
        active.password_hash = Set(Some(hash));
        active.updated_at = Set(Utc::now());
        active.update(&self.db).await?;
        Ok(())
    }

    /// Adds the user to the named group, creating the group on first use.
    pub async fn add_to_group(&self, user_id: Uuid, group_name: &str) -> Result<(), StoreError> {
        let existing = group::Entity::find().filter(group::Column::Name.eq(group_name)).one(&self.db).await?;
        let group_id = match existing {
            Some(found) => found.id,
            None => {
                group::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    name: Set(group_name.to_owned()),
                    description: Set(None),
                    created_at: Set(Utc::now()),
                }
                .insert(&self.db)
                .await
                .map_err(conflict_on("group"))?
                .id
            }
        };
        self.users.invalidate(&user_id);
        let membership = user_group::ActiveModel { user_id: Set(user_id), group_id: Set(group_id) };
        match user_group::Entity::insert(membership).exec(&self.db).await {
            Ok(_) => Ok(()),
            Err(error) => match conflict_on("membership")(error) {
                StoreError::Conflict(_) => Ok(()),
                other => Err(other),
            },
        }
    }

    async fn groups_of(&self, user_id: Uuid) -> Result<Vec<String>, StoreError> {
        let rows = user_group::Entity::find()
            .filter(user_group::Column::UserId.eq(user_id))
            .find_also_related(group::Entity)
            .all(&self.db)
            .await?;
        let mut names: Vec<String> = rows.into_iter().filter_map(|(_, g)| g.map(|g| g.name)).collect();
        names.sort();
        Ok(names)
    }
}

fn to_user(model: user::Model, groups: Vec<String>) -> User {
    User {
        id: model.id,
        username: model.username,
        email: model.email,
        email_verified: model.email_verified,
        name: model.name,
        given_name: model.given_name,
        family_name: model.family_name,
        phone_number: model.phone_number,
        phone_number_verified: model.phone_number_verified,
        address: model.address.and_then(|json| serde_json::from_value::<Address>(json).ok()),
        disabled: model.disabled,
        groups,
        updated_at: model.updated_at,
    }
}
