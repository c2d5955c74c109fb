//! The store: the only module with SQL. Items, revisions, reference edges,
//! the change log and tokens live in one SQLite file in WAL mode.
//!
//! Reads go through a pool of read connections; writes go through
//! [`WriteTx`], one `BEGIN IMMEDIATE` transaction on the single writer
//! connection, so writes are serialised and each is all-or-nothing. This
//! module holds no business rules: what may be written is decided in `hub/`.
//! A PostgreSQL backend fills the same boundary: `Store`, `WriteTx` and the
//! row types here are all that `hub/` sees of the database.

mod backup;
mod bulk;
mod documents;
mod handovers;
mod list;
mod read;
mod sessions;
mod stats;
mod users;
mod webhooks;
mod worklist;
mod write;

use std::path::Path;
use std::time::Duration;

use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};

pub use backup::BackupInfo;
pub use bulk::{ItemKeyRow, Revision};
pub use documents::DocumentRow;
pub use list::{Cursor, FieldFilter, ListQuery, ListResult, Order, OrderKey, SortKind, SortValue};
pub use stats::SearchCountRow;
pub use webhooks::Attempt;
pub use worklist::{Titles, WorkSection};
pub use write::{Change, Edge, WriteTx};

pub use crate::domain::{ChangeRow, ItemRow, RevisionRow, Stage, Status, TokenRow};
use crate::error::{Error, Result};

/// How one item is looked up.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    Id(&'a str),
    Slug {
        locale: &'a str,
        slug: &'a str,
    },
    ExternalId {
        locale: &'a str,
        external_id: &'a str,
    },
}

impl<'a> Lookup<'a> {
    /// The WHERE clause (binding `?1` type, `?2`, `?3`) and its two values.
    /// At the published stage, slugs and external ids are the live ones.
    pub(crate) fn condition(self, stage: Stage) -> (&'static str, &'a str, &'a str) {
        match (self, stage) {
            (Lookup::Id(id), _) => ("type = ?1 AND id = ?2", id, ""),
            (Lookup::Slug { locale, slug }, Stage::Latest) => {
                ("type = ?1 AND locale = ?2 AND slug = ?3", locale, slug)
            }
            (Lookup::Slug { locale, slug }, Stage::Published) => (
                "type = ?1 AND locale = ?2 AND published_slug = ?3",
                locale,
                slug,
            ),
            (
                Lookup::ExternalId {
                    locale,
                    external_id,
                },
                Stage::Latest,
            ) => (
                "type = ?1 AND locale = ?2 AND external_id = ?3",
                locale,
                external_id,
            ),
            (
                Lookup::ExternalId {
                    locale,
                    external_id,
                },
                Stage::Published,
            ) => (
                "type = ?1 AND locale = ?2 AND published_external_id = ?3",
                locale,
                external_id,
            ),
        }
    }
}

impl Stage {
    pub(crate) fn column(self) -> &'static str {
        match self {
            Stage::Published => "published_fields",
            Stage::Latest => "fields",
        }
    }
}

pub(crate) const ITEM_COLUMNS: &str = "id, type, slug, locale, status, version, external_id, fields, \
     published_version, published_fields, review_by, publish_at, unpublish_at, schedule_error, \
     created_at, updated_at, published_at, published_slug, published_external_id, published_review_by";

/// The columns a read at `stage` needs: the other stage's content (often
/// kilobytes of JSON) is left out and comes back empty. A published read
/// sees the live slug, external id and review date in the usual columns.
pub(crate) fn read_columns(stage: Stage) -> &'static str {
    match stage {
        Stage::Published => {
            "id, type, IFNULL(published_slug, slug) AS slug, locale, status, version, \
             published_external_id AS external_id, '' AS fields, \
             published_version, published_fields, published_review_by AS review_by, publish_at, \
             unpublish_at, schedule_error, created_at, updated_at, published_at, \
             published_slug, published_external_id, published_review_by"
        }
        Stage::Latest => {
            "id, type, slug, locale, status, version, external_id, fields, \
             published_version, NULL AS published_fields, review_by, publish_at, unpublish_at, \
             schedule_error, created_at, updated_at, published_at, \
             published_slug, published_external_id, published_review_by"
        }
    }
}

/// [`read_columns`] as plain expressions, for SQLite's `json_array`: the
/// same columns in the same order, without their names.
pub(crate) fn json_columns(stage: Stage) -> &'static str {
    match stage {
        Stage::Published => {
            "id, type, IFNULL(published_slug, slug), locale, status, version, \
             published_external_id, '', published_version, published_fields, published_review_by, \
             publish_at, unpublish_at, schedule_error, created_at, updated_at, published_at, \
             published_slug, published_external_id, published_review_by"
        }
        Stage::Latest => {
            "id, type, slug, locale, status, version, external_id, fields, \
             published_version, NULL, review_by, publish_at, unpublish_at, \
             schedule_error, created_at, updated_at, published_at, \
             published_slug, published_external_id, published_review_by"
        }
    }
}

pub(crate) fn item_from_row(row: &SqliteRow) -> Result<ItemRow> {
    let status: String = row.try_get("status")?;
    Ok(ItemRow {
        id: row.try_get("id")?,
        type_name: row.try_get("type")?,
        slug: row.try_get("slug")?,
        locale: row.try_get("locale")?,
        status: status.parse()?,
        version: row.try_get("version")?,
        external_id: row.try_get("external_id")?,
        fields: row.try_get("fields")?,
        published_version: row.try_get("published_version")?,
        published_fields: row.try_get("published_fields")?,
        review_by: row.try_get("review_by")?,
        publish_at: row.try_get("publish_at")?,
        unpublish_at: row.try_get("unpublish_at")?,
        schedule_error: row.try_get("schedule_error")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        published_at: row.try_get("published_at")?,
        published_slug: row.try_get("published_slug")?,
        published_external_id: row.try_get("published_external_id")?,
        published_review_by: row.try_get("published_review_by")?,
    })
}

/// A reference from one item to another, as `referrers` reports it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Referrer {
    pub from_id: String,
    pub from_type: String,
    pub from_slug: String,
    pub field: String,
}

/// How long a write waits for the store (for this process's writer
/// connection, then for SQLite's lock) before it fails as `STORE_BUSY`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Store {
    read: SqlitePool,
    write: SqlitePool,
    /// Where each committed write's duration goes (see `time_writes`).
    write_timer: metrics::Histogram,
}

impl Store {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::Internal(format!(
                    "cannot create data directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .statement_cache_capacity(256);
        // The writer's page cache holds what a large transaction dirties
        // (an import of tens of thousands of items): at 16 MB SQLite spills
        // pages to the WAL mid-transaction and a re-import of 20,000 items
        // runs a third slower. `release_memory` gives it back afterwards.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options.clone().pragma("cache_size", "-65536"))
            .await?;
        sqlx::migrate!("./schema/migrations").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.pragma("cache_size", "-16000").read_only(true))
            .await?;
        Ok(Store {
            read,
            write,
            write_timer: metrics::Histogram::noop(),
        })
    }

    /// Records the duration of every committed write in `timer`: from
    /// asking for the writer (waiting for the write before it included) to
    /// the end of the commit.
    pub fn time_writes(&mut self, timer: metrics::Histogram) {
        self.write_timer = timer;
    }

    /// Starts a write transaction. Only one runs at a time.
    pub async fn begin(&self) -> Result<WriteTx> {
        let started = std::time::Instant::now();
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx::new(tx, started, self.write_timer.clone()))
    }

    /// Frees the writer's cached pages (after a large transaction), so a
    /// one-off import does not keep its working set in memory.
    pub async fn release_memory(&self) {
        // Best effort: if the writer is busy, its cache is in use anyway.
        let _ = sqlx::query("PRAGMA shrink_memory")
            .execute(&self.write)
            .await;
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// An item row as SQLite's `json_array` of its columns, in `ITEM_COLUMNS`
/// order: read straight into typed fields, without a `Value` per column.
#[derive(serde::Deserialize)]
pub(crate) struct JsonRow(
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl JsonRow {
    pub(crate) fn into_row(self) -> Result<ItemRow> {
        Ok(ItemRow {
            id: self.0,
            type_name: self.1,
            slug: self.2,
            locale: self.3,
            status: self.4.parse()?,
            version: self.5,
            external_id: self.6,
            fields: self.7,
            published_version: self.8,
            published_fields: self.9,
            review_by: self.10,
            publish_at: self.11,
            unpublish_at: self.12,
            schedule_error: self.13,
            created_at: self.14,
            updated_at: self.15,
            published_at: self.16,
            published_slug: self.17,
            published_external_id: self.18,
            published_review_by: self.19,
        })
    }
}
