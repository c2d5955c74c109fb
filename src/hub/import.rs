//! Importing a batch of items in one transaction: all lines land or none.
//! Items are matched to existing ones (by slug, or by external id for
//! foreign sources), references given as slugs are resolved within the batch
//! and the store, and then the same create, update and publish functions as
//! the API run, so an import obeys every rule a mutation does.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::publish::make_live;
use super::rows::{Patched, revision_json};
use super::write::new_id;
use super::{Hub, NewItem, Patch, Role, Viewer, now_ms};
use crate::error::{Error, Result};
use crate::model::FieldKind;
use crate::store::{Change, Revision, Stage, Status, WriteTx};

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
        self.committed(report.seq).await;
        self.store.release_memory().await;
        Ok(report)
    }

    async fn import_in(
        &self,
        tx: &mut WriteTx,
        viewer: &Viewer,
        records: Vec<ImportRecord>,
    ) -> Result<ImportReport> {
        // 1. Find what each record updates (one query for all keys), and give
        //    new items their ids up front so the batch can refer to itself.
        let keys = tx.item_keys().await?;
        let by_slug: HashMap<Key, (String, Status)> = keys
            .iter()
            .map(|k| {
                let status = k.status.parse().unwrap_or(Status::Draft);
                (
                    (k.type_name.clone(), k.locale.clone(), k.slug.clone()),
                    (k.id.clone(), status),
                )
            })
            .collect();
        let by_external: HashMap<Key, String> = keys
            .iter()
            .filter_map(|k| {
                let e = k.external_id.clone()?;
                Some(((k.type_name.clone(), k.locale.clone(), e), k.id.clone()))
            })
            .collect();
        drop(keys);
        let mut existing: Vec<Option<String>> = Vec::with_capacity(records.len());
        let mut batch: HashMap<Key, (String, Status)> = HashMap::new();
        for r in &records {
            self.type_def(&r.type_name).map_err(|e| r.fail(e))?;
            let key = (r.type_name.clone(), r.locale.clone(), r.slug.clone());
            let found = match (r.match_by, &r.external_id) {
                (MatchBy::ExternalId, Some(ext)) => by_external
                    .get(&(r.type_name.clone(), r.locale.clone(), ext.clone()))
                    .cloned(),
                _ => by_slug.get(&key).map(|(id, _)| id.clone()),
            };
            let id = found.clone().unwrap_or_else(new_id);
            if batch.insert(key, (id, r.status)).is_some() {
                return Err(r.fail(format!(
                    "duplicate slug: another line of this import is also {} `{}` in locale {}",
                    r.type_name, r.slug, r.locale
                )));
            }
            existing.push(found);
        }

        // 2. Resolve reference slugs to ids; what goes live may only point at what is live.
        let mut resolved = Vec::with_capacity(records.len());
        for r in &records {
            resolved.push(self.resolve_refs(r, &batch, &by_slug)?);
        }

        // 3. Every record becomes a row in memory: new items checked by the
        //    same function as `create`, existing ones patched by the same
        //    function as `update`; what goes live is made live as `publish`
        //    does. References were resolved above to items of the right type
        //    and, for what goes live, to items that are or go live. Then all
        //    rows, revisions, edges and change-log entries are written a few
        //    hundred rows per statement, so updating is as fast as inserting.
        let now = now_ms();
        let mut report = ImportReport {
            seq: self.seq(),
            ..Default::default()
        };
        let found_ids: Vec<String> = existing.iter().flatten().cloned().collect();
        let mut current: HashMap<String, crate::store::ItemRow> = tx
            .items_by_ids(&found_ids)
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let mut rows = Vec::new();
        let mut revised = Vec::new();
        let mut replaced = Vec::new();
        let mut edges = Vec::new();
        let mut actions: Vec<(usize, &'static str)> = Vec::new();
        let mut offline: Vec<(String, Status)> = Vec::new();
        for ((r, found), fields) in records.iter().zip(existing).zip(resolved) {
            let ty = self.type_def(&r.type_name)?;
            // What the record changes: the content, its references (edges
            // are rewritten only then), and whether it was live and in step
            // with its latest content before (then its live edges are the
            // latest ones, and stay when the references do).
            let (mut row, content, is_new, changed_content, refs_changed, was_in_step) = match found
            {
                Some(id) => {
                    let row = current
                        .remove(&id)
                        .ok_or_else(|| Error::not_found(format!("item `{id}`")))?;
                    let was_in_step = row.status == Status::Published
                        && row.published_version == Some(row.version);
                    let mut patch_fields = fields;
                    for f in &ty.fields {
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
                        .apply_patch(row.clone(), patch)
                        .map_err(|e| r.fail(e))?
                    {
                        Some(Patched {
                            row: mut changed,
                            fields,
                            refs_changed,
                            ..
                        }) => {
                            changed.version += 1;
                            changed.updated_at = now;
                            report.updated += 1;
                            (changed, fields, false, true, refs_changed, was_in_step)
                        }
                        None => {
                            report.unchanged += 1;
                            let fields = super::item::parse_fields(&row.fields, &row.id)?;
                            (row, fields, false, false, false, was_in_step)
                        }
                    }
                }
                None => {
                    let id = batch[&(r.type_name.clone(), r.locale.clone(), r.slug.clone())]
                        .0
                        .clone();
                    let new = NewItem {
                        id: Some(id),
                        type_name: r.type_name.clone(),
                        slug: Some(r.slug.clone()),
                        locale: Some(r.locale.clone()),
                        external_id: r.external_id.clone(),
                        review_by: r.review_by.clone(),
                        fields,
                        message: None,
                    };
                    let (row, fields) = self.new_row(new, now).map_err(|e| r.fail(e))?;
                    report.created += 1;
                    (row, fields, true, true, true, false)
                }
            };
            let index = rows.len();
            let goes_live = r.status == Status::Published
                && !(row.status == Status::Published && row.published_version == Some(row.version));
            if changed_content {
                revised.push(index);
                if refs_changed {
                    if !is_new {
                        replaced.push((row.id.clone(), Stage::Latest));
                    }
                    for e in super::item::edges(ty, &content) {
                        edges.push((row.id.clone(), Stage::Latest, e));
                    }
                }
                // A change that goes live at once has one entry, `publish`,
                // naming the new version.
                if !goes_live {
                    actions.push((index, if is_new { "create" } else { "import" }));
                }
            }
            match r.status {
                Status::Published if goes_live => {
                    make_live(&mut row, now);
                    if refs_changed || !was_in_step {
                        if !is_new {
                            replaced.push((row.id.clone(), Stage::Published));
                        }
                        for e in super::item::edges(ty, &content) {
                            edges.push((row.id.clone(), Stage::Published, e));
                        }
                    }
                    actions.push((index, "publish"));
                }
                Status::Published => {}
                Status::Archived if is_new => row.status = Status::Archived,
                Status::Draft if is_new => {}
                other => offline.push((row.id.clone(), other)),
            }
            if changed_content || actions.last().is_some_and(|(i, _)| *i == index) {
                rows.push(row);
            }
        }
        if !rows.is_empty() {
            let revisions: Vec<Revision> = revised
                .iter()
                .map(|&i| {
                    let row = &rows[i];
                    Revision {
                        item_id: &row.id,
                        version: row.version,
                        author: &viewer.name,
                        at: now,
                        message: "import",
                        content: revision_json(row),
                    }
                })
                .collect();
            let changes: Vec<Change> = actions
                .iter()
                .map(|&(i, action)| {
                    let row = &rows[i];
                    Change {
                        at: now,
                        actor: &viewer.name,
                        action,
                        item_id: Some(&row.id),
                        item_type: Some(&row.type_name),
                        version: Some(row.version),
                        detail: Some("import"),
                    }
                })
                .collect();
            let seq = tx
                .write_many(&rows, &revisions, &replaced, &edges, &changes)
                .await?;
            report.seq = report.seq.max(seq);
        }
        for target in [Status::Draft, Status::Archived] {
            let ids: Vec<String> = offline
                .iter()
                .filter(|(_, s)| *s == target)
                .map(|(id, _)| id.clone())
                .collect();
            if !ids.is_empty() {
                let (_, seq) = self.unpublish_in(tx, viewer, &ids, target).await?;
                report.seq = report.seq.max(seq);
            }
        }
        Ok(report)
    }

    /// Replaces the slugs in reference fields of `r` by ids.
    fn resolve_refs(
        &self,
        r: &ImportRecord,
        batch: &HashMap<Key, (String, Status)>,
        store: &HashMap<Key, (String, Status)>,
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
                let (id, status) = match batch.get(&key).or_else(|| store.get(&key)) {
                    Some((id, status)) => (id.clone(), *status),
                    None => {
                        return Err(r.fail(format!(
                                "{path}: no {target} with slug `{slug}` in locale {} (in this import or in the store)",
                                r.locale
                            )));
                    }
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
        // Facts named in text must exist, and be live for what goes live.
        for (path, slug) in super::item::fact_mentions(ty, &fields) {
            let key = ("fact".to_string(), r.locale.clone(), slug.clone());
            match batch.get(&key).or_else(|| store.get(&key)) {
                None => {
                    return Err(r.fail(format!(
                        "{path}: {{{{fact:{slug}}}}} names no fact in locale {} (in this import or in the store)",
                        r.locale
                    )));
                }
                Some((_, status))
                    if r.status == Status::Published && *status != Status::Published =>
                {
                    return Err(r.fail(format!(
                        "{path}: this item is published, but the fact `{slug}` it shows is {}; publish both or neither",
                        status.as_str()
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(fields)
    }
}
