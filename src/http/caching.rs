//! HTTP caching of API answers. An anonymous GET query answered without
//! errors gets an `ETag` made of the change sequence it was answered at and
//! the request itself, and the operator's `Cache-Control` (by default
//! `public, no-cache`: any cache may keep it, but asks again each time). A
//! request whose `If-None-Match` names that tag gets `304 Not Modified`
//! with no body: nothing changed since, because any write moves the
//! sequence. The tag is the same on every node (the sequence is the shared
//! change log's). Answers to callers with a token are `private, no-store`,
//! and `Vary` names what the answer depends on.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::HttpOptions;

/// The `Cache-Control` of anonymous answers unless the operator sets one.
pub const DEFAULT_CACHE_CONTROL: &str = "public, no-cache";

/// The key of an anonymous request by its raw form: its method, the
/// server's settings that change answers (trusted documents, public
/// introspection), the media type it is answered in, and its raw query
/// string (GET) or body (POST). Two requests with the same key get the same
/// answer at the same change sequence; the response cache keeps answers
/// under it too (`Api::execute_keyed`), so a repeated request is answered
/// before it is decoded or parsed.
pub fn raw_key(method: &str, media: &str, options: &HttpOptions, raw: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"bron raw request\0");
    h.update([
        u8::from(options.trusted_documents),
        u8::from(options.public_introspection),
    ]);
    for part in [method.as_bytes(), media.as_bytes(), raw] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// The entity tag of an answer at `seq` to the GET whose raw key is `key`.
pub fn etag(seq: i64, key: &[u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 16];
    for (i, b) in key[..8].iter().enumerate() {
        hex[2 * i] = HEX[usize::from(b >> 4)];
        hex[2 * i + 1] = HEX[usize::from(b & 15)];
    }
    let hex = std::str::from_utf8(&hex).unwrap_or_default();
    // Weak: the same answer may go out gzip- or brotli-compressed.
    format!("W/\"{seq}-{hex}\"")
}

fn matches(if_none_match: &str, tag: &str) -> bool {
    let tag = tag.trim_start_matches("W/");
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == tag)
}

/// The 304 for an anonymous GET whose `If-None-Match` names the tag it
/// would get now, answered before anything runs: a tag holds the sequence
/// its answer was made at, and while the sequence has not moved the answer
/// is the same. (A forged tag gets an empty 304, which tells nothing.)
/// Searches answered this way are not counted again in the statistics.
pub fn not_modified_now(
    headers: &HeaderMap,
    seq: i64,
    key: &[u8; 32],
    options: &HttpOptions,
) -> Option<Response> {
    if headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    let asked = headers.get(header::IF_NONE_MATCH)?.to_str().ok()?;
    let tag = etag(seq, key);
    if asked.trim() == "*" || !matches(asked, &tag) {
        return None;
    }
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NOT_MODIFIED;
    let h = r.headers_mut();
    h.insert(header::ETAG, HeaderValue::from_str(&tag).ok()?);
    h.insert(header::CACHE_CONTROL, options.cache_control.clone());
    h.append(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
    Some(r)
}

/// Adds the caching headers to an answer of a GET, or turns it into 304.
pub fn conditional(
    r: &mut Response,
    headers: &HeaderMap,
    anonymous: bool,
    seq: Option<i64>,
    key: &[u8; 32],
    options: &HttpOptions,
) {
    let h = r.headers_mut();
    h.append(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
    if !anonymous {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        return;
    }
    let Some(seq) = seq.filter(|_| r.status() == StatusCode::OK) else {
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return;
    };
    let tag = etag(seq, key);
    let Ok(tag_value) = HeaderValue::from_str(&tag) else {
        return;
    };
    let h = r.headers_mut();
    h.insert(header::ETAG, tag_value);
    h.insert(header::CACHE_CONTROL, options.cache_control.clone());
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches(v, &tag));
    if fresh {
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        *r.body_mut() = Body::empty();
        let h = r.headers_mut();
        h.remove(header::CONTENT_TYPE);
        h.remove(header::CONTENT_LENGTH);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_sequence_and_the_request() {
        let o = HttpOptions::default();
        let key = |q: &str| raw_key("GET", "application/json", &o, q.as_bytes());
        let a = etag(7, &key("query=%7Ba%7D"));
        assert_eq!(a, etag(7, &key("query=%7Ba%7D")));
        assert_ne!(a, etag(8, &key("query=%7Ba%7D")));
        assert_ne!(a, etag(7, &key("query=%7Bb%7D")));
        let other_media = raw_key(
            "GET",
            "application/graphql-response+json",
            &o,
            b"query=%7Ba%7D",
        );
        assert_ne!(a, etag(7, &other_media));
        let trusted = HttpOptions {
            trusted_documents: true,
            ..HttpOptions::default()
        };
        assert_ne!(key("q"), raw_key("GET", "application/json", &trusted, b"q"));
        assert_ne!(key("q"), raw_key("POST", "application/json", &o, b"q"));
        assert!(
            a.starts_with("W/\"7-") && a.len() == "W/\"7-\"".len() + 16,
            "{a}"
        );
        assert!(matches(&format!("\"x\", W/{a}"), &a));
        assert!(matches("*", &a));
        assert!(!matches("\"7-0000\"", &a));
    }
}
