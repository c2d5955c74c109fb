//! The layouts of a request line: tracing-subscriber's text (with or
//! without colours) and its flattened JSON, with the same keys, formatted by
//! hand into the writer's buffer; RFC 3339 times without a date library.

use std::time::Duration;

/// One request line's fields.
pub(in crate::http) struct Line<'a> {
    /// The wall-clock time, since the Unix epoch.
    pub(in crate::http) at: Duration,
    pub(in crate::http) warn: bool,
    pub(in crate::http) id: &'a str,
    pub(in crate::http) method: &'a str,
    pub(in crate::http) path: &'a str,
    pub(in crate::http) status: u16,
    pub(in crate::http) outcome: &'a str,
    pub(in crate::http) micros: u64,
    pub(in crate::http) operation: &'a str,
    pub(in crate::http) cached: bool,
}

/// A path or method is cut to this many bytes in a line.
const MAX_PATH: usize = 256;

/// A line's time as RFC 3339: its second's text and the microseconds.
pub(super) struct At<'a> {
    pub(super) second: &'a [u8; 20],
    pub(super) micros: u32,
}

impl At<'_> {
    fn write(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(self.second);
        number(buf, u64::from(self.micros), 6);
        buf.push(b'Z');
    }
}

impl Line<'_> {
    /// At least the length of this line in either layout: the fixed parts,
    /// colours, the fields, and escapes doubling the path at most.
    pub(super) fn most_bytes(&self) -> usize {
        300 + self.id.len() + short(self.method).len() + 2 * short(self.path).len()
    }
}

/// `path` cut to at most `MAX_PATH` bytes, at a character boundary.
fn short(path: &str) -> &str {
    if path.len() <= MAX_PATH {
        return path;
    }
    let mut end = MAX_PATH;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}

/// `2026-12-03T16:19:40.123456Z  INFO bron::request: request request_id=…`
pub(super) fn text_line(buf: &mut Vec<u8>, l: &Line, at: &At, ansi: bool) {
    let level: &[u8] = if l.warn { b" WARN" } else { b" INFO" };
    if ansi {
        buf.extend_from_slice(b"\x1b[2m");
        at.write(buf);
        buf.extend_from_slice(b"\x1b[0m ");
        buf.extend_from_slice(if l.warn { b"\x1b[33m" } else { b"\x1b[32m" });
        buf.extend_from_slice(level);
        buf.extend_from_slice(b"\x1b[0m \x1b[2mbron::request:\x1b[0m request ");
    } else {
        at.write(buf);
        buf.push(b' ');
        buf.extend_from_slice(level);
        buf.extend_from_slice(b" bron::request: request ");
    }
    for (name, value) in [
        ("request_id=", l.id),
        (" method=", short(l.method)),
        (" path=", short(l.path)),
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
pub(super) fn json_line(buf: &mut Vec<u8>, l: &Line, at: &At) {
    buf.extend_from_slice(b"{\"timestamp\":\"");
    at.write(buf);
    buf.extend_from_slice(if l.warn {
        b"\",\"level\":\"WARN\""
    } else {
        b"\",\"level\":\"INFO\""
    });
    buf.extend_from_slice(b",\"message\":\"request\",\"request_id\":");
    json_string(buf, l.id);
    buf.extend_from_slice(b",\"method\":");
    json_string(buf, short(l.method));
    buf.extend_from_slice(b",\"path\":");
    json_string(buf, short(l.path));
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

/// A second since the Unix epoch in UTC as RFC 3339 up to the fraction:
/// `2026-12-03T16:39:40.` (years 0 to 9999).
pub(super) fn date_and_time(secs: u64) -> [u8; 20] {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    let mut text = *b"0000-00-00T00:00:00.";
    // Each field's digits, right-aligned in its zero-filled place.
    let fields = [
        (0..4, y.clamp(0, 9999) as u64),
        (5..7, u64::from(m)),
        (8..10, u64::from(d)),
        (11..13, s / 3600),
        (14..16, s / 60 % 60),
        (17..19, s % 60),
    ];
    for (place, mut n) in fields {
        for b in text[place].iter_mut().rev() {
            *b = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    text
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
    fn dates_are_written_as_rfc_3339() {
        let at = |secs: u64, micros: u32| {
            let mut s = Vec::new();
            At {
                second: &date_and_time(secs),
                micros,
            }
            .write(&mut s);
            String::from_utf8(s).unwrap()
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.000007Z");
        assert_eq!(at(1_796_315_980, 123_456), "2026-12-03T16:39:40.123456Z");
        assert_eq!(at(4_107_542_399, 999_999), "2100-02-28T23:59:59.999999Z");
    }

    /// `l` in JSON, or as text with or without colours.
    fn formatted(l: &Line, json: bool, ansi: bool) -> Vec<u8> {
        let at = At {
            second: &date_and_time(l.at.as_secs()),
            micros: l.at.subsec_micros(),
        };
        let mut s = Vec::new();
        if json {
            json_line(&mut s, l, &at);
        } else {
            text_line(&mut s, l, &at, ansi);
        }
        s
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
        let s = formatted(&line("/a\"b\\c\u{1}"), true, false);
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
    fn a_line_is_never_longer_than_its_estimate() {
        let long = "/\\\"é".repeat(200);
        let mut l = line("");
        l.path = &long;
        l.method = &long;
        l.id = "0123456789012345678901234567890123456789012345678901234567890123";
        l.micros = u64::MAX;
        l.warn = true;
        l.outcome = "server_error";
        l.operation = "subscription";
        for (json, ansi) in [(true, false), (false, true), (false, false)] {
            let s = formatted(&l, json, ansi);
            assert!(
                s.len() <= l.most_bytes(),
                "{} > {}",
                s.len(),
                l.most_bytes()
            );
            assert!(
                std::str::from_utf8(&s).is_ok(),
                "cut at a character boundary"
            );
        }
    }

    #[test]
    fn text_lines_look_like_the_other_log_lines() {
        let mut l = line("/graphql");
        l.micros = 12_345_678;
        let s = formatted(&l, false, false);
        assert_eq!(
            String::from_utf8(s).unwrap(),
            "2026-12-03T16:39:40.123456Z  INFO bron::request: request request_id=abc-1 method=GET path=/graphql status=304 outcome=not_modified ms=12345.678 operation=persisted cached=true\n"
        );
    }
}
