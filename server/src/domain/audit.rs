//! The audit trail: who did what, to what, from where, and whether it worked. Entries
//! never carry a secret: no passwords, tokens or client secrets, only ids and names.

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "success" => Some(Outcome::Success),
            "failure" => Some(Outcome::Failure),
            _ => None,
        }
    }
}

/// Who acted: the bootstrap admin token, an operator at the `hub` command line, an
/// administrator, or an end user signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    AdminToken,
    Cli,
    User {
        id: Uuid,
        username: String,
    },
    /// Whoever called the registration endpoint (RFC 7591), with the initial access token
    /// they presented, if the policy asked for one.
    Registration {
        initial_access_token: Option<Uuid>,
    },
    /// A dynamically registered client managing itself (RFC 7592).
    Client {
        client_id: String,
    },
    /// Someone not (yet) known: a failed sign-in with an unknown username.
    Anonymous,
}

impl Actor {
    /// The stored form: `admin-token`, `cli`, `user:<username>`, `registration[:<token
    /// id>]`, `client:<client_id>`, or `anonymous`.
    pub fn label(&self) -> String {
        match self {
            Actor::AdminToken => "admin-token".into(),
            Actor::Cli => "cli".into(),
            Actor::User { username, .. } => format!("user:{username}"),
            Actor::Registration { initial_access_token: None } => "registration".into(),
            Actor::Registration { initial_access_token: Some(id) } => format!("registration:{id}"),
            Actor::Client { client_id } => format!("client:{client_id}"),
            Actor::Anonymous => "anonymous".into(),
        }
    }

    /// The acting user's id, which stays when their username changes.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Actor::User { id, .. } => Some(*id),
            _ => None,
        }
    }
}

/// An event about to be recorded.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// `<resource>.<verb>`, such as `client.create` or `login.password`.
    pub action: &'static str,
    pub outcome: Outcome,
    pub actor: Actor,
    /// The user the event is about (the one signing in, or the one an admin changed).
    pub user_id: Option<Uuid>,
    pub client_id: Option<String>,
    /// The changed resource: `user:<id>`, `client:<client_id>`, `social-login-key:<slug>`…
    pub target: Option<String>,
    pub address: Option<String>,
    /// A short human-readable note, such as which fields changed. Never a secret.
    pub detail: Option<String>,
}

impl AuditRecord {
    pub fn new(action: &'static str, actor: Actor) -> Self {
        Self {
            action,
            outcome: Outcome::Success,
            actor,
            user_id: None,
            client_id: None,
            target: None,
            address: None,
            detail: None,
        }
    }

    pub fn failed(mut self) -> Self {
        self.outcome = Outcome::Failure;
        self
    }

    pub fn user(mut self, id: Uuid) -> Self {
        self.user_id = Some(id);
        self
    }

    pub fn client(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// A recorded event.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub outcome: Outcome,
    pub actor: String,
    pub actor_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub target: Option<String>,
    pub address: Option<String>,
    pub detail: Option<String>,
}
