//! Inline handling for the HTML-to-Markdown converter: text runs, `*`/`**` emphasis, links and
//! hard breaks inside the current block. It owns opening markers lazily (so empty elements leave
//! nothing), dropping or merging markers so every emitted delimiter parses as CommonMark
//! emphasis, link syntax and URL encoding, the `!`-before-link guard and escaping of text. It must
//! not emit inline HTML or produce block structure; blocks, lists and tables are the caller's.

use super::tokenizer::is_ws;
use super::{Converter, Inline, Kind};

impl Converter {
    pub(super) fn open_inline(&mut self, kind: Kind, href: Option<String>) {
        let active = self.counts[kind as usize] == 0;
        self.push(kind, active);
        if active {
            self.inline.push(Inline {
                kind,
                href,
                at: None,
                ok: false,
            });
        }
    }

    pub(super) fn text(&mut self, t: &str) {
        for (i, chunk) in t
            .split(|c: char| c.is_ascii() && is_ws(c as u8))
            .enumerate()
        {
            self.space |= i > 0;
            if !chunk.is_empty() {
                self.write(&escape_text(chunk));
            }
        }
    }

    /// Appends inline content, first opening pending emphasis/links: lazily, so elements
    /// without content produce no markers and openers are never followed by whitespace.
    fn write(&mut self, s: &str) {
        if self.space && !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push(' ');
        }
        self.space = false;
        let body = s.trim_start();
        self.buf.push_str(&s[..s.len() - body.len()]);
        if body.is_empty() {
            return;
        }
        let mut closed = std::mem::take(&mut self.closed);
        if closed.last().is_none_or(|c| c.1 != self.buf.len()) {
            closed.clear();
        }
        // The outermost closer merges with a reopening of its kind: `**a**` `**b**` -> `**ab**`.
        let first = self.inline.iter_mut().find(|e| e.at.is_none());
        if let (Some(&(k, end, open)), Some(e)) = (closed.last(), first)
            && e.kind == k
            && self.buf.ends_with(marker(k))
        {
            self.buf.truncate(end - marker(k).len());
            (e.at, e.ok) = (Some(open), true);
            closed.pop();
        }
        // A closer after punctuation needs whitespace after it, and one inside a word may
        // reopen when nested (else it may not close or pair up differently): drop those.
        if let Some(&(k, end, _)) = closed.first() {
            let start = end.saturating_sub(marker(k).len());
            let before = self
                .buf
                .get(..start)
                .unwrap_or_default()
                .trim_end_matches('*');
            let word = body.starts_with(char::is_alphanumeric) || self.pending_emphasis();
            let intraword = word && before.ends_with(char::is_alphanumeric) && self.nested();
            if before.ends_with(is_punct) || intraword {
                self.buf.truncate(start);
                for &(k, _, open) in &closed {
                    self.remove_marker(open, marker(k).len());
                }
            }
        }
        for e in self.inline.iter_mut().filter(|e| e.at.is_none()) {
            e.at = Some(self.buf.len());
            self.buf.push_str(marker(e.kind));
        }
        self.buf.push_str(body);
    }

    /// Writes the closing markup of `inline[k]`; `last`: the element really ends here.
    pub(super) fn end_inline(&mut self, k: usize, last: bool) {
        let e = &mut self.inline[k];
        let (kind, href, ok, m) = (
            e.kind,
            e.href.clone(),
            std::mem::take(&mut e.ok),
            marker(e.kind),
        );
        let Some(at) =
            e.at.take()
                .filter(|&at| self.buf.get(at..at + m.len()) == Some(m))
        else {
            if let (Kind::Link, Some(href), true) = (kind, href, last) {
                let link = link_markdown(&href, "");
                self.write(&link);
                self.guard_bang(self.buf.len() - link.len());
            }
            return;
        };
        let tail = self
            .buf
            .split_off(self.buf.trim_end().len().max(at + m.len()));
        if kind == Kind::Link {
            if let Some(href) = href {
                let text = self.buf.split_off(at);
                self.buf.push_str(&link_markdown(&href, &text));
                self.guard_bang(at);
            }
            self.closed.clear();
        } else if ok || flanks(&self.buf[..at], &self.buf[at + m.len()..], self.nested()) {
            if self.closed.last().is_none_or(|c| c.1 != self.buf.len()) {
                self.closed.clear();
            }
            self.buf.push_str(m);
            self.closed.push((kind, self.buf.len(), at));
        } else {
            self.closed.clear();
            self.remove_marker(at, m.len());
        }
        self.buf.push_str(&tail);
    }

    /// Whether an enclosing emphasis is open in `buf`.
    fn nested(&self) -> bool {
        self.inline
            .iter()
            .any(|e| e.kind != Kind::Link && e.at.is_some())
    }

    fn pending_emphasis(&self) -> bool {
        self.inline
            .iter()
            .any(|e| e.kind != Kind::Link && e.at.is_none())
    }

    /// Removes an opening marker that turned out not to parse.
    fn remove_marker(&mut self, at: usize, len: usize) {
        if self
            .buf
            .get(at..at + len)
            .is_none_or(|m| m.bytes().any(|b| b != b'*'))
        {
            return;
        }
        self.buf.replace_range(at..at + len, "");
        self.guard_bang(at);
    }

    /// Escapes a `!` before `pos` if a link starts there (else it would become an image).
    fn guard_bang(&mut self, pos: usize) {
        let (Some(before), Some(after)) = (self.buf.get(..pos), self.buf.get(pos..)) else {
            return;
        };
        if let Some(rest) = before.strip_suffix('!')
            && (rest.len() - rest.trim_end_matches('\\').len()) % 2 == 0
            && after.starts_with('[')
        {
            self.buf.insert(pos - 1, '\\');
        }
    }

    pub(super) fn br(&mut self) {
        if self.table.is_some() || self.heading.is_some() {
            self.space = true;
        } else if !self.buf.is_empty() {
            self.buf.push('\n');
            self.space = false;
            self.closed.clear();
        }
    }

    /// Takes the current block's Markdown, closing open inline markup (it reopens lazily).
    pub(super) fn take_buf(&mut self) -> String {
        for k in (0..self.inline.len()).rev() {
            self.end_inline(k, false);
        }
        self.space = false;
        self.closed.clear();
        std::mem::take(&mut self.buf)
    }
}

fn marker(kind: Kind) -> &'static str {
    match kind {
        Kind::Strong => "**",
        Kind::Em => "*",
        _ => "",
    }
}

fn is_punct(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// Whether `*`-emphasis of `content` after `before` opens in CommonMark (delimiter runs aware).
fn flanks(before: &str, content: &str, nested: bool) -> bool {
    let prev = before.trim_end_matches('*').chars().next_back();
    let first = content.trim_start_matches('*').chars().next();
    let bad_open = first.is_some_and(is_punct) && prev.is_some_and(|c| !c.is_whitespace())
        || nested && prev.is_some_and(char::is_alphanumeric);
    content.chars().any(char::is_alphanumeric) && !bad_open
}

fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let entity_like = c == '&'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#');
        if entity_like || matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn usable_href(v: &str) -> Option<String> {
    let v = v.trim();
    let probe: String = v
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(11)
        .collect();
    let probe = probe.to_ascii_lowercase();
    let bad = ["javascript:", "data:", "vbscript:"]
        .iter()
        .any(|p| probe.starts_with(p));
    (!v.is_empty() && !bad).then(|| v.to_string())
}

fn encode_url(href: &str) -> String {
    let encode = |c: char| match c {
        ' ' | '(' | ')' | '<' | '>' | '\\' => format!("%{:02X}", u32::from(c)),
        _ => c.to_string(),
    };
    href.chars()
        .filter(|c| !c.is_control())
        .map(encode)
        .collect()
}

fn is_absolute(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        (2..=32).contains(&scheme.len())
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    })
}

/// A link to `href` around `text` (already-escaped Markdown, may be empty).
fn link_markdown(href: &str, text: &str) -> String {
    let url = encode_url(href);
    if (text.is_empty() || text == escape_text(href)) && is_absolute(&url) {
        return format!("<{url}>");
    }
    let text = if text.is_empty() {
        escape_text(href)
    } else {
        text.to_string()
    };
    format!("[{text}]({url})")
}
