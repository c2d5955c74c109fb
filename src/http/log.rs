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
//! `bron serve` hands the lines to `write_lines_to`, which formats them
//! itself, in the layout of the other log lines (tracing-subscriber's text
//! or flattened JSON), and writes them several to a write (at 4 KiB, or
//! within 50 ms): tracing's field visitors and formatter cost several µs a
//! line, a system call per line 1–2 µs more on these machines; this costs
//! a fraction of one. `BRON_LOG` still decides whether they are written.
//! Without `write_lines_to` (library use, tests) the line is a `tracing`
//! event as before.

use std::convert::Infallible;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::Request;
use axum::http::{HeaderValue, Method, Uri};
use axum::response::Response;

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

/// A caller's request id when it is short and plain.
fn callers_request_id(req: &Request) -> Option<String> {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
}

/// A UUIDv7 at `now`: the time in milliseconds, then 80 bits that are a
/// random number drawn once per process plus a counter, so ids are unique
/// without asking the kernel for randomness on every request.
fn new_request_id(now: Duration) -> String {
    static SALT: OnceLock<u128> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let salt = *SALT.get_or_init(|| uuid::Uuid::new_v4().as_u128());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let bits = salt.wrapping_add(u128::from(n)).to_be_bytes();
    let tail: [u8; 10] = bits[6..].try_into().unwrap_or_default();
    let millis = now.as_millis() as u64;
    let id = uuid::Builder::from_unix_timestamp_millis(millis, &tail).into_uuid();
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    id.hyphenated().encode_lower(&mut buf).to_string()
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
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = super::Answering;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        let admin = req.uri().path().starts_with("/admin");
        // The URI's parts are shared bytes: keeping it copies no path.
        let logged = self.o.log.then(|| {
            (
                callers_request_id(&req),
                req.method().clone(),
                req.uri().clone(),
            )
        });
        let answer = self.inner.call(req);
        let o = self.o.clone();
        Box::pin(async move {
            let resp = answer.await?;
            Ok(finish(&o, started, admin, logged, resp))
        })
    }
}

/// Counts and logs one answered request.
fn finish(
    o: &Observe,
    started: Instant,
    admin: bool,
    logged: Option<(Option<String>, Method, Uri)>,
    mut resp: Response,
) -> Response {
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
    let Some((id, method, uri)) = logged else {
        return resp;
    };
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let id = id.unwrap_or_else(|| new_request_id(wall));
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    let (operation, outcome) = (kind.as_str(), outcome.as_str());
    let cached = facts.is_some_and(|f| f.cached);
    let path = uri.path();
    let warn = status >= 500;
    if let Some(lines) = LINES.get() {
        let enabled = if warn {
            tracing::enabled!(target: "bron::request", tracing::Level::WARN)
        } else {
            tracing::enabled!(target: "bron::request", tracing::Level::INFO)
        };
        if enabled {
            let line = Line {
                at: wall,
                warn,
                id: &id,
                method: method.as_str(),
                path,
                status,
                outcome,
                micros: elapsed.as_micros() as u64,
                operation,
                cached,
            };
            lines.write(&line, ended);
        }
    } else {
        let ms = elapsed.as_secs_f64() * 1e3;
        if warn {
            tracing::warn!(target: "bron::request", request_id = %id, %method, %path, status, outcome, ms, operation, cached, "request");
        } else {
            tracing::info!(target: "bron::request", request_id = %id, %method, %path, status, outcome, ms, operation, cached, "request");
        }
    }
    resp
}

/// Where `bron serve` writes request lines, and how.
struct Lines {
    json: bool,
    ansi: bool,
    out: Mutex<Pending>,
}

/// Lines formatted but not yet written, and the writer.
struct Pending {
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
    /// When the oldest line in `buf` was added.
    since: Instant,
}

/// Lines are written together up to this many bytes: a write this size to
/// a pipe is atomic, so another thread's log line never lands inside one.
const WRITE_BYTES: usize = 4096;
/// No line waits much longer than this.
const WRITE_WITHIN: Duration = Duration::from_millis(50);

static LINES: OnceLock<Lines> = OnceLock::new();

/// Request lines from now on are formatted here and written to `out`, as
/// JSON objects (`json`) or text (with colours when `ansi`), in the layout
/// the process's `tracing` subscriber uses for its other lines. They are
/// written several at a time: when 4 KiB are waiting, and otherwise within
/// 50 ms by a thread of their own; call `flush_lines` before the process
/// exits. Set once per process; false if it was set already.
pub fn write_lines_to(json: bool, ansi: bool, out: Box<dyn Write + Send>) -> bool {
    let set = LINES
        .set(Lines {
            json,
            ansi,
            out: Mutex::new(Pending {
                out,
                buf: Vec::with_capacity(WRITE_BYTES),
                since: Instant::now(),
            }),
        })
        .is_ok();
    if set {
        // A request's own thread writes only when 4 KiB wait: writing on
        // every idle moment cost a system call every few requests.
        let flusher = std::thread::Builder::new()
            .name("bron-request-log".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(WRITE_WITHIN);
                    flush_lines();
                }
            });
        if let Err(e) = flusher {
            tracing::warn!(error = %e, "no thread to write request lines; they are written at 4 KiB");
        }
    }
    set
}

/// Writes the request lines waiting, if any. Cheap when none wait.
pub fn flush_lines() {
    if let Some(lines) = LINES.get() {
        let mut p = lines.out.lock().unwrap_or_else(|e| e.into_inner());
        p.write_out();
    }
}

impl Pending {
    fn write_out(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        // A log that cannot be written must not fail a request.
        let _ = self.out.write_all(&self.buf);
        let _ = self.out.flush();
        self.buf.clear();
    }
}

/// One request line's fields.
struct Line<'a> {
    /// The wall-clock time, since the Unix epoch.
    at: Duration,
    warn: bool,
    id: &'a str,
    method: &'a str,
    path: &'a str,
    status: u16,
    outcome: &'a str,
    micros: u64,
    operation: &'a str,
    cached: bool,
}

impl Lines {
    fn write(&self, line: &Line, now: Instant) {
        let mut text = Vec::with_capacity(320);
        if self.json {
            json_line(&mut text, line);
        } else {
            text_line(&mut text, line, self.ansi);
        }
        let mut p = self.out.lock().unwrap_or_else(|e| e.into_inner());
        if p.buf.len() + text.len() > WRITE_BYTES {
            p.write_out();
        }
        if p.buf.is_empty() {
            p.since = now;
        }
        p.buf.extend_from_slice(&text);
        if now.saturating_duration_since(p.since) >= WRITE_WITHIN {
            p.write_out();
        }
    }
}

/// `2026-12-03T16:19:40.123456Z  INFO bron::request: request request_id=…`
fn text_line(buf: &mut Vec<u8>, l: &Line, ansi: bool) {
    let level: &[u8] = if l.warn { b" WARN" } else { b" INFO" };
    if ansi {
        buf.extend_from_slice(b"\x1b[2m");
        rfc3339(buf, l.at);
        buf.extend_from_slice(b"\x1b[0m ");
        buf.extend_from_slice(if l.warn { b"\x1b[33m" } else { b"\x1b[32m" });
        buf.extend_from_slice(level);
        buf.extend_from_slice(b"\x1b[0m \x1b[2mbron::request:\x1b[0m request ");
    } else {
        rfc3339(buf, l.at);
        buf.push(b' ');
        buf.extend_from_slice(level);
        buf.extend_from_slice(b" bron::request: request ");
    }
    for (name, value) in [
        ("request_id=", l.id),
        (" method=", l.method),
        (" path=", l.path),
    ] {
        buf.extend_from_slice(name.as_bytes());
        buf.extend_from_slice(value.as_bytes());
    }
    buf.extend_from_slice(b" status=");
    number(buf, u64::from(l.status), 1);
    buf.extend_from_slice(b" outcome=");
    buf.extend_from_slice(l.outcome.as_bytes());
    buf.extend_from_slice(b" ms=");
    millis(buf, l.micros);
    buf.extend_from_slice(b" operation=");
    buf.extend_from_slice(l.operation.as_bytes());
    buf.extend_from_slice(if l.cached {
        b" cached=true\n"
    } else {
        b" cached=false\n"
    });
}

/// `{"timestamp":…,"level":"INFO","message":"request",…,"target":"bron::request"}`,
/// the keys of tracing-subscriber's flattened JSON.
fn json_line(buf: &mut Vec<u8>, l: &Line) {
    buf.extend_from_slice(b"{\"timestamp\":\"");
    rfc3339(buf, l.at);
    buf.extend_from_slice(if l.warn {
        b"\",\"level\":\"WARN\""
    } else {
        b"\",\"level\":\"INFO\""
    });
    buf.extend_from_slice(b",\"message\":\"request\",\"request_id\":");
    json_string(buf, l.id);
    buf.extend_from_slice(b",\"method\":");
    json_string(buf, l.method);
    buf.extend_from_slice(b",\"path\":");
    json_string(buf, l.path);
    buf.extend_from_slice(b",\"status\":");
    number(buf, u64::from(l.status), 1);
    buf.extend_from_slice(b",\"outcome\":");
    json_string(buf, l.outcome);
    buf.extend_from_slice(b",\"ms\":");
    millis(buf, l.micros);
    buf.extend_from_slice(b",\"operation\":");
    json_string(buf, l.operation);
    buf.extend_from_slice(if l.cached {
        b",\"cached\":true"
    } else {
        b",\"cached\":false"
    });
    buf.extend_from_slice(b",\"target\":\"bron::request\"}\n");
}

fn json_string(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            0..0x20 => {
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[usize::from(b >> 4)]);
                buf.push(HEX[usize::from(b & 15)]);
            }
            b => buf.push(b),
        }
    }
    buf.push(b'"');
}

/// `n` in decimal, zero-padded to `width` digits.
fn number(buf: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    while n > 0 || digits.len() - i < width {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Microseconds as milliseconds with three decimals: `0.042`.
fn millis(buf: &mut Vec<u8>, micros: u64) {
    number(buf, micros / 1000, 1);
    buf.push(b'.');
    number(buf, micros % 1000, 3);
}

/// A time since the Unix epoch in UTC as RFC 3339 with microseconds, as
/// tracing-subscriber writes it.
fn rfc3339(buf: &mut Vec<u8>, at: Duration) {
    let secs = at.as_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    number(buf, y.max(0) as u64, 4);
    buf.push(b'-');
    number(buf, u64::from(m), 2);
    buf.push(b'-');
    number(buf, u64::from(d), 2);
    buf.push(b'T');
    number(buf, s / 3600, 2);
    buf.push(b':');
    number(buf, s / 60 % 60, 2);
    buf.push(b':');
    number(buf, s % 60, 2);
    buf.push(b'.');
    number(buf, u64::from(at.subsec_micros()), 6);
    buf.push(b'Z');
}

/// Year, month and day of a day number counted from 1970-01-01 (the
/// proleptic Gregorian calendar, as in Howard Hinnant's date algorithms).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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
    fn dates_are_written_as_rfc_3339() {
        let at = |secs: u64, micros: u32| {
            let mut s = Vec::new();
            rfc3339(&mut s, Duration::new(secs, micros * 1000));
            String::from_utf8(s).unwrap()
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.000007Z");
        assert_eq!(at(1_796_315_980, 123_456), "2026-12-03T16:39:40.123456Z");
        assert_eq!(at(4_107_542_399, 999_999), "2100-02-28T23:59:59.999999Z");
    }

    #[test]
    fn request_ids_are_version_7_uuids_and_differ() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let a = new_request_id(now);
        let b = new_request_id(now);
        assert_ne!(a, b);
        let u = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(u.get_version_num(), 7);
        assert_eq!(a.len(), 36);
    }

    fn line(path: &'static str) -> Line<'static> {
        Line {
            at: Duration::new(1_796_315_980, 123_456_000),
            warn: false,
            id: "abc-1",
            method: "GET",
            path,
            status: 304,
            outcome: "not_modified",
            micros: 42,
            operation: "persisted",
            cached: true,
        }
    }

    #[test]
    fn json_lines_have_tracing_s_keys_and_escape_the_path() {
        let mut s = Vec::new();
        json_line(&mut s, &line("/a\"b\\c\u{1}"));
        assert!(s.ends_with(b"\n"));
        let v: serde_json::Value = serde_json::from_slice(&s).unwrap();
        assert_eq!(v["message"], "request");
        assert_eq!(v["level"], "INFO");
        assert_eq!(v["target"], "bron::request");
        assert_eq!(v["request_id"], "abc-1");
        assert_eq!(v["path"], "/a\"b\\c\u{1}");
        assert_eq!(v["status"], 304);
        assert_eq!(v["ms"], 0.042);
        assert_eq!(v["cached"], true);
        assert_eq!(v["timestamp"], "2026-12-03T16:39:40.123456Z");
    }

    #[test]
    fn text_lines_look_like_the_other_log_lines() {
        let mut s = Vec::new();
        let mut l = line("/graphql");
        l.micros = 12_345_678;
        text_line(&mut s, &l, false);
        assert_eq!(
            String::from_utf8(s).unwrap(),
            "2026-12-03T16:39:40.123456Z  INFO bron::request: request request_id=abc-1 method=GET path=/graphql status=304 outcome=not_modified ms=12345.678 operation=persisted cached=true\n"
        );
    }
}
