//! Everything a request handler may use, built once by `startup`; cheap to clone.

use std::sync::Arc;

use crate::accounts::{LoginThrottle, Passwords};
use crate::config::Settings;
use crate::domain::audit::AuditRecord;
use crate::keys::KeyRing;
use crate::secrets::MasterKey;
use crate::session::SessionStore;
use crate::store::Store;
use crate::templates::Templates;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub sessions: SessionStore,
    pub keys: KeyRing,
    pub master: Arc<MasterKey>,
    pub passwords: Passwords,
    pub throttle: LoginThrottle,
    pub templates: Arc<Templates>,
    /// Upstream identity providers' metadata and keys, and the client that calls them.
    pub upstreams: crate::federation::Upstreams,
    /// The discovery document, serialised once at start-up.
    pub discovery: bytes::Bytes,
}

impl AppState {
    pub fn issuer(&self) -> &str {
        self.settings.issuer.as_str().trim_end_matches('/')
    }

    /// Appends to the audit log. A failure to record is logged, not returned: the change
    /// or sign-in it describes has already happened.
    pub async fn audit(&self, record: AuditRecord) {
        let action = record.action;
        if let Err(error) = self.store.record_audit(record).await {
            tracing::error!(action, error = %crate::oidc::error::ErrorChain(&error), "audit event not recorded");
        }
    }
}
