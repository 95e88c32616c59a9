//! Linking one more upstream identity to the account of the person signed in (SPEC §7a,
//! from the account page): they sign in at the upstream, and the identity that comes back
//! is linked to them, never by e-mail match alone. One that is already someone else's is
//! refused; one that is already theirs is nothing new. Nobody is signed in by it.

use std::time::Duration;

use poem::http::StatusCode;
use poem::{Request, Response};
use uuid::Uuid;

use super::flow::{self, Failure, FlowState, UsableKey};
use super::identity::MappedIdentity;
use super::metadata;
use super::upstream_client::Asked;
use crate::domain::User;
use crate::domain::audit::{Actor, AuditRecord};
use crate::http::{extract, page};
use crate::mail::Change;
use crate::oidc::paths;
use crate::session::Space;
use crate::state::AppState;
use crate::store::StoreError;

/// How long a person may take at the upstream.
const FLOW_TTL: Duration = Duration::from_secs(600);

/// The enabled key `slug`, with its secret, for linking (the account page is not an app
/// with a policy of keys: every enabled key can be linked).
async fn usable(state: &AppState, slug: &str) -> Result<UsableKey, Failure> {
    let stored = state.store.find_social_login_key(slug).await.map_err(Failure::internal)?;
    let Some(stored) = stored.filter(|stored| stored.key.enabled) else {
        return Err(Failure::Refused { key: slug.to_owned(), reason: "That sign-in option is not available.".into() });
    };
    let secret = super::client_secret(&state.master, &stored).map_err(Failure::Internal)?;
    Ok(UsableKey { key: stored.key, secret })
}

/// Starts the sign-in at `slug` that will link its identity to `user`; where to send the
/// browser. The upstream is asked for a fresh sign-in, so it is this person's account
/// there that is linked, not whoever is signed in at the upstream in this browser.
pub async fn start(state: &AppState, user: &User, browser: &str, slug: &str) -> Result<String, Failure> {
    let usable = usable(state, slug).await?;
    let key = &usable.key;
    let upstream = metadata::resolve(&state.outbound, key).await.map_err(|e| Failure::upstream(key, e))?;
    let client = flow::upstream_client(state, &usable, &upstream);
    let asked = Asked { login_hint: None, fresh_login: true, max_age: None };
    let authorization = client.authorization_request(&asked).map_err(|e| Failure::upstream(key, e))?;
    let flow_state = FlowState {
        slug: key.slug.clone(),
        interaction: String::new(),
        browser: browser.to_owned(),
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        link_to: Some(user.id),
    };
    state
        .sessions
        .put(Space::UpstreamFlow, &authorization.state, &flow_state, FLOW_TTL)
        .await
        .map_err(Failure::internal)?;
    Ok(authorization.url)
}

/// The callback of a linking sign-in: the identity linked, and back to the account page.
pub(super) async fn complete(
    state: &AppState,
    req: &Request,
    params: &extract::Params,
    flow_state: FlowState,
    user_id: Uuid,
) -> Response {
    let address = extract::client_address(req, state.settings.trust_forwarded_for);
    let user = match state.store.find_user(user_id).await {
        Ok(Some(user)) if !user.disabled => user,
        Ok(_) => return page::see_other(&state.settings.endpoint(paths::ACCOUNT)),
        Err(error) => return page::internal_error(state, &error),
    };
    let linked = async {
        let usable = usable(state, &flow_state.slug).await?;
        let (identity, _) = flow::upstream_identity(state, &usable, params, &flow_state).await?;
        link(state, &user, &usable, &identity, &address).await
    };
    match linked.await {
        Ok(()) => page::see_other(&state.settings.endpoint_with(paths::ACCOUNT, "done", "linked")),
        Err(Failure::Internal(error)) => page::internal_error(state, &*error),
        Err(failure) => {
            tracing::warn!(key = %flow_state.slug, user = %user.id, reason = %failure.message(), "upstream not linked");
            page::error(state, StatusCode::FORBIDDEN, "Not linked", &failure.message())
        }
    }
}

async fn link(
    state: &AppState,
    user: &User,
    usable: &UsableKey,
    identity: &MappedIdentity,
    address: &str,
) -> Result<(), Failure> {
    let key = &usable.key;
    let taken = || Failure::Refused {
        key: key.slug.clone(),
        reason: format!(
            "That {provider} account is linked to another hub account already.",
            provider = key.display_name
        ),
    };
    match state.store.find_upstream_identity(&identity.issuer, &identity.subject).await.map_err(Failure::internal)? {
        Some(link) if link.user_id == user.id => return Ok(()),
        Some(_) => return Err(taken()),
        None => {}
    }
    let summary = identity.summary();
    match state.store.link_upstream_identity(user.id, &super::linking::seen(key, identity, &summary)).await {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => return Err(taken()),
        Err(error) => return Err(Failure::internal(error)),
    }
    let record =
        AuditRecord::new("account.upstream_link", Actor::User { id: user.id, username: user.username.clone() })
            .user(user.id)
            .target(format!("social-login-key:{}", key.slug))
            .address(address)
            .detail(format!("issuer {} subject {}", identity.issuer, identity.subject));
    state.audit(record).await;
    crate::mail::notify(state.mailer.as_ref(), user, Change::UpstreamLinked, address);
    Ok(())
}
