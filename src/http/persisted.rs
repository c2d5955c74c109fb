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
//!
//! Trusted documents (`hub/documents.rs`) are the operator's registered
//! operations: found by hash for every caller, over Apollo's extension or
//! `documentId`. With `--trusted-documents`, callers without a token may run
//! only those (by hash, or by exactly their text), and nothing they send is
//! remembered: a production site then cannot be made to run other queries.

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

/// The registered (trusted) documents, and whether the caller may run
/// only those (`--trusted-documents`, no token).
pub struct Known {
    pub documents: crate::hub::DocumentMap,
    pub only: bool,
}

fn not_in_list() -> Box<Response> {
    error(
        StatusCode::BAD_REQUEST,
        "PERSISTED_QUERY_NOT_IN_LIST",
        "this server runs only registered documents for callers without a token; send the id of a registered document (`extensions.persistedQuery.sha256Hash` or `documentId`), or register this one with `bron documents add`",
    )
}

/// The hash a request names: `extensions.persistedQuery.sha256Hash`
/// (Apollo) or `documentId` (`sha256:<hex>`, or the hex alone).
fn requested_hash(
    extensions: Option<&serde_json::Value>,
    document_id: Option<&serde_json::Value>,
) -> Result<Option<String>, Box<Response>> {
    let bad_hash = |what: &str| {
        error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &format!("{what} must be the 64 hex digits of the query's SHA-256"),
        )
    };
    let is_hex = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(pq) = extensions.and_then(|e| e.get("persistedQuery")) {
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
            .filter(|h| is_hex(h))
            .ok_or_else(|| bad_hash("`extensions.persistedQuery.sha256Hash`"))?;
        return Ok(Some(hash.to_ascii_lowercase()));
    }
    match document_id {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(id)) => {
            let hash = id.strip_prefix("sha256:").unwrap_or(id);
            if is_hex(hash) {
                Ok(Some(hash.to_ascii_lowercase()))
            } else {
                Err(bad_hash("`documentId` (`sha256:<hex>`)"))
            }
        }
        Some(_) => Err(bad_hash("`documentId` (`sha256:<hex>`)")),
    }
}

impl Persisted {
    /// The query a request runs: its own, or the one its hash stands for
    /// (a registered document, or one remembered from an earlier request).
    /// `extensions` is the request's `extensions` object and `document_id`
    /// its `documentId`, if any. A caller bound to `known` documents may
    /// run only those, and teaches Bron nothing new.
    pub fn resolve(
        &self,
        query: Option<&serde_json::Value>,
        extensions: Option<&serde_json::Value>,
        document_id: Option<&serde_json::Value>,
        known: &Known,
    ) -> Result<Option<serde_json::Value>, Box<Response>> {
        let hash = requested_hash(extensions, document_id)?;
        let registered = |h: &str| known.documents.contains_key(h);
        let Some(hash) = hash else {
            return match query {
                Some(serde_json::Value::String(text)) if known.only => {
                    if registered(&hex_sha256(text)) {
                        Ok(query.cloned())
                    } else {
                        Err(not_in_list())
                    }
                }
                _ => Ok(query.cloned()),
            };
        };
        match query {
            Some(serde_json::Value::String(text)) => {
                if hex_sha256(text) != hash {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        "PERSISTED_QUERY_HASH_MISMATCH",
                        "the sha256Hash is not the SHA-256 of this query; nothing was stored",
                    ));
                }
                if known.only {
                    return if registered(&hash) {
                        Ok(query.cloned())
                    } else {
                        Err(not_in_list())
                    };
                }
                if !registered(&hash) {
                    self.map.insert(hash, Arc::from(text.as_str()));
                }
                Ok(query.cloned())
            }
            Some(_) => Ok(query.cloned()),
            None => {
                if let Some(text) = known.documents.get(&hash) {
                    return Ok(Some(serde_json::Value::String(text.to_string())));
                }
                if known.only {
                    return Err(not_in_list());
                }
                match self.map.get(&hash) {
                    Some(text) => Ok(Some(serde_json::Value::String(text.to_string()))),
                    // Apollo's link looks for this message and code, then
                    // sends the query with its hash.
                    None => Err(error(
                        StatusCode::OK,
                        "PERSISTED_QUERY_NOT_FOUND",
                        "PersistedQueryNotFound",
                    )),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn open() -> Known {
        Known {
            documents: Arc::default(),
            only: false,
        }
    }

    #[test]
    fn a_hash_is_remembered_only_with_its_own_query() {
        let p = Persisted::default();
        let k = open();
        let q = "{ __typename }";
        let h = hex_sha256(q);
        let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": h}});
        assert!(
            p.resolve(None, Some(&ext), None, &k).is_err(),
            "not known yet"
        );
        let wrong = json!({"persistedQuery": {"version": 1, "sha256Hash": hex_sha256("{ x }")}});
        assert!(p.resolve(Some(&json!(q)), Some(&wrong), None, &k).is_err());
        assert!(
            p.resolve(None, Some(&wrong), None, &k).is_err(),
            "a mismatch stores nothing"
        );
        assert_eq!(
            p.resolve(Some(&json!(q)), Some(&ext), None, &k).unwrap(),
            Some(json!(q))
        );
        assert_eq!(
            p.resolve(None, Some(&ext), None, &k).unwrap(),
            Some(json!(q))
        );
        assert_eq!(
            p.resolve(Some(&json!(q)), None, None, &k).unwrap(),
            Some(json!(q))
        );
        let id = json!(format!("sha256:{h}"));
        assert_eq!(
            p.resolve(None, None, Some(&id), &k).unwrap(),
            Some(json!(q))
        );
    }

    #[test]
    fn a_caller_bound_to_registered_documents_runs_only_those_and_stores_nothing() {
        let p = Persisted::default();
        let q = "{ __typename }";
        let other = "{ viewer { role } }";
        let known = Known {
            documents: Arc::new([(hex_sha256(q), Arc::from(q))].into_iter().collect()),
            only: true,
        };
        let by_id = |text: &str| json!(format!("sha256:{}", hex_sha256(text)));
        assert_eq!(
            p.resolve(None, None, Some(&by_id(q)), &known).unwrap(),
            Some(json!(q))
        );
        assert_eq!(
            p.resolve(Some(&json!(q)), None, None, &known).unwrap(),
            Some(json!(q))
        );
        assert!(p.resolve(Some(&json!(other)), None, None, &known).is_err());
        assert!(p.resolve(None, None, Some(&by_id(other)), &known).is_err());
        let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hex_sha256(other)}});
        assert!(
            p.resolve(Some(&json!(other)), Some(&ext), None, &known)
                .is_err()
        );
        // Nothing was learnt: an open caller does not find it either.
        assert!(p.resolve(None, Some(&ext), None, &open()).is_err());
    }
}
