//! What the hub registers for itself at every start: the admin UI's client (a public
//! client with PKCE, first-party, redirecting to `{issuer}/admin/`) and the `admins`
//! group. A changed issuer updates the redirect URI at the next start.

use crate::domain::client::{ClientAbout, ClientOrigin};
use crate::domain::user::ADMINS_GROUP;
use crate::domain::{
    ApplicationType, Client, GrantType, ResponseType, ScopeSet, SigningAlg, SubjectType, TokenEndpointAuthMethod,
};
use crate::state::AppState;
use crate::store::StoreError;

/// The admin UI's client. Only its access tokens open the admin API, so a token handed to
/// some other app cannot be replayed there; administrators cannot change or delete it.
pub const ADMIN_UI_CLIENT_ID: &str = "hub-admin";

/// Where the admin UI is served, relative to the issuer.
pub const ADMIN_UI_PATH: &str = "/admin";

pub fn is_built_in(client_id: &str) -> bool {
    client_id == ADMIN_UI_CLIENT_ID
}

/// Registers (or brings up to date) the admin UI's client and makes sure the `admins`
/// group exists.
pub async fn ensure(state: &AppState) -> Result<(), StoreError> {
    let root = format!("{}{ADMIN_UI_PATH}/", state.issuer());
    let client = Client {
        client_id: ADMIN_UI_CLIENT_ID.to_owned(),
        origin: ClientOrigin::Administrator,
        client_name: "Hub admin".to_owned(),
        redirect_uris: vec![root.clone()],
        post_logout_redirect_uris: vec![root],
        grant_types: vec![GrantType::AuthorizationCode],
        response_types: vec![ResponseType::Code],
        token_endpoint_auth_method: TokenEndpointAuthMethod::None,
        id_token_signed_response_alg: SigningAlg::RS256,
        backchannel_logout_uri: None,
        backchannel_logout_claims: Vec::new(),
        scope: ScopeSet::parse("openid profile").unwrap_or_default(),
        skip_authorization: true,
        allowed_social_login_keys: Vec::new(),
        default_social_login_key: None,
        require_second_factor: false,
        allowed_groups: Vec::new(),
        application_type: ApplicationType::Web,
        userinfo_signed_response_alg: None,
        id_token_encryption: None,
        userinfo_encryption: None,
        keys: None,
        request_object_signing_alg: None,
        request_uris: Vec::new(),
        require_pushed_authorization_requests: false,
        default_max_age: None,
        require_auth_time: false,
        backchannel_logout_session_required: false,
        subject_type: SubjectType::Public,
        sector_identifier_uri: None,
        about: ClientAbout::default(),
    };
    match state.store.create_client(&client, None, None).await {
        Err(StoreError::Conflict(_)) => state.store.update_client(&client, Some(None)).await?,
        other => other?,
    }
    if state.store.find_group_by_name(ADMINS_GROUP).await?.is_none() {
        match state.store.create_group(ADMINS_GROUP, Some("Members may use the admin API and UI".into())).await {
            Err(StoreError::Conflict(_)) => {}
            other => {
                other?;
            }
        }
    }
    Ok(())
}
