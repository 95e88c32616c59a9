//! Which ways in a sign-in offers, and when the login page is skipped (SPEC §5):
//!
//! - A client's `allowed_social_login_keys` limits the keys its users see (none listed:
//!   every enabled key); a `default_social_login_key` makes the client IdP-only: its
//!   sign-ins go straight to that key, and its login page has no password form.
//! - `idp_hint=slug` (or Keycloak's `kc_idp_hint`) on the authorization request goes
//!   straight to that key, when the client may use it.
//! - Home-realm discovery: a `login_hint` e-mail address in a domain a key serves goes
//!   straight to that key.

use crate::domain::Client;
use crate::domain::social_login_key::SocialLoginKey;
use crate::oidc::authorize::pending::PendingAuthorization;
use crate::state::AppState;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What the login page offers for one client.
pub struct LoginOptions {
    /// The password form (not for IdP-only clients).
    pub password: bool,
    /// Enabled keys the client allows, in slug order.
    pub keys: Vec<SocialLoginKey>,
    /// The client's IdP-only key, when it is usable.
    pub default_key: Option<String>,
}

/// Whether the client's policy lets its users sign in through the key `slug`.
pub fn allows(client: &Client, slug: &str) -> bool {
    client.allowed_social_login_keys.is_empty()
        || client.allowed_social_login_keys.iter().any(|allowed| allowed == slug)
}

pub async fn options(state: &AppState, client_id: &str) -> Result<LoginOptions, Error> {
    let client = state.store.find_client(client_id).await?.ok_or("client vanished during authorization")?.client;
    let keys: Vec<SocialLoginKey> = state
        .store
        .all_social_login_keys()
        .await?
        .iter()
        .map(|stored| &stored.key)
        .filter(|key| key.enabled && allows(&client, &key.slug))
        .cloned()
        .collect();
    let default_key = client.default_social_login_key.clone().filter(|slug| keys.iter().any(|k| k.slug == *slug));
    Ok(LoginOptions { password: client.default_social_login_key.is_none(), keys, default_key })
}

/// The key to send this sign-in to without showing the login page, if any.
pub async fn upstream_for(state: &AppState, pending: &PendingAuthorization) -> Result<Option<String>, Error> {
    let options = options(state, &pending.client_id).await?;
    let offered = |slug: &str| options.keys.iter().any(|key| key.slug == slug);
    if let Some(hint) = pending.idp_hint.as_deref()
        && offered(hint)
    {
        return Ok(Some(hint.to_owned()));
    }
    if let Some(default) = options.default_key {
        return Ok(Some(default));
    }
    let domain = pending.login_hint.as_deref().and_then(|hint| hint.rsplit_once('@')).map(|(_, domain)| domain);
    if let Some(domain) = domain {
        let serving = options.keys.iter().find(|key| key.email_domains.iter().any(|d| d.eq_ignore_ascii_case(domain)));
        return Ok(serving.map(|key| key.slug.clone()));
    }
    Ok(None)
}
