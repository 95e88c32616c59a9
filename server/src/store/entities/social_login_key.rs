use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "social_login_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub slug: String,
    pub display_name: String,
    pub kind: String,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub client_id: String,
    pub client_secret_sealed: Option<Vec<u8>>,
    pub scopes: String,
    pub enabled: bool,
    pub allow_signup: bool,
    pub trust_email: bool,
    pub trust_mfa: bool,
    pub username_claim: String,
    pub groups_claim: Option<String>,
    pub group_mapping: Json,
    pub sync_profile: bool,
    pub email_domains: Json,
    pub icon: Option<String>,
    pub claim_mapping: Json,
    pub token_endpoint_auth_method: Option<String>,
    pub end_upstream_session: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
