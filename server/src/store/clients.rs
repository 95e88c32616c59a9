//! Registered clients. The secret is stored sealed; this module never sees it in clear.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

use super::entities::client;
use super::{Page, Store, StoreError, Window, conflict_on, json_strings, lower_contains, paginate, to_json_strings};
use crate::domain::client::{ClientAbout, ClientKeys, ClientOrigin, ResponseEncryption};
use crate::domain::protocol::{ContentEncryptionAlg, KeyEncryptionAlg};
use crate::domain::{
    ApplicationType, Client, GrantType, RequestObjectAlg, ResponseType, ScopeSet, SigningAlg, SubjectType,
    TokenEndpointAuthMethod,
};

/// A client and its sealed secret (absent for public clients).
#[derive(Clone)]
pub struct StoredClient {
    pub client: Client,
    pub secret_sealed: Option<Vec<u8>>,
    /// Digest of the RFC 7592 registration access token of a dynamically registered client.
    pub registration_access_token_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Store {
    /// Stores a new client; one registered dynamically comes with the digest of its
    /// registration access token.
    pub async fn create_client(
        &self,
        client: &Client,
        secret_sealed: Option<Vec<u8>>,
        registration_access_token_hash: Option<String>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut model = client::ActiveModel { created_at: Set(now), ..metadata(client) };
        model.client_secret_sealed = Set(secret_sealed);
        model.registration_access_token_hash = Set(registration_access_token_hash);
        model.insert(&self.db).await.map_err(conflict_on("client"))?;
        self.clients.invalidate(&client.client_id);
        Ok(())
    }

    /// Replaces a client's metadata; its secret changes only when `secret_sealed` is
    /// `Some` (`Some(None)` removes it, for a client turned public).
    pub async fn update_client(
        &self,
        client: &Client,
        secret_sealed: Option<Option<Vec<u8>>>,
    ) -> Result<(), StoreError> {
        let mut model = metadata(client);
        if let Some(sealed) = secret_sealed {
            model.client_secret_sealed = Set(sealed);
        }
        let result = client::Entity::update_many()
            .set(model)
            .filter(client::Column::ClientId.eq(client.client_id.as_str()))
            .exec(&self.db)
            .await?;
        self.clients.invalidate(&client.client_id);
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound("client"));
        }
        Ok(())
    }

    pub async fn set_client_secret(&self, client_id: &str, secret_sealed: Vec<u8>) -> Result<(), StoreError> {
        let model = client::ActiveModel {
            client_secret_sealed: Set(Some(secret_sealed)),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let result = client::Entity::update_many()
            .set(model)
            .filter(client::Column::ClientId.eq(client_id))
            .exec(&self.db)
            .await?;
        self.clients.invalidate(&client_id.to_owned());
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound("client"));
        }
        Ok(())
    }

    /// Deletes the client with its consents and refresh tokens (foreign keys cascade).
    pub async fn delete_client(&self, client_id: &str) -> Result<(), StoreError> {
        let result = client::Entity::delete_by_id(client_id.to_owned()).exec(&self.db).await?;
        self.clients.invalidate(&client_id.to_owned());
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound("client"));
        }
        Ok(())
    }

    /// Read on every token request; cached for `CACHE_TTL`. Unknown ids are not cached,
    /// so a client registered elsewhere works at once.
    pub async fn find_client(&self, client_id: &str) -> Result<Option<StoredClient>, StoreError> {
        if let Some(cached) = self.clients.get(&client_id.to_owned()) {
            return Ok(Some(cached));
        }
        match client::Entity::find_by_id(client_id.to_owned()).one(&self.db).await? {
            Some(model) => {
                let stored = to_stored_client(model)?;
                self.clients.insert(client_id.to_owned(), stored.clone());
                Ok(Some(stored))
            }
            None => Ok(None),
        }
    }

    /// Clients by id; `search` matches the id or the name, ignoring case.
    pub async fn list_clients(&self, search: Option<&str>, window: Window) -> Result<Page<StoredClient>, StoreError> {
        let mut query = client::Entity::find();
        if let Some(text) = search {
            query = query.filter(
                Condition::any()
                    .add(lower_contains(client::Column::ClientId, text))
                    .add(lower_contains(client::Column::ClientName, text)),
            );
        }
        let page = paginate(&self.db, query.order_by_asc(client::Column::ClientId), window).await?;
        let items = page.items.into_iter().map(to_stored_client).collect::<Result<_, _>>()?;
        Ok(Page { items, extent: page.extent })
    }
}

/// Every column but the secret and the creation time.
fn metadata(client: &Client) -> client::ActiveModel {
    let names = |items: Vec<&str>| to_json_strings(&items);
    client::ActiveModel {
        client_id: Set(client.client_id.clone()),
        client_name: Set(client.client_name.clone()),
        redirect_uris: Set(to_json_strings(&client.redirect_uris)),
        post_logout_redirect_uris: Set(to_json_strings(&client.post_logout_redirect_uris)),
        grant_types: Set(names(client.grant_types.iter().map(|g| g.as_str()).collect())),
        response_types: Set(names(client.response_types.iter().map(|r| r.as_str()).collect())),
        token_endpoint_auth_method: Set(client.token_endpoint_auth_method.as_str().to_owned()),
        id_token_signed_response_alg: Set(client.id_token_signed_response_alg.as_str().to_owned()),
        backchannel_logout_uri: Set(client.backchannel_logout_uri.clone()),
        scope: Set(client.scope.to_string()),
        skip_authorization: Set(client.skip_authorization),
        allowed_social_login_keys: Set(to_json_strings(&client.allowed_social_login_keys)),
        default_social_login_key: Set(client.default_social_login_key.clone()),
        require_second_factor: Set(client.require_second_factor),
        allowed_groups: Set(Some(to_json_strings(&client.allowed_groups))),
        application_type: Set(client.application_type.as_str().to_owned()),
        userinfo_signed_response_alg: Set(client.userinfo_signed_response_alg.map(|alg| alg.as_str().to_owned())),
        jwks: Set(match &client.keys {
            Some(ClientKeys::Jwks(jwks)) => Some(jwks.clone()),
            _ => None,
        }),
        jwks_uri: Set(match &client.keys {
            Some(ClientKeys::JwksUri(uri)) => Some(uri.clone()),
            _ => None,
        }),
        default_max_age: Set(client.default_max_age.map(|age| i64::try_from(age).unwrap_or(i64::MAX))),
        require_auth_time: Set(client.require_auth_time),
        backchannel_logout_session_required: Set(client.backchannel_logout_session_required),
        logo_uri: Set(client.about.logo_uri.clone()),
        client_uri: Set(client.about.client_uri.clone()),
        policy_uri: Set(client.about.policy_uri.clone()),
        tos_uri: Set(client.about.tos_uri.clone()),
        initiate_login_uri: Set(client.about.initiate_login_uri.clone()),
        contacts: Set(Some(to_json_strings(&client.about.contacts))),
        request_object_signing_alg: Set(client.request_object_signing_alg.map(|alg| alg.as_str().to_owned())),
        request_uris: Set(Some(to_json_strings(&client.request_uris))),
        backchannel_logout_claims: Set(Some(to_json_strings(&client.backchannel_logout_claims))),
        require_pushed_authorization_requests: Set(client.require_pushed_authorization_requests),
        subject_type: Set(client.subject_type.as_str().to_owned()),
        sector_identifier_uri: Set(client.sector_identifier_uri.clone()),
        id_token_encrypted_response_alg: Set(client.id_token_encryption.map(|e| e.alg.as_str().to_owned())),
        id_token_encrypted_response_enc: Set(client.id_token_encryption.map(|e| e.enc.as_str().to_owned())),
        userinfo_encrypted_response_alg: Set(client.userinfo_encryption.map(|e| e.alg.as_str().to_owned())),
        userinfo_encrypted_response_enc: Set(client.userinfo_encryption.map(|e| e.enc.as_str().to_owned())),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
}

fn to_stored_client(model: client::Model) -> Result<StoredClient, StoreError> {
    let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("client {}: {what} {value}", model.client_id));
    let grant_types = json_strings(&model.grant_types)
        .iter()
        .map(|g| GrantType::parse(g).ok_or_else(|| corrupt("grant type", g)))
        .collect::<Result<_, _>>()?;
    let response_types = json_strings(&model.response_types)
        .iter()
        .map(|r| ResponseType::parse(r).ok_or_else(|| corrupt("response type", r)))
        .collect::<Result<_, _>>()?;
    let auth_method = TokenEndpointAuthMethod::parse(&model.token_endpoint_auth_method)
        .ok_or_else(|| corrupt("auth method", &model.token_endpoint_auth_method))?;
    let alg = SigningAlg::parse(&model.id_token_signed_response_alg)
        .ok_or_else(|| corrupt("id token alg", &model.id_token_signed_response_alg))?;
    let scope = ScopeSet::parse(&model.scope).ok_or_else(|| corrupt("scope", &model.scope))?;
    let application_type = ApplicationType::parse(&model.application_type)
        .ok_or_else(|| corrupt("application type", &model.application_type))?;
    let userinfo_alg = match &model.userinfo_signed_response_alg {
        Some(alg) => Some(SigningAlg::parse(alg).ok_or_else(|| corrupt("userinfo alg", alg))?),
        None => None,
    };
    let request_alg = match &model.request_object_signing_alg {
        Some(alg) => Some(RequestObjectAlg::parse(alg).ok_or_else(|| corrupt("request object alg", alg))?),
        None => None,
    };
    let subject_type =
        SubjectType::parse(&model.subject_type).ok_or_else(|| corrupt("subject type", &model.subject_type))?;
    let encryption = |alg: &Option<String>, enc: &Option<String>| -> Result<_, StoreError> {
        Ok(match (alg, enc) {
            (Some(alg), Some(enc)) => Some(ResponseEncryption {
                alg: KeyEncryptionAlg::parse(alg).ok_or_else(|| corrupt("encryption alg", alg))?,
                enc: ContentEncryptionAlg::parse(enc).ok_or_else(|| corrupt("encryption enc", enc))?,
            }),
            _ => None,
        })
    };
    let id_token_encryption =
        encryption(&model.id_token_encrypted_response_alg, &model.id_token_encrypted_response_enc)?;
    let userinfo_encryption =
        encryption(&model.userinfo_encrypted_response_alg, &model.userinfo_encrypted_response_enc)?;
    let keys = match (model.jwks, model.jwks_uri) {
        (Some(jwks), _) => Some(ClientKeys::Jwks(jwks)),
        (None, Some(uri)) => Some(ClientKeys::JwksUri(uri)),
        (None, None) => None,
    };
    let about = ClientAbout {
        logo_uri: model.logo_uri,
        client_uri: model.client_uri,
        policy_uri: model.policy_uri,
        tos_uri: model.tos_uri,
        initiate_login_uri: model.initiate_login_uri,
        contacts: model.contacts.as_ref().map(json_strings).unwrap_or_default(),
    };
    // A registration access token is what a dynamically registered client holds.
    let origin = match model.registration_access_token_hash {
        Some(_) => ClientOrigin::Registration,
        None => ClientOrigin::Administrator,
    };
    let client = Client {
        client_id: model.client_id.clone(),
        origin,
        client_name: model.client_name,
        redirect_uris: json_strings(&model.redirect_uris),
        post_logout_redirect_uris: json_strings(&model.post_logout_redirect_uris),
        grant_types,
        response_types,
        token_endpoint_auth_method: auth_method,
        id_token_signed_response_alg: alg,
        backchannel_logout_uri: model.backchannel_logout_uri,
        scope,
        skip_authorization: model.skip_authorization,
        allowed_social_login_keys: json_strings(&model.allowed_social_login_keys),
        default_social_login_key: model.default_social_login_key,
        require_second_factor: model.require_second_factor,
        allowed_groups: model.allowed_groups.as_ref().map(json_strings).unwrap_or_default(),
        application_type,
        userinfo_signed_response_alg: userinfo_alg,
        id_token_encryption,
        userinfo_encryption,
        keys,
        request_object_signing_alg: request_alg,
        request_uris: model.request_uris.as_ref().map(json_strings).unwrap_or_default(),
        backchannel_logout_claims: model.backchannel_logout_claims.as_ref().map(json_strings).unwrap_or_default(),
        require_pushed_authorization_requests: model.require_pushed_authorization_requests,
        default_max_age: model.default_max_age.and_then(|age| u64::try_from(age).ok()),
        require_auth_time: model.require_auth_time,
        backchannel_logout_session_required: model.backchannel_logout_session_required,
        subject_type,
        sector_identifier_uri: model.sector_identifier_uri,
        about,
    };
    Ok(StoredClient {
        client,
        secret_sealed: model.client_secret_sealed,
        registration_access_token_hash: model.registration_access_token_hash,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}
