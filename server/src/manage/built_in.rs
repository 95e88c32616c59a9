//! What the hub registers for itself at every start: the clients of its own pages (the
//! admin UI, redirecting to `{issuer}/admin/`, and the account page, to
//! `{issuer}/account/callback`: public, with PKCE, first-party) and the `admins` group. A
//! changed issuer updates the redirect URIs at the next start.

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

/// The account page's client: it signs people in to `/account` through the one flow, so
/// every rule of a sign-in (second factor, throttling, upstreams) holds there too.
pub const ACCOUNT_CLIENT_ID: &str = "hub-account";

pub fn is_built_in(client_id: &str) -> bool {
    client_id == ADMIN_UI_CLIENT_ID || client_id == ACCOUNT_CLIENT_ID
}

/// Registers (or brings up to date) the built-in clients and makes sure the `admins`
/// group exists.
pub async fn ensure(state: &AppState) -> Result<(), StoreError> {
    let admin_root = format!("{}{ADMIN_UI_PATH}/", state.issuer());
    let account = state.settings.endpoint(crate::oidc::paths::ACCOUNT);
    let callback = state.settings.endpoint(crate::oidc::paths::ACCOUNT_CALLBACK);
    register(state, first_party(ADMIN_UI_CLIENT_ID, "Hub admin", admin_root.clone(), admin_root)).await?;
    register(state, first_party(ACCOUNT_CLIENT_ID, "Your account", callback, account)).await?;
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

async fn register(state: &AppState, client: Client) -> Result<(), StoreError> {
    match state.store.create_client(&client, None, None).await {
        Err(StoreError::Conflict(_)) => state.store.update_client(&client, Some(None)).await?,
        other => other?,
    };
    Ok(())
}

/// A public client of the hub's own pages: code flow with PKCE, consent never asked.
fn first_party(client_id: &str, name: &str, redirect_uri: String, after_logout: String) -> Client {
    Client {
        client_id: client_id.to_owned(),
        origin: ClientOrigin::Administrator,
        client_name: name.to_owned(),
        redirect_uris: vec![redirect_uri],
        post_logout_redirect_uris: vec![after_logout],
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
    }
}
