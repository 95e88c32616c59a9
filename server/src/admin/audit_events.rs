//! `/audit-events`: the audit log, newest first, filterable.

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::auth::AdminAuth;
use super::paging::{Paging, page_of};
use super::problem::{ApiError, ApiResult};
use crate::domain::audit::{AuditEvent as DomainEvent, Outcome as DomainOutcome};
use crate::state::AppState;
use crate::store::audit::{AuditFilter, AuditPosition};

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// `<resource>.<verb>`: `login.password`, `client.create`, `user.update`, `session.revoke`…
    pub action: String,
    pub outcome: Outcome,
    /// `admin-token`, `cli`, `user:<username>` (the username when the event happened), or
    /// `anonymous` (a failed sign-in).
    pub actor: String,
    /// The acting user's id, which stays the same when they are renamed.
    pub actor_id: Option<Uuid>,
    /// The user the event is about.
    pub user_id: Option<Uuid>,
    pub client_id: Option<String>,
    /// The changed resource, such as `client:<client_id>`.
    pub target: Option<String>,
    /// The caller's IP address.
    pub address: Option<String>,
    pub detail: Option<String>,
}

page_of!(
    /// A page of audit events.
    AuditEventPage,
    AuditEvent,
    by key
);

#[derive(Default)]
pub struct AuditEventsApi;

#[OpenApi(prefix_path = "/audit-events", tag = "ApiTags::AuditEvents")]
impl AuditEventsApi {
    /// Browse the audit log
    #[oai(path = "/", method = "get", operation_id = "listAuditEvents")]
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn list(
        &self,
        _auth: AdminAuth,
        Data(state): Data<&AppState>,
        /// An action (`client.create`), or a prefix ending in a dot (`client.`).
        #[oai(validator(max_length = 64))]
        action: Query<Option<String>>,
        /// An actor, exactly as listed (`admin-token`, `user:alice`).
        #[oai(validator(max_length = 128))]
        actor: Query<Option<String>>,
        /// Events by this user (as an administrator, or signing in).
        actor_id: Query<Option<Uuid>>,
        /// Events about this user.
        user_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 128))] client_id: Query<Option<String>>,
        outcome: Query<Option<Outcome>>,
        /// Events at or after this time (RFC 3339).
        since: Query<Option<chrono::DateTime<chrono::Utc>>>,
        /// Events before this time (RFC 3339).
        until: Query<Option<chrono::DateTime<chrono::Utc>>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))] offset: Query<Option<u64>>,
        /// The `next` of the page before: the page after it.
        #[oai(validator(max_length = 1024))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<AuditEventPage>> {
        let paging = Paging::by_key(limit.0, offset.0, after.0)?;
        let filter = AuditFilter {
            action: action.0,
            actor: actor.0,
            actor_id: actor_id.0,
            user_id: user_id.0,
            client_id: client_id.0,
            outcome: outcome.0.map(|o| match o {
                Outcome::Success => DomainOutcome::Success,
                Outcome::Failure => DomainOutcome::Failure,
            }),
            since: since.0,
            until: until.0,
        };
        let after = paging.after.as_deref().map(position_from_key).transpose()?;
        let page = state.store.list_audit_events(&filter, paging.window(), after).await?;
        Ok(Json(AuditEventPage::from_store_by_key(
            page,
            &paging,
            |event| position_key(AuditPosition::of(event)),
            to_api,
        )))
    }
}

fn to_api(event: DomainEvent) -> AuditEvent {
    AuditEvent {
        id: event.id,
        occurred_at: event.occurred_at,
        action: event.action,
        outcome: match event.outcome {
            DomainOutcome::Success => Outcome::Success,
            DomainOutcome::Failure => Outcome::Failure,
        },
        actor: event.actor,
        actor_id: event.actor_id,
        user_id: event.user_id,
        client_id: event.client_id,
        target: event.target,
        address: event.address,
        detail: event.detail,
    }
}

/// An event's position as a cursor key: its time to the nanosecond and its id.
fn position_key(position: AuditPosition) -> String {
    format!("{}|{}", position.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), position.id)
}

fn position_from_key(key: &str) -> Result<AuditPosition, ApiError> {
    let bad = || ApiError::invalid_shape("after", "not a cursor of the audit log");
    let (at, id) = key.rsplit_once('|').ok_or_else(bad)?;
    let occurred_at = chrono::DateTime::parse_from_rfc3339(at).map_err(|_| bad())?.to_utc();
    Ok(AuditPosition { occurred_at, id: id.parse().map_err(|_| bad())? })
}
