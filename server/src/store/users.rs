//! Users, their password hashes and their groups.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, Query},
};
use uuid::Uuid;

use super::entities::{group, user, user_group};
use super::{Page, Store, StoreError, Window, conflict_on, lower_contains, paginate};
use crate::domain::user::{Address, StandardClaims, User};

/// What a new user is created with. The password arrives already hashed.
#[derive(Debug, Default)]
pub struct NewUser {
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub claims: StandardClaims,
    /// Names of existing groups.
    pub groups: Vec<String>,
}

/// The profile fields an administrator edits.
#[derive(Debug, Clone)]
pub struct UserProfile {
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub claims: StandardClaims,
    pub disabled: bool,
}

/// Profile claims an upstream asserted; each one that is set replaces the stored value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamProfile {
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub picture: Option<String>,
    pub locale: Option<String>,
}

/// Filters of the user list; every one that is set must match.
#[derive(Debug, Default)]
pub struct UserFilter {
    /// A case-insensitive substring of the username, e-mail address or name.
    pub search: Option<String>,
    /// Members of the group with this name.
    pub group: Option<String>,
    pub disabled: Option<bool>,
}

/// What the login form checks: the user's id, whether they may sign in, and their hash.
pub struct LoginCandidate {
    pub id: Uuid,
    pub disabled: bool,
    pub password_hash: Option<String>,
}

impl Store {
    /// Creates the user with their memberships, in one transaction.
    pub async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let now = Utc::now();
        let txn = self.begin_write().await?;
        let mut active = user::ActiveModel {
            id: Set(Uuid::new_v4()),
            username: Set(new.username),
            email: Set(new.email),
            email_verified: Set(new.email_verified),
            name: Set(new.name),
            password_hash: Set(new.password_hash),
            disabled: Set(new.disabled),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        set_claims(&mut active, new.claims);
        let model = active.insert(&txn).await.map_err(conflict_on("user"))?;
        super::groups::replace_memberships(&txn, model.id, &new.groups).await?;
        txn.commit().await?;
        let mut groups = new.groups;
        groups.sort();
        groups.dedup();
        Ok(to_user(model, groups))
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

    /// Users by username; `after` starts the page after that username (keyset pagination:
    /// as cheap on the last page as on the first).
    pub async fn list_users(
        &self,
        filter: &UserFilter,
        window: Window,
        after: Option<&str>,
    ) -> Result<Page<User>, StoreError> {
        let mut query = user::Entity::find();
        if let Some(after) = after {
            query = query.filter(user::Column::Username.gt(after));
        }
        if let Some(text) = &filter.search {
            query = query.filter(
                Condition::any()
                    .add(lower_contains(user::Column::Username, text))
                    .add(lower_contains(user::Column::Email, text))
                    .add(lower_contains(user::Column::Name, text)),
            );
        }
        if let Some(name) = &filter.group {
            let members = Query::select()
                .column(user_group::Column::UserId)
                .from(user_group::Entity)
                .inner_join(
                    group::Entity,
                    Expr::col((group::Entity, group::Column::Id))
                        .equals((user_group::Entity, user_group::Column::GroupId)),
                )
                .and_where(Expr::col((group::Entity, group::Column::Name)).eq(name.as_str()))
                .to_owned();
            query = query.filter(user::Column::Id.in_subquery(members));
        }
        if let Some(disabled) = filter.disabled {
            query = query.filter(user::Column::Disabled.eq(disabled));
        }
        let page = paginate(&self.db, query.order_by_asc(user::Column::Username), window).await?;
        let mut groups = self.groups_of_each(page.items.iter().map(|model| model.id)).await?;
        let users = page.items.into_iter().map(|model| {
            let names = groups.remove(&model.id).unwrap_or_default();
            to_user(model, names)
        });
        Ok(Page { items: users.collect(), extent: page.extent })
    }

    /// Every user, for the CLI's listing.
    pub async fn all_users(&self) -> Result<Vec<User>, StoreError> {
        Ok(self.list_users(&UserFilter::default(), Window::ALL, None).await?.items)
    }

    /// Replaces the user's profile and memberships, in one transaction.
    pub async fn update_user(&self, id: Uuid, profile: UserProfile, groups: &[String]) -> Result<User, StoreError> {
        let txn = self.begin_write().await?;
        let model = user::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound("user"))?;
        let mut active: user::ActiveModel = model.into();
        active.username = Set(profile.username);
        active.email = Set(profile.email);
        active.email_verified = Set(profile.email_verified);
        active.name = Set(profile.name);
        set_claims(&mut active, profile.claims);
        active.disabled = Set(profile.disabled);
        active.updated_at = Set(Utc::now());
        active.update(&txn).await.map_err(conflict_on("user"))?;
        super::groups::replace_memberships(&txn, id, groups).await?;
        txn.commit().await?;
        self.users.invalidate(&id);
        self.find_user(id).await?.ok_or(StoreError::NotFound("user"))
    }

    /// Copies what an upstream asserted into the user's profile; returns whether anything
    /// changed.
    pub async fn sync_upstream_profile(&self, id: Uuid, profile: &UpstreamProfile) -> Result<bool, StoreError> {
        let model = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound("user"))?;
        let mut active: user::ActiveModel = model.clone().into();
        let mut changed = false;
        let mut set =
            |column: &mut sea_orm::ActiveValue<Option<String>>, current: &Option<String>, new: &Option<String>| {
                if new.is_some() && new != current {
                    *column = Set(new.clone());
                    changed = true;
                }
            };
        set(&mut active.name, &model.name, &profile.name);
        set(&mut active.given_name, &model.given_name, &profile.given_name);
        set(&mut active.family_name, &model.family_name, &profile.family_name);
        set(&mut active.picture, &model.picture, &profile.picture);
        set(&mut active.locale, &model.locale, &profile.locale);
        set(&mut active.email, &model.email, &profile.email);
        if profile.email.is_some() && model.email_verified != profile.email_verified {
            active.email_verified = Set(profile.email_verified);
            changed = true;
        }
        if changed {
            active.updated_at = Set(Utc::now());
            active.update(&self.db).await.map_err(conflict_on("user"))?;
            self.users.invalidate(&id);
        }
        Ok(changed)
    }

    pub async fn delete_user(&self, id: Uuid) -> Result<(), StoreError> {
        let result = user::Entity::delete_by_id(id).exec(&self.db).await?;
        self.users.invalidate(&id);
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound("user"));
        }
        Ok(())
    }

    /// Replaces the password of the user with this id.
    pub async fn set_password_hash_of(&self, id: Uuid, hash: String) -> Result<(), StoreError> {
        let model = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::NotFound("user"))?;
        self.users.invalidate(&id);
        let mut active: user::ActiveModel = model.into();
        active.password_hash = Set(Some(hash));
        active.updated_at = Set(Utc::now());
        active.update(&self.db).await?;
        Ok(())
    }

    /// Ids of the users whose e-mail address is `email`, compared without (ASCII) case, and
    /// with `verified`, only those whose address is verified; at most `limit` of them (two
    /// are enough to know a match is ambiguous).
    pub async fn users_with_email(&self, email: &str, verified: bool, limit: u64) -> Result<Vec<Uuid>, StoreError> {
        let mut query = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(Expr::expr(Func::lower(Expr::col(user::Column::Email))).eq(email.to_ascii_lowercase()));
        if verified {
            query = query.filter(user::Column::EmailVerified.eq(true));
        }
        Ok(query.limit(limit).into_tuple::<Uuid>().all(&self.db).await?)
    }

    /// Whether a username is taken, compared without (ASCII) case: a new `Alice` beside
    /// `alice` would be one person to apps that compare names without case.
    pub async fn username_taken(&self, username: &str) -> Result<bool, StoreError> {
        let found = user::Entity::find()
            .filter(Expr::expr(Func::lower(Expr::col(user::Column::Username))).eq(username.to_ascii_lowercase()))
            .one(&self.db)
            .await?;
        Ok(found.is_some())
    }

    /// The group names of each user: one query per thousand users (a page is one; the
    /// bound keeps the CLI's listing of every user under the databases' parameter limits).
    async fn groups_of_each(
        &self,
        user_ids: impl Iterator<Item = Uuid>,
    ) -> Result<std::collections::HashMap<Uuid, Vec<String>>, StoreError> {
        let ids: Vec<Uuid> = user_ids.collect();
        let mut groups = std::collections::HashMap::<Uuid, Vec<String>>::new();
        for chunk in ids.chunks(1000) {
            let rows = user_group::Entity::find()
                .filter(user_group::Column::UserId.is_in(chunk.iter().copied()))
                .find_also_related(group::Entity)
                .all(&self.db)
                .await?;
            for (membership, group) in rows {
                if let Some(group) = group {
                    groups.entry(membership.user_id).or_default().push(group.name);
                }
            }
        }
        groups.values_mut().for_each(|names| names.sort());
        Ok(groups)
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
        claims: StandardClaims {
            given_name: model.given_name,
            family_name: model.family_name,
            middle_name: model.middle_name,
            nickname: model.nickname,
            profile: model.profile,
            picture: model.picture,
            website: model.website,
            gender: model.gender,
            birthdate: model.birthdate,
            zoneinfo: model.zoneinfo,
            locale: model.locale,
            phone_number: model.phone_number,
            phone_number_verified: model.phone_number_verified,
            address: model.address.and_then(|json| serde_json::from_value::<Address>(json).ok()),
        },
        disabled: model.disabled,
        has_password: model.password_hash.is_some(),
        groups,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

/// Stores every claim as given: an absent one is cleared.
fn set_claims(active: &mut user::ActiveModel, claims: StandardClaims) {
    active.given_name = Set(claims.given_name);
    active.family_name = Set(claims.family_name);
    active.middle_name = Set(claims.middle_name);
    active.nickname = Set(claims.nickname);
    active.profile = Set(claims.profile);
    active.picture = Set(claims.picture);
    active.website = Set(claims.website);
    active.gender = Set(claims.gender);
    active.birthdate = Set(claims.birthdate);
    active.zoneinfo = Set(claims.zoneinfo);
    active.locale = Set(claims.locale);
    active.phone_number = Set(claims.phone_number);
    active.phone_number_verified = Set(claims.phone_number_verified);
    active.address = Set(claims.address.and_then(|address| serde_json::to_value(address).ok()));
}
