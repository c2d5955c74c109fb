//! Request lines as `bron serve` writes them (`write_lines_to`): formatted
//! in the layout of the other log lines (tracing-subscriber's text or
//! flattened JSON, `format.rs`), and written several to a write (at 4 KiB,
//! or within 50 ms by a thread of their own). tracing's field visitors and formatter
//! cost several µs a line, a system call per line 1–2 µs more on these
//! machines; this costs a fraction of one. What goes into a line is
//! `log.rs`'s business.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

mod format;

pub(in crate::http) use format::Line;
use format::{At, date_and_time, json_line, text_line};

/// Where `bron serve` writes request lines, and how.
struct Lines {
    json: bool,
    ansi: bool,
    /// Whether `BRON_LOG` lets request lines of level INFO and WARN
    /// through, asked once: the filter is set before the lines are.
    info: bool,
    warn: bool,
    out: Mutex<Pending>,
}

/// Lines formatted but not yet written, and the writer.
struct Pending {
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
    /// When the oldest line in `buf` was added.
    since: Instant,
    /// The second of the last line's time, and its date and time in
    /// RFC 3339 up to the fraction (`2026-12-03T16:39:40.`).
    second: u64,
    second_text: [u8; 20],
}

/// Lines are written together up to this many bytes: a write this size to
/// a pipe is atomic, so another thread's log line never lands inside one.
const WRITE_BYTES: usize = 4096;
/// No line waits much longer than this.
const WRITE_WITHIN: Duration = Duration::from_millis(50);

static LINES: OnceLock<Lines> = OnceLock::new();

/// The wall clock, read from the monotonic one: `WALL_AT_START` is the
/// wall-clock time (ns since the Unix epoch) at `START`, set again every
/// 50 ms by the writer thread, so a line costs no wall-clock read.
static START: OnceLock<Instant> = OnceLock::new();
static WALL_AT_START: AtomicU64 = AtomicU64::new(0);

fn set_wall_clock() {
    let start = *START.get_or_init(Instant::now);
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_sub(start.elapsed());
    WALL_AT_START.store(wall.as_nanos() as u64, Ordering::Relaxed);
}

/// The wall-clock time (since the Unix epoch) at `now`.
pub(super) fn wall_clock(now: Instant) -> Duration {
    // `START` is set only with the writer thread that keeps it current.
    match START.get() {
        Some(start) => {
            Duration::from_nanos(WALL_AT_START.load(Ordering::Relaxed))
                + now.saturating_duration_since(*start)
        }
        _ => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default(),
    }
}

/// Request lines from now on are formatted here and written to `out`, as
/// JSON objects (`json`) or text (with colours when `ansi`), in the layout
/// the process's `tracing` subscriber uses for its other lines. They are
/// written several at a time: when 4 KiB are waiting, and otherwise within
/// 50 ms by a thread of their own; call `flush_lines` before the process
/// exits. Call it after the `tracing` subscriber is set: whether its
/// filter lets request lines through is asked here, once. Set once per
/// process; false if it was set already.
pub fn write_lines_to(json: bool, ansi: bool, out: Box<dyn Write + Send>) -> bool {
    let set = LINES
        .set(Lines {
            json,
            ansi,
            info: tracing::enabled!(target: "bron::request", tracing::Level::INFO),
            warn: tracing::enabled!(target: "bron::request", tracing::Level::WARN),
            out: Mutex::new(Pending {
                out,
                buf: Vec::with_capacity(WRITE_BYTES),
                since: Instant::now(),
                second: u64::MAX,
                second_text: [0; 20],
            }),
        })
        .is_ok();
    if set {
        set_wall_clock();
        // A request's own thread writes only when 4 KiB wait: writing on
        // every idle moment cost a system call every few requests.
        let flusher = std::thread::Builder::new()
            .name("bron-request-log".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(WRITE_WITHIN);
                    set_wall_clock();
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

impl Lines {
    /// Formats `line` straight into what waits to be written: no buffer
    /// of its own, and the lock held for a few hundred bytes' formatting.
    fn write(&self, line: &Line, now: Instant) {
        if !(if line.warn { self.warn } else { self.info }) {
            return;
        }
        let mut p = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let p = &mut *p;
        if p.buf.len() + line.most_bytes() > WRITE_BYTES {
            p.write_out();
        }
        if p.buf.is_empty() {
            p.since = now;
        }
        let second = line.at.as_secs();
        if second != p.second {
            p.second_text = date_and_time(second);
            p.second = second;
        }
        let at = At {
            second: &p.second_text,
            micros: line.at.subsec_micros(),
        };
        if self.json {
            json_line(&mut p.buf, line, &at);
        } else {
            text_line(&mut p.buf, line, &at, self.ansi);
        }
        if now.saturating_duration_since(p.since) >= WRITE_WITHIN {
            p.write_out();
        }
    }
}

/// Whether `write_lines_to` was called (else lines go through `tracing`).
pub(super) fn active() -> bool {
    LINES.get().is_some()
}

/// Adds `line` to what waits to be written (`now`: when it was made).
/// Not written when `BRON_LOG` leaves out request lines of its level.
pub(super) fn write(line: &Line, now: Instant) {
    if let Some(lines) = LINES.get() {
        lines.write(line, now);
    }
}
