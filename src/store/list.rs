//! List queries: filters, one sort key and keyset (cursor) pagination over
//! `items`. A cursor holds the sort value and id of the last row seen, so
//! pages stay stable while items are added or changed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{ItemRow, Stage, Status, Store, item_from_row, read_columns};
pub use crate::domain::{OrderKey, SortKind};
use crate::error::{Error, Result};

impl OrderKey {
    fn kind(&self) -> SortKind {
        match self {
            OrderKey::Slug | OrderKey::ReviewBy => SortKind::Text,
            OrderKey::CreatedAt | OrderKey::UpdatedAt | OrderKey::PublishedAt => SortKind::Integer,
            OrderKey::Field { kind, .. } => *kind,
        }
    }

    /// The SQL expression, never NULL, so keyset comparisons are total.
    fn expr(&self, stage: Stage) -> String {
        match self {
            OrderKey::Slug => match stage {
                Stage::Published => "published_slug".into(),
                Stage::Latest => "slug".into(),
            },
            OrderKey::CreatedAt => "created_at".into(),
            // The live snapshot last changed when it was last published.
            OrderKey::UpdatedAt => match stage {
                Stage::Published => "IFNULL(published_at, 0)".into(),
                Stage::Latest => "updated_at".into(),
            },
            OrderKey::PublishedAt => "IFNULL(published_at, 0)".into(),
            OrderKey::ReviewBy => match stage {
                Stage::Published => "IFNULL(published_review_by, '')".into(),
                Stage::Latest => "IFNULL(review_by, '')".into(),
            },
            OrderKey::Field { name, kind } => {
                let col = stage.column();
                // `name` is a model field name: checked to be [a-z0-9_] at load.
                let raw = format!("json_extract({col}, '$.{name}')");
                match kind {
                    SortKind::Text => format!("IFNULL({raw}, '')"),
                    SortKind::Integer => format!("IFNULL({raw}, -9223372036854775808)"),
                    SortKind::Real => format!("IFNULL(CAST({raw} AS REAL), -1e308)"),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub key: OrderKey,
    pub descending: bool,
}

/// The sort value of one row, as kept in a cursor.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Integer(i64),
    Real(f64),
    Text(String),
}

/// A position in a list: the sort value and id of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub value: SortValue,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::json!([self.value, self.id]);
        URL_SAFE_NO_PAD.encode(json.to_string())
    }

    pub fn decode(s: &str) -> Result<Cursor> {
        let bad = || Error::BadInput(format!("`{s}` is not a cursor from this list"));
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let (value, id): (SortValue, String) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        Ok(Cursor { value, id })
    }
}

/// An equality filter on a model field; on a list field it means "contains".
#[derive(Debug, Clone)]
pub struct FieldFilter {
    pub name: String,
    pub list: bool,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub type_name: String,
    pub stage: Stage,
    pub status: Option<Status>,
    pub locale: Option<String>,
    pub updated_since: Option<i64>,
    pub external_id: Option<String>,
    pub fields: Vec<FieldFilter>,
    pub order: Order,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
    /// Rows wanted; one more is fetched to know whether there is a next page.
    pub limit: i64,
    /// Take the last `limit` rows before `before` instead of the first after `after`.
    pub from_end: bool,
}

pub struct ListResult {
    pub rows: Vec<(ItemRow, Cursor)>,
    pub has_more: bool,
}

impl ListQuery {
    fn push_filters(&self, qb: &mut QueryBuilder<'_, Sqlite>) {
        qb.push(" WHERE type = ").push_bind(self.type_name.clone());
        if self.stage == Stage::Published {
            qb.push(" AND status = 'published'");
        }
        if let Some(s) = self.status {
            qb.push(" AND status = ").push_bind(s.as_str());
        }
        if let Some(l) = &self.locale {
            qb.push(" AND locale = ").push_bind(l.clone());
        }
        if let Some(t) = self.updated_since {
            let col = match self.stage {
                Stage::Published => "published_at",
                Stage::Latest => "updated_at",
            };
            qb.push(format!(" AND {col} >= ")).push_bind(t);
        }
        if let Some(e) = &self.external_id {
            let col = match self.stage {
                Stage::Published => "published_external_id",
                Stage::Latest => "external_id",
            };
            qb.push(format!(" AND {col} = ")).push_bind(e.clone());
        }
        let col = self.stage.column();
        for f in &self.fields {
            let path = format!("$.{}", f.name);
            if f.list {
                qb.push(format!(" AND EXISTS (SELECT 1 FROM json_each({col}, "))
                    .push_bind(path)
                    .push(") WHERE value = ");
                push_json_bind(qb, &f.value);
                qb.push(")");
            } else {
                qb.push(format!(" AND json_extract({col}, "))
                    .push_bind(path)
                    .push(") = ");
                push_json_bind(qb, &f.value);
            }
        }
    }
}

fn push_json_bind(qb: &mut QueryBuilder<'_, Sqlite>, v: &Value) {
    match v {
        Value::Bool(b) => qb.push_bind(i64::from(*b)),
        Value::Number(n) if n.is_i64() => qb.push_bind(n.as_i64().unwrap_or_default()),
        Value::Number(n) => qb.push_bind(n.as_f64().unwrap_or_default()),
        Value::String(s) => qb.push_bind(s.clone()),
        other => qb.push_bind(other.to_string()),
    };
}

fn push_sort_bind(qb: &mut QueryBuilder<'_, Sqlite>, v: &SortValue) {
    match v {
        SortValue::Integer(n) => qb.push_bind(*n),
        SortValue::Real(f) => qb.push_bind(*f),
        SortValue::Text(s) => qb.push_bind(s.clone()),
    };
}

fn sort_value(row: &SqliteRow, kind: SortKind) -> Result<SortValue> {
    Ok(match kind {
        SortKind::Text => SortValue::Text(row.try_get("sort_key")?),
        SortKind::Integer => SortValue::Integer(row.try_get("sort_key")?),
        SortKind::Real => SortValue::Real(row.try_get("sort_key")?),
    })
}

impl Store {
    pub async fn list(&self, q: &ListQuery) -> Result<ListResult> {
        let expr = q.order.key.expr(q.stage);
        let kind = q.order.key.kind();
        // Walking from the end reverses the order; the rows are flipped back below.
        let descending = q.order.descending != q.from_end;
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT {}, {expr} AS sort_key FROM items",
            read_columns(q.stage)
        ));
        q.push_filters(&mut qb);
        for (cursor, forward) in [(&q.after, true), (&q.before, false)] {
            let Some(c) = cursor else { continue };
            // Rows after the cursor in the list's own order (before it for `before`).
            let greater = forward != q.order.descending;
            let op = if greater { ">" } else { "<" };
            qb.push(format!(" AND ({expr} {op} "));
            push_sort_bind(&mut qb, &c.value);
            qb.push(format!(" OR ({expr} = "));
            push_sort_bind(&mut qb, &c.value);
            qb.push(format!(" AND id {op} "))
                .push_bind(c.id.clone())
                .push("))");
        }
        let dir = if descending { "DESC" } else { "ASC" };
        qb.push(format!(" ORDER BY sort_key {dir}, id {dir} LIMIT "))
            .push_bind(q.limit + 1);
        let rows = qb.build().fetch_all(&self.read).await?;
        let has_more = rows.len() as i64 > q.limit;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows.iter().take(q.limit as usize) {
            let item = item_from_row(row)?;
            let cursor = Cursor {
                value: sort_value(row, kind)?,
                id: item.id.clone(),
            };
            out.push((item, cursor));
        }
        if q.from_end {
            out.reverse();
        }
        Ok(ListResult {
            rows: out,
            has_more,
        })
    }

    /// How many items match the filters of `q` (cursors and limit ignored).
    pub async fn count(&self, q: &ListQuery) -> Result<i64> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT COUNT(*) FROM items");
        q.push_filters(&mut qb);
        Ok(qb.build_query_scalar().fetch_one(&self.read).await?)
    }
}
