//! The index's one writer: a thread of its own that applies batches in
//! order, commits each with the change-log sequence it reflects, and reopens
//! the reader, so that a write's `apply` returns once searches see it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

use super::schema::{Fields, to_document};
use super::{Doc, SearchIndex, index_error};
use crate::error::{Error, Result};

/// A change to the index: remove every document of these items, add these
/// documents, and (with `seq`) commit, recording that the index now reflects
/// the log up to `seq`. Without `seq` the change waits for a later commit.
pub struct Batch {
    pub remove: Vec<String>,
    pub add: Vec<Doc>,
    pub seq: Option<i64>,
    /// Start from an empty index (a rebuild).
    pub clear: bool,
}

pub(super) struct Job {
    batch: Batch,
    done: tokio::sync::oneshot::Sender<Result<()>>,
}

/// Starts the writer thread; batches sent on the returned channel are
/// applied in order.
pub(super) fn start(
    index: &Index,
    reader: &IndexReader,
    fields: &Fields,
    applied: &Arc<AtomicI64>,
) -> Result<std::sync::mpsc::Sender<Job>> {
    let (jobs, rx) = std::sync::mpsc::channel::<Job>();
    let writer = new_writer(index)?;
    let (reader, fields, applied, index) = (
        reader.clone(),
        fields.clone(),
        applied.clone(),
        index.clone(),
    );
    std::thread::Builder::new()
        .name("bron-index".into())
        .spawn(move || {
            let mut writer = Some(writer);
            for job in rx {
                let seq = job.batch.seq;
                if writer.is_none() {
                    writer = new_writer(&index).ok();
                }
                let Some(w) = writer.as_mut() else {
                    let _ = job.done.send(Err(Error::Internal(
                        "search index: no writer could be started".into(),
                    )));
                    continue;
                };
                let result = write_batch(w, &fields, job.batch).and_then(|()| {
                    if seq.is_some() {
                        reader.reload().map_err(index_error)
                    } else {
                        Ok(())
                    }
                });
                if result.is_ok() {
                    if let Some(seq) = seq {
                        applied.store(seq, Ordering::SeqCst);
                    }
                } else if w.rollback().is_err() {
                    // The writer died (one of its threads failed):
                    // drop it (and its lock) and start a new one for
                    // the next batch, which resumes from the last
                    // committed entry of the change log.
                    writer = None;
                }
                let _ = job.done.send(result);
            }
        })
        .map_err(index_error)?;
    Ok(jobs)
}

impl SearchIndex {
    /// Applies a batch on the writer thread; returns once it is committed and
    /// visible to searches.
    pub async fn apply(&self, batch: Batch) -> Result<()> {
        let (done, wait) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job { batch, done })
            .map_err(|_| Error::Internal("the search index writer has stopped".into()))?;
        wait.await
            .map_err(|_| Error::Internal("the search index writer has stopped".into()))?
    }
}

/// The one writer: one indexing thread, a 32 MB arena.
fn new_writer(index: &Index) -> Result<IndexWriter<TantivyDocument>> {
    let writer = index
        .writer_with_num_threads(1, 32 * 1024 * 1024)
        .map_err(index_error)?;
    // Every publish commits a segment of an item or two. With tantivy's
    // default policy every segment under 10,000 documents is one level, so
    // each eighth publish merged the whole of a small index again; from 100
    // documents up, segments are levelled by size and tiny ones merge among
    // themselves.
    let mut policy = tantivy::merge_policy::LogMergePolicy::default();
    policy.set_min_layer_size(100);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

fn write_batch(writer: &mut IndexWriter<TantivyDocument>, f: &Fields, batch: Batch) -> Result<()> {
    if batch.clear {
        writer.delete_all_documents().map_err(index_error)?;
    }
    for id in &batch.remove {
        writer.delete_term(Term::from_field_text(f.id, id));
    }
    for d in batch.add {
        writer
            .add_document(to_document(f, d))
            .map_err(index_error)?;
    }
    if let Some(seq) = batch.seq {
        let mut prepared = writer.prepare_commit().map_err(index_error)?;
        prepared.set_payload(&seq.to_string());
        prepared.commit().map_err(index_error)?;
    }
    Ok(())
}
