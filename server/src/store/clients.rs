//! Registered clients. The secret is stored sealed; this module never sees it in clear.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};

use super::entities::client;
use super::{Store, StoreError, conflict_on, json_strings, to_json_strings};
use crate::domain::{Client, GrantType, IdTokenAlg, ResponseType, ScopeSet, TokenEndpointAuthMethod};

/// A client and its sealed secret (absent for public clients).
#[derive(Clone)]
pub struct StoredClient {
    pub client: Client,
    pub secret_sealed: Option<Vec<u8>>,
}

impl Store {
    pub async fn create_client(&self, client: &Client, secret_sealed: Option<Vec<u8>>) -> Result<(), StoreError> {
        let now = Utc::now();
        client::ActiveModel {
            client_id: Set(client.client_id.clone()),
            client_secret_sealed: Set(secret_sealed),
            client_name: Set(client.client_name.clone()),
            redirect_uris: Set(to_json_strings(&client.redirect_uris)),
            post_logout_redirect_uris: Set(to_json_strings(&client.post_logout_redirect_uris)),
            grant_types: Set(to_json_strings(&client.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>())),
            response_types: Set(to_json_strings(&client.response_types.iter().map(|r| r.as_str()).collect::<Vec<_>>())),
            token_endpoint_auth_method: Set(client.token_endpoint_auth_method.as_str().to_owned()),
            id_token_signed_response_alg: Set(client.id_token_signed_response_alg.as_str().to_owned()),
            backchannel_logout_uri: Set(client.backchannel_logout_uri.clone()),
            scope: Set(client.scope.to_string()),
            skip_authorization: Set(client.skip_authorization),
            allowed_social_login_keys: Set(to_json_strings(&client.allowed_social_login_keys)),
            default_social_login_key: Set(client.default_social_login_key.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .map_err(conflict_on("client"))?;
        self.clients.invalidate(&client.client_id);
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

    pub async fn list_clients(&self) -> Result<Vec<Client>, StoreError> {
        let models = client::Entity::find().order_by_asc(client::Column::ClientId).all(&self.db).await?;
        models.into_iter().map(|m| to_stored_client(m).map(|s| s.client)).collect()
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
    let alg = IdTokenAlg::parse(&model.id_token_signed_response_alg)
        .ok_or_else(|| corrupt("id token alg", &model.id_token_signed_response_alg))?;
    let scope = ScopeSet::parse(&model.scope).ok_or_else(|| corrupt("scope", &model.scope))?;
    let client = Client {
        client_id: model.client_id.clone(),
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
    };
    Ok(StoredClient { client, secret_sealed: model.client_secret_sealed })
}
