//! Hand-over codes: written by the chatbot answer, opened by KCC agents,
//! deleted when expired. Telemetry-like: no change-log entry.

use super::{Store, WriteTx};
use crate::domain::HandoverRow;
use crate::error::Result;

impl WriteTx {
    /// Stores a new code; false when the code is taken (try another).
    pub async fn insert_handover(&mut self, h: &HandoverRow) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO handovers (code, question, item_id, item_version, channel, reason, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
        )
        .bind(&h.code)
        .bind(&h.question)
        .bind(&h.item_id)
        .bind(h.item_version)
        .bind(&h.channel)
        .bind(&h.reason)
        .bind(h.created_at)
        .bind(h.expires_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the codes that expired before `now`; returns how many.
    pub async fn delete_expired_handovers(&mut self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM handovers WHERE expires_at <= ?")
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    /// The code, if it exists and has not expired at `now`.
    pub async fn handover(&self, code: &str, now: i64) -> Result<Option<HandoverRow>> {
        Ok(sqlx::query_as(
            "SELECT code, question, item_id, item_version, channel, reason, created_at, expires_at \
             FROM handovers WHERE code = ? AND expires_at > ?",
        )
        .bind(code)
        .bind(now)
        .fetch_optional(&self.read)
        .await?)
    }
}
