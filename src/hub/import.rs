//! Importing a batch of items in one transaction: all lines land or none.
//! Items are matched to existing ones (by slug, or by external id for
//! foreign sources), references given as slugs are resolved within the batch
//! and the store, and then the same create, update and publish functions as
//! the API run, so an import obeys every rule a mutation does.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::write::new_id;
use super::{Hub, NewItem, Patch, Role, Viewer};
use crate::error::{Error, Result};
use crate::model::FieldKind;
use crate::store::{ItemRow, Status, WriteTx};

/// How an imported record finds the item it updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBy {
    Slug,
    ExternalId,
}

/// One item to import; reference fields hold slugs (same locale).
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub file: String,
    pub line: usize,
    pub type_name: String,
    pub slug: String,
    pub locale: String,
    pub status: Status,
    pub external_id: Option<String>,
    pub review_by: Option<String>,
    pub fields: Map<String, Value>,
    pub match_by: MatchBy,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub seq: i64,
}

impl ImportRecord {
    fn fail(&self, e: impl std::fmt::Display) -> Error {
        Error::Import {
            file: self.file.clone(),
            line: self.line,
            message: e.to_string(),
        }
    }
}

type Key = (String, String, String);

impl Hub {
    pub async fn import(
        &self,
        viewer: &Viewer,
        records: Vec<ImportRecord>,
    ) -> Result<ImportReport> {
        viewer.require(Role::Publisher, "importing")?;
        let mut tx = self.store.begin().await?;
        let report = self.import_in(&mut tx, viewer, records).await?;
        tx.commit().await?;
        self.advance(report.seq);
        Ok(report)
    }

    async fn import_in(
        &self,
        tx: &mut WriteTx,
        viewer: &Viewer,
        records: Vec<ImportRecord>,
    ) -> Result<ImportReport> {
        // 1. Find what each record updates, and give new items their ids.
        let mut existing: Vec<Option<ItemRow>> = Vec::with_capacity(records.len());
        let mut ids: HashMap<Key, (String, Status)> = HashMap::new();
        for r in &records {
            self.type_def(&r.type_name).map_err(|e| r.fail(e))?;
            let row = match (r.match_by, &r.external_id) {
                (MatchBy::ExternalId, Some(ext)) => {
                    tx.item_by_external_id(&r.type_name, &r.locale, ext).await?
                }
                _ => tx.item_by_key(&r.type_name, &r.locale, &r.slug).await?,
            };
            let key = (r.type_name.clone(), r.locale.clone(), r.slug.clone());
            let id = row.as_ref().map(|x| x.id.clone()).unwrap_or_else(new_id);
            if ids.insert(key, (id, r.status)).is_some() {
                return Err(r.fail(format!(
                    "duplicate slug: another line of this import is also {} `{}` in locale {}",
                    r.type_name, r.slug, r.locale
                )));
            }
            existing.push(row);
        }
        let pending: HashMap<String, String> = ids
            .iter()
            .map(|((t, _, _), (id, _))| (id.clone(), t.clone()))
            .collect();

        // 2. Resolve reference slugs to ids; what goes live may only point at what is live.
        let mut resolved = Vec::with_capacity(records.len());
        for r in &records {
            let fields = self.resolve_refs(tx, r, &ids).await?;
            resolved.push(fields);
        }

        // 3. Write through the same functions the API uses.
        let mut report = ImportReport {
            seq: self.seq(),
            ..Default::default()
        };
        let mut publish = Vec::new();
        let mut offline: Vec<(String, Status)> = Vec::new();
        for ((r, row), fields) in records.iter().zip(existing).zip(resolved) {
            let id = match row {
                Some(row) => {
                    let id = row.id.clone();
                    let mut patch_fields = fields;
                    for f in &self.type_def(&r.type_name)?.fields {
                        patch_fields.entry(f.name.clone()).or_insert(Value::Null);
                    }
                    let patch = Patch {
                        slug: Some(r.slug.clone()),
                        external_id: Some(r.external_id.clone()),
                        review_by: Some(r.review_by.clone()),
                        fields: patch_fields,
                        message: Some("import".into()),
                    };
                    match self
                        .update_in(tx, viewer, row, patch, "import", &pending)
                        .await
                        .map_err(|e| r.fail(e))?
                    {
                        Some((_, seq)) => {
                            report.updated += 1;
                            report.seq = seq;
                        }
                        None => report.unchanged += 1,
                    }
                    id
                }
                None => {
                    let key = (r.type_name.clone(), r.locale.clone(), r.slug.clone());
                    let id = ids[&key].0.clone();
                    let new = NewItem {
                        id: Some(id.clone()),
                        type_name: r.type_name.clone(),
                        slug: Some(r.slug.clone()),
                        locale: Some(r.locale.clone()),
                        external_id: r.external_id.clone(),
                        review_by: r.review_by.clone(),
                        fields,
                        message: Some("import".into()),
                    };
                    let (_, seq) = self
                        .create_in(tx, viewer, new, &pending)
                        .await
                        .map_err(|e| r.fail(e))?;
                    report.created += 1;
                    report.seq = seq;
                    id
                }
            };
            match r.status {
                Status::Published => publish.push(id),
                other => offline.push((id, other)),
            }
        }
        if !publish.is_empty() {
            let (_, seq) = self
                .publish_in(tx, viewer, &publish, Some("import"))
                .await?;
            report.seq = report.seq.max(seq);
        }
        for target in [Status::Draft, Status::Archived] {
            let batch: Vec<String> = offline
                .iter()
                .filter(|(_, s)| *s == target)
                .map(|(id, _)| id.clone())
                .collect();
            if !batch.is_empty() {
                let (_, seq) = self.unpublish_in(tx, viewer, &batch, target).await?;
                report.seq = report.seq.max(seq);
            }
        }
        Ok(report)
    }

    /// Replaces the slugs in reference fields of `r` by ids.
    async fn resolve_refs(
        &self,
        tx: &mut WriteTx,
        r: &ImportRecord,
        batch: &HashMap<Key, (String, Status)>,
    ) -> Result<Map<String, Value>> {
        let ty = self.type_def(&r.type_name)?;
        let mut fields = r.fields.clone();
        for def in ty.fields.iter().filter(|f| f.kind == FieldKind::Reference) {
            let Some(value) = fields.get_mut(&def.name) else {
                continue;
            };
            let target = def.to.clone().unwrap_or_default();
            let slugs: Vec<(usize, &mut Value)> = match value {
                Value::Array(items) => items.iter_mut().enumerate().collect(),
                Value::Null => continue,
                v => vec![(0, v)],
            };
            for (i, v) in slugs {
                let path = if def.list {
                    format!("fields.{}[{i}]", def.name)
                } else {
                    format!("fields.{}", def.name)
                };
                let Some(slug) = v.as_str().map(String::from) else {
                    return Err(r.fail(format!("{path}: expected the slug of a {target}")));
                };
                let key = (target.clone(), r.locale.clone(), slug.clone());
                let (id, status) = match batch.get(&key) {
                    Some((id, status)) => (id.clone(), *status),
                    None => match tx.item_by_key(&target, &r.locale, &slug).await? {
                        Some(row) => (row.id, row.status),
                        None => {
                            return Err(r.fail(format!(
                                "{path}: no {target} with slug `{slug}` in locale {} (in this import or in the store)",
                                r.locale
                            )));
                        }
                    },
                };
                if r.status == Status::Published && status != Status::Published {
                    return Err(r.fail(format!(
                        "{path}: this item is published, but the {target} `{slug}` it refers to is {}; publish both or neither",
                        status.as_str()
                    )));
                }
                *v = Value::String(id);
            }
        }
        Ok(fields)
    }
}
