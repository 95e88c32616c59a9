//! Building the hub from its settings: secrets, database, session store, keys, templates;
//! then binding the listener (port 0 is fine) and serving until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::Server;
use poem::endpoint::BoxEndpoint;
use poem::listener::TcpAcceptor;

use crate::accounts::{LoginThrottle, Passwords};
use crate::config::{ConfigError, Settings};
use crate::keys::KeyRing;
use crate::secrets::MasterKey;
use crate::session::{RedisBackend, SessionStore};
use crate::state::AppState;
use crate::store::Store;
use crate::templates::Templates;

pub struct Application {
    acceptor: TcpAcceptor,
    endpoint: BoxEndpoint<'static>,
    local_addr: SocketAddr,
    /// The separate listener of `HUB_METRICS_LISTEN`, when set.
    metrics: Option<(TcpAcceptor, BoxEndpoint<'static>)>,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let mut state = build_state(settings).await?;
        if state.settings.metrics_enabled() {
            state.metrics = Some(crate::telemetry::metrics::install().context("cannot start the metrics recorder")?);
        }
        crate::manage::built_in::ensure(&state).await.map_err(|e| {
            anyhow::anyhow!("cannot register the admin UI's client: {}", crate::telemetry::ErrorChain(&e))
        })?;
        if let Some(file) = state.settings.apply_file.clone() {
            apply_at_start(&state, &file).await?;
        }
        // Before the first request: revoked tokens stay refused across the restart.
        crate::grants::restore(&state, None)
            .await
            .map_err(|e| anyhow::anyhow!("cannot restore the revoked tokens: {}", crate::telemetry::ErrorChain(&e)))?;
        let listener = tokio::net::TcpListener::bind(state.settings.listen)
            .await
            .with_context(|| format!("cannot listen on {} (HUB_LISTEN)", state.settings.listen))?;
        let local_addr = listener.local_addr()?;
        let acceptor = TcpAcceptor::from_tokio(listener)?;
        let endpoint = crate::routes::routes(state.clone());
        let metrics = match state.settings.metrics_listen {
            Some(address) => {
                let listener = tokio::net::TcpListener::bind(address)
                    .await
                    .with_context(|| format!("cannot listen on {address} (HUB_METRICS_LISTEN)"))?;
                Some((TcpAcceptor::from_tokio(listener)?, crate::routes::metrics_only(state.clone())))
            }
            None => None,
        };
        Ok(Self { acceptor, endpoint, local_addr, metrics, state })
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let reload = tokio::spawn(reload_keys(self.state.clone()));
        let prune = tokio::spawn(prune_audit_log(self.state.clone()));
        let revocations = tokio::spawn(keep_revocations_restored(self.state.clone()));
        let metrics = self.metrics.map(|(acceptor, endpoint)| {
            tokio::spawn(async move {
                if let Err(error) = Server::new_with_acceptor(acceptor).run(endpoint).await {
                    tracing::error!(error = %error, "the metrics listener stopped");
                }
            })
        });
        tracing::info!(issuer = %self.state.issuer(), "hub listening on http://{}", self.local_addr);
        let result = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(self.endpoint, shutdown_signal(), Some(Duration::from_secs(10)))
            .await;
        reload.abort();
        prune.abort();
        revocations.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        // Back-channel logouts already started are delivered before the process ends.
        self.state.wait_for_background(Duration::from_secs(5)).await;
        result.context("server stopped")
    }
}

/// `HUB_APPLY_FILE`: the declared file, applied before the hub listens; a file it
/// refuses stops the start.
async fn apply_at_start(state: &AppState, file: &std::path::Path) -> anyhow::Result<()> {
    let by = crate::manage::By::cli().via("HUB_APPLY_FILE");
    let summary = crate::declared::apply::apply_file(state, &by, file, false, &mut |line| tracing::info!("{line}"))
        .await
        .map_err(|e| anyhow::anyhow!("HUB_APPLY_FILE {}: {e}", file.display()))?;
    tracing::info!("HUB_APPLY_FILE {}: {}", file.display(), summary.describe(false));
    Ok(())
}

pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    let master = Arc::new(master_key(&settings)?);
    let store = connect_store(&settings).await?;
    let sessions = match &settings.redis_url {
        Some(url) => {
            let backend = RedisBackend::connect(url).await.map_err(|e| {
                anyhow::anyhow!("cannot connect to Redis at HUB_REDIS_URL: {}", crate::telemetry::ErrorChain(&e))
            })?;
            SessionStore::new(Arc::new(backend), &settings.redis_prefix)
        }
        None => SessionStore::in_memory(),
    };
    let keys = KeyRing::load(&store, &master).await.context("cannot load the signing keys")?;
    let concurrency = settings
        .password_hash_concurrency
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let passwords = Passwords::new(concurrency).await?;
    let throttle = LoginThrottle::new(
        sessions.clone(),
        settings.login_throttle_per_account,
        settings.login_throttle_per_address,
        Settings::secs(settings.login_throttle_window_secs),
    );
    let rate_limits = crate::rate_limit::RateLimits::new(sessions.clone(), &settings);
    let static_base = format!("{}{}", settings.issuer.path().trim_end_matches('/'), crate::oidc::paths::STATIC);
    let branding = crate::templates::Branding::load(settings.stylesheet.as_deref(), settings.logo.as_deref())?;
    let templates =
        Templates::load(settings.templates_dir.as_deref(), &settings.site_name, &static_base)?.with_branding(branding);
    let discovery = bytes::Bytes::from(serde_json::to_vec(&crate::oidc::discovery::document(
        &settings,
        templates.catalogues().codes(),
    ))?);
    let background = tokio_util::task::TaskTracker::new();
    let mailer = crate::mail::Mailer::from_settings(&settings, Arc::clone(templates.catalogues()), background.clone())?;
    Ok(AppState {
        settings: Arc::new(settings),
        store,
        sessions,
        keys,
        master,
        passwords,
        throttle,
        rate_limits,
        templates: Arc::new(templates),
        outbound: crate::outbound::Outbound::new().context("HTTP client for other servers")?,
        discovery,
        background,
        mailer,
        metrics: None,
    })
}

/// `HUB_MASTER_KEY`, or with the embedded database, `<data_dir>/master.key` (created once).
pub fn master_key(settings: &Settings) -> anyhow::Result<MasterKey> {
    match &settings.master_key {
        Some(encoded) => {
            MasterKey::from_base64(encoded).map_err(|e| ConfigError::new(format!("HUB_MASTER_KEY: {e}")).into())
        }
        None if settings.uses_embedded_database() => {
            let path = settings.data_dir.join("master.key");
            Ok(MasterKey::load_or_create(&path)?)
        }
        None => Err(ConfigError::new("HUB_MASTER_KEY is required when HUB_DATABASE_URL is set").into()),
    }
}

pub async fn connect_store(settings: &Settings) -> anyhow::Result<Store> {
    if settings.uses_embedded_database() {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("cannot create the data directory {}", settings.data_dir.display()))?;
    }
    Store::connect(&settings.database_url())
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {}", crate::telemetry::ErrorChain(&e)))
}

/// The migrations `connect_store` would apply, without applying them.
pub async fn pending_migrations(settings: &Settings) -> anyhow::Result<Vec<String>> {
    if settings.uses_embedded_database() {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("cannot create the data directory {}", settings.data_dir.display()))?;
    }
    let cannot = |e: crate::store::StoreError| {
        anyhow::anyhow!("cannot read the database's migrations: {}", crate::telemetry::ErrorChain(&e))
    };
    let store = Store::connect_without_migrating(&settings.database_url()).await.map_err(cannot)?;
    store.pending_migrations().await.map_err(cannot)
}

async fn reload_keys(state: AppState) {
    let mut interval = tokio::time::interval(crate::keys::RELOAD_INTERVAL);
    interval.tick().await;
    loop {
        interval.tick().await;
        if let Err(error) = state.keys.reload(&state.store, &state.master).await {
            tracing::warn!(error = %crate::telemetry::ErrorChain(&error), "signing keys not reloaded");
        }
    }
}

/// Revocations recorded by another process, or lost by a Redis that restarted (it may keep
/// nothing on disk), reach this instance's session store within `RESTORE_INTERVAL`.
async fn keep_revocations_restored(state: AppState) {
    let mut interval = tokio::time::interval(crate::grants::RESTORE_INTERVAL);
    interval.tick().await;
    let mut since = chrono::Utc::now();
    loop {
        interval.tick().await;
        // Overlapping a little: a clock step or a slow insert elsewhere loses nothing.
        let next = chrono::Utc::now() - chrono::Duration::seconds(5);
        match crate::grants::restore(&state, Some(since)).await {
            Ok(0) => {}
            Ok(restored) => tracing::info!(restored, "revocations copied to the session store"),
            Err(error) => {
                tracing::warn!(error = %crate::telemetry::ErrorChain(&error), "revocations not restored");
                continue;
            }
        }
        since = next;
    }
}

/// How often each instance deletes audit events past `HUB_AUDIT_RETENTION_DAYS`.
const AUDIT_PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

async fn prune_audit_log(state: AppState) {
    let days = state.settings.audit_retention_days;
    // 0 keeps events forever; settings bound the rest to 100 years.
    let Some(retention) = i64::try_from(days).ok().filter(|d| *d > 0).and_then(chrono::Duration::try_days) else {
        return;
    };
    let mut interval = tokio::time::interval(AUDIT_PRUNE_INTERVAL);
    loop {
        interval.tick().await;
        match state.store.prune_audit_events(chrono::Utc::now() - retention).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, days, "audit events past their retention deleted"),
            Err(error) => tracing::warn!(error = %crate::telemetry::ErrorChain(&error), "audit log not pruned"),
        }
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("shutting down");
}
