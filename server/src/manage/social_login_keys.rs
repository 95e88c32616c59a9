//! Social Login Keys (upstream identity providers, SPEC §5): add, change, enable or
//! disable, delete. The upstream client secret is stored sealed and never given back; it
//! goes only where it went before (a changed kind, issuer or token endpoint needs it sent
//! again, else a stolen admin token could redirect it).

use super::{By, ManageError, ManageResult};
use crate::domain::social_login_key::{SECRET_CONTEXT, SocialLoginKey};
use crate::domain::validation::FieldErrors;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::social_login_keys::StoredSocialLoginKey;

pub async fn find(state: &AppState, slug: &str) -> ManageResult<StoredSocialLoginKey> {
    state.store.find_social_login_key(slug).await?.ok_or(ManageError::NotFound("social login key"))
}

pub async fn create(
    state: &AppState,
    by: &By,
    key: SocialLoginKey,
    client_secret: Option<&str>,
) -> ManageResult<StoredSocialLoginKey> {
    key.validate()?;
    check_domains(state, &key).await?;
    let sealed = seal(state, client_secret)?;
    let stored = match state.store.create_social_login_key(&key, sealed).await {
        Err(StoreError::Conflict(_)) => {
            return Err(ManageError::conflict_on("slug", format!("a social login key {} exists", key.slug)));
        }
        other => other?,
    };
    by.audit(state, "social_login_key.create", format!("social-login-key:{}", key.slug), |r| r).await;
    Ok(stored)
}

/// Replaces the settings; the client secret changes only when one is given.
pub async fn update(
    state: &AppState,
    by: &By,
    key: SocialLoginKey,
    client_secret: Option<&str>,
) -> ManageResult<StoredSocialLoginKey> {
    let existing = find(state, &key.slug).await?;
    replace(state, by, existing, key, client_secret).await
}

/// Turns the key on or off, keeping its settings and secret.
pub async fn set_enabled(state: &AppState, by: &By, slug: &str, enabled: bool) -> ManageResult<StoredSocialLoginKey> {
    let existing = find(state, slug).await?;
    let key = SocialLoginKey { enabled, ..existing.key.clone() };
    replace(state, by, existing, key, None).await
}

async fn replace(
    state: &AppState,
    by: &By,
    existing: StoredSocialLoginKey,
    key: SocialLoginKey,
    client_secret: Option<&str>,
) -> ManageResult<StoredSocialLoginKey> {
    key.validate()?;
    check_domains(state, &key).await?;
    let moved = existing.key.kind != key.kind
        || existing.key.effective_issuer() != key.effective_issuer()
        || existing.key.endpoints.token != key.endpoints.token;
    if moved && existing.secret_sealed.is_some() && client_secret.is_none() {
        return Err(ManageError::invalid(
            "client_secret",
            "send the client secret again when the kind, issuer or token endpoint changes",
        ));
    }
    let sealed = seal(state, client_secret)?;
    let stored = state.store.update_social_login_key(&key, sealed).await?;
    let detail = if client_secret.is_some() { "settings and client secret" } else { "settings" };
    by.audit(state, "social_login_key.update", format!("social-login-key:{}", key.slug), |r| r.detail(detail)).await;
    Ok(stored)
}

/// Deletes a key, with the upstream identities linked through it. A key that clients name
/// in their upstream policy is not deleted: change the clients first.
pub async fn delete(state: &AppState, by: &By, slug: &str) -> ManageResult<()> {
    find(state, slug).await?;
    let naming = clients_naming(state, slug).await?;
    if !naming.is_empty() {
        return Err(ManageError::conflict(format!(
            "clients {} name this key in their upstream policy; change them first",
            naming.join(", ")
        )));
    }
    state.store.delete_social_login_key(slug).await?;
    by.audit(state, "social_login_key.delete", format!("social-login-key:{slug}"), |r| r).await;
    Ok(())
}

/// Clients whose `allowed_social_login_keys` or `default_social_login_key` name the key.
async fn clients_naming(state: &AppState, slug: &str) -> ManageResult<Vec<String>> {
    let clients = state.store.list_clients(None, crate::store::Window::ALL).await?.items;
    Ok(clients
        .into_iter()
        .map(|stored| stored.client)
        .filter(|c| {
            c.allowed_social_login_keys.iter().any(|s| s == slug) || c.default_social_login_key.as_deref() == Some(slug)
        })
        .map(|c| c.client_id)
        .collect())
}

fn seal(state: &AppState, secret: Option<&str>) -> ManageResult<Option<Vec<u8>>> {
    match secret {
        Some(secret) if secret.trim().is_empty() => Err(ManageError::invalid("client_secret", "must not be blank")),
        Some(secret) => Ok(Some(state.master.seal(SECRET_CONTEXT, secret.as_bytes())?)),
        None => Ok(None),
    }
}

/// An e-mail domain routes to one upstream only.
async fn check_domains(state: &AppState, key: &SocialLoginKey) -> ManageResult<()> {
    let others = state.store.all_social_login_keys().await?;
    let mut errors = FieldErrors::new();
    for (i, domain) in key.email_domains.iter().enumerate() {
        if let Some(other) = others.iter().find(|o| o.key.slug != key.slug && o.key.email_domains.contains(domain)) {
            errors.add(format!("email_domains[{i}]"), format!("{domain} is already served by {}", other.key.slug));
        }
    }
    let Some(first) = errors.iter().next() else { return Ok(()) };
    Err(ManageError::conflict_on(first.field.clone(), errors.to_string()))
}

/// Asks the upstream for what the hub will rely on (discovery, keys, endpoints) and
/// reports each check; upstream failures are part of the report.
pub async fn test(state: &AppState, slug: &str) -> ManageResult<crate::federation::probe::Report> {
    let stored = find(state, slug).await?;
    Ok(crate::federation::probe::probe(&state.outbound.http, &stored.key).await)
}
