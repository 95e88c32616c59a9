use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: String,
    pub client_secret_sealed: Option<Vec<u8>>,
    pub client_name: String,
    pub redirect_uris: Json,
    pub post_logout_redirect_uris: Json,
    pub grant_types: Json,
    pub response_types: Json,
    pub token_endpoint_auth_method: String,
    pub id_token_signed_response_alg: String,
    pub backchannel_logout_uri: Option<String>,
    pub scope: String,
    pub skip_authorization: bool,
    pub allowed_social_login_keys: Json,
    pub default_social_login_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
