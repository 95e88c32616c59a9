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
    pub application_type: String,
    pub userinfo_signed_response_alg: Option<String>,
    pub jwks: Option<Json>,
    pub jwks_uri: Option<String>,
    pub default_max_age: Option<i64>,
    pub require_auth_time: bool,
    pub backchannel_logout_session_required: bool,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub initiate_login_uri: Option<String>,
    pub contacts: Option<Json>,
    pub registration_access_token_hash: Option<String>,
    pub request_object_signing_alg: Option<String>,
    pub request_uris: Option<Json>,
    pub require_pushed_authorization_requests: bool,
    pub subject_type: String,
    pub sector_identifier_uri: Option<String>,
    pub id_token_encrypted_response_alg: Option<String>,
    pub id_token_encrypted_response_enc: Option<String>,
    pub userinfo_encrypted_response_alg: Option<String>,
    pub userinfo_encrypted_response_enc: Option<String>,
    pub backchannel_logout_claims: Option<Json>,
    pub require_second_factor: bool,
    pub allowed_groups: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
