//! From the change log to queued deliveries. The dispatcher reads the log
//! from its place (a row in the store), and for each webhook turns each
//! run of matching entries of one event into one delivery of at most
//! [`MAX_ITEMS`] items. The deliveries and the new place are written in one
//! transaction: after a crash the same entries are read again and nothing
//! was queued for them yet.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Value, json};

use super::Webhook;
use crate::domain::{ChangeRow, DeliveryRow};
use crate::error::Result;
use crate::hub::changes::{Event, MAX_AFFECTED};
use crate::hub::{Hub, ItemView, Viewer, ms_to_datetime, now_ms};

/// Change-log entries read per round.
const BATCH: i64 = 500;
/// Changed items one delivery reports at most.
pub const MAX_ITEMS: usize = 100;

/// A delivery being put together for one webhook.
struct Group {
    event: Event,
    first_seq: i64,
    last_seq: i64,
    items: Vec<Value>,
    ids: HashSet<String>,
    affected: Vec<Value>,
    complete: bool,
}

/// What one entry changed, worked out once for all webhooks.
struct Entry {
    event: Event,
    item: Option<Arc<ItemView>>,
    affected: Vec<Arc<ItemView>>,
    /// False when more items changed through it than are named.
    complete: bool,
}

fn item_json(v: &ItemView) -> Value {
    json!({"id": v.id, "type": v.type_name, "slug": v.slug, "locale": v.locale})
}

impl Hub {
    /// Queues deliveries for the change-log entries written since the last
    /// call (or since each webhook was made); returns how many it queued.
    pub async fn dispatch_webhooks(&self) -> Result<usize> {
        let _one = self.webhooks.dispatching.lock().await;
        let mut hooks = Vec::new();
        for row in self.store.webhooks().await? {
            hooks.push((Webhook::from_row(&row)?, row.after_seq));
        }
        let Some(start) = hooks.iter().map(|(_, after)| *after).min() else {
            return Ok(0);
        };
        // Entries before every webhook's start are nobody's.
        let mut cursor = self.store.webhook_cursor().await?.unwrap_or(0).max(start);
        let mut queued = 0;
        loop {
            let rows = self.store.changes_since(cursor, BATCH).await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                break;
            };
            let deliveries = self.deliveries_for(&hooks, &rows).await?;
            let mut tx = self.store.begin().await?;
            tx.queue_deliveries(&deliveries, last).await?;
            tx.commit().await?;
            queued += deliveries.len();
            cursor = last;
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
        Ok(queued)
    }

    async fn deliveries_for(
        &self,
        hooks: &[(Webhook, i64)],
        rows: &[ChangeRow],
    ) -> Result<Vec<DeliveryRow>> {
        let mut entries: HashMap<i64, Entry> = HashMap::new();
        for row in rows {
            let Some(event) = Event::of_action(&row.action) else {
                continue;
            };
            let wanted = hooks
                .iter()
                .any(|(h, after)| row.seq > *after && h.enabled && h.events.contains(&event));
            if !wanted {
                continue;
            }
            let item = match &row.item_id {
                Some(id) => self.get_any(&Viewer::cli(), id).await?,
                None => None,
            };
            // One more than reported, to tell whether the list is whole.
            let mut affected = self.affected(row, MAX_AFFECTED + 1).await?;
            let complete = affected.len() <= MAX_AFFECTED;
            affected.truncate(MAX_AFFECTED);
            entries.insert(
                row.seq,
                Entry {
                    event,
                    item,
                    affected,
                    complete,
                },
            );
        }
        let now = now_ms();
        let mut out = Vec::new();
        for (hook, after) in hooks {
            let mut group: Option<Group> = None;
            for row in rows.iter().filter(|r| r.seq > *after) {
                let Some(entry) = entries.get(&row.seq) else {
                    continue;
                };
                let item_type = row.item_type.as_deref().unwrap_or("");
                let affected_types: Vec<&str> = entry
                    .affected
                    .iter()
                    .map(|a| a.type_name.as_str())
                    .collect();
                if !hook.wants(entry.event, item_type, &affected_types) {
                    continue;
                }
                if group
                    .as_ref()
                    .is_some_and(|g| g.event != entry.event || g.items.len() >= MAX_ITEMS)
                {
                    out.extend(group.take().map(|g| delivery(hook, g, now)));
                }
                let g = group.get_or_insert_with(|| Group {
                    event: entry.event,
                    first_seq: row.seq,
                    last_seq: row.seq,
                    items: Vec::new(),
                    ids: HashSet::new(),
                    affected: Vec::new(),
                    complete: true,
                });
                g.complete &= entry.complete;
                g.last_seq = row.seq;
                let mut item = json!({
                    "seq": row.seq,
                    "at": ms_to_datetime(row.at),
                    "action": row.action,
                    "id": row.item_id,
                    "type": row.item_type,
                    "version": row.version,
                    "slug": Value::Null,
                    "locale": Value::Null,
                });
                if let Some(v) = &entry.item {
                    item["slug"] = json!(v.slug);
                    item["locale"] = json!(v.locale);
                }
                g.items.push(item);
                if let Some(id) = &row.item_id {
                    g.ids.insert(id.clone());
                }
                for a in &entry.affected {
                    if g.ids.insert(a.id.clone()) {
                        g.affected.push(item_json(a));
                    }
                }
            }
            out.extend(group.map(|g| delivery(hook, g, now)));
        }
        Ok(out)
    }
}

fn delivery(hook: &Webhook, g: Group, now: i64) -> DeliveryRow {
    let id = uuid::Uuid::now_v7().to_string();
    // An item reported as changed is not also reported as affected.
    let changed: HashSet<&str> = g.items.iter().filter_map(|i| i["id"].as_str()).collect();
    let affected: Vec<&Value> = g
        .affected
        .iter()
        .filter(|a| a["id"].as_str().is_some_and(|id| !changed.contains(id)))
        .collect();
    let payload = json!({
        "event": g.event.as_str(),
        "deliveryId": id,
        "webhookId": hook.id,
        "firstSeq": g.first_seq,
        "lastSeq": g.last_seq,
        "items": g.items,
        "affected": affected,
        "affectedComplete": g.complete,
    });
    DeliveryRow {
        id,
        webhook_id: hook.id.clone(),
        event: g.event.as_str().to_string(),
        first_seq: g.first_seq,
        last_seq: g.last_seq,
        payload: payload.to_string(),
        status: "pending".into(),
        attempts: 0,
        created_at: now,
        next_attempt_at: Some(now),
        last_attempt_at: None,
        response_status: None,
        last_error: None,
        delivered_at: None,
    }
}
