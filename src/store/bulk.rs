//! The bulk side of `WriteTx`, for import: the keys of every item in one
//! statement, many items by id, and many new or changed items with their
//! revisions, reference edges and change-log entries written a few hundred
//! rows per statement.
//!
//! This module must not open or commit transactions, and must not hold rules
//! of its own: it writes what the hub hands it inside the caller's `WriteTx`,
//! and reports constraint violations exactly as the single-row writes do.

use sqlx::{QueryBuilder, Sqlite};

use super::write::{map_constraint, stage_name};

use super::{Change, Edge, ITEM_COLUMNS, ItemRow, JsonRow, Stage, WriteTx};
use crate::error::{Error, Result};

/// A revision to insert.
pub struct Revision<'a> {
    pub item_id: &'a str,
    pub version: i64,
    pub author: &'a str,
    pub at: i64,
    pub message: &'a str,
    pub content: String,
}

/// The keys of an item, as [`WriteTx::item_keys`] lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemKeyRow {
    pub id: String,
    #[sqlx(rename = "type")]
    pub type_name: String,
    pub locale: String,
    pub slug: String,
    pub external_id: Option<String>,
    pub status: String,
}

impl WriteTx {
    /// (id, type, locale, slug, external_id, status) of every item: the keys
    /// an import matches against. SQLite packs them into one JSON array, so
    /// they cross from its thread as one value rather than row by row (about
    /// ten times faster at tens of thousands of items).
    pub async fn item_keys(&mut self) -> Result<Vec<ItemKeyRow>> {
        let packed: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(id, type, locale, slug, external_id, status)) FROM items",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        type Keys = (String, String, String, String, Option<String>, String);
        let rows: Vec<Keys> = serde_json::from_str(packed.as_deref().unwrap_or("[]"))
            .map_err(|e| Error::Internal(format!("unreadable item keys: {e}")))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, type_name, locale, slug, external_id, status)| ItemKeyRow {
                    id,
                    type_name,
                    locale,
                    slug,
                    external_id,
                    status,
                },
            )
            .collect())
    }

    /// The items with these ids, both stages, packed by SQLite into one JSON
    /// array per few thousand items (see [`WriteTx::item_keys`]).
    pub async fn items_by_ids(&mut self, ids: &[String]) -> Result<Vec<ItemRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(5000) {
            let wanted = serde_json::to_string(chunk)
                .map_err(|e| Error::Internal(format!("cannot list ids: {e}")))?;
            let packed: Option<String> = sqlx::query_scalar(&format!(
                "SELECT json_group_array(json_array({ITEM_COLUMNS})) FROM items \
                 WHERE id IN (SELECT value FROM json_each(?))"
            ))
            .bind(wanted)
            .fetch_one(&mut *self.tx)
            .await?;
            let rows: Vec<JsonRow> = serde_json::from_str(packed.as_deref().unwrap_or("[]"))
                .map_err(|e| Error::Internal(format!("unreadable items: {e}")))?;
            for r in rows {
                out.push(r.into_row()?);
            }
        }
        Ok(out)
    }

    /// Writes many items (new ones inserted, existing ones, matched by id,
    /// replaced) with their revisions, reference edges and change-log
    /// entries, a few hundred rows per statement. The edges of every
    /// (item, stage) in `replaced` are removed first. Returns the last
    /// sequence number written.
    pub async fn write_many(
        &mut self,
        items: &[ItemRow],
        revisions: &[Revision<'_>],
        replaced: &[(String, Stage)],
        edges: &[(String, Stage, Edge)],
        changes: &[Change<'_>],
    ) -> Result<i64> {
        for stage in [Stage::Latest, Stage::Published] {
            let ids: Vec<&String> = replaced
                .iter()
                .filter(|(_, s)| *s == stage)
                .map(|(id, _)| id)
                .collect();
            for chunk in ids.chunks(500) {
                let mut qb: QueryBuilder<Sqlite> =
                    QueryBuilder::new("DELETE FROM refs WHERE stage = ");
                qb.push_bind(stage_name(stage)).push(" AND from_id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind((*id).clone());
                }
                qb.push(")");
                qb.build().execute(&mut *self.tx).await?;
            }
        }
        for chunk in items.chunks(100) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new(format!("INSERT INTO items ({ITEM_COLUMNS}) "));
            qb.push_values(chunk, |mut b, i| {
                b.push_bind(i.id.clone())
                    .push_bind(i.type_name.clone())
                    .push_bind(i.slug.clone())
                    .push_bind(i.locale.clone())
                    .push_bind(i.status.as_str())
                    .push_bind(i.version)
                    .push_bind(i.external_id.clone())
                    .push_bind(i.fields.clone())
                    .push_bind(i.published_version)
                    .push_bind(i.published_fields.clone())
                    .push_bind(i.review_by.clone())
                    .push_bind(i.publish_at)
                    .push_bind(i.unpublish_at)
                    .push_bind(i.schedule_error.clone())
                    .push_bind(i.created_at)
                    .push_bind(i.updated_at)
                    .push_bind(i.published_at)
                    .push_bind(i.published_slug.clone())
                    .push_bind(i.published_external_id.clone())
                    .push_bind(i.published_review_by.clone());
            });
            // An existing item (same id) takes the new row; a clash on
            // slug or external id is still a constraint error.
            let columns: Vec<&str> = ITEM_COLUMNS.split(", ").filter(|c| *c != "id").collect();
            let set: Vec<String> = columns
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect();
            qb.push(format!(" ON CONFLICT(id) DO UPDATE SET {}", set.join(", ")));
            qb.build()
                .execute(&mut *self.tx)
                .await
                .map_err(|e| map_constraint(e, &chunk[0]))?;
        }
        for chunk in revisions.chunks(300) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO revisions (item_id, version, author, created_at, message, content) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.item_id.to_string())
                    .push_bind(r.version)
                    .push_bind(r.author.to_string())
                    .push_bind(r.at)
                    .push_bind(r.message.to_string())
                    .push_bind(r.content.clone());
            });
            qb.build().execute(&mut *self.tx).await?;
        }
        for chunk in edges.chunks(500) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO refs (from_id, stage, field, position, to_id) ");
            qb.push_values(chunk, |mut b, (from, stage, (field, pos, to))| {
                b.push_bind(from.clone())
                    .push_bind(stage_name(*stage))
                    .push_bind(field.clone())
                    .push_bind(*pos)
                    .push_bind(to.clone());
            });
            qb.build().execute(&mut *self.tx).await?;
        }
        let mut seq = 0;
        for chunk in changes.chunks(300) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO change_log (at, actor, action, item_id, item_type, version, detail) ",
            );
            qb.push_values(chunk, |mut b, c| {
                b.push_bind(c.at)
                    .push_bind(c.actor.to_string())
                    .push_bind(c.action.to_string())
                    .push_bind(c.item_id.map(String::from))
                    .push_bind(c.item_type.map(String::from))
                    .push_bind(c.version)
                    .push_bind(c.detail.map(String::from));
            });
            // The last row's seq: AUTOINCREMENT numbers a multi-row insert
            // in order, and SQLite reports the last one.
            let done = qb.build().execute(&mut *self.tx).await?;
            seq = seq.max(done.last_insert_rowid());
        }
        Ok(seq)
    }
}
