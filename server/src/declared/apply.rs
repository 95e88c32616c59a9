//! `hub apply FILE`: makes the hub match a declared file. The file is read and checked
//! as a whole first (`resolve`), then compared with the hub into a plan of creates,
//! updates and deletes; only those go through the service layer (`manage`), so an
//! unchanged resource costs no write and no audit event. Order: groups, Social Login
//! Keys, clients (they may name keys), users (they name groups), then the prunes in
//! reverse.

use std::path::Path;

use uuid::Uuid;

use super::export::{client_decl, is_declarable};
use super::resolve::{Problems, ResolvedClient, ResolvedKey, ResolvedUser, resolve};
use super::{Declared, GroupDecl};
use crate::domain::client::{ClientMetadata, SECRET_CONTEXT as CLIENT_SECRET};
use crate::domain::social_login_key::SECRET_CONTEXT as UPSTREAM_SECRET;
use crate::domain::user::{ADMINS_GROUP, Profile};
use crate::manage::{self, By, ManageError, ManageResult};
use crate::secrets::constant_time_eq;
use crate::state::AppState;
use crate::store::Window;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The file cannot be read or is refused; nothing was changed.
    #[error("{0}")]
    Refused(Problems),
    /// The hub refused or could not make a change; what came before it stays applied.
    #[error("{what}: {error}")]
    Failed { what: String, error: ManageError },
}

/// Reading the hub (the store, a sealed secret, a password hash) failed while planning.
impl<E> From<E> for ApplyError
where
    ManageError: From<E>,
{
    fn from(error: E) -> Self {
        ApplyError::Failed { what: "reading the hub".into(), error: ManageError::from(error) }
    }
}

/// How many resources each verb touched.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
}

impl Summary {
    pub fn describe(&self, dry_run: bool) -> String {
        let Summary { created, updated, deleted, unchanged } = self;
        if dry_run {
            format!("dry run: {created} to create, {updated} to update, {deleted} to delete, {unchanged} unchanged")
        } else {
            format!("{created} created, {updated} updated, {deleted} deleted, {unchanged} unchanged")
        }
    }
}

/// Reads, checks and applies `path` (with `dry_run`, only plans); `line` gets one line
/// per change, as it is made.
pub async fn apply_file(
    state: &AppState,
    by: &By,
    path: &Path,
    dry_run: bool,
    line: &mut dyn FnMut(String),
) -> Result<Summary, ApplyError> {
    let refused = |message: String| ApplyError::Refused(Problems(vec![message]));
    let text = std::fs::read_to_string(path).map_err(|e| refused(format!("cannot read {}: {e}", path.display())))?;
    let declared = Declared::parse(&text).map_err(|Problems(lines)| {
        ApplyError::Refused(Problems(lines.into_iter().map(|l| format!("{}: {l}", path.display())).collect()))
    })?;
    let resolved = resolve(state, declared).await?.map_err(ApplyError::Refused)?;
    if !dry_run && state.store.find_group_by_name(ADMINS_GROUP).await.map_err(ManageError::from)?.is_none() {
        // A database no hub has served yet: first what every start registers.
        manage::built_in::ensure(state).await.map_err(ManageError::from)?;
    }
    let plan = plan(state, resolved).await?;
    let mut summary = Summary { unchanged: plan.unchanged, ..Summary::default() };
    for change in plan.changes {
        let (verb, done) = match &change.action {
            Action::CreateGroup(_) | Action::CreateKey(_) | Action::CreateClient(_) | Action::CreateUser(_) => {
                ("create", &mut summary.created)
            }
            Action::DeleteGroup(_) | Action::DeleteKey(_) | Action::DeleteClient(_) | Action::DeleteUser(_) => {
                ("delete", &mut summary.deleted)
            }
            _ => ("update", &mut summary.updated),
        };
        *done += 1;
        let what = format!("{} {}", change.kind, change.name);
        let note = change.note.map(|note| format!(" ({note})")).unwrap_or_default();
        if dry_run {
            line(format!("would {verb} {what}{note}"));
            continue;
        }
        execute(state, by, change.action)
            .await
            .map_err(|error| ApplyError::Failed { what: format!("cannot {verb} {what}"), error })?;
        line(format!("{verb}d {what}{note}"));
    }
    Ok(summary)
}

struct Plan {
    changes: Vec<Change>,
    unchanged: usize,
}

struct Change {
    kind: &'static str,
    name: String,
    /// What of an update changed, when not everything.
    note: Option<&'static str>,
    action: Action,
}

enum Action {
    CreateGroup(GroupDecl),
    UpdateGroup(Uuid, GroupDecl),
    DeleteGroup(Uuid),
    CreateKey(ResolvedKey),
    UpdateKey(ResolvedKey),
    DeleteKey(String),
    CreateClient(Box<ResolvedClient>),
    UpdateClient { client_id: String, metadata: Option<Box<ClientMetadata>>, secret: Option<String> },
    DeleteClient(String),
    CreateUser(ResolvedUser),
    UpdateUser { id: Uuid, profile: Option<Profile>, password: Option<String> },
    DeleteUser(Uuid),
}

fn change(kind: &'static str, name: impl Into<String>, note: Option<&'static str>, action: Action) -> Change {
    Change { kind, name: name.into(), note, action }
}

/// Compares the file with the hub; nothing is written here.
async fn plan(state: &AppState, resolved: super::resolve::Resolved) -> Result<Plan, ApplyError> {
    let mut changes = Vec::new();
    let mut deletes = Vec::new();
    let mut unchanged = 0;
    let prune = resolved.prune;

    let groups = state.store.list_groups(None, Window::ALL).await?.items;
    for decl in &resolved.groups {
        match groups.iter().find(|g| g.name == decl.name) {
            None => changes.push(change("group", &decl.name, None, Action::CreateGroup(decl.clone()))),
            Some(g) if g.description != decl.description || g.require_second_factor != decl.require_second_factor => {
                changes.push(change("group", &decl.name, None, Action::UpdateGroup(g.id, decl.clone())))
            }
            Some(_) => unchanged += 1,
        }
    }
    if prune.groups {
        for g in groups.iter().filter(|g| g.name != ADMINS_GROUP && !resolved.groups.iter().any(|d| d.name == g.name)) {
            deletes.push(change("group", &g.name, None, Action::DeleteGroup(g.id)));
        }
    }

    let keys = state.store.all_social_login_keys().await?;
    for declared in resolved.keys.iter().cloned() {
        let slug = declared.key.slug.clone();
        let Some(stored) = keys.iter().find(|k| k.key.slug == slug) else {
            changes.push(change("social-login-key", slug, None, Action::CreateKey(declared)));
            continue;
        };
        let settings = stored.key != declared.key;
        let secret = match (&declared.secret, &stored.secret_sealed) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(secret), Some(sealed)) => {
                !constant_time_eq(&state.master.open(UPSTREAM_SECRET, sealed)?, secret.as_bytes())
            }
        };
        let note = match (settings, secret) {
            (false, false) => {
                unchanged += 1;
                continue;
            }
            (true, false) => "settings",
            (false, true) => "client secret",
            (true, true) => "settings and client secret",
        };
        changes.push(change("social-login-key", slug, Some(note), Action::UpdateKey(declared)));
    }
    if prune.social_login_keys {
        for k in keys.iter().filter(|k| !resolved.keys.iter().any(|d| d.key.slug == k.key.slug)) {
            deletes.push(change("social-login-key", &k.key.slug, None, Action::DeleteKey(k.key.slug.clone())));
        }
    }

    let clients = state.store.list_clients(None, Window::ALL).await?.items;
    for declared in resolved.clients.iter().cloned() {
        let id = declared.client.client_id.clone();
        let Some(stored) = clients.iter().find(|c| c.client.client_id == id) else {
            changes.push(change("client", id, None, Action::CreateClient(Box::new(declared))));
            continue;
        };
        if !is_declarable(&stored.client) {
            let problem = format!("client {id}: registered itself (RFC 7591), so it is its registrant's to change");
            return Err(ApplyError::Refused(Problems(vec![problem])));
        }
        let settings = client_decl(&stored.client) != client_decl(&declared.client);
        let secret = match (&declared.secret, &stored.secret_sealed) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(secret), Some(sealed)) => {
                !constant_time_eq(&state.master.open(CLIENT_SECRET, sealed)?, secret.as_bytes())
            }
        };
        let note = match (settings, secret) {
            (false, false) => {
                unchanged += 1;
                continue;
            }
            (true, false) => None,
            (false, true) => Some("secret"),
            (true, true) => Some("settings and secret"),
        };
        let action = Action::UpdateClient {
            client_id: id.clone(),
            metadata: settings.then(|| Box::new(declared.metadata)),
            secret: declared.secret.filter(|_| secret),
        };
        changes.push(change("client", id, note, action));
    }
    if prune.clients {
        let declared = |id: &str| resolved.clients.iter().any(|d| d.client.client_id == id);
        for c in clients.iter().filter(|c| is_declarable(&c.client) && !declared(&c.client.client_id)) {
            deletes.push(change("client", &c.client.client_id, None, Action::DeleteClient(c.client.client_id.clone())));
        }
    }

    let users = state.store.all_users().await?;
    for mut declared in resolved.users.iter().cloned() {
        let name = declared.profile.username.clone();
        let Some(stored) = users.iter().find(|u| u.username == name) else {
            changes.push(change("user", name, None, Action::CreateUser(declared)));
            continue;
        };
        // Claims are not declared: the stored ones stay. Memberships compare as sets.
        declared.profile.claims = stored.claims.clone();
        let mut current = manage::users::profile_of(stored);
        current.groups.sort();
        let mut wanted = declared.profile.clone();
        wanted.groups.sort();
        let profile = current != wanted;
        let password = match (&declared.password, declared.reset_password) {
            (Some(password), true) => {
                let hash = state.store.find_user_for_login(&name).await?.and_then(|c| c.password_hash);
                !state.passwords.verify(password, hash).await?
            }
            _ => false,
        };
        let note = match (profile, password) {
            (false, false) => {
                unchanged += 1;
                continue;
            }
            (true, false) => None,
            (false, true) => Some("password"),
            (true, true) => Some("profile and password"),
        };
        let action = Action::UpdateUser {
            id: stored.id,
            profile: profile.then_some(declared.profile),
            password: declared.password.filter(|_| password),
        };
        changes.push(change("user", name, note, action));
    }
    if prune.users {
        for u in users.iter().filter(|u| !resolved.users.iter().any(|d| d.profile.username == u.username)) {
            deletes.push(change("user", &u.username, None, Action::DeleteUser(u.id)));
        }
    }

    // What is deleted goes in reverse order: users before the groups they are in,
    // clients before the keys they name.
    deletes.sort_by_key(|c| std::cmp::Reverse(order(c.kind)));
    changes.extend(deletes);
    Ok(Plan { changes, unchanged })
}

fn order(kind: &str) -> u8 {
    match kind {
        "group" => 0,
        "social-login-key" => 1,
        "client" => 2,
        _ => 3,
    }
}

async fn execute(state: &AppState, by: &By, action: Action) -> ManageResult<()> {
    use manage::{clients, groups, social_login_keys as keys, users};
    match action {
        Action::CreateGroup(g) => {
            let created = groups::create(state, by, &g.name, g.description).await?;
            groups::require_second_factor(state, by, created.id, g.require_second_factor).await?;
        }
        Action::UpdateGroup(id, g) => {
            groups::update(state, by, id, &g.name, g.description).await?;
            groups::require_second_factor(state, by, id, g.require_second_factor).await?;
        }
        Action::DeleteGroup(id) => groups::delete(state, by, id).await?,
        Action::CreateKey(k) => {
            keys::create(state, by, k.key, k.secret.as_deref()).await?;
        }
        Action::UpdateKey(k) => {
            keys::update(state, by, k.key, k.secret.as_deref()).await?;
        }
        Action::DeleteKey(slug) => keys::delete(state, by, &slug).await?,
        Action::CreateClient(c) => {
            let ResolvedClient { metadata, client, secret } = *c;
            clients::create(state, by, Some(client.client_id.clone()), metadata).await?;
            if let Some(secret) = secret {
                clients::set_secret(state, by, &client.client_id, &secret).await?;
            }
        }
        Action::UpdateClient { client_id, metadata, secret } => {
            if let Some(metadata) = metadata {
                clients::update(state, by, &client_id, *metadata).await?;
            }
            if let Some(secret) = secret {
                clients::set_secret(state, by, &client_id, &secret).await?;
            }
        }
        Action::DeleteClient(id) => clients::delete(state, by, &id).await?,
        Action::CreateUser(u) => {
            users::create(state, by, u.profile, u.password.as_deref()).await?;
        }
        Action::UpdateUser { id, profile, password } => {
            if let Some(profile) = profile {
                users::update(state, by, id, profile).await?;
            }
            if let Some(password) = password {
                users::set_password(state, by, id, &password).await?;
            }
        }
        Action::DeleteUser(id) => users::delete(state, by, id).await?,
    }
    Ok(())
}
