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
    pub rate_limits: crate::rate_limit::RateLimits,
    pub templates: Arc<Templates>,
    /// The client for other servers, and the documents and keys it fetched.
    pub outbound: crate::outbound::Outbound,
    /// The discovery document, serialised once at start-up.
    pub discovery: bytes::Bytes,
    /// Work a request starts and does not wait for (back-channel logout deliveries); a
    /// command that exits next waits for it (`wait_for_background`).
    pub background: tokio_util::task::TaskTracker,
    /// The SMTP sender; none when `HUB_SMTP_HOST` is unset.
    pub mailer: Option<crate::mail::Mailer>,
    /// Renders the Prometheus metrics; None when metrics are off.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

impl AppState {
    pub fn issuer(&self) -> &str {
        self.settings.issuer.as_str().trim_end_matches('/')
    }

    /// The second factors of the hub's users, as `accounts` checks them.
    pub fn second_factors(&self) -> crate::accounts::SecondFactors<'_> {
        crate::accounts::SecondFactors { store: &self.store, master: &self.master, throttle: &self.throttle }
    }

    /// The passkeys of the hub's users; their relying party is the issuer.
    /// Whether the user has a second factor: a confirmed TOTP authenticator or a passkey.
    pub async fn has_second_factor(&self, user_id: uuid::Uuid) -> Result<bool, crate::store::StoreError> {
        Ok(self.second_factors().status(user_id).await?.enrolled || self.passkeys().has_any(user_id).await?)
    }

    pub fn passkeys(&self) -> crate::accounts::Passkeys<'_> {
        crate::accounts::Passkeys {
            store: &self.store,
            sessions: &self.sessions,
            throttle: &self.throttle,
            issuer: &self.settings.issuer,
        }
    }

    /// Waits (at most `limit`) for the work started in the background to finish.
    pub async fn wait_for_background(&self, limit: std::time::Duration) {
        self.background.close();
        if tokio::time::timeout(limit, self.background.wait()).await.is_err() {
            tracing::warn!("background work (back-channel logout) still running; not waiting longer");
        }
    }

    /// Appends to the audit log. A failure to record is logged, not returned: the change
    /// or sign-in it describes has already happened.
    pub async fn audit(&self, record: AuditRecord) {
        let action = record.action;
        if let Err(error) = self.store.record_audit(record).await {
            tracing::error!(action, error = %crate::telemetry::ErrorChain(&error), "audit event not recorded");
        }
    }
}
