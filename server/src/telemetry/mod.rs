//! What the hub tells its operators: log lines on stderr (text, or JSON with
//! `HUB_LOG_FORMAT=json`) filtered by `RUST_LOG` (default `info`), one access-log line per
//! request (target `access`), and Prometheus metrics (`metrics`). Secrets never reach a
//! log line or a label: they are `SecretString`s or not logged at all.

pub mod metrics;

use std::io::IsTerminal;

use serde::{Deserialize, Serialize};
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests) keeps the first subscriber.
    let _ = match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).with_target(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
    };
}

/// Formats an error with its sources on one line, for the log.
pub struct ErrorChain<'a>(pub &'a dyn std::error::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// What a handler learnt about a request that its access-log line should carry: the
/// client it was for, once that client is known to exist (never a string a stranger
/// typed). The access log puts an empty one in every request's data.
#[derive(Clone, Default)]
pub struct RequestNotes(std::sync::Arc<std::sync::OnceLock<String>>);

impl RequestNotes {
    pub fn client_id(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// Notes the client a request was for, for its access-log line.
pub fn note_client(req: &poem::Request, client_id: &str) {
    if let Some(notes) = req.data::<RequestNotes>() {
        let _ = notes.0.set(client_id.to_owned());
    }
}
