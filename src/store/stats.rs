//! Search statistics: counts per day, channel and query. Written in batches
//! by the hub (no change-log entry: telemetry, not content) and read by
//! editors.

use sqlx::{QueryBuilder, Sqlite};

use super::{Store, WriteTx};
use crate::error::Result;

/// One counted query: (day, channel, query, searches, zero-result searches).
pub type SearchCountRow = (String, String, String, i64, i64);

impl WriteTx {
    /// Adds the counts to what is stored, and deletes days before `keep_from`.
    pub async fn add_search_counts(
        &mut self,
        rows: &[SearchCountRow],
        keep_from: &str,
    ) -> Result<()> {
        for chunk in rows.chunks(200) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO search_counts (day, channel, query, searches, zero_results) ",
            );
            qb.push_values(chunk, |mut b, (day, channel, query, n, zero)| {
                b.push_bind(day.clone())
                    .push_bind(channel.clone())
                    .push_bind(query.clone())
                    .push_bind(*n)
                    .push_bind(*zero);
            });
            qb.push(
                " ON CONFLICT (day, channel, query) DO UPDATE SET \
                 searches = searches + excluded.searches, \
                 zero_results = zero_results + excluded.zero_results",
            );
            qb.build().execute(&mut *self.tx).await?;
        }
        sqlx::query("DELETE FROM search_counts WHERE day < ?")
            .bind(keep_from)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

impl Store {
    /// The most searched queries from `from` to `to` (days, inclusive), in
    /// `channel` or all: (query, searches, zero-result searches). With
    /// `zero_only`, only queries that found nothing at least once, by how
    /// often they found nothing.
    pub async fn top_searches(
        &self,
        from: &str,
        to: &str,
        channel: Option<&str>,
        zero_only: bool,
        limit: i64,
    ) -> Result<Vec<(String, i64, i64)>> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT query, SUM(searches) AS n, SUM(zero_results) AS z FROM search_counts WHERE day >= ",
        );
        qb.push_bind(from.to_string())
            .push(" AND day <= ")
            .push_bind(to.to_string());
        if let Some(c) = channel {
            qb.push(" AND channel = ").push_bind(c.to_string());
        }
        qb.push(" GROUP BY query");
        if zero_only {
            qb.push(" HAVING z > 0 ORDER BY z DESC, n DESC, query");
        } else {
            qb.push(" ORDER BY n DESC, z DESC, query");
        }
        qb.push(" LIMIT ").push_bind(limit);
        Ok(qb.build_query_as().fetch_all(&self.read).await?)
    }

    /// Total searches and zero-result searches from `from` to `to`.
    pub async fn search_totals(
        &self,
        from: &str,
        to: &str,
        channel: Option<&str>,
    ) -> Result<(i64, i64)> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT IFNULL(SUM(searches), 0), IFNULL(SUM(zero_results), 0) FROM search_counts WHERE day >= ",
        );
        qb.push_bind(from.to_string())
            .push(" AND day <= ")
            .push_bind(to.to_string());
        if let Some(c) = channel {
            qb.push(" AND channel = ").push_bind(c.to_string());
        }
        Ok(qb.build_query_as().fetch_one(&self.read).await?)
    }
}
