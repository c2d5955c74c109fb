//! The reads behind the editor UI's worklist and lists: short rows (id,
//! type, title, status, dates) rather than whole items, so a page of fifty
//! costs what fifty titles cost. Every query here is bounded by a LIMIT and
//! served by an index at 10,000+ items (see migration 0006).

use sqlx::{QueryBuilder, Sqlite};

use super::Store;
use crate::domain::{ChangeRow, WorkRow};
use crate::error::Result;

/// Which items a worklist section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkSection {
    /// `review_by` before the given date (YYYY-MM-DD), not archived.
    Overdue,
    /// A scheduled unpublish before the given time (unix ms).
    Expiring,
    /// A scheduled publish.
    Scheduled,
    /// Latest content that is not live: drafts and unpublished edits.
    Waiting,
}

/// How a short row names its title: per type, the field that holds it.
pub struct Titles<'a>(pub &'a [(String, String)]);

impl Titles<'_> {
    fn push(&self, q: &mut QueryBuilder<'_, Sqlite>) {
        q.push("CASE type");
        for (ty, field) in self.0 {
            q.push(" WHEN ")
                .push_bind(ty.clone())
                .push(" THEN json_extract(fields, ")
                .push_bind(format!("$.{field}"))
                .push(")");
        }
        q.push(" ELSE slug END");
    }
}

const OWNER: &str = "json_extract(fields, '$.owner_team')";

const WORK_COLUMNS: &str = "id, type AS type_name, slug, locale, status, version, \
     published_version, review_by, publish_at, unpublish_at, schedule_error, updated_at, ";

fn select<'a>(titles: &Titles<'_>) -> QueryBuilder<'a, Sqlite> {
    let mut q = QueryBuilder::new("SELECT ");
    q.push(WORK_COLUMNS).push(OWNER).push(" AS owner_team, ");
    titles.push(&mut q);
    q.push(" AS title FROM items WHERE ");
    q
}

/// A change-log entry joined with its item's short row, if the item exists.
#[derive(sqlx::FromRow)]
struct RecentRow {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    change_item: Option<String>,
    item_type: Option<String>,
    change_version: Option<i64>,
    detail: Option<String>,
    #[sqlx(flatten)]
    item: OptionalWork,
}

/// The item side of a [`RecentRow`]: all columns null when it was deleted.
#[derive(sqlx::FromRow)]
struct OptionalWork {
    id: Option<String>,
    type_name: Option<String>,
    slug: Option<String>,
    locale: Option<String>,
    status: Option<String>,
    version: Option<i64>,
    published_version: Option<i64>,
    review_by: Option<String>,
    publish_at: Option<i64>,
    unpublish_at: Option<i64>,
    schedule_error: Option<String>,
    updated_at: Option<i64>,
    owner_team: Option<String>,
    title: Option<String>,
}

impl OptionalWork {
    fn into_row(self) -> Option<WorkRow> {
        Some(WorkRow {
            id: self.id?,
            type_name: self.type_name?,
            slug: self.slug?,
            locale: self.locale?,
            status: self.status?,
            version: self.version?,
            published_version: self.published_version,
            review_by: self.review_by,
            publish_at: self.publish_at,
            unpublish_at: self.unpublish_at,
            schedule_error: self.schedule_error,
            updated_at: self.updated_at?,
            owner_team: self.owner_team,
            title: self.title,
        })
    }
}

impl Store {
    /// Up to `limit` rows of one worklist section, optionally of one team.
    /// `date` is today (Overdue); `until` a time (Expiring).
    pub async fn work_section(
        &self,
        section: WorkSection,
        titles: &Titles<'_>,
        team: Option<&str>,
        date: &str,
        until: i64,
        limit: i64,
    ) -> Result<Vec<WorkRow>> {
        let mut q = select(titles);
        let order = match section {
            WorkSection::Overdue => {
                q.push("review_by IS NOT NULL AND review_by < ")
                    .push_bind(date.to_string())
                    .push(" AND status != 'archived'");
                "review_by, id"
            }
            WorkSection::Expiring => {
                q.push("unpublish_at IS NOT NULL AND unpublish_at < ")
                    .push_bind(until);
                "unpublish_at, id"
            }
            WorkSection::Scheduled => {
                q.push("publish_at IS NOT NULL");
                "publish_at, id"
            }
            WorkSection::Waiting => {
                q.push(
                    "status != 'archived' AND (published_version IS NULL OR published_version != version)",
                );
                "updated_at DESC, id DESC"
            }
        };
        if let Some(team) = team {
            q.push(" AND ")
                .push(OWNER)
                .push(" = ")
                .push_bind(team.to_string());
        }
        q.push(" ORDER BY ")
            .push(order)
            .push(" LIMIT ")
            .push_bind(limit);
        Ok(q.build_query_as().fetch_all(&self.read).await?)
    }

    /// The newest `limit` changes to items (of `team`'s items, when given),
    /// newest first, each with its item as it is now (None when deleted).
    pub async fn recent_work(
        &self,
        titles: &Titles<'_>,
        team: Option<&str>,
        limit: i64,
    ) -> Result<Vec<(ChangeRow, Option<WorkRow>)>> {
        let mut q = QueryBuilder::new(
            "SELECT c.seq, c.at, c.actor, c.action, c.item_id AS change_item, c.item_type, \
             c.version AS change_version, c.detail, ",
        );
        q.push(
            WORK_COLUMNS
                .replace("id, type AS", "i.id, i.type AS")
                .replace(", version,", ", i.version,"),
        )
        .push(OWNER.replace("fields", "i.fields"))
        .push(" AS owner_team, ");
        titles.push(&mut q);
        q.push(
            " AS title FROM change_log c LEFT JOIN items i ON i.id = c.item_id \
             WHERE c.item_id IS NOT NULL",
        );
        if let Some(team) = team {
            q.push(" AND ")
                .push(OWNER.replace("fields", "i.fields"))
                .push(" = ")
                .push_bind(team.to_string());
        }
        q.push(" ORDER BY c.seq DESC LIMIT ").push_bind(limit);
        let rows: Vec<RecentRow> = q.build_query_as().fetch_all(&self.read).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    ChangeRow {
                        seq: r.seq,
                        at: r.at,
                        actor: r.actor,
                        action: r.action,
                        item_id: r.change_item,
                        item_type: r.item_type,
                        version: r.change_version,
                        detail: r.detail,
                    },
                    r.item.into_row(),
                )
            })
            .collect())
    }

    /// Short rows of the items with these ids (any order).
    pub async fn work_rows(&self, ids: &[String], titles: &Titles<'_>) -> Result<Vec<WorkRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = select(titles);
        q.push("id IN (");
        let mut sep = q.separated(", ");
        for id in ids {
            sep.push_bind(id.clone());
        }
        q.push(")");
        Ok(q.build_query_as().fetch_all(&self.read).await?)
    }

    /// Ids of items of `type_name` whose latest `title_field` contains
    /// `needle` (case-insensitive for ASCII letters), most recently changed
    /// first: the editor UI's fallback for types the search index does not
    /// hold (steps, conditions, facts have no searched fields).
    pub async fn ids_by_title(
        &self,
        type_name: &str,
        title_field: &str,
        needle: &str,
        locale: Option<&str>,
        limit: i64,
    ) -> Result<Vec<String>> {
        let escaped = needle
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let mut q = QueryBuilder::new("SELECT id FROM items WHERE type = ");
        q.push_bind(type_name.to_string())
            .push(" AND json_extract(fields, ")
            .push_bind(format!("$.{title_field}"))
            .push(") LIKE ")
            .push_bind(format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
        if let Some(l) = locale {
            q.push(" AND locale = ").push_bind(l.to_string());
        }
        q.push(" ORDER BY updated_at DESC, id DESC LIMIT ")
            .push_bind(limit);
        let rows: Vec<(String,)> = q.build_query_as().fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The teams named as owners, for the worklist's team filter.
    pub async fn owner_teams(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(&format!(
            "SELECT DISTINCT {OWNER} AS t FROM items WHERE t IS NOT NULL AND t != '' ORDER BY t LIMIT 200"
        ))
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }
}
