use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sid: String,
    pub user_id: Uuid,
    #[sea_orm(unique)]
    pub store_key: String,
    pub amr: Json,
    pub created_at: DateTimeUtc,
    pub auth_time: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub upstream_key: Option<String>,
    pub upstream_sid: Option<String>,
    pub upstream_subject: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
