//! A cache of parsed GraphQL documents, keyed by a SHA-256 of the query
//! text. `Api::execute` parses through it (to count a query's cost) and hands
//! the document to execution, so a request is parsed at most once, and front
//! ends that send the same few documents with new variables are not parsed
//! again. Bounded: at most 1,000 documents of up to 16 KiB of text; when
//! full, quick_cache evicts the documents least likely to be sent again, so a
//! flood of one-off queries cannot flush the ones in use. Holds no answers,
//! only syntax trees, so it needs no invalidation.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use sha2::{Digest, Sha256};

const MAX_DOCUMENTS: usize = 1000;
const MAX_QUERY_BYTES: usize = 16 * 1024;

#[derive(Clone)]
pub struct Documents(Arc<quick_cache::sync::Cache<[u8; 32], Arc<ExecutableDocument>>>);

impl Default for Documents {
    fn default() -> Documents {
        Documents(Arc::new(quick_cache::sync::Cache::new(MAX_DOCUMENTS)))
    }
}

impl Documents {
    /// The cache key of `query`; None for queries too long to keep.
    fn key(query: &str) -> Option<[u8; 32]> {
        (query.len() <= MAX_QUERY_BYTES).then(|| Sha256::digest(query.as_bytes()).into())
    }

    fn remember(&self, key: Option<[u8; 32]>, doc: &Arc<ExecutableDocument>) {
        if let Some(k) = key {
            self.0.insert(k, doc.clone());
        }
    }

    /// The parsed document of `query`, from the cache when it is there.
    pub fn parse(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        let key = Self::key(query);
        if let Some(doc) = key.and_then(|k| self.0.get(&k)) {
            return Some(doc);
        }
        let doc = Arc::new(async_graphql::parser::parse_query(query).ok()?);
        self.remember(key, &doc);
        Some(doc)
    }
}

/// Checks that `text` is a GraphQL document with at least one operation;
/// the name of its first operation, if it has one. For registering trusted
/// documents: the text is kept exactly as clients will send it.
pub fn check_document(text: &str) -> Result<Option<String>, String> {
    let doc = async_graphql::parser::parse_query(text).map_err(|e| e.to_string())?;
    let mut names = doc.operations.iter().map(|(name, _)| name);
    match names.next() {
        Some(name) => Ok(name.map(|n| n.to_string())),
        None => Err("the document holds no operation".into()),
    }
}
