//! Webhooks, their delivery log and the dispatcher's place in the change
//! log. What is delivered, when and to where is decided in
//! `hub/webhooks/`; this module only keeps the rows.

use super::{Store, WriteTx};
use crate::domain::{DeliveryRow, WebhookRow};
use crate::error::Result;

const HOOK_COLUMNS: &str =
    "id, url, secret, events, types, description, enabled, created_at, created_by, after_seq";
const DELIVERY_COLUMNS: &str = "id, webhook_id, event, first_seq, last_seq, payload, status, \
     attempts, created_at, next_attempt_at, last_attempt_at, response_status, last_error, delivered_at";

/// What one attempt to deliver came to.
#[derive(Debug, Clone)]
pub enum Attempt {
    /// The receiver answered 2xx.
    Delivered { status: i64 },
    /// Try again at `next` (unix ms).
    Retry {
        status: Option<i64>,
        error: String,
        next: i64,
    },
    /// No more tries.
    Failed { status: Option<i64>, error: String },
}

impl WriteTx {
    pub async fn insert_webhook(&mut self, w: &WebhookRow) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO webhooks ({HOOK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&w.id)
        .bind(&w.url)
        .bind(&w.secret)
        .bind(&w.events)
        .bind(&w.types)
        .bind(&w.description)
        .bind(w.enabled)
        .bind(w.created_at)
        .bind(&w.created_by)
        .bind(w.after_seq)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Replaces the settings and secret of webhook `w.id` (not its creation
    /// or starting point); false when there is no such webhook.
    pub async fn update_webhook(&mut self, w: &WebhookRow) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhooks SET url = ?, events = ?, types = ?, description = ?, enabled = ?, \
             secret = ? WHERE id = ?",
        )
        .bind(&w.url)
        .bind(&w.events)
        .bind(&w.types)
        .bind(&w.description)
        .bind(w.enabled)
        .bind(&w.secret)
        .bind(&w.id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets where in the change log a new webhook starts.
    pub async fn set_webhook_start(&mut self, id: &str, after_seq: i64) -> Result<()> {
        sqlx::query("UPDATE webhooks SET after_seq = ? WHERE id = ?")
            .bind(after_seq)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// A webhook, read inside the transaction that will change it.
    pub async fn webhook(&mut self, id: &str) -> Result<Option<WebhookRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {HOOK_COLUMNS} FROM webhooks WHERE id = ?"))
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// Deletes a webhook and its delivery log; false when there is none.
    pub async fn delete_webhook(&mut self, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM webhooks WHERE id = ?")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Queues deliveries and moves the dispatcher past `seq`, together.
    pub async fn queue_deliveries(&mut self, rows: &[DeliveryRow], seq: i64) -> Result<()> {
        for d in rows {
            sqlx::query(&format!(
                "INSERT INTO webhook_deliveries ({DELIVERY_COLUMNS}) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ))
            .bind(&d.id)
            .bind(&d.webhook_id)
            .bind(&d.event)
            .bind(d.first_seq)
            .bind(d.last_seq)
            .bind(&d.payload)
            .bind(&d.status)
            .bind(d.attempts)
            .bind(d.created_at)
            .bind(d.next_attempt_at)
            .bind(d.last_attempt_at)
            .bind(d.response_status)
            .bind(&d.last_error)
            .bind(d.delivered_at)
            .execute(&mut *self.tx)
            .await?;
        }
        self.set_webhook_cursor(seq).await
    }

    pub async fn set_webhook_cursor(&mut self, seq: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_cursor (id, seq) VALUES (1, ?1) \
             ON CONFLICT (id) DO UPDATE SET seq = ?1",
        )
        .bind(seq)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records one attempt at delivery `id`, made at `at`.
    pub async fn record_attempt(&mut self, id: &str, at: i64, attempt: &Attempt) -> Result<()> {
        let (status, code, error, next, delivered) = match attempt {
            Attempt::Delivered { status } => ("delivered", Some(*status), None, None, Some(at)),
            Attempt::Retry {
                status,
                error,
                next,
            } => ("pending", *status, Some(error.as_str()), Some(*next), None),
            Attempt::Failed { status, error } => {
                ("failed", *status, Some(error.as_str()), None, None)
            }
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, \
             last_attempt_at = ?, response_status = ?, last_error = ?, next_attempt_at = ?, \
             delivered_at = ? WHERE id = ?",
        )
        .bind(status)
        .bind(at)
        .bind(code)
        .bind(error)
        .bind(next)
        .bind(delivered)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Puts a delivery back in the queue, due at `at`, with a fresh count
    /// of attempts; false when there is no such delivery.
    pub async fn requeue_delivery(&mut self, id: &str, at: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, \
             next_attempt_at = ?, delivered_at = NULL WHERE id = ?",
        )
        .bind(at)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes delivered and failed deliveries made before `before`.
    pub async fn purge_deliveries(&mut self, before: i64) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?",
        )
        .bind(before)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    pub async fn webhooks(&self) -> Result<Vec<WebhookRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {HOOK_COLUMNS} FROM webhooks ORDER BY created_at, id"
        ))
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn webhook(&self, id: &str) -> Result<Option<WebhookRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {HOOK_COLUMNS} FROM webhooks WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Where the dispatcher stopped reading the change log, if it ever ran.
    pub async fn webhook_cursor(&self) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT seq FROM webhook_cursor WHERE id = 1")
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Pending deliveries due at `now` for enabled webhooks, oldest first
    /// (a disabled webhook's deliveries wait until it is enabled again).
    pub async fn due_deliveries(&self, now: i64, limit: i64) -> Result<Vec<DeliveryRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries \
             WHERE status = 'pending' AND next_attempt_at <= ? \
             AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = 1) \
             ORDER BY next_attempt_at, id LIMIT ?"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }

    /// The delivery log of one webhook, newest first, optionally of one status.
    pub async fn deliveries(
        &self,
        webhook_id: &str,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries \
             WHERE webhook_id = ?1 AND (?2 IS NULL OR status = ?2) \
             ORDER BY created_at DESC, id DESC LIMIT ?3"
        ))
        .bind(webhook_id)
        .bind(status)
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn delivery(&self, id: &str) -> Result<Option<DeliveryRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }

    /// How many deliveries of each status there are (pending, delivered, failed).
    pub async fn delivery_counts(&self, webhook_id: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT status, COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? GROUP BY status",
        )
        .bind(webhook_id)
        .fetch_all(&self.read)
        .await?)
    }
}
