//! Trusted documents: GraphQL operations an operator registered (`bron
//! documents add`), known by the SHA-256 of their text. Any caller may run
//! one by its hash alone; with `bron serve --trusted-documents`, callers
//! without a token may run nothing else (see `http/persisted.rs`). The hub
//! keeps them as opaque text: the command line checks that they parse.
//!
//! They are read on every anonymous request in that mode, so they are held
//! in memory, loaded once and dropped when the change log says documents
//! were added or removed (by this process or another).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use super::{Hub, Role, Viewer, now_ms};
use crate::error::{Error, Result};
use crate::store::{Change, DocumentRow};

/// The registered documents by hash.
pub type DocumentMap = Arc<HashMap<String, Arc<str>>>;

#[derive(Default)]
pub(super) struct DocumentCache(RwLock<Option<DocumentMap>>);

impl DocumentCache {
    pub(super) fn clear(&self) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The hex SHA-256 of a document's text: its id.
pub fn document_hash(body: &str) -> String {
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A document to register, with the id the client will send, if the file
/// gave one.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub id: Option<String>,
    pub name: Option<String>,
    pub body: String,
}

/// What a registration did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DocumentsAdded {
    pub added: usize,
    pub known: usize,
}

impl Hub {
    /// Registers documents, all or none. An id given with a document must
    /// be the SHA-256 of its text (the id clients send).
    pub async fn add_documents(
        &self,
        viewer: &Viewer,
        docs: Vec<NewDocument>,
    ) -> Result<DocumentsAdded> {
        viewer.require(Role::Admin, "registering trusted documents")?;
        let now = now_ms();
        let mut rows = Vec::with_capacity(docs.len());
        for d in docs {
            let hash = document_hash(&d.body);
            if let Some(id) = &d.id {
                let id = id
                    .strip_prefix("sha256:")
                    .unwrap_or(id)
                    .to_ascii_lowercase();
                if id != hash {
                    return Err(Error::BadInput(format!(
                        "document `{}` has id {id}, which is not the SHA-256 of its text ({hash}); Bron knows documents by SHA-256 (for relay-compiler, set persistConfig's algorithm to SHA256); nothing was registered",
                        d.name.as_deref().unwrap_or("(unnamed)")
                    )));
                }
            }
            rows.push(DocumentRow {
                hash,
                body: d.body,
                name: d.name,
                added_at: now,
                added_by: viewer.name.clone(),
            });
        }
        let mut report = DocumentsAdded::default();
        let mut tx = self.store.begin().await?;
        for row in &rows {
            if tx.insert_document(row).await? {
                report.added += 1;
            } else {
                report.known += 1;
            }
        }
        if report.added == 0 {
            return Ok(report);
        }
        let seq = tx
            .append_change(&Change {
                at: now,
                actor: &viewer.name,
                action: "documents_add",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(&format!("{} documents", report.added)),
            })
            .await?;
        tx.commit().await?;
        self.documents.clear();
        self.committed(seq).await;
        Ok(report)
    }

    pub async fn remove_document(&self, viewer: &Viewer, hash: &str) -> Result<()> {
        viewer.require(Role::Admin, "removing trusted documents")?;
        let hash = hash
            .strip_prefix("sha256:")
            .unwrap_or(hash)
            .to_ascii_lowercase();
        let mut tx = self.store.begin().await?;
        if !tx.delete_document(&hash).await? {
            return Err(Error::not_found(format!("trusted document {hash}")));
        }
        let seq = tx
            .append_change(&Change {
                at: now_ms(),
                actor: &viewer.name,
                action: "documents_remove",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(&hash),
            })
            .await?;
        tx.commit().await?;
        self.documents.clear();
        self.committed(seq).await;
        Ok(())
    }

    /// Every registered document, oldest first. Admins only.
    pub async fn documents(&self, viewer: &Viewer) -> Result<Vec<DocumentRow>> {
        viewer.require(Role::Admin, "listing trusted documents")?;
        self.store.documents().await
    }

    /// The registered documents by hash (for any caller: running one is
    /// what they are for).
    pub async fn trusted_documents(&self) -> Result<DocumentMap> {
        if let Some(map) = self
            .documents
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Ok(map);
        }
        let map: DocumentMap = Arc::new(
            self.store
                .documents()
                .await?
                .into_iter()
                .map(|d| (d.hash, Arc::from(d.body)))
                .collect(),
        );
        *self.documents.0.write().unwrap_or_else(|e| e.into_inner()) = Some(map.clone());
        Ok(map)
    }
}
