//! The search index: tantivy on disk under the data directory. Derived from
//! the store, never a source of truth: the hub hands it documents built from
//! items and the change-log sequence they reflect, and it records that
//! sequence in each commit, so after a restart the hub knows where to go on
//! following the log (or rebuilds it from scratch).
//!
//! Files are written without fsync (`directory.rs`): the index is derived,
//! and a damaged one is rebuilt at start-up.
//!
//! One writer, owned by one thread (`bron-index`): batches reach it over a
//! channel, and it deletes, adds, commits and reloads the reader before it
//! answers, so a search made after a batch returns sees it. Commits run on
//! that thread, off the async runtime.
//!
//! Each item has up to two documents: its live content (`published`) and its
//! latest content (`latest`, for editors who ask for drafts). Fields the model
//! marks internal are indexed in fields of their own, which a query for a
//! caller below `agent` never names: internal text cannot match, count or
//! show in a snippet for them.

pub mod analysis;
mod clauses;
mod directory;
mod query;
mod schema;
pub mod scrub;
mod snippet;
mod suggest;
mod synonyms;
mod words;
mod writer;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument, Term};

pub use query::{Hit, SearchRequest, SearchResults};
use schema::{Fields, build_schema};
pub use schema::{TextField, is_english, text_fields};
pub use synonyms::Synonyms;
pub use words::coverage;
pub use writer::Batch;
use writer::Job;

use crate::domain::Stage;
use crate::error::{Error, Result};
use crate::model::ContentModel;

/// What the hub hands the index for one item at one stage, or at both when
/// the live content is the latest (then one document serves both).
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: String,
    pub stages: Vec<Stage>,
    pub type_name: String,
    /// The type's `search_boost`: hits of this document score times this.
    pub boost: f32,
    pub locale: String,
    pub audience: Vec<String>,
    pub themes: Vec<String>,
    /// Searchable text by model field name, facts already filled in.
    pub text: Vec<(String, String)>,
    /// The item's name (its title field), for search-as-you-type.
    pub name: String,
}

pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    synonyms: Synonyms,
    jobs: std::sync::mpsc::Sender<Job>,
    applied: Arc<AtomicI64>,
}

/// The stage as the index (and `reindex --check`) names it.
pub fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Published => "published",
        Stage::Latest => "latest",
    }
}

fn index_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("search index: {e}"))
}

/// How the index was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// An index that reflects the log up to this sequence.
    At(i64),
    /// A new, empty index (none yet, or its fields no longer match the
    /// model): it must be rebuilt from the store.
    Empty,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when there is none, and starting
    /// over when the model's searchable fields changed since it was built.
    pub fn open(
        dir: &Path,
        model: &ContentModel,
        synonyms: Synonyms,
    ) -> Result<(SearchIndex, Opened)> {
        let model_fields = text_fields(model);
        let (schema, fields) = build_schema(&model_fields);
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Internal(format!(
                "cannot create index directory {}: {e}",
                dir.display()
            ))
        })?;
        let directory = || directory::UnsyncedDirectory::open(dir).map_err(index_error);
        // An index whose files do not match their checksums (written without
        // a sync, then a machine crash) is rebuilt like a missing one.
        let existing = Index::open(directory()?).ok().filter(|index| {
            index
                .validate_checksum()
                .is_ok_and(|damaged| damaged.is_empty())
        });
        let (index, opened) = match existing {
            Some(index) if index.schema() == schema => {
                let seq = index
                    .load_metas()
                    .map_err(index_error)?
                    .payload
                    .and_then(|p| p.parse::<i64>().ok());
                match seq {
                    Some(seq) if seq >= 0 => (index, Opened::At(seq)),
                    _ => (index, Opened::Empty),
                }
            }
            other => {
                drop(other);
                // Not ours, or built for other fields: start over.
                for entry in std::fs::read_dir(dir).map_err(index_error)? {
                    let path = entry.map_err(index_error)?.path();
                    if path.is_file() {
                        std::fs::remove_file(&path).map_err(index_error)?;
                    }
                }
                (
                    Index::create(
                        directory()?,
                        schema.clone(),
                        // A hit's stored text is read from a block of
                        // documents decompressed whole: small blocks (about
                        // two items) keep that cheap.
                        IndexSettings {
                            docstore_blocksize: 4096,
                            ..IndexSettings::default()
                        },
                    )
                    .map_err(index_error)?,
                    Opened::Empty,
                )
            }
        };
        index
            .tokenizers()
            .register(analysis::DUTCH, analysis::dutch());
        index
            .tokenizers()
            .register(analysis::PLAIN, analysis::plain());
        index
            .tokenizers()
            .register(analysis::ENGLISH, analysis::english());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(index_error)?;
        let applied = Arc::new(AtomicI64::new(match opened {
            Opened::At(seq) => seq,
            Opened::Empty => -1,
        }));
        let jobs = writer::start(&index, &reader, &fields, &applied)?;
        Ok((
            SearchIndex {
                reader,
                fields,
                synonyms,
                jobs,
                applied,
            },
            opened,
        ))
    }

    /// The last change-log sequence the index reflects (-1: none yet).
    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Number of documents in the index (one per item and stage, or one
    /// for both stages of an item whose live content is its latest).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The ids of the items that have a document at `stage`.
    pub fn ids(&self, stage: Stage) -> Result<Vec<String>> {
        let searcher = self.reader.searcher();
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.stage, stage_name(stage)),
            IndexRecordOption::Basic,
        );
        let docs = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(index_error)?;
        let mut out = Vec::with_capacity(docs.len());
        for address in docs {
            let doc: TantivyDocument = searcher.doc(address).map_err(index_error)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                out.push(id.to_string());
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dutch_and_english_documents_are_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let model = ContentModel::load(std::path::Path::new("content-model")).unwrap();
        let (index, opened) = SearchIndex::open(dir.path(), &model, Synonyms::default()).unwrap();
        assert_eq!(opened, Opened::Empty);
        let doc = |id: &str, locale: &str, text: &str| Doc {
            id: id.into(),
            stages: vec![Stage::Published, Stage::Latest],
            type_name: "question".into(),
            boost: 1.0,
            locale: locale.into(),
            audience: vec![],
            themes: vec![],
            text: vec![("question".into(), text.into())],
            name: text.into(),
        };
        index
            .apply(Batch {
                remove: vec![],
                add: vec![
                    doc("a", "nl", "Paspoort aanvragen"),
                    doc("b", "en", "Applying for a passport"),
                ],
                seq: Some(1),
                clear: false,
            })
            .await
            .unwrap();
        assert_eq!(index.num_docs(), 2);
    }

    #[tokio::test]
    async fn a_damaged_index_is_rebuilt_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let model = ContentModel::load(std::path::Path::new("content-model")).unwrap();
        {
            let (index, _) = SearchIndex::open(dir.path(), &model, Synonyms::default()).unwrap();
            let doc = Doc {
                id: "a".into(),
                stages: vec![Stage::Published, Stage::Latest],
                type_name: "question".into(),
                boost: 1.0,
                locale: "nl".into(),
                audience: vec![],
                themes: vec![],
                text: vec![("question".into(), "Paspoort aanvragen ".repeat(50))],
                name: "Paspoort aanvragen".into(),
            };
            index
                .apply(Batch {
                    remove: vec![],
                    add: vec![doc],
                    seq: Some(7),
                    clear: false,
                })
                .await
                .unwrap();
        }
        // The writer thread lets go of the index once its handle is gone.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let (_, opened) = SearchIndex::open(dir.path(), &model, Synonyms::default()).unwrap();
        assert_eq!(opened, Opened::At(7));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;

        // Damage the largest segment file, as a machine crash might.
        let largest = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e != "json" && e != "lock"))
            .max_by_key(|p| std::fs::metadata(p).unwrap().len())
            .unwrap();
        let mut bytes = std::fs::read(&largest).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&largest, bytes).unwrap();
        let (_, opened) = SearchIndex::open(dir.path(), &model, Synonyms::default()).unwrap();
        assert_eq!(opened, Opened::Empty, "{} was damaged", largest.display());
    }
}
