//! Automatic persisted queries, as Apollo Client's persisted-queries link
//! speaks them: a request may carry only the SHA-256 of its query in
//! `extensions.persistedQuery.sha256Hash`. When Bron knows that hash, it runs
//! the query it stands for (so a GET stays short enough for a CDN);
//! otherwise it answers `PERSISTED_QUERY_NOT_FOUND` and the client sends the
//! hash with the query, which Bron checks and remembers. A hash that does
//! not match its query is refused.
//!
//! Remembered queries live in memory, weighed by size (16 MB at most): a
//! restart or a second node only costs clients one round trip more.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use sha2::{Digest, Sha256};

const MAX_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<String, Arc<str>> for Weigh {
    fn weight(&self, k: &String, v: &Arc<str>) -> u64 {
        (k.len() + v.len() + 64) as u64
    }
}

/// Queries by their SHA-256.
pub struct Persisted {
    map: quick_cache::sync::Cache<String, Arc<str>, Weigh>,
}

impl Default for Persisted {
    fn default() -> Persisted {
        Persisted {
            map: quick_cache::sync::Cache::with_weighter(4096, MAX_BYTES, Weigh),
        }
    }
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn error(status: StatusCode, code: &str, message: &str) -> Box<Response> {
    Box::new(super::error_response(status, code, message))
}

impl Persisted {
    /// The query a request runs: its own, or the one its hash stands for.
    /// `extensions` is the request's `extensions` object, if any.
    pub fn resolve(
        &self,
        query: Option<&serde_json::Value>,
        extensions: Option<&serde_json::Value>,
    ) -> Result<Option<serde_json::Value>, Box<Response>> {
        let Some(pq) = extensions.and_then(|e| e.get("persistedQuery")) else {
            return Ok(query.cloned());
        };
        if pq.get("version").and_then(serde_json::Value::as_i64) != Some(1) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "PERSISTED_QUERY_NOT_SUPPORTED",
                "only version 1 of persisted queries is supported",
            ));
        }
        let hash = pq
            .get("sha256Hash")
            .and_then(serde_json::Value::as_str)
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "`extensions.persistedQuery.sha256Hash` must be the 64 hex digits of the query's SHA-256",
                )
            })?
            .to_ascii_lowercase();
        match query {
            Some(serde_json::Value::String(text)) => {
                if hex_sha256(text) != hash {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        "PERSISTED_QUERY_HASH_MISMATCH",
                        "the sha256Hash is not the SHA-256 of this query; nothing was stored",
                    ));
                }
                self.map.insert(hash, Arc::from(text.as_str()));
                Ok(query.cloned())
            }
            Some(_) => Ok(query.cloned()),
            None => match self.map.get(&hash) {
                Some(text) => Ok(Some(serde_json::Value::String(text.to_string()))),
                // Apollo's link looks for this message and code, then sends
                // the query with its hash.
                None => Err(error(
                    StatusCode::OK,
                    "PERSISTED_QUERY_NOT_FOUND",
                    "PersistedQueryNotFound",
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_hash_is_remembered_only_with_its_own_query() {
        let p = Persisted::default();
        let q = "{ __typename }";
        let h = hex_sha256(q);
        let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": h}});
        assert!(p.resolve(None, Some(&ext)).is_err(), "not known yet");
        let wrong = json!({"persistedQuery": {"version": 1, "sha256Hash": hex_sha256("{ x }")}});
        assert!(p.resolve(Some(&json!(q)), Some(&wrong)).is_err());
        assert!(
            p.resolve(None, Some(&wrong)).is_err(),
            "a mismatch stores nothing"
        );
        assert_eq!(
            p.resolve(Some(&json!(q)), Some(&ext)).unwrap(),
            Some(json!(q))
        );
        assert_eq!(p.resolve(None, Some(&ext)).unwrap(), Some(json!(q)));
        assert_eq!(p.resolve(Some(&json!(q)), None).unwrap(), Some(json!(q)));
    }
}
