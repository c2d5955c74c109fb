//! Login sessions of the editor UI: written by the hub at login, logout and
//! (at most once a minute) when a session is used; read on every admin
//! request. Not content: no change-log entry.

use super::{Store, WriteTx};
use crate::domain::SessionRow;
use crate::error::Result;

impl WriteTx {
    pub async fn insert_session(
        &mut self,
        key_hash: &str,
        user_id: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (key_hash, user_id, csrf, created_at, last_seen_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(key_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(now)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn touch_session(&mut self, key_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE key_hash = ?")
            .bind(now)
            .bind(key_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&mut self, key_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE key_hash = ?")
            .bind(key_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Deletes sessions that ended before `now` or were idle since
    /// `idle_since`; returns how many.
    pub async fn delete_stale_sessions(&mut self, now: i64, idle_since: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?")
            .bind(now)
            .bind(idle_since)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    /// The live session with this key and its enabled account: not past its
    /// end at `now`, used after `idle_since`.
    pub async fn session(
        &self,
        key_hash: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<SessionRow>> {
        Ok(sqlx::query_as(
            "SELECT s.key_hash, s.csrf, s.created_at AS session_created_at, s.last_seen_at, s.expires_at, \
                    u.id, u.name, u.display_name, u.role, u.team, u.password_hash, \
                    u.created_at, u.disabled_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.key_hash = ? AND s.expires_at > ? AND s.last_seen_at > ? \
               AND u.disabled_at IS NULL",
        )
        .bind(key_hash)
        .bind(now)
        .bind(idle_since)
        .fetch_optional(&self.read)
        .await?)
    }
}
