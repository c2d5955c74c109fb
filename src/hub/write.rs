//! Content writes: create and update (with optimistic concurrency); revert
//! and delete are in `revise.rs`. Each public method is one store transaction
//! that writes the item, its revision, its reference edges and a change-log
//! entry. The `*_in` functions do the work inside a caller's transaction, so
//! import shares exactly the same rules.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::item::edges;
use super::rows::{Patched, revision_json};
use super::{Hub, ItemView, Role, Viewer, now_ms};
use crate::error::{Error, FieldError, Result};
use crate::model::TypeDef;
use crate::store::{Change, ItemRow, Stage, WriteTx};

pub const DEFAULT_LOCALE: &str = "nl";

/// A fresh item id: a UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A new item as a caller describes it. References hold item ids.
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    /// Assigned by Bron when absent (import assigns ids up front so items
    /// in one batch can refer to each other).
    pub id: Option<String>,
    pub type_name: String,
    /// Derived from the title when absent.
    pub slug: Option<String>,
    pub locale: Option<String>,
    pub external_id: Option<String>,
    pub review_by: Option<String>,
    pub fields: Map<String, Value>,
    pub message: Option<String>,
}

/// A change to an item. Absent means unchanged; for `fields`, a key with
/// `null` clears that field.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub slug: Option<String>,
    pub external_id: Option<Option<String>>,
    pub review_by: Option<Option<String>>,
    pub fields: Map<String, Value>,
    pub message: Option<String>,
}

/// The result of a write: the item as the writer now sees it, and the
/// change-log sequence the write produced.
#[derive(Debug, Clone)]
pub struct Written {
    pub item: Arc<ItemView>,
    pub seq: i64,
}

/// Writes the revision, the latest reference edges and the change-log entry
/// for the content `row` now has; returns the new sequence number.
async fn record_revision(
    tx: &mut WriteTx,
    viewer: &Viewer,
    row: &ItemRow,
    ty: &TypeDef,
    fields: &Map<String, Value>,
    message: &str,
    action: &str,
) -> Result<i64> {
    tx.insert_revision(
        &row.id,
        row.version,
        &viewer.name,
        row.updated_at,
        message,
        &revision_json(row),
    )
    .await?;
    tx.set_refs(&row.id, Stage::Latest, &edges(ty, fields))
        .await?;
    tx.append_change(&Change {
        at: row.updated_at,
        actor: &viewer.name,
        action,
        item_id: Some(&row.id),
        item_type: Some(&row.type_name),
        version: Some(row.version),
        detail: Some(message).filter(|m| !m.is_empty()),
    })
    .await
}

impl Hub {
    pub(crate) fn type_def(&self, type_name: &str) -> Result<&TypeDef> {
        self.model.get(type_name).ok_or_else(|| {
            let known: Vec<_> = self.model.types.keys().map(String::as_str).collect();
            Error::BadInput(format!(
                "unknown type `{type_name}`; known types: {}",
                known.join(", ")
            ))
        })
    }

    pub(crate) fn written(&self, row: &ItemRow, viewer: &Viewer, seq: i64) -> Result<Written> {
        let ty = self.type_def(&row.type_name)?;
        // A writer sees what it wrote, whatever the stage its role reads.
        let role = viewer.role.max(Role::Editor);
        let item = ItemView::from_row(row, ty, role)?
            .ok_or_else(|| Error::Internal("written item is not visible".into()))?;
        Ok(Written {
            item: Arc::new(item),
            seq,
        })
    }

    /// Every reference in `fields` must name an existing item of the right type.
    pub(crate) async fn check_refs_in(
        &self,
        tx: &mut WriteTx,
        ty: &TypeDef,
        fields: &Map<String, Value>,
        pending: &HashMap<String, String>,
    ) -> Result<()> {
        let all = super::item::edges(ty, fields);
        if all.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = all.iter().map(|(_, _, id)| id.as_str()).collect();
        let mut found: HashMap<String, String> = tx
            .item_kinds(&ids)
            .await?
            .into_iter()
            .map(|(id, t, _)| (id, t))
            .collect();
        found.extend(pending.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut errors = Vec::new();
        for (field, pos, id) in &all {
            let def = ty.field(field).expect("edge of a declared field");
            let want = def.to.as_deref().unwrap_or_default();
            let path = if def.list {
                format!("fields.{field}[{pos}]")
            } else {
                format!("fields.{field}")
            };
            match found.get(id) {
                None => errors.push(
                    FieldError::new(path, format!("no item with id `{id}`"))
                        .nl("Dit item bestaat niet (meer); kies een ander."),
                ),
                Some(t) if t != want => errors.push(
                    FieldError::new(
                        path,
                        format!("`{id}` is a {t}, but this field refers to a {want}"),
                    )
                    .nl("Dit item is van een ander soort dan dit veld vraagt."),
                ),
                Some(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    /// Every `{{fact:slug}}` in `fields` must name a fact of `locale`.
    pub(crate) async fn check_facts_in(
        &self,
        tx: &mut WriteTx,
        ty: &TypeDef,
        locale: &str,
        fields: &Map<String, Value>,
    ) -> Result<()> {
        let mentions = super::item::fact_mentions(ty, fields);
        if mentions.is_empty() {
            return Ok(());
        }
        let slugs: Vec<&str> = mentions.iter().map(|(_, s)| s.as_str()).collect();
        let known: HashMap<String, String> = tx
            .fact_statuses(locale, &slugs)
            .await?
            .into_iter()
            .collect();
        let errors: Vec<FieldError> = mentions
            .iter()
            .filter(|(_, slug)| !known.contains_key(slug))
            .map(|(path, slug)| {
                FieldError::new(
                    path.clone(),
                    format!("{{{{fact:{slug}}}}} names no fact in locale {locale}; create the fact first, or correct the slug"),
                )
                .nl(format!("Het feit '{slug}' bestaat niet. Maak het eerst aan bij Feiten, of verbeter de naam."))
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    /// The items whose content at `stage` (either stage when None) shows
    /// the fact `fact` (a fact row), other than those in `except`.
    pub(crate) async fn fact_users_in(
        &self,
        tx: &mut WriteTx,
        fact: &ItemRow,
        stage: Option<crate::domain::Stage>,
        except: &[&str],
    ) -> Result<Vec<ItemRow>> {
        use crate::domain::Stage;
        let mut out = Vec::new();
        for row in tx.fact_mention_candidates(&fact.locale, &fact.slug).await? {
            if except.contains(&row.id.as_str()) {
                continue;
            }
            let Some(ty) = self.model.get(&row.type_name) else {
                continue;
            };
            let stages: &[Stage] = match stage {
                Some(Stage::Latest) => &[Stage::Latest],
                Some(Stage::Published) => &[Stage::Published],
                None => &[Stage::Latest, Stage::Published],
            };
            let shows = stages.iter().any(|s| {
                row.content(*s)
                    .and_then(|c| super::item::parse_fields(c, &row.id).ok())
                    .is_some_and(|f| {
                        super::item::fact_mentions(ty, &f)
                            .iter()
                            .any(|(_, slug)| *slug == fact.slug)
                    })
            });
            if shows {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Inserts a new item with its first revision. `pending` maps ids created
    /// earlier in the same transaction to their types.
    pub(crate) async fn create_in(
        &self,
        tx: &mut WriteTx,
        viewer: &Viewer,
        new: NewItem,
        pending: &HashMap<String, String>,
    ) -> Result<(ItemRow, i64)> {
        let message = new.message.clone().unwrap_or_default();
        let now = now_ms();
        let (row, fields) = self.new_row(new, now)?;
        let ty = self.type_def(&row.type_name)?;
        self.check_refs_in(tx, ty, &fields, pending).await?;
        self.check_facts_in(tx, ty, &row.locale, &fields).await?;
        tx.insert_item(&row).await?;
        let seq = record_revision(tx, viewer, &row, ty, &fields, &message, "create").await?;
        Ok((row, seq))
    }

    /// Applies `patch` to `row` as a new revision; returns None when nothing changed.
    pub(crate) async fn update_in(
        &self,
        tx: &mut WriteTx,
        viewer: &Viewer,
        row: ItemRow,
        patch: Patch,
        action: &str,
        pending: &HashMap<String, String>,
    ) -> Result<Option<(ItemRow, i64)>> {
        let ty = self.type_def(&row.type_name)?;
        let message = patch.message.clone().unwrap_or_default();
        let Some(Patched {
            mut row,
            fields,
            content_changed,
            ..
        }) = self.apply_patch(row, patch)?
        else {
            return Ok(None);
        };
        if content_changed {
            self.check_refs_in(tx, ty, &fields, pending).await?;
            self.check_facts_in(tx, ty, &row.locale, &fields).await?;
        }
        row.version += 1;
        row.updated_at = now_ms();
        tx.update_item(&row).await?;
        let seq = record_revision(tx, viewer, &row, ty, &fields, &message, action).await?;
        Ok(Some((row, seq)))
    }

    pub async fn create(&self, viewer: &Viewer, new: NewItem) -> Result<Written> {
        viewer.require(Role::Editor, "creating content")?;
        let mut tx = self.store.begin().await?;
        let (row, seq) = self
            .create_in(&mut tx, viewer, new, &HashMap::new())
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        self.written(&row, viewer, seq)
    }

    pub(super) async fn locked(
        &self,
        tx: &mut WriteTx,
        id: &str,
        expected: Option<i64>,
    ) -> Result<ItemRow> {
        let row = tx
            .item(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("item `{id}`")))?;
        if let Some(v) = expected
            && v != row.version
        {
            return Err(Error::VersionConflict {
                expected: v,
                actual: row.version,
            });
        }
        Ok(row)
    }

    /// Applies `patch` to `row` in `tx` and commits; a patch that changes
    /// nothing writes nothing and returns the item as it is.
    pub(super) async fn commit_patch(
        &self,
        mut tx: WriteTx,
        viewer: &Viewer,
        row: ItemRow,
        patch: Patch,
        action: &str,
    ) -> Result<Written> {
        match self
            .update_in(&mut tx, viewer, row.clone(), patch, action, &HashMap::new())
            .await?
        {
            Some((row, seq)) => {
                tx.commit().await?;
                self.committed(seq).await;
                self.written(&row, viewer, seq)
            }
            None => self.written(&row, viewer, self.seq()),
        }
    }

    /// Updates an item; `version` is the version the caller edited.
    pub async fn update(
        &self,
        viewer: &Viewer,
        type_name: Option<&str>,
        id: &str,
        version: i64,
        patch: Patch,
    ) -> Result<Written> {
        viewer.require(Role::Editor, "editing content")?;
        let mut tx = self.store.begin().await?;
        let row = self.locked(&mut tx, id, Some(version)).await?;
        if let Some(t) = type_name
            && t != row.type_name
        {
            return Err(Error::not_found(format!("{t} `{id}`")));
        }
        self.commit_patch(tx, viewer, row, patch, "update").await
    }
}
