//! One log line and the request metrics per request. The log line has a
//! request id that is also returned in `x-request-id` (a caller's own id is
//! kept when it is a sane one, so a front-end's trace and Bron's line meet),
//! the method, the path without its query string, the status, the outcome,
//! the duration, and for GraphQL the kind of request and whether the
//! response cache answered. Never a header value, a token, a password, a
//! query or a variable's value: a query string can hold all of those. The
//! metrics count the same request by kind and outcome (`crate::metrics`).
//! An operator can turn either off (`HttpOptions`); with both off this
//! layer is not there at all.
//!
//! `bron serve` has the lines formatted and written by `request_lines/`;
//! `BRON_LOG` still decides whether they are written. Without it (library
//! use, tests) the line is a `tracing` event.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::uri::PathAndQuery;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::response::Response;

use super::request_lines;
use crate::graphql::Api;
use crate::metrics::{Outcome, RequestKind};

/// What the GraphQL handler tells the log and the metrics about a request.
#[derive(Debug, Clone, Copy)]
pub struct GraphqlFacts {
    pub kind: RequestKind,
    pub cached: bool,
    /// The request was refused as a whole (it did not parse or validate),
    /// whatever the HTTP status said.
    pub request_error: bool,
}

impl GraphqlFacts {
    pub fn of(kind: RequestKind) -> GraphqlFacts {
        GraphqlFacts {
            kind,
            cached: false,
            request_error: false,
        }
    }
}

/// The kind of the first operation in a document, read cheaply from its
/// text (no parse needed).
pub fn operation_kind(query: &str) -> RequestKind {
    let text = query
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    if text.starts_with("mutation") {
        RequestKind::Mutation
    } else if text.starts_with("subscription") {
        RequestKind::Other
    } else {
        RequestKind::Query
    }
}

/// The header that carries a request's id, both ways.
static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A caller's request id when it is short and plain (kept as the header
/// value it came in, to send back unchanged).
fn callers_request_id(req: &Request) -> Option<HeaderValue> {
    req.headers()
        .get(&X_REQUEST_ID)
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.as_bytes()
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
        })
        .cloned()
}

/// A UUIDv7 at `now`: the time in milliseconds, then 80 bits that are a
/// random number drawn once per process plus a counter, so ids are unique
/// without asking the kernel for randomness on every request.
fn new_request_id(now: Duration) -> [u8; 36] {
    static SALT: OnceLock<u128> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let salt = *SALT.get_or_init(|| uuid::Uuid::new_v4().as_u128());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let bits = salt.wrapping_add(u128::from(n)).to_be_bytes();
    let tail: [u8; 10] = bits[6..].try_into().unwrap_or_default();
    let millis = now.as_millis() as u64;
    let id = uuid::Builder::from_unix_timestamp_millis(millis, &tail).into_uuid();
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    id.hyphenated().encode_lower(&mut buf);
    buf
}

/// A request's id: the caller's, or one made here (hex digits and hyphens).
enum RequestId {
    Callers(HeaderValue),
    Made([u8; 36]),
}

impl RequestId {
    fn as_str(&self) -> &str {
        let bytes = match self {
            RequestId::Callers(v) => v.as_bytes(),
            RequestId::Made(b) => b,
        };
        // Both are plain ASCII: checked when it came in, or made so.
        std::str::from_utf8(bytes).unwrap_or("-")
    }

    fn into_header(self) -> HeaderValue {
        match self {
            RequestId::Callers(v) => v,
            RequestId::Made(b) => {
                HeaderValue::from_bytes(&b).unwrap_or_else(|_| HeaderValue::from_static("-"))
            }
        }
    }
}

/// What the layer does: log, count, or both.
pub struct Observe {
    pub api: Arc<Api>,
    pub log: bool,
    pub count: bool,
}

/// The layer, as a plain tower service rather than axum's `from_fn`, which
/// wraps and clones the inner service for every request.
#[derive(Clone)]
pub struct ObserveLayer(pub Arc<Observe>);

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = ObserveService<S>;

    fn layer(&self, inner: S) -> ObserveService<S> {
        ObserveService {
            inner,
            o: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct ObserveService<S> {
    inner: S,
    o: Arc<Observe>,
}

impl<S> tower::Service<Request> for ObserveService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Observed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        let admin = req.uri().path().starts_with("/admin");
        let logged = self.o.log.then(|| Asked {
            id: callers_request_id(&req),
            method: req.method().clone(),
            // Shared bytes: keeping it copies no path.
            path: req.uri().path_and_query().cloned(),
        });
        Observed {
            answer: self.inner.call(req),
            o: self.o.clone(),
            started,
            admin,
            logged,
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's answer, counted and logged when it is ready: a
    /// future of its own rather than a boxed `async` block, one allocation
    /// fewer per request.
    pub struct Observed<F> {
        #[pin]
        answer: F,
        o: Arc<Observe>,
        started: Instant,
        admin: bool,
        logged: Option<Asked>,
    }
}

impl<F> std::future::Future for Observed<F>
where
    F: std::future::Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Ok(mut resp) = std::task::ready!(this.answer.poll(cx));
        finish(
            this.o,
            *this.started,
            *this.admin,
            this.logged.take(),
            &mut resp,
        );
        Poll::Ready(Ok(resp))
    }
}

/// What a request's log line needs from the request.
pub struct Asked {
    id: Option<HeaderValue>,
    method: Method,
    path: Option<PathAndQuery>,
}

/// Counts and logs one answered request.
fn finish(o: &Observe, started: Instant, admin: bool, logged: Option<Asked>, resp: &mut Response) {
    let ended = Instant::now();
    let elapsed = ended - started;
    let status = resp.status().as_u16();
    let facts = resp.extensions().get::<GraphqlFacts>().copied();
    let kind = match facts {
        Some(f) => f.kind,
        None if admin => RequestKind::Admin,
        None => RequestKind::Other,
    };
    let outcome = match Outcome::of_status(status) {
        Outcome::Ok if facts.is_some_and(|f| f.request_error) => Outcome::ClientError,
        o => o,
    };
    if o.count {
        o.api
            .hub()
            .metrics()
            .request(kind, outcome, elapsed.as_secs_f64());
    }
    let Some(Asked { id, method, path }) = logged else {
        return;
    };
    let wall = request_lines::wall_clock(ended);
    let id = match id {
        Some(v) => RequestId::Callers(v),
        None => RequestId::Made(new_request_id(wall)),
    };
    let (operation, outcome) = (kind.as_str(), outcome.as_str());
    let cached = facts.is_some_and(|f| f.cached);
    let path = path.as_ref().map_or("/", PathAndQuery::path);
    let warn = status >= 500;
    if request_lines::active() {
        let line = request_lines::Line {
            at: wall,
            warn,
            id: id.as_str(),
            method: method.as_str(),
            path,
            status,
            outcome,
            micros: elapsed.as_micros() as u64,
            operation,
            cached,
        };
        request_lines::write(&line, ended);
    } else {
        let ms = elapsed.as_secs_f64() * 1e3;
        if warn {
            tracing::warn!(target: "bron::request", request_id = %id.as_str(), %method, %path, status, outcome, ms, operation, cached, "request");
        } else {
            tracing::info!(target: "bron::request", request_id = %id.as_str(), %method, %path, status, outcome, ms, operation, cached, "request");
        }
    }
    resp.headers_mut()
        .insert(X_REQUEST_ID.clone(), id.into_header());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operation_kind_is_read_from_the_text() {
        assert_eq!(operation_kind("{ products { title } }"), RequestKind::Query);
        assert_eq!(
            operation_kind("# note\n  mutation M { publish(ids: []) { id } }"),
            RequestKind::Mutation
        );
        assert_eq!(operation_kind("query Q { a }"), RequestKind::Query);
    }

    #[test]
    fn request_ids_are_version_7_uuids_and_differ() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let a = new_request_id(now);
        let b = new_request_id(now);
        assert_ne!(a, b);
        let a = std::str::from_utf8(&a).unwrap();
        let u = uuid::Uuid::parse_str(a).unwrap();
        assert_eq!(u.get_version_num(), 7);
        assert_eq!(a.len(), 36);
    }
}
