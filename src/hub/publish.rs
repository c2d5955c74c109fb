//! The publishing workflow: publish, unpublish, archive, schedule, the
//! scheduler's tick, and setting a fact. A publish is one function here, so
//! GraphQL, import, the CLI and the scheduler cannot disagree about it.
//!
//! Architecture invariant: nothing published points at something missing or
//! unpublished. Publishing checks the references of what goes live; unpublish
//! and archive check that no published item still points at what goes offline.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::item::edges;
use super::{Hub, Role, Viewer, Written, now_ms};
use crate::error::{Error, Result};
use crate::store::{Change, ItemRow, Stage, Status, WriteTx};

/// Makes the latest content of `row` its live content.
pub(crate) fn make_live(row: &mut ItemRow, now: i64) {
    row.status = Status::Published;
    row.published_fields = Some(row.fields.clone());
    row.published_version = Some(row.version);
    row.published_slug = Some(row.slug.clone());
    row.published_external_id = row.external_id.clone();
    row.published_review_by = row.review_by.clone();
    row.published_at = Some(now);
    row.updated_at = now;
    row.publish_at = None;
    row.schedule_error = None;
}

/// The field that names the team owning an item (a convention across types,
/// like the channel options; see ARCHITECTURE.md).
pub const OWNER_FIELD: &str = "owner_team";

/// Publishing rights are scoped to the owning team: a user with a team may
/// publish, unpublish, archive or schedule only items their team owns (in
/// the latest or the live content) or that name no owner. Admins, and
/// callers without a team (API tokens, the CLI, import, the scheduler), are
/// not scoped.
pub(crate) fn check_team(viewer: &Viewer, row: &ItemRow, verb: &str) -> Result<()> {
    let Some(team) = viewer.team.as_deref() else {
        return Ok(());
    };
    if viewer.role >= Role::Admin {
        return Ok(());
    }
    let owner = |text: Option<&str>| -> Option<String> {
        let v: Value = serde_json::from_str(text?).ok()?;
        Some(v.get(OWNER_FIELD)?.as_str()?.trim().to_string()).filter(|o| !o.is_empty())
    };
    let owners: Vec<String> = [
        owner(Some(&row.fields)),
        owner(row.published_fields.as_deref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if owners.is_empty() || owners.iter().any(|o| o.eq_ignore_ascii_case(team)) {
        return Ok(());
    }
    Err(Error::Forbidden(format!(
        "{} `{}` belongs to team {}, and {verb} it is up to that team (you are in team {team}); ask one of its publishers or an admin",
        row.type_name, row.slug, owners[0]
    )))
}

impl Hub {
    async fn rows_in(&self, tx: &mut WriteTx, ids: &[String]) -> Result<Vec<ItemRow>> {
        if ids.is_empty() {
            return Err(Error::BadInput("pass at least one item id".into()));
        }
        let mut rows = Vec::with_capacity(ids.len());
        let mut seen = HashSet::new();
        for id in ids {
            if !seen.insert(id.as_str()) {
                continue;
            }
            let row = tx
                .item(id)
                .await?
                .ok_or_else(|| Error::not_found(format!("item `{id}`")))?;
            rows.push(row);
        }
        Ok(rows)
    }

    /// Publishes the latest content of `ids` together. References may point
    /// at items already published or at items in the same batch.
    pub(crate) async fn publish_in(
        &self,
        tx: &mut WriteTx,
        viewer: &Viewer,
        ids: &[String],
        message: Option<&str>,
    ) -> Result<(Vec<ItemRow>, i64)> {
        let rows = self.rows_in(tx, ids).await?;
        for row in &rows {
            check_team(viewer, row, "publishing")?;
        }
        let batch: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let facts_in_call: HashSet<(&str, &str)> = rows
            .iter()
            .filter(|r| r.type_name == "fact")
            .map(|r| (r.locale.as_str(), r.slug.as_str()))
            .collect();
        for row in &rows {
            let ty = self.type_def(&row.type_name)?;
            let fields = super::item::parse_fields(&row.fields, &row.id)?;
            // What goes live shows facts: they must be live too.
            let mentions = super::item::fact_mentions(ty, &fields);
            if !mentions.is_empty() {
                let slugs: Vec<&str> = mentions.iter().map(|(_, s)| s.as_str()).collect();
                let status: HashMap<String, String> = tx
                    .fact_statuses(&row.locale, &slugs)
                    .await?
                    .into_iter()
                    .collect();
                for (path, slug) in &mentions {
                    let st = status.get(slug).map(String::as_str).unwrap_or("missing");
                    if st != "published"
                        && !facts_in_call.contains(&(row.locale.as_str(), slug.as_str()))
                    {
                        return Err(Error::ReferenceNotPublished(format!(
                            "cannot publish {} `{}`: {path} shows {{{{fact:{slug}}}}}, which is {st}; publish the fact first or in the same call",
                            row.type_name, row.slug
                        )));
                    }
                }
            }
            let all = edges(ty, &fields);
            let targets: Vec<&str> = all
                .iter()
                .map(|(_, _, id)| id.as_str())
                .filter(|id| !batch.contains(id))
                .collect();
            if targets.is_empty() {
                continue;
            }
            let kinds: HashMap<String, String> = tx
                .item_kinds(&targets)
                .await?
                .into_iter()
                .map(|(id, _, status)| (id, status))
                .collect();
            for (field, pos, id) in &all {
                if batch.contains(id.as_str()) {
                    continue;
                }
                let status = kinds.get(id).map(String::as_str).unwrap_or("missing");
                if status != "published" {
                    let target = tx.item(id).await?;
                    let what = target
                        .map(|t| format!("{} `{}`", t.type_name, t.slug))
                        .unwrap_or_else(|| format!("item `{id}`"));
                    return Err(Error::ReferenceNotPublished(format!(
                        "cannot publish {} `{}`: fields.{field}[{pos}] refers to {what}, which is {status}; publish it first or in the same call",
                        row.type_name, row.slug
                    )));
                }
            }
        }
        let now = now_ms();
        let mut seq = self.seq();
        let mut out = Vec::with_capacity(rows.len());
        for mut row in rows {
            if row.status == Status::Published && row.published_version == Some(row.version) {
                out.push(row);
                continue;
            }
            let ty = self.type_def(&row.type_name)?;
            let fields = super::item::parse_fields(&row.fields, &row.id)?;
            make_live(&mut row, now);
            tx.update_item(&row).await?;
            tx.set_refs(&row.id, Stage::Published, &edges(ty, &fields))
                .await?;
            seq = tx
                .append_change(&Change {
                    at: now,
                    actor: &viewer.name,
                    action: "publish",
                    item_id: Some(&row.id),
                    item_type: Some(&row.type_name),
                    version: Some(row.version),
                    detail: message,
                })
                .await?;
            out.push(row);
        }
        Ok((out, seq))
    }

    /// Takes `ids` offline, to `target` (draft or archived).
    pub(crate) async fn unpublish_in(
        &self,
        tx: &mut WriteTx,
        viewer: &Viewer,
        ids: &[String],
        target: Status,
    ) -> Result<(Vec<ItemRow>, i64)> {
        let rows = self.rows_in(tx, ids).await?;
        for row in &rows {
            check_team(viewer, row, "taking offline")?;
        }
        let batch: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        for row in &rows {
            if row.status != Status::Published {
                continue;
            }
            let refs = tx
                .referrers(&row.id, Some(Stage::Published), &batch)
                .await?;
            if let Some(r) = refs.first() {
                return Err(Error::StillReferenced(format!(
                    "cannot take {} `{}` offline: the published {} `{}` refers to it in field `{}`; remove that reference and publish it, or take it offline in the same call",
                    row.type_name, row.slug, r.from_type, r.from_slug, r.field
                )));
            }
            if row.type_name == "fact" {
                let users = self
                    .fact_users_in(tx, row, Some(Stage::Published), &batch)
                    .await?;
                if let Some(u) = users.first() {
                    return Err(Error::StillReferenced(format!(
                        "cannot take fact `{}` offline: the published {} `{}` shows it; remove it from that text and publish it, or take it offline in the same call",
                        row.slug, u.type_name, u.slug
                    )));
                }
            }
        }
        let action = if target == Status::Archived {
            "archive"
        } else {
            "unpublish"
        };
        let now = now_ms();
        let mut seq = self.seq();
        let mut out = Vec::with_capacity(rows.len());
        for mut row in rows {
            if row.status == target {
                out.push(row);
                continue;
            }
            row.status = target;
            row.published_fields = None;
            row.published_version = None;
            row.published_slug = None;
            row.published_external_id = None;
            row.published_review_by = None;
            row.unpublish_at = None;
            row.updated_at = now;
            if target == Status::Archived {
                row.publish_at = None;
            }
            tx.update_item(&row).await?;
            tx.set_refs(&row.id, Stage::Published, &[]).await?;
            seq = tx
                .append_change(&Change {
                    at: now,
                    actor: &viewer.name,
                    action,
                    item_id: Some(&row.id),
                    item_type: Some(&row.type_name),
                    version: Some(row.version),
                    detail: None,
                })
                .await?;
            out.push(row);
        }
        Ok((out, seq))
    }

    fn written_all(&self, rows: &[ItemRow], viewer: &Viewer, seq: i64) -> Result<Vec<Written>> {
        rows.iter().map(|r| self.written(r, viewer, seq)).collect()
    }

    pub async fn publish(
        &self,
        viewer: &Viewer,
        ids: &[String],
        message: Option<&str>,
    ) -> Result<Vec<Written>> {
        viewer.require(Role::Publisher, "publishing")?;
        let mut tx = self.store.begin().await?;
        let (rows, seq) = self.publish_in(&mut tx, viewer, ids, message).await?;
        tx.commit().await?;
        self.committed(seq).await;
        self.written_all(&rows, viewer, seq)
    }

    pub async fn unpublish(&self, viewer: &Viewer, ids: &[String]) -> Result<Vec<Written>> {
        self.take_offline(viewer, ids, Status::Draft).await
    }

    pub async fn archive(&self, viewer: &Viewer, ids: &[String]) -> Result<Vec<Written>> {
        self.take_offline(viewer, ids, Status::Archived).await
    }

    async fn take_offline(
        &self,
        viewer: &Viewer,
        ids: &[String],
        target: Status,
    ) -> Result<Vec<Written>> {
        let verb = if target == Status::Archived {
            "archiving"
        } else {
            "unpublishing"
        };
        viewer.require(Role::Publisher, verb)?;
        let mut tx = self.store.begin().await?;
        let (rows, seq) = self.unpublish_in(&mut tx, viewer, ids, target).await?;
        tx.commit().await?;
        self.committed(seq).await;
        self.written_all(&rows, viewer, seq)
    }

    /// Sets (or with None clears) the scheduled publish and unpublish times.
    pub async fn schedule(
        &self,
        viewer: &Viewer,
        id: &str,
        publish_at: Option<i64>,
        unpublish_at: Option<i64>,
    ) -> Result<Written> {
        viewer.require(Role::Publisher, "scheduling")?;
        if let (Some(p), Some(u)) = (publish_at, unpublish_at)
            && u <= p
        {
            return Err(Error::invalid(
                "unpublishAt",
                "the unpublish time must be after the publish time",
            ));
        }
        let mut tx = self.store.begin().await?;
        let mut row = tx
            .item(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("item `{id}`")))?;
        if row.status == Status::Archived && publish_at.is_some() {
            return Err(Error::InvalidState(format!(
                "{} `{}` is archived; publish it directly to bring it back",
                row.type_name, row.slug
            )));
        }
        check_team(viewer, &row, "scheduling")?;
        row.publish_at = publish_at;
        row.unpublish_at = unpublish_at;
        row.schedule_error = None;
        row.updated_at = now_ms();
        tx.update_item(&row).await?;
        let detail = format!(
            "publish_at={} unpublish_at={}",
            publish_at
                .map(super::ms_to_datetime)
                .unwrap_or_else(|| "-".into()),
            unpublish_at
                .map(super::ms_to_datetime)
                .unwrap_or_else(|| "-".into())
        );
        let seq = tx
            .append_change(&Change {
                at: row.updated_at,
                actor: &viewer.name,
                action: "schedule",
                item_id: Some(&row.id),
                item_type: Some(&row.type_name),
                version: Some(row.version),
                detail: Some(&detail),
            })
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        self.written(&row, viewer, seq)
    }

    /// Carries out every scheduled publish and unpublish due at `now`.
    /// A schedule that cannot be carried out is cleared and its reason kept
    /// in `schedule_error`, for editors to see. Returns how many were done.
    pub async fn run_due_schedules(&self, now: i64) -> Result<usize> {
        let scheduler = Viewer {
            role: Role::Admin,
            name: "scheduler".into(),
            team: None,
        };
        let mut done = 0;
        for row in self.store.due_schedules(now).await? {
            let ids = [row.id.clone()];
            let publish = row.publish_at.is_some_and(|t| t <= now);
            let result = if publish {
                self.publish(&scheduler, &ids, Some("gepland"))
                    .await
                    .map(|_| ())
            } else {
                self.unpublish(&scheduler, &ids).await.map(|_| ())
            };
            match result {
                Ok(()) => done += 1,
                Err(e) => {
                    tracing::warn!(item = %row.id, error = %e, "scheduled change failed");
                    let mut tx = self.store.begin().await?;
                    if let Some(mut r) = tx.item(&row.id).await? {
                        if publish {
                            r.publish_at = None;
                        } else {
                            r.unpublish_at = None;
                        }
                        r.schedule_error = Some(e.to_string());
                        tx.update_item(&r).await?;
                        let seq = tx
                            .append_change(&Change {
                                at: now,
                                actor: "scheduler",
                                action: "schedule_failed",
                                item_id: Some(&r.id),
                                item_type: Some(&r.type_name),
                                version: Some(r.version),
                                detail: Some(&e.to_string()),
                            })
                            .await?;
                        tx.commit().await?;
                        self.committed(seq).await;
                    }
                }
            }
        }
        Ok(done)
    }

    /// Sets the value of a fact and publishes it at once: every text that
    /// refers to it follows. Creates the fact when it does not exist.
    pub async fn set_fact(
        &self,
        viewer: &Viewer,
        slug: &str,
        locale: &str,
        mut fields: Map<String, Value>,
        message: Option<String>,
    ) -> Result<Written> {
        viewer.require(Role::Publisher, "setting facts")?;
        let mut tx = self.store.begin().await?;
        let none = HashMap::new();
        let row = match tx.item_by_key("fact", locale, slug).await? {
            Some(row) => {
                if row.status == Status::Published && row.published_version != Some(row.version) {
                    return Err(Error::InvalidState(format!(
                        "fact `{slug}` has edits that are not published (version {}); publish or revert them before setting its value",
                        row.version
                    )));
                }
                let patch = super::Patch {
                    fields,
                    message,
                    ..Default::default()
                };
                match self
                    .update_in(&mut tx, viewer, row.clone(), patch, "update", &none)
                    .await?
                {
                    Some((r, _)) => r,
                    None => row,
                }
            }
            None => {
                if !fields.contains_key("label") {
                    fields.insert("label".into(), Value::String(slug.replace('-', " ")));
                }
                let new = super::NewItem {
                    type_name: "fact".into(),
                    slug: Some(slug.to_string()),
                    locale: Some(locale.to_string()),
                    fields,
                    message,
                    ..Default::default()
                };
                self.create_in(&mut tx, viewer, new, &none).await?.0
            }
        };
        let (rows, seq) = self
            .publish_in(&mut tx, viewer, std::slice::from_ref(&row.id), None)
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        self.written(&rows[0], viewer, seq)
    }
}
