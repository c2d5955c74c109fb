//! Trusted documents: registered GraphQL operations, by SHA-256. Which
//! callers they bind is decided in `hub/documents.rs` and `http/`.

use super::{Store, WriteTx};
use crate::error::Result;

/// One registered document.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub hash: String,
    pub body: String,
    pub name: Option<String>,
    pub added_at: i64,
    pub added_by: String,
}

impl WriteTx {
    /// Adds a document; false when its hash is already registered.
    pub async fn insert_document(&mut self, d: &DocumentRow) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO trusted_documents (hash, body, name, added_at, added_by) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&d.hash)
        .bind(&d.body)
        .bind(&d.name)
        .bind(d.added_at)
        .bind(&d.added_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a document; false when there was none with this hash.
    pub async fn delete_document(&mut self, hash: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM trusted_documents WHERE hash = ?")
            .bind(hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    pub async fn documents(&self) -> Result<Vec<DocumentRow>> {
        Ok(sqlx::query_as(
            "SELECT hash, body, name, added_at, added_by FROM trusted_documents ORDER BY added_at, hash",
        )
        .fetch_all(&self.read)
        .await?)
    }
}
