//! Social Login Keys at rest. The upstream client secret is stored sealed; this module
//! never sees it in clear.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};

use super::entities::social_login_key;
use super::{Page, Store, StoreError, Window, conflict_on, json_strings, paginate, to_json_strings};
use crate::domain::social_login_key::{Endpoints, SocialLoginKey, TokenAuthMethod, UpstreamKind};

#[derive(Debug, Clone)]
pub struct StoredSocialLoginKey {
    pub key: SocialLoginKey,
    pub secret_sealed: Option<Vec<u8>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Store {
    pub async fn create_social_login_key(
        &self,
        key: &SocialLoginKey,
        secret_sealed: Option<Vec<u8>>,
    ) -> Result<StoredSocialLoginKey, StoreError> {
        let now = Utc::now();
        let mut model = columns(key);
        model.client_secret_sealed = Set(secret_sealed);
        model.created_at = Set(now);
        model.updated_at = Set(now);
        let model = model.insert(&self.db).await.map_err(conflict_on("social login key"))?;
        self.social_login_keys.clear();
        to_stored(model)
    }

    pub async fn find_social_login_key(&self, slug: &str) -> Result<Option<StoredSocialLoginKey>, StoreError> {
        social_login_key::Entity::find_by_id(slug.to_owned()).one(&self.db).await?.map(to_stored).transpose()
    }

    pub async fn list_social_login_keys(&self, window: Window) -> Result<Page<StoredSocialLoginKey>, StoreError> {
        let query = social_login_key::Entity::find().order_by_asc(social_login_key::Column::Slug);
        let page = paginate(&self.db, query, window).await?;
        let items = page.items.into_iter().map(to_stored).collect::<Result<_, _>>()?;
        Ok(Page { items, extent: page.extent })
    }

    /// Every key, in slug order: for the login page, routing, and checks across keys.
    /// Cached for `CACHE_TTL`.
    pub async fn all_social_login_keys(&self) -> Result<Arc<Vec<StoredSocialLoginKey>>, StoreError> {
        if let Some(cached) = self.social_login_keys.get(&()) {
            return Ok(cached);
        }
        let rows = social_login_key::Entity::find().order_by_asc(social_login_key::Column::Slug).all(&self.db).await?;
        let keys = Arc::new(rows.into_iter().map(to_stored).collect::<Result<Vec<_>, _>>()?);
        self.social_login_keys.insert((), keys.clone());
        Ok(keys)
    }

    /// Replaces a key's configuration; the secret changes only when `secret_sealed` is set.
    pub async fn update_social_login_key(
        &self,
        key: &SocialLoginKey,
        secret_sealed: Option<Vec<u8>>,
    ) -> Result<StoredSocialLoginKey, StoreError> {
        let existing = social_login_key::Entity::find_by_id(key.slug.clone())
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound("social login key"))?;
        let mut model = columns(key);
        model.client_secret_sealed = Set(secret_sealed.or(existing.client_secret_sealed));
        model.created_at = Set(existing.created_at);
        model.updated_at = Set(Utc::now());
        let updated = model.update(&self.db).await?;
        self.social_login_keys.clear();
        to_stored(updated)
    }

    /// Deletes the key and the upstream identities linked through it.
    pub async fn delete_social_login_key(&self, slug: &str) -> Result<(), StoreError> {
        let result = social_login_key::Entity::delete_by_id(slug.to_owned()).exec(&self.db).await?;
        self.social_login_keys.clear();
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound("social login key"));
        }
        Ok(())
    }
}

fn columns(key: &SocialLoginKey) -> social_login_key::ActiveModel {
    social_login_key::ActiveModel {
        slug: Set(key.slug.clone()),
        display_name: Set(key.display_name.clone()),
        kind: Set(key.kind.as_str().to_owned()),
        issuer: Set(key.issuer.clone()),
        authorization_endpoint: Set(key.endpoints.authorization.clone()),
        token_endpoint: Set(key.endpoints.token.clone()),
        userinfo_endpoint: Set(key.endpoints.userinfo.clone()),
        jwks_uri: Set(key.endpoints.jwks_uri.clone()),
        end_session_endpoint: Set(key.endpoints.end_session.clone()),
        client_id: Set(key.client_id.clone()),
        scopes: Set(key.scopes.join(" ")),
        enabled: Set(key.enabled),
        allow_signup: Set(key.allow_signup),
        trust_email: Set(key.trust_email),
        trust_mfa: Set(key.trust_mfa),
        username_claim: Set(key.username_claim.clone()),
        groups_claim: Set(key.groups_claim.clone()),
        group_mapping: Set(serde_json::to_value(&key.group_mapping).unwrap_or_default()),
        sync_profile: Set(key.sync_profile),
        email_domains: Set(to_json_strings(&key.email_domains)),
        icon: Set(key.icon.clone()),
        claim_mapping: Set(serde_json::to_value(&key.claim_mapping).unwrap_or_default()),
        token_endpoint_auth_method: Set(key.token_endpoint_auth_method.map(|m| m.as_str().to_owned())),
        end_upstream_session: Set(key.end_upstream_session),
        ..Default::default()
    }
}

fn to_stored(model: social_login_key::Model) -> Result<StoredSocialLoginKey, StoreError> {
    let kind = UpstreamKind::parse(&model.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("social login key {}: kind {}", model.slug, model.kind)))?;
    let group_mapping: BTreeMap<String, String> = serde_json::from_value(model.group_mapping)
        .map_err(|e| StoreError::Corrupt(format!("social login key {}: group mapping: {e}", model.slug)))?;
    let claim_mapping: BTreeMap<String, String> = serde_json::from_value(model.claim_mapping)
        .map_err(|e| StoreError::Corrupt(format!("social login key {}: claim mapping: {e}", model.slug)))?;
    let token_endpoint_auth_method = match model.token_endpoint_auth_method.as_deref() {
        Some(method) => Some(TokenAuthMethod::parse(method).ok_or_else(|| {
            StoreError::Corrupt(format!("social login key {}: token endpoint auth method {method}", model.slug))
        })?),
        None => None,
    };
    let key = SocialLoginKey {
        slug: model.slug,
        display_name: model.display_name,
        kind,
        issuer: model.issuer,
        endpoints: Endpoints {
            authorization: model.authorization_endpoint,
            token: model.token_endpoint,
            userinfo: model.userinfo_endpoint,
            jwks_uri: model.jwks_uri,
            end_session: model.end_session_endpoint,
        },
        client_id: model.client_id,
        scopes: model.scopes.split_whitespace().map(str::to_owned).collect(),
        enabled: model.enabled,
        allow_signup: model.allow_signup,
        trust_email: model.trust_email,
        trust_mfa: model.trust_mfa,
        username_claim: model.username_claim,
        groups_claim: model.groups_claim,
        group_mapping,
        claim_mapping,
        token_endpoint_auth_method,
        end_upstream_session: model.end_upstream_session,
        sync_profile: model.sync_profile,
        email_domains: json_strings(&model.email_domains),
        icon: model.icon,
    };
    Ok(StoredSocialLoginKey {
        key,
        secret_sealed: model.client_secret_sealed,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}
