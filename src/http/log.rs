//! One log line per request, with a request id that is also returned in
//! `x-request-id` (a caller's own id is kept when it is a sane one, so a
//! front-end's trace and Bron's line meet). The line holds the method, the
//! path without its query string, the status, the outcome, the duration,
//! and for GraphQL the kind of operation and whether the response cache
//! answered. Never a header value, a token, a password, a query or a
//! variable's value: a query string can hold all of those.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// What the GraphQL handler tells the log about a request.
#[derive(Debug, Clone, Copy)]
pub struct GraphqlFacts {
    /// `query`, `mutation` or `subscription`.
    pub operation: &'static str,
    pub cached: bool,
}

/// The kind of the first operation in a document, read cheaply from its
/// text (the log needs no parse).
pub fn operation_kind(query: &str) -> &'static str {
    let text = query
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    if text.starts_with("mutation") {
        "mutation"
    } else if text.starts_with("subscription") {
        "subscription"
    } else {
        "query"
    }
}

/// A caller's request id when it is short and plain, else a new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

pub async fn log_requests(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let status = resp.status().as_u16();
    let outcome = match status {
        500.. => "server_error",
        400.. => "client_error",
        _ => "ok",
    };
    let facts = resp.extensions().get::<GraphqlFacts>().copied();
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    let operation = facts.map_or("", |f| f.operation);
    let cached = facts.is_some_and(|f| f.cached);
    if status >= 500 {
        tracing::warn!(target: "bron::request", request_id = %id, %method, %path, status, outcome, ms, operation, cached, "request");
    } else {
        tracing::info!(target: "bron::request", request_id = %id, %method, %path, status, outcome, ms, operation, cached, "request");
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operation_kind_is_read_from_the_text() {
        assert_eq!(operation_kind("{ products { title } }"), "query");
        assert_eq!(
            operation_kind("# note\n  mutation M { publish(ids: []) { id } }"),
            "mutation"
        );
        assert_eq!(operation_kind("query Q { a }"), "query");
    }
}
