//! Everything a request handler may use, built once by `startup`; cheap to clone.

use std::sync::Arc;

use crate::accounts::{LoginThrottle, Passwords};
use crate::config::Settings;
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
    /// The discovery document, serialised once at start-up.
    pub discovery: bytes::Bytes,
}

impl AppState {
    pub fn issuer(&self) -> &str {
        self.settings.issuer.as_str().trim_end_matches('/')
    }
}
