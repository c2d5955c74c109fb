//! Reads outside a write transaction: single items (with or without the
//! items they refer to), batches by id, revisions, schedules due, tokens and
//! the change log. Each read takes the stage it needs and reads only that
//! content. Nothing here writes.

use sqlx::{QueryBuilder, Sqlite};

use super::{
    ChangeRow, ITEM_COLUMNS, ItemRow, JsonRow, Lookup, RevisionRow, Stage, Store, TokenRow,
    item_from_row, json_columns, read_columns,
};
use crate::error::{Error, Result};

impl Store {
    /// One item by id; only the content of `stage` is read (see [`read_columns`]).
    pub async fn item(&self, id: &str, stage: Stage) -> Result<Option<ItemRow>> {
        let sql = format!("SELECT {} FROM items WHERE id = ?", read_columns(stage));
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(item_from_row).transpose()
    }

    /// One item of type `ty`, looked up by id, slug or external id.
    pub async fn item_by(&self, ty: &str, by: Lookup<'_>, stage: Stage) -> Result<Option<ItemRow>> {
        let (cond, a, b) = by.condition(stage);
        let sql = format!("SELECT {} FROM items WHERE {cond}", read_columns(stage));
        let row = sqlx::query(&sql)
            .bind(ty)
            .bind(a)
            .bind(b)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(item_from_row).transpose()
    }

    /// One item and, in the same statement, every item its content at
    /// `stage` refers to (rows flagged `true`). A product page is one query,
    /// and its rows come back packed by SQLite into one JSON value: sqlx
    /// hands rows across from its worker thread one by one, which cost more
    /// than the statement itself (216 against 51 µs for a product page).
    pub async fn item_with_refs(
        &self,
        ty: &str,
        by: Lookup<'_>,
        stage: Stage,
    ) -> Result<Vec<(ItemRow, bool)>> {
        let cols = json_columns(stage);
        let (cond, a, b) = by.condition(stage);
        let stage_name = match stage {
            Stage::Published => "published",
            Stage::Latest => "latest",
        };
        let sql = format!(
            "WITH p AS (SELECT id FROM items WHERE {cond}) \
             SELECT json_group_array(json_array(json_array({cols}), is_ref)) FROM ( \
               SELECT *, 0 AS is_ref FROM items WHERE id IN (SELECT id FROM p) \
               UNION ALL \
               SELECT *, 1 AS is_ref FROM items WHERE id IN \
                 (SELECT to_id FROM refs WHERE stage = ?4 AND from_id IN (SELECT id FROM p)))"
        );
        let packed: Option<String> = sqlx::query_scalar(&sql)
            .bind(ty)
            .bind(a)
            .bind(b)
            .bind(stage_name)
            .fetch_one(&self.read)
            .await?;
        let rows: Vec<(JsonRow, i64)> = serde_json::from_str(packed.as_deref().unwrap_or("[]"))
            .map_err(|e| Error::Internal(format!("unreadable items: {e}")))?;
        rows.into_iter()
            .map(|(row, is_ref)| Ok((row.into_row()?, is_ref == 1)))
            .collect()
    }

    /// Loads many items by id in one statement (for batched reference loading).
    pub async fn items(&self, ids: &[String], stage: Stage) -> Result<Vec<ItemRow>> {
        self.items_with(ids, read_columns(stage)).await
    }

    /// Every item of type `type_name` with content at `stage` (for small
    /// types, such as the conditions whose questions a chatbot asks).
    pub async fn items_of_type(&self, type_name: &str, stage: Stage) -> Result<Vec<ItemRow>> {
        let sql = format!("SELECT {} FROM items WHERE type = ?", read_columns(stage));
        let rows = sqlx::query(&sql)
            .bind(type_name)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// Items with these ids, both stages (for the search index).
    pub async fn items_full(&self, ids: &[String]) -> Result<Vec<ItemRow>> {
        self.items_with(ids, ITEM_COLUMNS).await
    }

    async fn items_with(&self, ids: &[String], columns: &str) -> Result<Vec<ItemRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new(format!("SELECT {columns} FROM items WHERE id IN ("));
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(id);
            }
            qb.push(")");
            for row in qb.build().fetch_all(&self.read).await? {
                out.push(item_from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// Up to `limit` items, both stages, with ids after `after`, in id order:
    /// a rebuild walks the store this way without holding all of it.
    pub async fn items_after(&self, after: &str, limit: i64) -> Result<Vec<ItemRow>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id > ? ORDER BY id LIMIT ?");
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// (locale, slug, value) of every fact at `stage`.
    pub async fn fact_values(&self, stage: Stage) -> Result<Vec<(String, String, String)>> {
        let sql = match stage {
            Stage::Latest => {
                "SELECT locale, slug, IFNULL(json_extract(fields, '$.value'), '') FROM items \
                 WHERE type = 'fact'"
            }
            Stage::Published => {
                "SELECT locale, published_slug, IFNULL(json_extract(published_fields, '$.value'), '') \
                 FROM items WHERE type = 'fact' AND published_slug IS NOT NULL"
            }
        };
        Ok(sqlx::query_as(sql).fetch_all(&self.read).await?)
    }

    /// Ids of the items whose content (either stage) may name the fact
    /// `slug` in a `{{fact:…}}` placeholder. May name a few more than do.
    pub async fn ids_mentioning_fact(&self, slug: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM items WHERE type <> 'fact' AND \
             ((instr(fields, '{{fact:') > 0 AND instr(fields, ?1) > 0) OR \
              (instr(published_fields, '{{fact:') > 0 AND instr(published_fields, ?1) > 0))",
        )
        .bind(slug)
        .fetch_all(&self.read)
        .await?)
    }

    /// Ids of the items whose content at `stage` refers to `to_id`.
    pub async fn referrers(&self, to_id: &str, stage: Stage) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT from_id FROM refs WHERE to_id = ? AND stage = ?")
                .bind(to_id)
                .bind(super::write::stage_name(stage))
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// All items of all types, in a stable order (type, locale, slug).
    pub async fn all_items(&self) -> Result<Vec<ItemRow>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY type, locale, slug");
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(item_from_row).collect()
    }

    pub async fn count_items(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM items")
            .fetch_one(&self.read)
            .await?)
    }

    pub async fn revisions(&self, item_id: &str) -> Result<Vec<RevisionRow>> {
        Ok(sqlx::query_as(
            "SELECT item_id, version, author, created_at, message, content FROM revisions \
             WHERE item_id = ? ORDER BY version DESC",
        )
        .bind(item_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Items whose scheduled publish or unpublish time is at or before `now`.
    pub async fn due_schedules(&self, now: i64) -> Result<Vec<ItemRow>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE publish_at <= ?1 \
             UNION SELECT {ITEM_COLUMNS} FROM items WHERE unpublish_at <= ?1"
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(&self.read).await?;
        rows.iter().map(item_from_row).collect()
    }

    /// The active token with this hash, if any: (name, role).
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT name, role FROM tokens WHERE hash = ? AND revoked_at IS NULL")
                .bind(hash)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    pub async fn tokens(&self) -> Result<Vec<TokenRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY created_at, name",
        )
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn changes_since(&self, seq: i64, limit: i64) -> Result<Vec<ChangeRow>> {
        Ok(sqlx::query_as(
            "SELECT seq, at, actor, action, item_id, item_type, version, detail FROM change_log \
             WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }

    /// Like [`Store::changes_since`], only entries with one of `actions`
    /// (when given) about an item of one of `types` (when given).
    pub async fn change_feed(
        &self,
        seq: i64,
        limit: i64,
        actions: Option<&[&str]>,
        types: Option<&[String]>,
    ) -> Result<Vec<ChangeRow>> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT seq, at, actor, action, item_id, item_type, version, detail FROM change_log \
             WHERE seq > ",
        );
        qb.push_bind(seq);
        if let Some(actions) = actions {
            qb.push(" AND action IN (");
            let mut list = qb.separated(", ");
            for a in actions {
                list.push_bind(*a);
            }
            list.push_unseparated(")");
        }
        if let Some(types) = types {
            qb.push(" AND item_type IN (");
            let mut list = qb.separated(", ");
            for t in types {
                list.push_bind(t.as_str());
            }
            list.push_unseparated(")");
        }
        qb.push(" ORDER BY seq LIMIT ").push_bind(limit);
        Ok(qb.build_query_as().fetch_all(&self.read).await?)
    }

    /// The sequence number of the newest change, 0 when there is none.
    pub async fn last_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT IFNULL(MAX(seq), 0) FROM change_log")
                .fetch_one(&self.read)
                .await?,
        )
    }
}
