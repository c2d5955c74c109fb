//! Revising what is already there: revert (an older revision's content
//! becomes the newest revision) and delete (only when nothing refers to the
//! item). Like the writes in `write.rs`, each public method is one store
//! transaction with a change-log entry, and the hub advances its sequence
//! after the commit.
//!
//! This module must not write content directly: a revert goes through
//! `update_in`, so it obeys every rule an update does, and a delete removes
//! the item but never its revisions (they are append-only).

use serde_json::Value;

use super::{Hub, Patch, Role, Viewer, Written, now_ms};
use crate::error::{Error, Result};
use crate::store::{Change, Status};

impl Hub {
    /// Makes the content of revision `to_version` the newest revision.
    pub async fn revert(
        &self,
        viewer: &Viewer,
        id: &str,
        version: i64,
        to_version: i64,
        message: Option<String>,
    ) -> Result<Written> {
        viewer.require(Role::Editor, "reverting content")?;
        let mut tx = self.store.begin().await?;
        let row = self.locked(&mut tx, id, Some(version)).await?;
        let content = tx
            .revision_content(id, to_version)
            .await?
            .ok_or_else(|| Error::not_found(format!("revision {to_version} of item `{id}`")))?;
        let old: Value = serde_json::from_str(&content).map_err(|e| {
            Error::Internal(format!("revision {to_version} of {id} is unreadable: {e}"))
        })?;
        let ty = self.type_def(&row.type_name)?;
        let mut fields = old
            .get("fields")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        // Fields the model has since dropped cannot come back; clear the rest.
        fields.retain(|k, _| ty.field(k).is_some());
        for f in &ty.fields {
            fields.entry(f.name.clone()).or_insert(Value::Null);
        }
        let patch = Patch {
            slug: old.get("slug").and_then(Value::as_str).map(String::from),
            external_id: Some(
                old.get("external_id")
                    .and_then(Value::as_str)
                    .map(String::from),
            ),
            review_by: Some(
                old.get("review_by")
                    .and_then(Value::as_str)
                    .map(String::from),
            ),
            fields,
            message: Some(
                message.unwrap_or_else(|| format!("teruggezet naar versie {to_version}")),
            ),
        };
        self.commit_patch(tx, viewer, row, patch, "revert").await
    }

    /// Deletes an item that nothing refers to. Published items need a publisher.
    pub async fn delete(&self, viewer: &Viewer, id: &str, version: Option<i64>) -> Result<Deleted> {
        viewer.require(Role::Editor, "deleting content")?;
        let mut tx = self.store.begin().await?;
        let row = self.locked(&mut tx, id, version).await?;
        if row.status == Status::Published {
            viewer.require(Role::Publisher, "deleting published content")?;
        }
        let refs = tx.referrers(id, None, &[id]).await?;
        if let Some(r) = refs.first() {
            return Err(Error::StillReferenced(format!(
                "cannot delete {} `{}`: {} `{}` refers to it in field `{}`{}; remove those references first",
                row.type_name,
                row.slug,
                r.from_type,
                r.from_slug,
                r.field,
                if refs.len() > 1 {
                    format!(" (and {} more)", refs.len() - 1)
                } else {
                    String::new()
                }
            )));
        }
        if row.type_name == "fact" {
            let users = self.fact_users_in(&mut tx, &row, None, &[]).await?;
            if let Some(u) = users.first() {
                return Err(Error::StillReferenced(format!(
                    "cannot delete fact `{}`: {} `{}` shows it ({{{{fact:{}}}}}){}; remove it from those texts first",
                    row.slug,
                    u.type_name,
                    u.slug,
                    row.slug,
                    if users.len() > 1 {
                        format!(" (and {} more)", users.len() - 1)
                    } else {
                        String::new()
                    }
                )));
            }
        }
        tx.delete_item(id).await?;
        let seq = tx
            .append_change(&Change {
                at: now_ms(),
                actor: &viewer.name,
                action: "delete",
                item_id: Some(id),
                item_type: Some(&row.type_name),
                version: Some(row.version),
                detail: Some(&row.slug),
            })
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        Ok(Deleted {
            seq,
            type_name: row.type_name,
        })
    }
}

/// What a delete removed: enough for a client to drop the item from its cache.
#[derive(Debug, Clone)]
pub struct Deleted {
    /// The change-log sequence of the delete.
    pub seq: i64,
    /// The content type the item had (`product`).
    pub type_name: String,
}
