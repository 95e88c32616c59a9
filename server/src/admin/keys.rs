//! `/keys`: the token signing keys. Rotation keeps the previous key published until the
//! tokens it signed have expired; retiring withdraws an inactive key at once.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::ApiTags;
use super::auth::AdminAuth;
use super::problem::ApiResult;
use crate::keys::{KeyAlg, KeyInfo, KeyState};
use crate::manage::keys;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SigningKeyState {
    /// Signs new tokens.
    Active,
    /// Rotated out, still published until `publish_until` for the tokens it signed.
    Retiring,
    /// No longer published; tokens it signed no longer verify.
    Retired,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SigningKey {
    /// The RFC 7638 thumbprint, as in the JWKS.
    pub kid: String,
    pub alg: String,
    pub state: SigningKeyState,
    /// Whether the JWKS lists it.
    pub published: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub rotated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub publish_until: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SigningKeyList {
    /// Newest first.
    pub items: Vec<SigningKey>,
}

#[derive(ApiResponse)]
enum Rotated {
    /// The new active keys.
    #[oai(status = 201)]
    Created(Json<SigningKeyList>),
}

/// The algorithms of the hub's keys (one active key each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum KeyAlgorithm {
    RS256,
    PS256,
    ES256,
    EdDSA,
}

#[derive(Default)]
pub struct KeysApi;

#[OpenApi(prefix_path = "/keys", tag = "ApiTags::Keys")]
impl KeysApi {
    /// List signing keys
    #[oai(path = "/", method = "get", operation_id = "listKeys")]
    async fn list(&self, _auth: AdminAuth, Data(state): Data<&AppState>) -> ApiResult<Json<SigningKeyList>> {
        let keys = keys::list(state).await?;
        Ok(Json(SigningKeyList { items: keys.into_iter().map(to_api).collect() }))
    }

    /// Rotate the signing keys
    ///
    /// A new key signs from now on, for the algorithm `alg` or for every one, on this
    /// instance at once and on the others within their reload interval; each previous key
    /// stays published until its tokens expire.
    #[oai(path = "/rotate", method = "post", operation_id = "rotateKeys")]
    async fn rotate(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        alg: Query<Option<KeyAlgorithm>>,
    ) -> ApiResult<Rotated> {
        let alg = alg.0.map(|alg| match alg {
            KeyAlgorithm::RS256 => KeyAlg::RS256,
            KeyAlgorithm::PS256 => KeyAlg::PS256,
            KeyAlgorithm::ES256 => KeyAlg::ES256,
            KeyAlgorithm::EdDSA => KeyAlg::EdDSA,
        });
        let rotated = keys::rotate(state, &auth.by(), alg).await?;
        Ok(Rotated::Created(Json(SigningKeyList { items: rotated.into_iter().map(to_api).collect() })))
    }

    /// Retire a signing key
    ///
    /// Withdraws an inactive key from the JWKS now (say, one that leaked): tokens it
    /// signed stop verifying. The active key cannot be retired, only rotated out.
    #[oai(path = "/:kid/retire", method = "post", operation_id = "retireKey")]
    async fn retire(
        &self,
        auth: AdminAuth,
        Data(state): Data<&AppState>,
        kid: Path<String>,
    ) -> ApiResult<Json<SigningKey>> {
        Ok(Json(to_api(keys::retire(state, &auth.by(), &kid.0).await?)))
    }
}

fn to_api(key: KeyInfo) -> SigningKey {
    SigningKey {
        published: key.published(),
        kid: key.kid,
        alg: key.alg,
        state: match key.state {
            KeyState::Active => SigningKeyState::Active,
            KeyState::Retiring => SigningKeyState::Retiring,
            KeyState::Retired => SigningKeyState::Retired,
        },
        created_at: key.created_at,
        rotated_at: key.rotated_at,
        publish_until: key.publish_until,
    }
}
