//! `hub export`: the hub's groups, administrator-created clients, Social Login Keys and
//! users in any group, as a file `hub apply` accepts and finds unchanged. Secrets are
//! never written: at most a reference to an environment variable, which apply reads.
//! The same conversions tell apply whether a stored resource matches the file.

use super::{ClientDecl, Declared, GroupDecl, KeyDecl, SecretRef, UserDecl};
use crate::domain::client::{Client, ClientKeys, ClientOrigin};
use crate::domain::social_login_key::SocialLoginKey;
use crate::domain::{TokenEndpointAuthMethod, User};
use crate::manage::ManageResult;
use crate::manage::built_in::is_built_in;
use crate::state::AppState;
use crate::store::Window;

/// The prefix of the variables `--secret-refs` names for client secrets.
pub const CLIENT_SECRET_PREFIX: &str = "HUB_SECRET_";
/// The same for the secrets of Social Login Keys at their upstreams.
pub const UPSTREAM_SECRET_PREFIX: &str = "HUB_UPSTREAM_SECRET_";

/// The hub as a declared file. With `secret_refs`, each confidential client and each key
/// with a secret refers to an environment variable named after it.
pub async fn export(state: &AppState, secret_refs: bool) -> ManageResult<Declared> {
    let groups = state.store.list_groups(None, Window::ALL).await?.items;
    let keys = state.store.all_social_login_keys().await?;
    let clients = state.store.list_clients(None, Window::ALL).await?.items;
    let users = state.store.all_users().await?;
    let reference = |prefix: &str, name: &str| secret_refs.then(|| SecretRef::Env(secret_variable(prefix, name)));
    Ok(Declared {
        groups: groups
            .into_iter()
            .map(|g| GroupDecl {
                name: g.name,
                description: g.description,
                require_second_factor: g.require_second_factor,
            })
            .collect(),
        social_login_keys: keys
            .iter()
            .map(|stored| KeyDecl {
                client_secret: stored
                    .secret_sealed
                    .as_ref()
                    .and_then(|_| reference(UPSTREAM_SECRET_PREFIX, &stored.key.slug)),
                ..key_decl(&stored.key)
            })
            .collect(),
        clients: clients
            .iter()
            .filter(|stored| is_declarable(&stored.client))
            .map(|stored| ClientDecl {
                secret: match stored.client.token_endpoint_auth_method {
                    TokenEndpointAuthMethod::None => None,
                    _ => reference(CLIENT_SECRET_PREFIX, &stored.client.client_id),
                },
                ..client_decl(&stored.client)
            })
            .collect(),
        // Users in a group are the ones an administrator set up (the admins, members of
        // roles); the rest mostly signed themselves up through an upstream, and are data
        // rather than configuration.
        users: users.iter().filter(|user| !user.groups.is_empty()).map(user_decl).collect(),
        prune: Default::default(),
    })
}

/// Clients a file may declare: an administrator's, not the hub's own admin UI client
/// and not those that registered themselves (RFC 7591).
pub fn is_declarable(client: &Client) -> bool {
    client.origin == ClientOrigin::Administrator && !is_built_in(&client.client_id)
}

/// `HUB_SECRET_WIKI_APP` for `wiki-app`: upper case, anything else than a letter or
/// digit as `_`.
pub fn secret_variable(prefix: &str, name: &str) -> String {
    let suffix: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("{prefix}{suffix}")
}

/// Every field written out, so the file says the whole client and compares exactly.
pub fn client_decl(client: &Client) -> ClientDecl {
    let c = client.clone();
    let (jwks, jwks_uri) = match c.keys {
        Some(ClientKeys::Jwks(jwks)) => (Some(jwks), None),
        Some(ClientKeys::JwksUri(uri)) => (None, Some(uri)),
        None => (None, None),
    };
    ClientDecl {
        client_id: c.client_id,
        client_name: c.client_name,
        redirect_uris: c.redirect_uris,
        post_logout_redirect_uris: c.post_logout_redirect_uris,
        grant_types: Some(c.grant_types),
        response_types: Some(c.response_types),
        token_endpoint_auth_method: Some(c.token_endpoint_auth_method),
        id_token_signed_response_alg: Some(c.id_token_signed_response_alg),
        scope: Some(c.scope.to_string()),
        skip_authorization: c.skip_authorization,
        allowed_social_login_keys: c.allowed_social_login_keys,
        default_social_login_key: c.default_social_login_key,
        require_second_factor: c.require_second_factor,
        allowed_groups: c.allowed_groups,
        application_type: Some(c.application_type),
        backchannel_logout_uri: c.backchannel_logout_uri,
        backchannel_logout_claims: c.backchannel_logout_claims,
        backchannel_logout_session_required: c.backchannel_logout_session_required,
        userinfo_signed_response_alg: c.userinfo_signed_response_alg,
        id_token_encrypted_response_alg: c.id_token_encryption.map(|e| e.alg),
        id_token_encrypted_response_enc: c.id_token_encryption.map(|e| e.enc),
        userinfo_encrypted_response_alg: c.userinfo_encryption.map(|e| e.alg),
        userinfo_encrypted_response_enc: c.userinfo_encryption.map(|e| e.enc),
        jwks,
        jwks_uri,
        request_object_signing_alg: c.request_object_signing_alg,
        request_uris: c.request_uris,
        require_pushed_authorization_requests: c.require_pushed_authorization_requests,
        default_max_age: c.default_max_age,
        require_auth_time: c.require_auth_time,
        subject_type: Some(c.subject_type),
        sector_identifier_uri: c.sector_identifier_uri,
        logo_uri: c.about.logo_uri,
        client_uri: c.about.client_uri,
        policy_uri: c.about.policy_uri,
        tos_uri: c.about.tos_uri,
        initiate_login_uri: c.about.initiate_login_uri,
        contacts: c.about.contacts,
        secret: None,
    }
}

/// The key with the preset's defaults written out.
pub fn key_decl(key: &SocialLoginKey) -> KeyDecl {
    let k = key.clone();
    KeyDecl {
        slug: k.slug,
        display_name: k.display_name,
        kind: k.kind.as_str().to_owned(),
        issuer: k.issuer,
        authorization_endpoint: k.endpoints.authorization,
        token_endpoint: k.endpoints.token,
        userinfo_endpoint: k.endpoints.userinfo,
        jwks_uri: k.endpoints.jwks_uri,
        end_session_endpoint: k.endpoints.end_session,
        client_id: k.client_id,
        scopes: Some(k.scopes),
        enabled: k.enabled,
        allow_signup: k.allow_signup,
        trust_email: k.trust_email,
        trust_mfa: k.trust_mfa,
        username_claim: Some(k.username_claim),
        groups_claim: k.groups_claim,
        group_mapping: k.group_mapping,
        claim_mapping: k.claim_mapping,
        token_endpoint_auth_method: k.token_endpoint_auth_method.map(|m| m.as_str().to_owned()),
        end_upstream_session: k.end_upstream_session,
        sync_profile: k.sync_profile,
        email_domains: k.email_domains,
        icon: k.icon,
        client_secret: None,
    }
}

fn user_decl(user: &User) -> UserDecl {
    let mut groups = user.groups.clone();
    groups.sort();
    UserDecl {
        username: user.username.clone(),
        email: user.email.clone(),
        email_verified: user.email_verified,
        name: user.name.clone(),
        groups,
        disabled: user.disabled,
        password: None,
        reset_password: false,
    }
}
