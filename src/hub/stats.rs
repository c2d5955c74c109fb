//! What citizens look for: every search is counted per day, channel and
//! query, the ones that found nothing apart. Counting happens in memory (a
//! search must not wait for the store's one writer) and is written in one
//! transaction every few seconds by the server, and before stats are read.
//! Queries are scrubbed of personal data before they are counted; nothing
//! records who searched.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use super::{Hub, Role, Viewer, now_ms};
use crate::error::{Error, Result};
use crate::search::scrub::scrub;

/// Days of search statistics kept unless the operator says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;
/// The channel of a search whose caller does not say one.
pub const DEFAULT_CHANNEL: &str = "anonymous";
/// Longest query kept, in characters.
const MAX_KEPT_CHARS: usize = 200;

/// (day, channel, query) → (searches, zero-result searches).
type Pending = HashMap<(String, String, String), (i64, i64)>;

pub(super) struct SearchCounter {
    pending: Mutex<Pending>,
    retention_days: AtomicU32,
}

impl Default for SearchCounter {
    fn default() -> Self {
        SearchCounter {
            pending: Mutex::new(HashMap::new()),
            retention_days: AtomicU32::new(DEFAULT_RETENTION_DAYS),
        }
    }
}

/// One counted query as editors see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCount {
    pub query: String,
    pub searches: i64,
    pub zero_results: i64,
}

#[derive(Debug, Clone, Default)]
pub struct SearchStats {
    pub from: String,
    pub to: String,
    pub searches: i64,
    pub zero_result_searches: i64,
    pub top: Vec<SearchCount>,
    pub zero_results: Vec<SearchCount>,
}

fn day_of(ms: i64) -> String {
    crate::hub::ms_to_datetime(ms)[..10].to_string()
}

/// What is kept of a query: scrubbed, lower-cased, spaces collapsed, cut.
pub fn kept_query(query: &str) -> String {
    scrub(query)
        .to_lowercase()
        .chars()
        .take(MAX_KEPT_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

impl Hub {
    /// Counts one search. Cheap: memory only.
    pub fn record_search(&self, channel: &str, query: &str, zero_results: bool) {
        let kept = kept_query(query);
        if kept.is_empty() {
            return;
        }
        let key = (day_of(now_ms()), channel.to_string(), kept);
        let mut pending = self.stats.pending.lock().unwrap_or_else(|e| e.into_inner());
        let e = pending.entry(key).or_insert((0, 0));
        e.0 += 1;
        e.1 += i64::from(zero_results);
    }

    /// How many days of statistics are kept (the `serve` setting).
    pub fn set_search_stats_retention(&self, days: u32) {
        self.stats
            .retention_days
            .store(days.max(1), Ordering::Relaxed);
    }

    /// Writes the counted searches to the store, and deletes the days past
    /// retention. Returns how many (day, channel, query) rows were written.
    pub async fn flush_search_stats(&self) -> Result<usize> {
        let pending: Pending =
            std::mem::take(&mut *self.stats.pending.lock().unwrap_or_else(|e| e.into_inner()));
        let rows: Vec<_> = pending
            .into_iter()
            .map(|((day, channel, query), (n, z))| (day, channel, query, n, z))
            .collect();
        let days = i64::from(self.stats.retention_days.load(Ordering::Relaxed));
        let keep_from = day_of(now_ms() - days * 86_400_000);
        let written = async {
            let mut tx = self.store.begin().await?;
            tx.add_search_counts(&rows, &keep_from).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = written {
            // Put the counts back, so a busy store loses nothing.
            let mut pending = self.stats.pending.lock().unwrap_or_else(|e| e.into_inner());
            for (day, channel, query, n, z) in rows {
                let e = pending.entry((day, channel, query)).or_insert((0, 0));
                e.0 += n;
                e.1 += z;
            }
            return Err(e);
        }
        Ok(rows.len())
    }

    /// The most searched queries and the ones that found nothing, from
    /// `from` to `to` (YYYY-MM-DD, inclusive; default the last 30 days), in
    /// one channel or all. Editors and up.
    pub async fn search_stats(
        &self,
        viewer: &Viewer,
        from: Option<String>,
        to: Option<String>,
        channel: Option<String>,
        first: i64,
    ) -> Result<SearchStats> {
        viewer.require(Role::Editor, "reading search statistics")?;
        if !(1..=1000).contains(&first) {
            return Err(Error::BadInput("first: must be between 1 and 1000".into()));
        }
        self.flush_search_stats().await?;
        let now = now_ms();
        let to = to.unwrap_or_else(|| day_of(now));
        let from = from.unwrap_or_else(|| day_of(now - 29 * 86_400_000));
        let channel = channel.as_deref();
        let (searches, zero_result_searches) =
            self.store.search_totals(&from, &to, channel).await?;
        let counts = |rows: Vec<(String, i64, i64)>| {
            rows.into_iter()
                .map(|(query, searches, zero_results)| SearchCount {
                    query,
                    searches,
                    zero_results,
                })
                .collect()
        };
        let top = counts(
            self.store
                .top_searches(&from, &to, channel, false, first)
                .await?,
        );
        let zero_results = counts(
            self.store
                .top_searches(&from, &to, channel, true, first)
                .await?,
        );
        Ok(SearchStats {
            from,
            to,
            searches,
            zero_result_searches,
            top,
            zero_results,
        })
    }
}
