//! What administrators do, with its rules, once for every shell (SPEC §6): the admin API
//! and the `hub` command line parse their input, call these, and present the result.
//! What people do to their own accounts (`account`) keeps the same rules.
//! Each operation checks its input (the rules without I/O live in `domain`), writes
//! through the store, ends the sessions and revokes the grants its change implies, and
//! records itself in the audit log as done by `By`.

pub mod account;
pub mod built_in;
pub mod clients;
pub mod consents;
pub mod groups;
pub mod keys;
pub mod passkeys;
pub mod registration_tokens;
pub mod sessions;
pub mod social_login_keys;
pub mod users;

use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::validation::FieldErrors;
use crate::state::AppState;
use crate::store::StoreError;

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("no such {0}")]
    NotFound(&'static str),
    /// A duplicate, or a change the resource's state does not allow.
    #[error("{detail}")]
    Conflict { field: Option<String>, detail: String },
    /// Input that breaks a rule, each offending field named.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The database, the session store or a key could not do its part; details go to
    /// the log, the operation can be retried.
    #[error("the hub cannot complete this now: {0}")]
    Unavailable(#[source] Cause),
}

pub type ManageResult<T> = Result<T, ManageError>;

impl ManageError {
    pub fn conflict(detail: impl Into<String>) -> Self {
        ManageError::Conflict { field: None, detail: detail.into() }
    }

    pub fn conflict_on(field: impl Into<String>, detail: impl Into<String>) -> Self {
        ManageError::Conflict { field: Some(field.into()), detail: detail.into() }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ManageError::Invalid(FieldErrors::single(field, message))
    }

    fn unavailable(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        ManageError::Unavailable(Box::new(cause))
    }
}

impl From<FieldErrors> for ManageError {
    fn from(errors: FieldErrors) -> Self {
        ManageError::Invalid(errors)
    }
}

impl From<StoreError> for ManageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ManageError::NotFound(what),
            StoreError::Conflict(what) => ManageError::conflict(format!("{what} already exists")),
            other => ManageError::unavailable(other),
        }
    }
}

macro_rules! unavailable_from {
    ($($error:ty),*) => {$(
        impl From<$error> for ManageError {
            fn from(error: $error) -> Self {
                ManageError::unavailable(error)
            }
        }
    )*};
}

unavailable_from!(
    crate::sso::SessionsError,
    crate::grants::RevokeError,
    crate::session::SessionError,
    crate::secrets::SecretError,
    crate::accounts::PasswordError,
    crate::accounts::links::LinkError
);

impl From<crate::keys::KeyError> for ManageError {
    fn from(error: crate::keys::KeyError) -> Self {
        match error {
            crate::keys::KeyError::Store(store) => store.into(),
            other => ManageError::unavailable(other),
        }
    }
}

/// Who is acting, for the audit log.
#[derive(Debug, Clone)]
pub struct By {
    pub actor: Actor,
    /// Where an administrator's request came from; none at the command line.
    pub address: Option<String>,
    /// Which tool made the change, when the actor alone does not say (`hub apply`).
    pub via: Option<&'static str>,
}

impl By {
    /// An operator at the `hub` command line.
    pub fn cli() -> Self {
        Self { actor: Actor::Cli, address: None, via: None }
    }

    /// As this actor, through `tool`: the audit log's detail starts with its name.
    pub fn via(self, tool: &'static str) -> Self {
        Self { via: Some(tool), ..self }
    }

    /// A caller of the registration endpoint, from `address`.
    pub fn registration(initial_access_token: Option<uuid::Uuid>, address: String) -> Self {
        Self { actor: Actor::Registration { initial_access_token }, address: Some(address), via: None }
    }

    /// A registered client changing or deleting itself (RFC 7592), from `address`.
    pub fn client(client_id: &str, address: String) -> Self {
        Self { actor: Actor::Client { client_id: client_id.to_owned() }, address: Some(address), via: None }
    }

    /// Records a change done by this actor; `extra` adds the user, client or detail.
    async fn audit(
        &self,
        state: &AppState,
        action: &'static str,
        target: String,
        extra: impl FnOnce(AuditRecord) -> AuditRecord,
    ) {
        let mut record = AuditRecord::new(action, self.actor.clone()).target(target);
        if let Some(address) = &self.address {
            record = record.address(address);
        }
        let mut record = extra(record);
        if let Some(tool) = self.via {
            record.detail = Some(match record.detail.take() {
                Some(detail) => format!("{tool}: {detail}"),
                None => tool.to_owned(),
            });
        }
        state.audit(record).await;
    }
}
