//! The write transaction. Everything a write changes (item row, revision,
//! reference edges, change-log entry) goes through one `WriteTx` and is
//! committed together or not at all. Constraint violations come back as
//! specific errors, recognised by constraint name. The bulk statements an
//! import uses are in `bulk.rs`.

use sqlx::{QueryBuilder, Sqlite, Transaction};

use super::{ITEM_COLUMNS, ItemRow, Referrer, Stage, item_from_row};
use crate::error::{Error, Result};

pub struct WriteTx {
    pub(super) tx: Transaction<'static, Sqlite>,
    started: std::time::Instant,
    timer: metrics::Histogram,
}

/// One reference edge: field, position in the list, target id.
pub type Edge = (String, i64, String);

/// A change-log entry to append.
pub struct Change<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub item_id: Option<&'a str>,
    pub item_type: Option<&'a str>,
    pub version: Option<i64>,
    pub detail: Option<&'a str>,
}

pub(super) fn map_constraint(e: sqlx::Error, item: &ItemRow) -> Error {
    if let sqlx::Error::Database(db) = &e {
        let msg = db.message();
        if msg.contains("items.type, items.locale, items.slug") || msg.contains("items_slug_unique")
        {
            return Error::DuplicateSlug(format!(
                "a {} with slug `{}` already exists in locale `{}`; choose another slug",
                item.type_name, item.slug, item.locale
            ));
        }
        if msg.contains("items.published_slug") || msg.contains("items_published_slug_unique") {
            return Error::DuplicateSlug(format!(
                "another live {} still has slug `{}` in locale `{}` (it was renamed in a draft \
                 that is not yet published); publish that rename first or choose another slug",
                item.type_name, item.slug, item.locale
            ));
        }
        if msg.contains("items.published_external_id")
            || msg.contains("items_published_external_id_unique")
        {
            return Error::DuplicateExternalId(format!(
                "another live {} still has external id `{}` in locale `{}`; publish its change first",
                item.type_name,
                item.external_id.as_deref().unwrap_or_default(),
                item.locale
            ));
        }
        if msg.contains("items.external_id") || msg.contains("items_external_id_unique") {
            return Error::DuplicateExternalId(format!(
                "a {} with external id `{}` already exists in locale `{}`",
                item.type_name,
                item.external_id.as_deref().unwrap_or_default(),
                item.locale
            ));
        }
    }
    Error::from(e)
}

impl WriteTx {
    pub(super) fn new(
        tx: Transaction<'static, Sqlite>,
        started: std::time::Instant,
        timer: metrics::Histogram,
    ) -> WriteTx {
        WriteTx { tx, started, timer }
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        self.timer.record(self.started.elapsed().as_secs_f64());
        Ok(())
    }

    pub async fn item(&mut self, id: &str) -> Result<Option<ItemRow>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(item_from_row).transpose()
    }

    pub async fn item_by_key(
        &mut self,
        ty: &str,
        locale: &str,
        slug: &str,
    ) -> Result<Option<ItemRow>> {
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM items WHERE type = ? AND locale = ? AND slug = ?");
        let row = sqlx::query(&sql)
            .bind(ty)
            .bind(locale)
            .bind(slug)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(item_from_row).transpose()
    }

    /// (slug, status) of the facts of `locale` among `slugs`.
    pub async fn fact_statuses(
        &mut self,
        locale: &str,
        slugs: &[&str],
    ) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for chunk in slugs.chunks(500) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "SELECT slug, status FROM items WHERE type = 'fact' AND locale = ",
            );
            qb.push_bind(locale);
            qb.push(" AND slug IN (");
            let mut sep = qb.separated(", ");
            for s in chunk {
                sep.push_bind(*s);
            }
            qb.push(")");
            out.extend(
                qb.build_query_as::<(String, String)>()
                    .fetch_all(&mut *self.tx)
                    .await?,
            );
        }
        Ok(out)
    }

    /// (id, type, status) of those of `ids` that exist.
    pub async fn item_kinds(&mut self, ids: &[&str]) -> Result<Vec<(String, String, String)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT id, type, status FROM items WHERE id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            out.extend(
                qb.build_query_as::<(String, String, String)>()
                    .fetch_all(&mut *self.tx)
                    .await?,
            );
        }
        Ok(out)
    }

    pub async fn insert_item(&mut self, item: &ItemRow) -> Result<()> {
        let sql = format!(
            "INSERT INTO items ({ITEM_COLUMNS}) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        );
        bind_item(sqlx::query(&sql), item)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| map_constraint(e, item))?;
        Ok(())
    }

    /// Writes every column of `item` over the row with its id.
    pub async fn update_item(&mut self, item: &ItemRow) -> Result<()> {
        let sql = "UPDATE items SET id = ?, type = ?, slug = ?, locale = ?, status = ?, version = ?, \
             external_id = ?, fields = ?, published_version = ?, published_fields = ?, review_by = ?, \
             publish_at = ?, unpublish_at = ?, schedule_error = ?, created_at = ?, updated_at = ?, \
             published_at = ?, published_slug = ?, published_external_id = ?, \
             published_review_by = ? WHERE id = ?";
        bind_item(sqlx::query(sql), item)
            .bind(&item.id)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| map_constraint(e, item))?;
        Ok(())
    }

    pub async fn delete_item(&mut self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM refs WHERE from_id = ?")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM items WHERE id = ?")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn insert_revision(
        &mut self,
        item_id: &str,
        version: i64,
        author: &str,
        at: i64,
        message: &str,
        content: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO revisions (item_id, version, author, created_at, message, content) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(item_id)
        .bind(version)
        .bind(author)
        .bind(at)
        .bind(message)
        .bind(content)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn revision_content(
        &mut self,
        item_id: &str,
        version: i64,
    ) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT content FROM revisions WHERE item_id = ? AND version = ?")
                .bind(item_id)
                .bind(version)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// Replaces the reference edges of `from_id` at `stage`.
    pub async fn set_refs(&mut self, from_id: &str, stage: Stage, edges: &[Edge]) -> Result<()> {
        let stage = stage_name(stage);
        sqlx::query("DELETE FROM refs WHERE from_id = ? AND stage = ?")
            .bind(from_id)
            .bind(stage)
            .execute(&mut *self.tx)
            .await?;
        for chunk in edges.chunks(200) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO refs (from_id, stage, field, position, to_id) ");
            qb.push_values(chunk, |mut b, (field, pos, to)| {
                b.push_bind(from_id)
                    .push_bind(stage)
                    .push_bind(field.clone())
                    .push_bind(*pos)
                    .push_bind(to.clone());
            });
            qb.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Items (other than those in `except`) that point at `to_id`, in the
    /// given stage, or in any stage when `stage` is None.
    pub async fn referrers(
        &mut self,
        to_id: &str,
        stage: Option<Stage>,
        except: &[&str],
    ) -> Result<Vec<Referrer>> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT DISTINCT r.from_id, i.type AS from_type, i.slug AS from_slug, r.field \
             FROM refs r JOIN items i ON i.id = r.from_id WHERE r.to_id = ",
        );
        qb.push_bind(to_id);
        if let Some(s) = stage {
            qb.push(" AND r.stage = ").push_bind(stage_name(s));
        }
        for id in except {
            qb.push(" AND r.from_id <> ").push_bind(*id);
        }
        qb.push(" ORDER BY i.type, i.slug LIMIT 20");
        Ok(qb.build_query_as().fetch_all(&mut *self.tx).await?)
    }

    /// Items of `locale` whose content (either stage) may show the fact
    /// `slug` in a `{{fact:…}}` placeholder; may name a few more than do.
    pub async fn fact_mention_candidates(
        &mut self,
        locale: &str,
        slug: &str,
    ) -> Result<Vec<ItemRow>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE type <> 'fact' AND locale = ?1 AND \
             ((instr(fields, '{{{{fact:') > 0 AND instr(fields, ?2) > 0) OR \
              (instr(published_fields, '{{{{fact:') > 0 AND instr(published_fields, ?2) > 0)) \
             ORDER BY type, slug"
        );
        let rows = sqlx::query(&sql)
            .bind(locale)
            .bind(slug)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// Appends to the change log and returns the new sequence number.
    pub async fn append_change(&mut self, c: &Change<'_>) -> Result<i64> {
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO change_log (at, actor, action, item_id, item_type, version, detail) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(c.at)
        .bind(c.actor)
        .bind(c.action)
        .bind(c.item_id)
        .bind(c.item_type)
        .bind(c.version)
        .bind(c.detail)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(seq)
    }

    pub async fn insert_token(
        &mut self,
        id: &str,
        name: &str,
        role: &str,
        hash: &str,
        at: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(name)
            .bind(role)
            .bind(hash)
            .bind(at)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.message().contains("tokens.name") => {
                    Error::BadInput(format!(
                        "an active token named `{name}` already exists; revoke it first or choose another name"
                    ))
                }
                _ => Error::from(e),
            })?;
        Ok(())
    }

    /// Revokes the active token named `name`; false when there is none.
    pub async fn revoke_token(&mut self, name: &str, at: i64) -> Result<bool> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
                .bind(at)
                .bind(name)
                .execute(&mut *self.tx)
                .await?;
        Ok(done.rows_affected() > 0)
    }
}

pub(super) fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Published => "published",
        Stage::Latest => "latest",
    }
}

type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

fn bind_item<'q>(q: Query<'q>, item: &'q ItemRow) -> Query<'q> {
    q.bind(&item.id)
        .bind(&item.type_name)
        .bind(&item.slug)
        .bind(&item.locale)
        .bind(item.status.as_str())
        .bind(item.version)
        .bind(&item.external_id)
        .bind(&item.fields)
        .bind(item.published_version)
        .bind(&item.published_fields)
        .bind(&item.review_by)
        .bind(item.publish_at)
        .bind(item.unpublish_at)
        .bind(&item.schedule_error)
        .bind(item.created_at)
        .bind(item.updated_at)
        .bind(item.published_at)
        .bind(&item.published_slug)
        .bind(&item.published_external_id)
        .bind(&item.published_review_by)
}
