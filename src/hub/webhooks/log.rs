//! The delivery log: what an admin reads about a webhook's deliveries,
//! sending one again, and dropping old entries.

use crate::domain::DeliveryRow;
use crate::error::{Error, Result};
use crate::hub::{Hub, Role, Viewer, now_ms};

use super::DELIVERY_LOG_DAYS;

impl Hub {
    /// The delivery log of a webhook, newest first; `status` is pending,
    /// delivered or failed.
    pub async fn webhook_deliveries(
        &self,
        viewer: &Viewer,
        webhook_id: &str,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>> {
        viewer.require(Role::Admin, "reading webhook deliveries")?;
        if let Some(s) = status
            && !["pending", "delivered", "failed"].contains(&s)
        {
            return Err(Error::invalid(
                "status",
                format!("`{s}` is not pending, delivered or failed"),
            ));
        }
        self.store.deliveries(webhook_id, status, limit).await
    }

    /// How many deliveries of a webhook are pending, delivered and failed.
    pub async fn webhook_delivery_counts(
        &self,
        viewer: &Viewer,
        webhook_id: &str,
    ) -> Result<[i64; 3]> {
        viewer.require(Role::Admin, "reading webhook deliveries")?;
        let mut out = [0; 3];
        for (status, n) in self.store.delivery_counts(webhook_id).await? {
            match status.as_str() {
                "pending" => out[0] = n,
                "delivered" => out[1] = n,
                _ => out[2] += n,
            }
        }
        Ok(out)
    }

    /// Sends a delivery again (a failed one, or a delivered one the
    /// receiver lost), as soon as the sender next runs.
    pub async fn redeliver(&self, viewer: &Viewer, delivery_id: &str) -> Result<DeliveryRow> {
        viewer.require(Role::Admin, "managing webhooks")?;
        let mut tx = self.store.begin().await?;
        if !tx.requeue_delivery(delivery_id, now_ms()).await? {
            return Err(Error::not_found(format!("delivery `{delivery_id}`")));
        }
        tx.commit().await?;
        self.store
            .delivery(delivery_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("delivery `{delivery_id}`")))
    }

    /// Deletes delivered and failed deliveries older than the log keeps.
    pub async fn purge_deliveries(&self) -> Result<u64> {
        let before = now_ms() - DELIVERY_LOG_DAYS * 86_400_000;
        let mut tx = self.store.begin().await?;
        let n = tx.purge_deliveries(before).await?;
        tx.commit().await?;
        Ok(n)
    }
}
