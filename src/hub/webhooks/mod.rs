//! Webhooks: an admin registers a URL for some events (and optionally some
//! content types); `bron serve` tells it, with a signed POST, about every
//! matching change, including the items whose public output changed
//! through it. Settings changes are written like every write: one
//! transaction with a change-log entry.
//!
//! - `target.rs` decides which addresses a webhook may point at: none on
//!   loopback, private or link-local networks unless the operator allows
//!   them (a webhook must not become a way into the municipality's network);
//!   the check is made when the webhook is saved and again, on the resolved
//!   addresses, at every delivery.
//! - `dispatch.rs` follows the change log and queues deliveries; the queue
//!   and the dispatcher's place in the log are rows in the store, so a
//!   restart neither loses nor repeats a queued delivery.
//! - `send.rs` posts due deliveries, signed as Standard Webhooks describes,
//!   and retries failures with a growing delay.

mod dispatch;
mod log;
mod send;
mod target;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use base64::Engine;
use rand::RngCore;

use super::changes::{Event, PUBLIC_EVENTS};
use super::{Hub, Role, Viewer, now_ms};
use crate::domain::WebhookRow;
use crate::error::{Error, Result};
use crate::store::Change;

pub use send::{MAX_ATTEMPTS, SIGNATURE_HEADER, TIMESTAMP_HEADER, WEBHOOK_ID_HEADER, sign};
pub use target::refused_address;

/// How long deliveries stay in the log after they were delivered or given up.
pub const DELIVERY_LOG_DAYS: i64 = 30;
/// The first retry waits this long by default; each next one twice as long.
pub const DEFAULT_FIRST_RETRY_MS: i64 = 5_000;

/// What the operator set for webhooks (`bron serve` flags).
pub(super) struct WebhookSettings {
    allow_private: AtomicBool,
    first_retry_ms: AtomicI64,
    /// One dispatch at a time.
    dispatching: tokio::sync::Mutex<()>,
    /// The HTTP clients: one that resolves only to public addresses, one
    /// that may reach any.
    client_public: std::sync::OnceLock<reqwest::Client>,
    client_any: std::sync::OnceLock<reqwest::Client>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_private: AtomicBool::new(false),
            first_retry_ms: AtomicI64::new(DEFAULT_FIRST_RETRY_MS),
            dispatching: tokio::sync::Mutex::new(()),
            client_public: std::sync::OnceLock::new(),
            client_any: std::sync::OnceLock::new(),
        }
    }
}

/// A webhook as an admin sees it (never its secret).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<Event>,
    pub types: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    pub created_at: i64,
    pub created_by: String,
}

/// A webhook just made: its secret is in this answer only.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

/// What an admin sets on a webhook; None leaves a setting as it is (on
/// creation: all public events, all types, no description, enabled).
#[derive(Debug, Clone, Default)]
pub struct WebhookInput {
    pub url: Option<String>,
    pub events: Option<Vec<Event>>,
    pub types: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    /// The signing secret (`whsec_` and the base64 of 24 to 64 bytes), for
    /// a receiver that already has one; on creation, made when not given;
    /// on update, a new one (rotation).
    pub secret: Option<String>,
}

impl Webhook {
    fn from_row(row: &WebhookRow) -> Result<Webhook> {
        let events: Vec<String> = serde_json::from_str(&row.events)
            .map_err(|e| Error::Internal(format!("webhook {}: events: {e}", row.id)))?;
        Ok(Webhook {
            id: row.id.clone(),
            url: row.url.clone(),
            events: events
                .iter()
                .map(|e| Event::parse(e))
                .collect::<Result<_>>()?,
            types: serde_json::from_str(&row.types)
                .map_err(|e| Error::Internal(format!("webhook {}: types: {e}", row.id)))?,
            description: row.description.clone(),
            enabled: row.enabled,
            created_at: row.created_at,
            created_by: row.created_by.clone(),
        })
    }

    /// Whether an entry of `event` about an item of `item_type`, which
    /// changed items of `affected_types`, is this webhook's to deliver.
    fn wants(&self, event: Event, item_type: &str, affected_types: &[&str]) -> bool {
        self.enabled
            && self.events.contains(&event)
            && (self.types.is_empty()
                || self.types.iter().any(|t| t == item_type)
                || affected_types
                    .iter()
                    .any(|a| self.types.iter().any(|t| t == a)))
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Checks a secret an admin chose: Standard Webhooks' form.
fn check_secret(secret: &str) -> Result<()> {
    let bytes = secret
        .strip_prefix("whsec_")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    match bytes {
        Some(b) if (24..=64).contains(&b.len()) => Ok(()),
        _ => Err(Error::invalid(
            "secret",
            "a secret is `whsec_` followed by the base64 of 24 to 64 random bytes; leave it out and Bron makes one",
        )),
    }
}

/// The host a URL names, for the change log: the whole URL may be a secret
/// (a build hook's address) and editors read the log.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

fn events_json(events: &[Event]) -> String {
    serde_json::to_string(&events.iter().map(|e| e.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

impl Hub {
    /// Lets webhooks point at loopback and private addresses (`bron serve
    /// --webhooks-allow-private`), e.g. a receiver on the same machine.
    pub fn set_webhooks_allow_private(&self, allow: bool) {
        self.webhooks.allow_private.store(allow, Ordering::Release);
    }

    /// How long the first retry of a failed delivery waits; each next one
    /// waits twice as long, up to an hour.
    pub fn set_webhook_first_retry(&self, after: std::time::Duration) {
        self.webhooks
            .first_retry_ms
            .store(after.as_millis().max(1) as i64, Ordering::Release);
    }

    fn allow_private(&self) -> bool {
        self.webhooks.allow_private.load(Ordering::Acquire)
    }

    /// Checks what `input` sets; the types must be content types.
    async fn check_webhook_input(&self, input: &WebhookInput) -> Result<()> {
        if let Some(url) = &input.url {
            target::check_url(url, self.allow_private()).await?;
        }
        if let Some(events) = &input.events
            && events.is_empty()
        {
            return Err(Error::invalid("events", "name at least one event"));
        }
        for t in input.types.iter().flatten() {
            if self.model.get(t).is_none() {
                return Err(Error::invalid(
                    "types",
                    format!("`{t}` is not a content type"),
                ));
            }
        }
        if let Some(secret) = &input.secret {
            check_secret(secret)?;
        }
        if input
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 500)
        {
            return Err(Error::invalid("description", "at most 500 characters"));
        }
        Ok(())
    }

    pub async fn create_webhook(&self, viewer: &Viewer, input: WebhookInput) -> Result<NewWebhook> {
        viewer.require(Role::Admin, "managing webhooks")?;
        let Some(url) = input.url.clone() else {
            return Err(Error::invalid("url", "a webhook needs a URL"));
        };
        self.check_webhook_input(&input).await?;
        let now = now_ms();
        let secret = input.secret.clone().unwrap_or_else(new_secret);
        let mut tx = self.store.begin().await?;
        let row = WebhookRow {
            id: uuid::Uuid::now_v7().to_string(),
            url,
            secret: secret.clone(),
            events: events_json(input.events.as_deref().unwrap_or(&PUBLIC_EVENTS)),
            types: serde_json::to_string(&input.types.unwrap_or_default())
                .map_err(|e| Error::Internal(e.to_string()))?,
            description: input.description.filter(|d| !d.trim().is_empty()),
            enabled: input.enabled.unwrap_or(true),
            created_at: now,
            created_by: viewer.name.clone(),
            // Entries written after this one are the webhook's.
            after_seq: 0,
        };
        tx.insert_webhook(&row).await?;
        let seq = tx
            .append_change(&Change {
                at: now,
                actor: &viewer.name,
                action: "webhook_create",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(&format!("{} {}", row.id, host_of(&row.url))),
            })
            .await?;
        tx.set_webhook_start(&row.id, seq).await?;
        tx.commit().await?;
        self.committed(seq).await;
        Ok(NewWebhook {
            webhook: Webhook::from_row(&row)?,
            secret,
        })
    }

    pub async fn update_webhook(
        &self,
        viewer: &Viewer,
        id: &str,
        input: WebhookInput,
    ) -> Result<Webhook> {
        viewer.require(Role::Admin, "managing webhooks")?;
        self.check_webhook_input(&input).await?;
        let mut tx = self.store.begin().await?;
        let mut row = tx
            .webhook(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("webhook `{id}`")))?;
        if let Some(url) = input.url {
            row.url = url;
        }
        if let Some(events) = &input.events {
            row.events = events_json(events);
        }
        if let Some(types) = &input.types {
            row.types = serde_json::to_string(types).map_err(|e| Error::Internal(e.to_string()))?;
        }
        if let Some(d) = input.description {
            row.description = Some(d).filter(|d| !d.trim().is_empty());
        }
        if let Some(enabled) = input.enabled {
            row.enabled = enabled;
        }
        if let Some(secret) = input.secret {
            row.secret = secret;
        }
        tx.update_webhook(&row).await?;
        let now = now_ms();
        let seq = tx
            .append_change(&Change {
                at: now,
                actor: &viewer.name,
                action: "webhook_update",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(&format!("{} {}", row.id, host_of(&row.url))),
            })
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        Webhook::from_row(&row)
    }

    /// Deletes a webhook with its delivery log; what was queued is not sent.
    pub async fn delete_webhook(&self, viewer: &Viewer, id: &str) -> Result<()> {
        viewer.require(Role::Admin, "managing webhooks")?;
        let mut tx = self.store.begin().await?;
        if !tx.delete_webhook(id).await? {
            return Err(Error::not_found(format!("webhook `{id}`")));
        }
        let seq = tx
            .append_change(&Change {
                at: now_ms(),
                actor: &viewer.name,
                action: "webhook_delete",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(id),
            })
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        Ok(())
    }

    pub async fn webhooks(&self, viewer: &Viewer) -> Result<Vec<Webhook>> {
        viewer.require(Role::Admin, "reading webhooks")?;
        self.store
            .webhooks()
            .await?
            .iter()
            .map(Webhook::from_row)
            .collect()
    }

    pub async fn webhook(&self, viewer: &Viewer, id: &str) -> Result<Webhook> {
        viewer.require(Role::Admin, "reading webhooks")?;
        let row = self
            .store
            .webhook(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("webhook `{id}`")))?;
        Webhook::from_row(&row)
    }
}
