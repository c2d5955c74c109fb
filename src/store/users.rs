//! Accounts for the editor UI: written by the hub, read to log in.

use super::{Store, WriteTx};
use crate::domain::UserRow;
use crate::error::{Error, Result};

const COLUMNS: &str = "id, name, display_name, role, team, password_hash, created_at, disabled_at";

impl WriteTx {
    pub async fn insert_user(&mut self, u: &UserRow) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO users ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&u.id)
        .bind(&u.name)
        .bind(&u.display_name)
        .bind(&u.role)
        .bind(&u.team)
        .bind(&u.password_hash)
        .bind(u.created_at)
        .bind(u.disabled_at)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.message().contains("users.name") => {
                Error::BadInput(format!(
                    "a user named `{}` already exists; choose another name",
                    u.name
                ))
            }
            _ => Error::from(e),
        })?;
        Ok(())
    }
}

impl WriteTx {
    /// Disables (with a time) or enables (None) the account `name`; false
    /// when there is no such account. A disabled account's sessions stop
    /// working at once (they are looked up with their account).
    pub async fn set_user_disabled(&mut self, name: &str, at: Option<i64>) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET disabled_at = ? WHERE name = ?")
            .bind(at)
            .bind(name)
            .execute(&mut *self.tx)
            .await?;
        if at.is_some() {
            sqlx::query(
                "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)",
            )
            .bind(name)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(done.rows_affected() == 1)
    }
}

impl WriteTx {
    /// Replaces the password hash of `name`; false when there is no such account.
    pub async fn set_password_hash(&mut self, name: &str, hash: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE name = ?")
            .bind(hash)
            .bind(name)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE name = ?"))
                .bind(name)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM users ORDER BY name"))
                .fetch_all(&self.read)
                .await?,
        )
    }
}
