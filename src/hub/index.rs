//! The search index as the hub keeps it: opened and caught up at start-up,
//! rebuilt from the store, compared with it, and brought up to every write.
//!
//! Architecture invariant: the index follows the change log. Every write in
//! this process brings the index up to its own entry before it returns
//! (read-your-writes); writes by other processes reach it through the
//! follower. Both go through `sync_index`, which takes every entry after the
//! one the index last committed, re-reads the items they name (and, for a
//! fact, the items that use it) and replaces their documents. One sync runs
//! at a time; a write that waits for it finds its entry already applied.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::Hub;
use crate::domain::{ItemRow, Stage};
use crate::error::{Error, Result};
use crate::search::{Batch, Doc, Opened, SearchIndex, Synonyms};

/// Items read from the store per batch in a rebuild.
const REBUILD_BATCH: i64 = 2000;
/// Change-log entries applied per index commit while catching up.
const SYNC_BATCH: i64 = 5000;

/// Where the index and the store disagree, per stage: items the store has
/// that the index lacks, and documents the index has for no such item.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct IndexCheck {
    pub applied_seq: i64,
    pub store_seq: i64,
    pub missing: Vec<(Stage, String)>,
    pub extra: Vec<(Stage, String)>,
}

impl IndexCheck {
    pub fn agrees(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.applied_seq == self.store_seq
    }
}

/// Fact values by (stage, locale, slug), for filling in `{{fact:…}}`.
#[derive(Default)]
struct FactValues(HashMap<(Stage, String, String), String>);

impl FactValues {
    async fn load(hub: &Hub) -> Result<FactValues> {
        let mut map = HashMap::new();
        for stage in [Stage::Latest, Stage::Published] {
            for (locale, slug, value) in hub.store.fact_values(stage).await? {
                map.insert((stage, locale, slug), value);
            }
        }
        Ok(FactValues(map))
    }

    fn fill(&self, stage: Stage, locale: &str, text: &str) -> String {
        let mut missing = Vec::new();
        crate::render::fill::fill_facts(
            text,
            |slug| {
                self.0
                    .get(&(stage, locale.to_string(), slug.to_string()))
                    .map(String::as_str)
            },
            &mut missing,
        )
        .into_owned()
    }
}

impl Hub {
    /// Opens the search index in `dir` and brings it up to date: it catches
    /// up from the last entry it committed, or is rebuilt from the store
    /// when it is new or was built for other fields.
    pub async fn open_search(&self, dir: &Path, synonyms: Synonyms) -> Result<Opened> {
        let (index, opened) = SearchIndex::open(dir, &self.model, synonyms)?;
        self.search
            .set(Arc::new(index))
            .map_err(|_| Error::Internal("the search index is already open".into()))?;
        match opened {
            Opened::Empty => {
                self.rebuild_index().await?;
            }
            Opened::At(_) => self.sync_index().await?,
        }
        Ok(opened)
    }

    pub fn search_index(&self) -> Option<&SearchIndex> {
        self.search.get().map(|i| i.as_ref())
    }

    /// Rebuilds the index from the store; returns the number of items read.
    /// Searches see the old index until the new one is committed whole.
    pub async fn rebuild_index(&self) -> Result<usize> {
        let Some(index) = self.search.get() else {
            return Ok(0);
        };
        let _one_at_a_time = self.index_sync.lock().await;
        // Entries after this one are applied by the next sync; applying an
        // entry twice is harmless.
        let seq = self.store.last_seq().await?;
        let facts = FactValues::load(self).await?;
        let mut after = String::new();
        let mut count = 0;
        let mut first = true;
        loop {
            let rows = self.store.items_after(&after, REBUILD_BATCH).await?;
            let last = (rows.len() as i64) < REBUILD_BATCH;
            count += rows.len();
            if let Some(r) = rows.last() {
                after = r.id.clone();
            }
            let add = rows.iter().flat_map(|r| self.docs_of(r, &facts)).collect();
            index
                .apply(Batch {
                    remove: Vec::new(),
                    add,
                    seq: last.then_some(seq),
                    clear: first,
                })
                .await?;
            first = false;
            if last {
                break;
            }
        }
        Ok(count)
    }

    /// Compares the index with the store, item by item and stage by stage.
    /// Run it on a quiet store (writes during the check show as differences).
    pub async fn check_index(&self) -> Result<IndexCheck> {
        let index = self.search.get().ok_or_else(|| {
            Error::SearchUnavailable("no search index is open in this process".into())
        })?;
        let _one_at_a_time = self.index_sync.lock().await;
        let mut check = IndexCheck {
            applied_seq: index.applied(),
            store_seq: self.store.last_seq().await?,
            ..Default::default()
        };
        let mut expected: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        let mut after = String::new();
        loop {
            let rows = self.store.items_after(&after, REBUILD_BATCH).await?;
            for row in &rows {
                for doc in self.docs_of(row, &FactValues::default()) {
                    for stage in &doc.stages {
                        expected[usize::from(*stage == Stage::Published)].push(doc.id.clone());
                    }
                }
            }
            match rows.last() {
                Some(r) if (rows.len() as i64) == REBUILD_BATCH => after = r.id.clone(),
                _ => break,
            }
        }
        for (i, stage) in [Stage::Latest, Stage::Published].into_iter().enumerate() {
            let want: BTreeSet<&String> = expected[i].iter().collect();
            let have_ids = index.ids(stage)?;
            let have: BTreeSet<&String> = have_ids.iter().collect();
            check
                .missing
                .extend(want.difference(&have).map(|id| (stage, (*id).clone())));
            check
                .extra
                .extend(have.difference(&want).map(|id| (stage, (*id).clone())));
        }
        Ok(check)
    }

    /// Applies every change-log entry the index has not yet committed.
    pub async fn sync_index(&self) -> Result<()> {
        let Some(index) = self.search.get() else {
            return Ok(());
        };
        let _one_at_a_time = self.index_sync.lock().await;
        loop {
            let changes = self
                .store
                .changes_since(index.applied().max(0), SYNC_BATCH)
                .await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                return Ok(());
            };
            let mut ids: BTreeSet<String> = BTreeSet::new();
            let mut facts_changed = Vec::new();
            for c in &changes {
                if let Some(id) = &c.item_id {
                    ids.insert(id.clone());
                    if c.item_type.as_deref() == Some("fact") {
                        facts_changed.push(id.clone());
                    }
                }
            }
            if !facts_changed.is_empty() {
                // The items that use a changed fact show its new value.
                let mut slugs = BTreeSet::new();
                for fact in self.store.items_full(&facts_changed).await? {
                    slugs.insert(fact.slug.clone());
                    slugs.extend(fact.published_slug.clone());
                }
                for slug in slugs {
                    ids.extend(self.store.ids_mentioning_fact(&slug).await?);
                }
            }
            let ids: Vec<String> = ids.into_iter().collect();
            let rows = self.store.items_full(&ids).await?;
            let facts = if rows.iter().any(|r| {
                r.fields.contains("{{fact:")
                    || r.published_fields
                        .as_deref()
                        .is_some_and(|p| p.contains("{{fact:"))
            }) {
                FactValues::load(self).await?
            } else {
                FactValues::default()
            };
            let add = rows.iter().flat_map(|r| self.docs_of(r, &facts)).collect();
            index
                .apply(Batch {
                    remove: ids,
                    add,
                    seq: Some(last),
                    clear: false,
                })
                .await?;
            if (changes.len() as i64) < SYNC_BATCH {
                return Ok(());
            }
        }
    }

    /// Called after every committed write: brings the index up to it, then
    /// moves the change sequence (so no answer cached at the new sequence
    /// can predate the index), all before the write returns. An index
    /// failure does not undo the write; it is logged and the follower retries.
    pub(super) async fn committed(&self, seq: i64) {
        if let Err(e) = self.sync_index().await {
            tracing::error!(error = %e, seq, "the search index could not follow a write; retrying from the change log");
        }
        self.advance(seq);
    }

    /// The index documents of one item: one per stage it has content at,
    /// none when its type has no searchable fields.
    fn docs_of(&self, row: &ItemRow, facts: &FactValues) -> Vec<Doc> {
        let Some(ty) = self.model.get(&row.type_name) else {
            return Vec::new();
        };
        if !ty.fields.iter().any(|f| f.search.is_some()) {
            return Vec::new();
        }
        // One document serves both stages when the live revision is the
        // latest (most items, most of the time): half the indexing work.
        let in_step = row.published_fields.is_some() && row.published_version == Some(row.version);
        let stage_sets: Vec<Vec<Stage>> = if in_step {
            vec![vec![Stage::Published, Stage::Latest]]
        } else {
            vec![vec![Stage::Latest], vec![Stage::Published]]
        };
        let mut out = Vec::with_capacity(2);
        for stages in stage_sets {
            let stage = stages[0];
            let Some(content) = row.content(stage) else {
                continue;
            };
            let Ok(fields) = serde_json::from_str::<Map<String, Value>>(content) else {
                tracing::warn!(id = %row.id, "an item's content is not a JSON object; not indexed");
                continue;
            };
            let strings = |name: &str| -> Vec<String> {
                match fields.get(name) {
                    Some(Value::String(s)) => vec![s.clone()],
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect(),
                    _ => Vec::new(),
                }
            };
            let mut text = Vec::new();
            for f in ty.fields.iter().filter(|f| f.search.is_some()) {
                let values = strings(&f.name);
                if values.is_empty() {
                    continue;
                }
                let joined = values.join("\n");
                let filled = facts.fill(stage, &row.locale, &joined);
                let plain = match f.kind {
                    crate::model::FieldKind::Markdown => crate::render::plain::words(&filled),
                    _ => filled,
                };
                text.push((f.name.clone(), plain));
            }
            out.push(Doc {
                id: row.id.clone(),
                stages,
                type_name: row.type_name.clone(),
                boost: ty.search_boost,
                locale: row.locale.clone(),
                audience: strings("audience"),
                themes: strings("themes"),
                name: strings(&ty.title_field).join(" "),
                text,
            });
        }
        out
    }
}
