//! The audit log: append-only, newest first when read.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::audit_event;
use super::{Page, Store, StoreError, Window, paginate};
use crate::domain::audit::{AuditEvent, AuditRecord, Outcome};

/// Filters of the audit log; every one that is set must match.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// An exact action, or a prefix ending in `.` (`client.` matches every client change).
    pub action: Option<String>,
    pub actor: Option<String>,
    pub actor_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// An event's place in the log, where a page of it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditPosition {
    pub occurred_at: DateTime<Utc>,
    pub id: Uuid,
}

impl AuditPosition {
    pub fn of(event: &AuditEvent) -> Self {
        Self { occurred_at: event.occurred_at, id: event.id }
    }
}

impl Store {
    pub async fn record_audit(&self, record: AuditRecord) -> Result<(), StoreError> {
        audit_event::ActiveModel {
            id: Set(Uuid::new_v4()),
            occurred_at: Set(Utc::now()),
            action: Set(record.action.to_owned()),
            outcome: Set(record.outcome.as_str().to_owned()),
            actor: Set(record.actor.label()),
            actor_id: Set(record.actor.user_id()),
            user_id: Set(record.user_id),
            client_id: Set(record.client_id),
            target: Set(record.target),
            address: Set(record.address),
            detail: Set(record.detail),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Deletes the events that happened before `before`; returns how many.
    pub async fn prune_audit_events(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let result = audit_event::Entity::delete_many()
            .filter(audit_event::Column::OccurredAt.lt(before))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }

    /// Newest first; `after` starts the page after the event at that position (keyset
    /// pagination over `(occurred_at, id)`, which an index serves in order).
    pub async fn list_audit_events(
        &self,
        filter: &AuditFilter,
        window: Window,
        after: Option<AuditPosition>,
    ) -> Result<Page<AuditEvent>, StoreError> {
        let mut query = audit_event::Entity::find();
        if let Some(after) = after {
            use sea_orm::sea_query::{Expr, ExprTrait};
            let position =
                Expr::tuple([Expr::col(audit_event::Column::OccurredAt), Expr::col(audit_event::Column::Id)]);
            query = query.filter(position.lt(Expr::tuple([Expr::val(after.occurred_at), Expr::val(after.id)])));
        }
        if let Some(action) = &filter.action {
            query = match action.strip_suffix('.') {
                Some(prefix) => query.filter(super::starts_with(audit_event::Column::Action, &format!("{prefix}."))),
                None => query.filter(audit_event::Column::Action.eq(action.as_str())),
            };
        }
        if let Some(actor) = &filter.actor {
            query = query.filter(audit_event::Column::Actor.eq(actor.as_str()));
        }
        if let Some(actor_id) = filter.actor_id {
            query = query.filter(audit_event::Column::ActorId.eq(actor_id));
        }
        if let Some(user_id) = filter.user_id {
            query = query.filter(audit_event::Column::UserId.eq(user_id));
        }
        if let Some(client_id) = &filter.client_id {
            query = query.filter(audit_event::Column::ClientId.eq(client_id.as_str()));
        }
        if let Some(outcome) = filter.outcome {
            query = query.filter(audit_event::Column::Outcome.eq(outcome.as_str()));
        }
        if let Some(since) = filter.since {
            query = query.filter(audit_event::Column::OccurredAt.gte(since));
        }
        if let Some(until) = filter.until {
            query = query.filter(audit_event::Column::OccurredAt.lt(until));
        }
        let query = query.order_by_desc(audit_event::Column::OccurredAt).order_by_desc(audit_event::Column::Id);
        let page = paginate(&self.db, query, window).await?;
        let items = page.items.into_iter().map(to_event).collect::<Result<_, _>>()?;
        Ok(Page { items, extent: page.extent })
    }
}

fn to_event(model: audit_event::Model) -> Result<AuditEvent, StoreError> {
    let outcome = Outcome::parse(&model.outcome)
        .ok_or_else(|| StoreError::Corrupt(format!("audit event {}: outcome {}", model.id, model.outcome)))?;
    Ok(AuditEvent {
        id: model.id,
        occurred_at: model.occurred_at,
        action: model.action,
        outcome,
        actor: model.actor,
        actor_id: model.actor_id,
        user_id: model.user_id,
        client_id: model.client_id,
        target: model.target,
        address: model.address,
        detail: model.detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Actor;

    #[tokio::test]
    async fn pruning_deletes_only_what_happened_before_the_cut() {
        let dir = std::env::temp_dir().join(format!("hub-audit-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}?mode=rwc", dir.join("hub.db").display())).await.unwrap();
        let window = Window { limit: 10, offset: 0 };
        let before_any = Utc::now() - chrono::Duration::seconds(1);
        store.record_audit(AuditRecord::new("client.create", Actor::Cli)).await.unwrap();
        store.record_audit(AuditRecord::new("client.delete", Actor::Cli)).await.unwrap();

        assert_eq!(store.prune_audit_events(before_any).await.unwrap(), 0, "nothing is that old");
        assert_eq!(store.list_audit_events(&AuditFilter::default(), window, None).await.unwrap().extent.total, 2);
        let after_all = Utc::now() + chrono::Duration::seconds(1);
        assert_eq!(store.prune_audit_events(after_all).await.unwrap(), 2);
        assert_eq!(store.list_audit_events(&AuditFilter::default(), window, None).await.unwrap().extent.total, 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn the_count_stops_at_its_limit_and_says_so() {
        use sea_orm::EntityTrait;
        let dir = std::env::temp_dir().join(format!("hub-audit-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}?mode=rwc", dir.join("hub.db").display())).await.unwrap();
        let now = Utc::now();
        let events = (0..=super::super::COUNT_LIMIT).map(|i| audit_event::ActiveModel {
            id: Set(Uuid::new_v4()),
            occurred_at: Set(now - chrono::Duration::milliseconds(i as i64)),
            action: Set("login.password".into()),
            outcome: Set("success".into()),
            actor: Set("anonymous".into()),
            ..Default::default()
        });
        let rows: Vec<_> = events.collect();
        for chunk in rows.chunks(500) {
            audit_event::Entity::insert_many(chunk.to_vec()).exec(&store.db).await.unwrap();
        }

        let page =
            store.list_audit_events(&AuditFilter::default(), Window { limit: 5, offset: 0 }, None).await.unwrap();
        assert_eq!((page.extent.total, page.extent.total_is_lower_bound, page.extent.has_more), (10_000, true, true));
        let last = AuditPosition::of(page.items.last().unwrap());
        let next = store.list_audit_events(&AuditFilter::default(), Window { limit: 5, offset: 0 }, Some(last)).await;
        let next = next.unwrap();
        assert!(next.items.iter().all(|event| (event.occurred_at, event.id) < (last.occurred_at, last.id)));
        assert_eq!(next.items[0].occurred_at, now - chrono::Duration::milliseconds(5), "the sixth newest");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
