//! Backups: a consistent copy of the whole database made while the server
//! runs and writes (`VACUUM INTO` on a read connection: a snapshot at one
//! moment, which never waits for the writer nor makes it wait), and the
//! checks a copy must pass before it is restored.

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::Store;
use crate::error::{Error, Result};

/// What a backup file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// The last change-log sequence in it: the copy is the store as it was
    /// just after that change.
    pub seq: i64,
    pub items: i64,
    pub revisions: i64,
    pub bytes: u64,
}

impl Store {
    /// Writes a consistent copy of the database to `path`, which must not
    /// exist yet.
    pub async fn backup_to(&self, path: &Path) -> Result<()> {
        if path.exists() {
            return Err(Error::BadInput(format!(
                "{} exists already; a backup never overwrites a file, choose a new name",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| Error::BadInput(format!("{} is not a UTF-8 path", path.display())))?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.read)
            .await?;
        Ok(())
    }

    /// Opens `path` read-only and checks that it is a whole Bron database:
    /// SQLite's integrity check passes and it has Bron's tables.
    pub async fn inspect(path: &Path) -> Result<BackupInfo> {
        let bytes = std::fs::metadata(path)
            .map_err(|e| Error::BadInput(format!("cannot read {}: {e}", path.display())))?
            .len();
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(true)
            .connect()
            .await
            .map_err(|e| Error::BadInput(format!("{} is not a database: {e}", path.display())))?;
        let not_bron = |e: sqlx::Error| {
            Error::BadInput(format!("{} is not a Bron database: {e}", path.display()))
        };
        let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .map_err(not_bron)?;
        if check != "ok" {
            return Err(Error::BadInput(format!(
                "{} is damaged: {check}",
                path.display()
            )));
        }
        let (seq, items, revisions): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM change_log), \
                    (SELECT COUNT(*) FROM items), (SELECT COUNT(*) FROM revisions)",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(not_bron)?;
        let _ = conn.close().await;
        Ok(BackupInfo {
            seq,
            items,
            revisions,
            bytes,
        })
    }
}
