//! The response cache: serialised answers to queries, valid at the change
//! sequence they were computed at. Keys are hashes of who asks and what;
//! weight counts keys and bodies.

use std::sync::atomic::{AtomicI64, Ordering};

use bytes::Bytes;

use crate::hub::Viewer;

/// The response cache holds at most this many bytes of keys and bodies…
pub(super) const CACHE_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// …sized for about this many entries…
const CACHE_EXPECTED_ENTRIES: usize = 20_000;
/// …of at most this size each.
const CACHE_MAX_ENTRY: usize = 1024 * 1024;
/// What one entry costs besides its body: the 32-byte key, the sequence and
/// the cache's own bookkeeping.
const CACHE_ENTRY_OVERHEAD: u64 = 96;

pub(super) type CacheKey = [u8; 32];

/// The searches an answer ran, (channel, query, found nothing): replayed
/// into the search statistics each time the cached answer is served, so a
/// cached search counts like any other.
pub(crate) type Searches = std::sync::Arc<[(String, String, bool)]>;

/// The sequence it was filled at, the body, the searches it ran, and
/// whether the request named its query by hash (for the metrics' label when
/// it is found by its raw form).
type Entry = (i64, Bytes, Searches, bool);

#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<CacheKey, Entry> for Weigh {
    fn weight(&self, _key: &CacheKey, value: &Entry) -> u64 {
        let searches: usize = value.2.iter().map(|(c, q, _)| c.len() + q.len() + 56).sum();
        CACHE_ENTRY_OVERHEAD + value.1.len() as u64 + searches as u64
    }
}

/// Serialised answers, keyed by a SHA-256 of who asks and what, so a key
/// costs 32 bytes however long the query text is. Bounded by weight (keys
/// and bodies); when full, quick_cache evicts the entries least likely to be
/// asked again (S3-FIFO), so a flood of one-off queries cannot push out
/// what everyone reads, nor empty the cache.
///
/// An entry is valid only at the change sequence it was filled at; the
/// first entry filled at a newer sequence drops the older ones.
pub(super) struct ResponseCache {
    seq: AtomicI64,
    map: quick_cache::sync::Cache<CacheKey, Entry, Weigh>,
}

impl ResponseCache {
    pub(super) fn new(max_bytes: u64) -> ResponseCache {
        ResponseCache {
            seq: AtomicI64::new(0),
            map: quick_cache::sync::Cache::with_weighter(CACHE_EXPECTED_ENTRIES, max_bytes, Weigh),
        }
    }

    pub(super) fn get(&self, key: &CacheKey, seq: i64) -> Option<(Bytes, Searches, bool)> {
        match self.map.get(key) {
            Some((at, body, searches, persisted)) if at == seq => Some((body, searches, persisted)),
            _ => None,
        }
    }

    pub(super) fn put(
        &self,
        key: CacheKey,
        body: Bytes,
        searches: Searches,
        seq: i64,
        persisted: bool,
    ) {
        if body.len() > CACHE_MAX_ENTRY {
            return;
        }
        let current = self.seq.fetch_max(seq, Ordering::AcqRel);
        if seq < current {
            return; // computed before a write we already know of
        }
        if seq > current {
            // Everything held was filled before this write: drop it now
            // rather than let it take room until it is evicted.
            self.map.clear();
        }
        self.map.insert(key, (seq, body, searches, persisted));
    }

    /// Bytes held (keys, bodies and bookkeeping).
    pub(super) fn weight(&self) -> u64 {
        self.map.weight()
    }
}

/// Who asks and what: role, name, operation, variables and query, each
/// length-prefixed so no two requests hash the same input.
pub(super) fn cache_key(viewer: &Viewer, request: &async_graphql::Request) -> CacheKey {
    use sha2::{Digest, Sha256};
    let vars = serde_json::to_string(&request.variables).unwrap_or_default();
    let op = request.operation_name.as_deref().unwrap_or("");
    let mut h = Sha256::new();
    // Per caller, not per role: an answer may depend on who asks (`viewer`).
    for part in [
        viewer.role.as_str(),
        viewer.name.as_str(),
        op,
        vars.as_str(),
        request.query.as_str(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}
