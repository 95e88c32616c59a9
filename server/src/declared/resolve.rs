//! Checks a declared file as a whole before anything is written: every secret it refers
//! to can be read (and a client's is long enough), every resource passes the domain's
//! rules, and what one resource names (a user's groups, a client's keys) is declared or
//! exists. Every problem is reported, each naming where it is, so one run shows them all.

use std::collections::HashSet;
use std::fmt;

use super::{ClientDecl, Declared, GroupDecl, KeyDecl, Prune, SecretRef, UserDecl};
use crate::domain::client::{Client, ClientAbout, ClientMetadata};
use crate::domain::social_login_key::{Endpoints, SocialLoginKey, TokenAuthMethod, UpstreamKind};
use crate::domain::user::{ADMINS_GROUP, Profile, validate_group_name, validate_password};
use crate::domain::validation::FieldErrors;
use crate::domain::{GrantType, ResponseType, SigningAlg, TokenEndpointAuthMethod};
use crate::manage::ManageResult;
use crate::manage::built_in::is_built_in;
use crate::manage::clients::MIN_CHOSEN_SECRET_CHARS;
use crate::state::AppState;

/// What is wrong with a file, one line each.
#[derive(Debug)]
pub struct Problems(pub Vec<String>);

impl fmt::Display for Problems {
    /// One problem a line; the command line puts `error: ` before the first, so the
    /// others get it here.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("\nerror: "))
    }
}

/// The file, checked and in the domain's types, with its secrets read.
pub struct Resolved {
    pub groups: Vec<GroupDecl>,
    pub keys: Vec<ResolvedKey>,
    pub clients: Vec<ResolvedClient>,
    pub users: Vec<ResolvedUser>,
    pub prune: Prune,
}

#[derive(Clone)]
pub struct ResolvedKey {
    pub key: SocialLoginKey,
    pub secret: Option<String>,
}

#[derive(Clone)]
pub struct ResolvedClient {
    pub metadata: ClientMetadata,
    /// As the domain's rules normalise it, to compare with the stored client.
    pub client: Client,
    pub secret: Option<String>,
}

#[derive(Clone)]
pub struct ResolvedUser {
    /// The claims beyond e-mail and name are not declared; apply keeps the stored ones.
    pub profile: Profile,
    pub password: Option<String>,
    pub reset_password: bool,
}

/// Checks everything; `Ok(Err(problems))` when the file is refused, `Err` when the hub
/// could not be read.
pub async fn resolve(state: &AppState, declared: Declared) -> ManageResult<Result<Resolved, Problems>> {
    let mut problems = Vec::new();
    let group_names: HashSet<&str> = declared.groups.iter().map(|g| g.name.as_str()).collect();
    let key_slugs: HashSet<&str> = declared.social_login_keys.iter().map(|k| k.slug.as_str()).collect();
    let mut seen = HashSet::new();
    for (i, group) in declared.groups.iter().enumerate() {
        let place = format!("groups[{i}] ({})", group.name);
        let mut errors = FieldErrors::new();
        errors.check("name", validate_group_name(&group.name));
        if let Some(description) = &group.description {
            errors.check("description", crate::domain::validation::text(description, 500));
        }
        note(&mut problems, &place, errors);
        twice(&mut problems, &mut seen, &place, "group", &group.name);
    }
    let mut keys = Vec::new();
    for (i, decl) in declared.social_login_keys.iter().enumerate() {
        let place = format!("social_login_keys[{i}] ({})", decl.slug);
        twice(&mut problems, &mut seen, &place, "social login key", &decl.slug);
        let secret = read_secret(&mut problems, &place, "client_secret", decl.client_secret.as_ref());
        match key_of(decl) {
            Ok(key) => {
                if let Err(errors) = key.validate() {
                    note(&mut problems, &place, errors);
                }
                keys.push(ResolvedKey { key, secret });
            }
            Err(errors) => note(&mut problems, &place, errors),
        }
    }
    let mut clients = Vec::new();
    for (i, decl) in declared.clients.iter().enumerate() {
        let place = format!("clients[{i}] ({})", decl.client_id);
        twice(&mut problems, &mut seen, &place, "client", &decl.client_id);
        if is_built_in(&decl.client_id) {
            problems.push(format!("{place}: client_id: the admin UI's client is managed by the hub"));
        }
        let secret = read_secret(&mut problems, &place, "secret", decl.secret.as_ref());
        if secret.as_ref().is_some_and(|s| s.chars().count() < MIN_CHOSEN_SECRET_CHARS) {
            problems.push(format!(
                "{place}: secret: must be at least {MIN_CHOSEN_SECRET_CHARS} characters (it is compared as is, \
                 never hashed, so it must be random)"
            ));
        }
        for (j, slug) in decl.allowed_social_login_keys.iter().chain(&decl.default_social_login_key).enumerate() {
            if !key_slugs.contains(slug.as_str()) && state.store.find_social_login_key(slug).await?.is_none() {
                let field = match decl.allowed_social_login_keys.get(j) {
                    Some(_) => format!("allowed_social_login_keys[{j}]"),
                    None => "default_social_login_key".to_owned(),
                };
                problems.push(format!("{place}: {field}: no social login key {slug} exists or is declared"));
            }
        }
        let metadata = metadata_of(decl);
        match metadata.clone().into_client(decl.client_id.clone()) {
            Ok(client) => {
                if secret.is_some() && client.token_endpoint_auth_method == TokenEndpointAuthMethod::None {
                    problems
                        .push(format!("{place}: secret: a public client (token_endpoint_auth_method none) has none"));
                }
                clients.push(ResolvedClient { metadata, client, secret });
            }
            Err(errors) => note(&mut problems, &place, errors),
        }
    }
    let mut users = Vec::new();
    for (i, decl) in declared.users.iter().enumerate() {
        let place = format!("users[{i}] ({})", decl.username);
        twice(&mut problems, &mut seen, &place, "user", &decl.username);
        let password = read_secret(&mut problems, &place, "password", decl.password.as_ref());
        if decl.reset_password && password.is_none() {
            problems.push(format!("{place}: reset_password: needs a password"));
        }
        let profile = profile_of(decl);
        let mut errors = profile.validate();
        if let Some(password) = &password {
            errors.check("password", validate_password(password));
        }
        note(&mut problems, &place, errors);
        for (j, group) in decl.groups.iter().enumerate() {
            // `admins` is the hub's own: every start makes sure it exists.
            let built_in = group == ADMINS_GROUP;
            if !built_in
                && !group_names.contains(group.as_str())
                && state.store.find_group_by_name(group).await?.is_none()
            {
                problems.push(format!("{place}: groups[{j}]: no group {group} exists or is declared"));
            }
        }
        users.push(ResolvedUser { profile, password, reset_password: decl.reset_password });
    }
    if !problems.is_empty() {
        return Ok(Err(Problems(problems)));
    }
    Ok(Ok(Resolved { groups: declared.groups, keys, clients, users, prune: declared.prune }))
}

fn note(problems: &mut Vec<String>, place: &str, errors: FieldErrors) {
    problems.extend(errors.iter().map(|e| format!("{place}: {}: {}", e.field, e.message)));
}

/// Names are unique per kind of resource.
fn twice(problems: &mut Vec<String>, seen: &mut HashSet<String>, place: &str, kind: &str, name: &str) {
    if !seen.insert(format!("{kind}\n{name}")) {
        problems.push(format!("{place}: {kind} {name} is declared twice"));
    }
}

fn read_secret(problems: &mut Vec<String>, place: &str, field: &str, reference: Option<&SecretRef>) -> Option<String> {
    match reference.map(SecretRef::read).transpose() {
        Ok(secret) => secret,
        Err(message) => {
            problems.push(format!("{place}: {field}: {message}"));
            None
        }
    }
}

impl SecretRef {
    /// The secret's value; a file's trailing newline is not part of it.
    pub fn read(&self) -> Result<String, String> {
        let value = match self {
            SecretRef::Env(name) => match std::env::var(name) {
                Ok(value) => value,
                Err(std::env::VarError::NotPresent) => return Err(format!("environment variable {name} is not set")),
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(format!("environment variable {name} is not UTF-8"));
                }
            },
            SecretRef::File(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .trim_end_matches(['\n', '\r'])
                .to_owned(),
        };
        if value.trim().is_empty() {
            return Err(match self {
                SecretRef::Env(name) => format!("environment variable {name} is empty"),
                SecretRef::File(path) => format!("{} is empty", path.display()),
            });
        }
        Ok(value)
    }
}

/// The declared client as the service layer takes it; defaults are the admin API's.
pub(super) fn metadata_of(decl: &ClientDecl) -> ClientMetadata {
    let defaults = ClientMetadata::default();
    let d = decl.clone();
    ClientMetadata {
        client_name: d.client_name,
        application_type: d.application_type.unwrap_or(defaults.application_type),
        redirect_uris: d.redirect_uris,
        post_logout_redirect_uris: d.post_logout_redirect_uris,
        grant_types: d.grant_types.unwrap_or_else(|| vec![GrantType::AuthorizationCode]),
        response_types: d.response_types.unwrap_or_else(|| vec![ResponseType::Code]),
        token_endpoint_auth_method: d.token_endpoint_auth_method.unwrap_or(defaults.token_endpoint_auth_method),
        id_token_signed_response_alg: d.id_token_signed_response_alg.unwrap_or(SigningAlg::RS256),
        userinfo_signed_response_alg: d.userinfo_signed_response_alg,
        id_token_encrypted_response_alg: d.id_token_encrypted_response_alg,
        id_token_encrypted_response_enc: d.id_token_encrypted_response_enc,
        userinfo_encrypted_response_alg: d.userinfo_encrypted_response_alg,
        userinfo_encrypted_response_enc: d.userinfo_encrypted_response_enc,
        jwks: d.jwks,
        jwks_uri: d.jwks_uri,
        request_object_signing_alg: d.request_object_signing_alg,
        request_uris: d.request_uris,
        require_pushed_authorization_requests: d.require_pushed_authorization_requests,
        default_max_age: d.default_max_age,
        require_auth_time: d.require_auth_time,
        backchannel_logout_uri: d.backchannel_logout_uri,
        backchannel_logout_session_required: d.backchannel_logout_session_required,
        backchannel_logout_claims: d.backchannel_logout_claims,
        subject_type: d.subject_type.unwrap_or(defaults.subject_type),
        sector_identifier_uri: d.sector_identifier_uri,
        scope: d.scope,
        skip_authorization: d.skip_authorization,
        allowed_social_login_keys: d.allowed_social_login_keys,
        default_social_login_key: d.default_social_login_key,
        require_second_factor: d.require_second_factor,
        allowed_groups: d.allowed_groups,
        about: ClientAbout {
            logo_uri: d.logo_uri,
            client_uri: d.client_uri,
            policy_uri: d.policy_uri,
            tos_uri: d.tos_uri,
            initiate_login_uri: d.initiate_login_uri,
            contacts: d.contacts,
        },
    }
}

/// The declared key in the domain's form, the preset filling what the file leaves out
/// (as the admin API does).
fn key_of(decl: &KeyDecl) -> Result<SocialLoginKey, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = UpstreamKind::parse(&decl.kind);
    if kind.is_none() {
        errors.add("kind", format!("unknown kind {}", decl.kind));
    }
    let method = decl.token_endpoint_auth_method.as_deref().map(|m| (m, TokenAuthMethod::parse(m)));
    if let Some((m, None)) = method {
        errors.add("token_endpoint_auth_method", format!("{m} is not client_secret_basic or client_secret_post"));
    }
    let Some(kind) = kind else { return Err(errors) };
    errors.into_result()?;
    let d = decl.clone();
    let preset = kind.preset();
    Ok(SocialLoginKey {
        slug: d.slug,
        display_name: d.display_name,
        kind,
        issuer: d.issuer,
        endpoints: Endpoints {
            authorization: d.authorization_endpoint,
            token: d.token_endpoint,
            userinfo: d.userinfo_endpoint,
            jwks_uri: d.jwks_uri,
            end_session: d.end_session_endpoint,
        },
        client_id: d.client_id,
        scopes: d.scopes.unwrap_or_else(|| preset.default_scopes.iter().map(|s| (*s).to_owned()).collect()),
        enabled: d.enabled,
        allow_signup: d.allow_signup,
        trust_email: d.trust_email,
        trust_mfa: d.trust_mfa,
        username_claim: d.username_claim.unwrap_or_else(|| preset.default_username_claim.to_owned()),
        groups_claim: d.groups_claim,
        group_mapping: d.group_mapping,
        claim_mapping: d.claim_mapping,
        token_endpoint_auth_method: method.and_then(|(_, parsed)| parsed),
        end_upstream_session: d.end_upstream_session,
        sync_profile: d.sync_profile,
        email_domains: d.email_domains,
        icon: d.icon,
    })
}

fn profile_of(decl: &UserDecl) -> Profile {
    Profile {
        username: decl.username.clone(),
        email: decl.email.clone(),
        email_verified: decl.email_verified,
        name: decl.name.clone(),
        claims: Default::default(),
        groups: decl.groups.clone(),
        disabled: decl.disabled,
    }
}
