//! HTML-fragment to CommonMark conversion for importers (e.g. the Rijksoverheid Q&A set). This
//! module owns a small tolerant tokenizer and a single-pass, explicit-stack converter for the
//! markup found in imported rich text (paragraphs, headings, lists, links, emphasis, line breaks,
//! tables); any other tag contributes only its text. It must stay pure and dependency-free (no
//! I/O, no recursion, linear time) and must never panic, whatever the input. It is not an HTML5
//! parser or sanitiser and must not grow into one: it emits no inline HTML, keeps no images or
//! code spans, reads no attribute but `href`, and only drops `javascript:`/`data:` style links.

const MAX_LIST_DEPTH: usize = 16;
const RAW_TEXT: &str = "script style iframe noscript template svg title";
const BLOCKS: &str = "p div section article header footer nav aside main blockquote pre figure \
                      figcaption address dl dt dd form fieldset details summary center body html hr";
const NAMED: &str = "amp:& lt:< gt:> quot:\" apos:' nbsp:\u{a0} shy:\u{ad} euro:€ copy:© reg:® \
                     trade:™ deg:° middot:· bull:• hellip:… ndash:– mdash:— lsquo:‘ rsquo:’ \
                     ldquo:“ rdquo:” laquo:« raquo:» eacute:é euml:ë iuml:ï ouml:ö uuml:ü";
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Converts an HTML fragment to CommonMark.
pub fn html_to_markdown(html: &str) -> String {
    let mut tokens = Tokenizer { src: html, pos: 0 };
    let mut c = Converter::default();
    while let Some(token) = tokens.next_token() {
        match token {
            Token::Text(t) => c.text(&t),
            Token::Start(name, href, closed) => {
                c.start(&name, href);
                if closed && name != "br" {
                    c.end(&name);
                }
            }
            Token::End(name) => c.end(&name),
        }
    }
    c.finish()
}

enum Token {
    Text(String),
    /// Lower-cased name, decoded `href` attribute, self-closing.
    Start(String, Option<String>, bool),
    End(String),
}

struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// The first index at or after `i` whose byte does not satisfy `f`.
fn skip(b: &[u8], mut i: usize, f: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && f(b[i]) {
        i += 1;
    }
    i
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let mut windows = hay.get(from..)?.windows(needle.len());
    windows
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

fn listed(list: &str, name: &str) -> bool {
    list.split(' ').any(|w| w == name)
}

impl Tokenizer<'_> {
    /// The next token; `None` at the end of input or at a tag cut off by the end of input.
    /// Every slice boundary is an ASCII byte or the end, so UTF-8 slicing cannot panic.
    fn next_token(&mut self) -> Option<Token> {
        let b = self.src.as_bytes();
        while self.pos < b.len() {
            let p = self.pos;
            if b[p] == b'<' {
                let next = b.get(p + 1).copied().unwrap_or(0);
                if next.is_ascii_alphabetic() {
                    return self.tag(p + 1, false);
                }
                if next == b'/' && b.get(p + 2).is_some_and(u8::is_ascii_alphabetic) {
                    return self.tag(p + 2, true);
                }
                if matches!(next, b'!' | b'?' | b'/') {
                    let comment = b[p..].starts_with(b"<!--");
                    let (needle, from): (&[u8], _) = if comment {
                        (b"-->", p + 4)
                    } else {
                        (b">", p + 2)
                    };
                    self.pos = find_ci(b, from, needle).map_or(b.len(), |i| i + needle.len());
                    continue;
                }
            }
            self.pos = skip(b, p + 1, |c| c != b'<');
            return Some(Token::Text(decode(&self.src[p..self.pos])));
        }
        None
    }

    fn tag(&mut self, start: usize, end_tag: bool) -> Option<Token> {
        let (s, b) = (self.src, self.src.as_bytes());
        let mut i = skip(b, start, |c| !is_ws(c) && c != b'/' && c != b'>');
        let name = s[start..i].to_ascii_lowercase();
        let mut href = None;
        let mut closed;
        loop {
            let j = skip(b, i, |c| is_ws(c) || c == b'/');
            closed = j > i && b[j - 1] == b'/';
            i = j;
            if *b.get(i)? == b'>' {
                i += 1;
                break;
            }
            let key_start = i;
            i = skip(b, i + 1, |c| !is_ws(c) && !matches!(c, b'/' | b'>' | b'='));
            let key = &s[key_start..i];
            i = skip(b, i, is_ws);
            let mut value = "";
            if b.get(i) == Some(&b'=') {
                i = skip(b, i + 1, is_ws);
                let q = *b.get(i)?;
                let quoted = usize::from(q == b'"' || q == b'\'');
                let end = if quoted == 1 {
                    b[i + 1..].iter().position(|&c| c == q)? + i + 1
                } else {
                    skip(b, i, |c| !is_ws(c) && c != b'>')
                };
                value = &s[i + quoted..end];
                i = end + quoted;
            }
            if href.is_none() && key.eq_ignore_ascii_case("href") {
                href = Some(decode(value));
            }
        }
        self.pos = i;
        if end_tag {
            return Some(Token::End(name));
        }
        if !closed && listed(RAW_TEXT, &name) {
            let end = find_ci(b, i, format!("</{name}").as_bytes());
            self.pos = end.unwrap_or(b.len());
        }
        Some(Token::Start(name, href, closed))
    }
}

/// Decodes character references; unknown or malformed ones are kept literally.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let (c, len) = entity(&rest[p..]).unwrap_or(('&', 1));
        out.push(c);
        rest = &rest[p + len..];
    }
    out + rest
}

/// Decodes the reference at the start of `s` (which starts with `&`): (char, bytes used).
fn entity(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let hex = matches!(b.get(2), Some(b'x' | b'X'));
        let (radix, start) = if hex { (16, 3) } else { (10, 2) };
        let end = skip(b, start, |c| char::from(c).is_digit(radix));
        let digits = s[start..end].chars().filter_map(|c| c.to_digit(radix));
        let v = digits.fold(0u32, |v, d| v.saturating_mul(radix).saturating_add(d));
        let c = match v {
            0x80..=0x9f => CP1252[v as usize - 0x80],
            _ => char::from_u32(v)
                .filter(|&c| c != '\0')
                .unwrap_or('\u{fffd}'),
        };
        return (end > start).then_some((c, end + usize::from(b.get(end) == Some(&b';'))));
    }
    let end = s.bytes().take(10).position(|c| c == b';')?;
    let name = &s[1..end];
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let value = NAMED
        .split(' ')
        .find_map(|e| e.strip_prefix(name)?.strip_prefix(':'))?;
    Some((value.chars().next()?, end + 1))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    List,
    Item,
    Strong,
    Em,
    Link,
    Table,
    Cell,
    Caption,
}

/// An open element; `flag` means List: ordered, Item: has an `items` entry, inline: active.
#[derive(Clone, Copy)]
struct Frame {
    kind: Kind,
    flag: bool,
    n: u32,
    li_open: bool,
}

/// Active inline markup (nested repeats of a kind are inert). `at` is where the opening marker
/// (emphasis) or the text (link) starts in `buf`, set lazily when content arrives; `ok` marks
/// emphasis already known to parse.
struct Inline {
    kind: Kind,
    href: Option<String>,
    at: Option<usize>,
    ok: bool,
}

/// The open outermost table: its frame's stack index, the depth of inner tables (flattened into
/// the current cell), finished rows, the current row, and caption plus stray text.
#[derive(Default)]
struct Table {
    base: usize,
    nested: usize,
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    caption: Vec<String>,
}

#[derive(Default)]
struct Converter {
    out: String,
    /// Inline Markdown of the current block; `\n` marks a hard break.
    buf: String,
    /// A collapsed space is pending; newlines owed before the next list item.
    space: bool,
    sep: usize,
    /// Output length when the last top-level list ended, and whether lists use `*`/`)` markers
    /// (alternated so that adjacent lists do not merge).
    list_end: usize,
    alt: bool,
    heading: Option<usize>,
    /// Open elements, how many of each kind, and the stack indices of the open lists.
    stack: Vec<Frame>,
    counts: [usize; 8],
    lists: Vec<usize>,
    /// Open list items: (marker, marker not yet printed).
    items: Vec<(String, bool)>,
    inline: Vec<Inline>,
    /// Emphasis closers at the very end of `buf`, innermost first: (kind, end, opener start).
    closed: Vec<(Kind, usize, usize)>,
    table: Option<Table>,
}

impl Converter {
    fn start(&mut self, name: &str, href: Option<String>) {
        match name {
            "b" | "strong" => self.open_inline(Kind::Strong, None),
            "i" | "em" => self.open_inline(Kind::Em, None),
            "a" => {
                self.close(Kind::Link);
                self.open_inline(Kind::Link, href.as_deref().and_then(usable_href));
            }
            "br" => self.br(),
            "ul" | "ol" => {
                self.flush_block();
                self.push(Kind::List, name == "ol");
            }
            "li" => self.open_item(),
            "table" => match &mut self.table {
                Some(t) => {
                    t.nested += 1;
                    self.space = true;
                }
                None => {
                    self.flush_block();
                    self.table = Some(Table {
                        base: self.stack.len(),
                        ..Table::default()
                    });
                    self.push(Kind::Table, false);
                }
            },
            "tr" | "td" | "th" | "caption" => self.table_part(name, true),
            _ if listed(BLOCKS, name) => self.flush_block(),
            _ => {
                if let Some(level) = heading_level(name) {
                    self.flush_block();
                    self.heading = Some(level);
                }
            }
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "b" | "strong" => self.close(Kind::Strong),
            "i" | "em" => self.close(Kind::Em),
            "a" => self.close(Kind::Link),
            "br" => self.br(),
            "ul" | "ol" => self.close(Kind::List),
            "li" => self.close(Kind::Item),
            "table" => match &mut self.table {
                Some(t) if t.nested > 0 => {
                    t.nested -= 1;
                    self.space = true;
                }
                _ => self.close(Kind::Table),
            },
            "tr" | "td" | "th" | "caption" => self.table_part(name, false),
            _ if listed(BLOCKS, name) => self.flush_block(),
            _ => {
                if heading_level(name).is_some() {
                    self.flush_block();
                    self.heading = None;
                }
            }
        }
    }

    fn push(&mut self, kind: Kind, flag: bool) {
        self.counts[kind as usize] += 1;
        if kind == Kind::List {
            if self.lists.is_empty() {
                self.sep = 2;
                self.alt = self.list_end == self.out.len() && !self.out.is_empty() && !self.alt;
            }
            self.lists.push(self.stack.len());
        }
        self.stack.push(Frame {
            kind,
            flag,
            n: 0,
            li_open: false,
        });
    }

    /// Closes the innermost open `kind` and everything opened inside it (amortised O(1)).
    fn close(&mut self, kind: Kind) {
        if self.counts[kind as usize] > 0 {
            while self.pop().is_some_and(|k| k != kind) {}
        }
    }

    fn pop(&mut self) -> Option<Kind> {
        let f = self.stack.pop()?;
        self.counts[f.kind as usize] -= 1;
        match f.kind {
            Kind::List => {
                self.flush_block();
                self.lists.pop();
                if self.lists.is_empty() {
                    // An empty list undoes its marker switch.
                    self.alt ^= self.list_end == self.out.len();
                    self.list_end = self.out.len();
                }
            }
            Kind::Item => {
                self.flush_block();
                // An item that printed nothing is dropped and gives its number back.
                let unused = f.flag && self.items.pop().is_some_and(|i| i.1);
                if let Some(&l) = self.lists.last() {
                    let list = &mut self.stack[l];
                    list.li_open = false;
                    list.n = list.n.saturating_sub(u32::from(unused));
                }
            }
            Kind::Strong | Kind::Em | Kind::Link if f.flag => {
                if let Some(k) = self.inline.len().checked_sub(1) {
                    self.end_inline(k, true);
                    self.inline.pop();
                }
            }
            Kind::Cell => {
                let text = self.take_buf();
                if let Some(t) = &mut self.table {
                    t.row.push(text.trim().replace('|', "\\|"));
                }
            }
            Kind::Caption => {
                let text = self.take_buf();
                self.add_caption(text);
            }
            Kind::Table => self.finish_table(),
            _ => {}
        }
        Some(f.kind)
    }

    fn open_inline(&mut self, kind: Kind, href: Option<String>) {
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

    fn open_item(&mut self) {
        self.flush_block();
        let base = self.table.as_ref().map_or(0, |t| t.base + 1);
        let list = match self.lists.last() {
            Some(&l) if l >= base => l,
            _ => {
                self.push(Kind::List, false);
                self.stack.len() - 1
            }
        };
        if self.stack[list].li_open {
            while self.stack.len() > list + 1 {
                self.pop();
            }
        }
        let f = &mut self.stack[list];
        f.li_open = true;
        f.n = f.n.saturating_add(1);
        let marker = match (f.flag, self.alt) {
            (true, alt) => format!("{}{} ", f.n, if alt { ')' } else { '.' }),
            (false, alt) => if alt { "* " } else { "- " }.to_string(),
        };
        let pushed = self.items.len() < MAX_LIST_DEPTH;
        if pushed {
            self.items.push((marker, true));
        } else if let Some(last) = self.items.last_mut() {
            *last = (marker, true);
        }
        self.push(Kind::Item, pushed);
    }

    fn table_part(&mut self, name: &str, open: bool) {
        if self.table.as_ref().is_none_or(|t| t.nested > 0) {
            self.space = true;
            return;
        }
        self.close(Kind::Cell);
        self.close(Kind::Caption);
        if name == "tr" {
            if let Some(t) = &mut self.table
                && !t.row.is_empty()
            {
                t.rows.push(std::mem::take(&mut t.row));
            }
        } else if open {
            let stray = self.take_buf();
            self.add_caption(stray);
            self.push(
                if name == "caption" {
                    Kind::Caption
                } else {
                    Kind::Cell
                },
                false,
            );
        }
    }

    fn add_caption(&mut self, text: String) {
        if let Some(t) = &mut self.table
            && !text.trim().is_empty()
        {
            t.caption.push(text);
        }
    }

    fn finish_table(&mut self) {
        let stray = self.take_buf();
        self.add_caption(stray);
        let Some(mut t) = self.table.take() else {
            return;
        };
        if !t.row.is_empty() {
            t.rows.push(std::mem::take(&mut t.row));
        }
        let caption = block_lines(&t.caption.join(" "), None);
        if !caption.is_empty() {
            self.emit(&caption);
        }
        // Only the header row is padded: GFM fills short body rows itself.
        let cols = t.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut lines = Vec::with_capacity(t.rows.len() + 1);
        for (k, row) in t.rows.iter().enumerate() {
            let mut line = String::from("|");
            for i in 0..if k == 0 { cols } else { row.len() } {
                line.push(' ');
                line.push_str(row.get(i).map_or("", String::as_str));
                line.push_str(" |");
            }
            lines.push(line);
            if k == 0 {
                lines.push("|---".repeat(cols) + "|");
            }
        }
        if !lines.is_empty() {
            self.emit(&lines);
        }
    }

    fn text(&mut self, t: &str) {
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
    fn end_inline(&mut self, k: usize, last: bool) {
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

    fn br(&mut self) {
        if self.table.is_some() || self.heading.is_some() {
            self.space = true;
        } else if !self.buf.is_empty() {
            self.buf.push('\n');
            self.space = false;
            self.closed.clear();
        }
    }

    /// Takes the current block's Markdown, closing open inline markup (it reopens lazily).
    fn take_buf(&mut self) -> String {
        for k in (0..self.inline.len()).rev() {
            self.end_inline(k, false);
        }
        self.space = false;
        self.closed.clear();
        std::mem::take(&mut self.buf)
    }

    fn flush_block(&mut self) {
        if self.table.is_some() {
            self.space = true;
            return;
        }
        let text = self.take_buf();
        let lines = block_lines(&text, self.heading);
        if !lines.is_empty() {
            self.emit(&lines);
        }
    }

    /// Writes a block after the right separator, indented and marked for the open list items.
    fn emit(&mut self, lines: &[String]) {
        let marker = self.items.iter().any(|i| i.1);
        if !self.out.is_empty() {
            let n = if marker { self.sep.clamp(1, 2) } else { 2 };
            self.out.push_str(&"\n".repeat(n));
        }
        self.sep = 0;
        let mut indent = String::new();
        for (m, pending) in &mut self.items {
            let pad = " ".repeat(m.len());
            self.out.push_str(if *pending { m } else { &pad });
            indent.push_str(&pad);
            *pending = false;
        }
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
                self.out.push_str(&indent);
            }
            self.out.push_str(line);
        }
    }

    fn finish(mut self) -> String {
        while self.pop().is_some() {}
        self.flush_block();
        let mut res = String::with_capacity(self.out.len());
        for line in self.out.lines() {
            let line = line.trim_end_matches(' ');
            if !line.is_empty() || !(res.is_empty() || res.ends_with("\n\n")) {
                res.push_str(line);
                res.push('\n');
            }
        }
        res.trim_end().to_string()
    }
}

fn heading_level(name: &str) -> Option<usize> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(usize::from(d - b'0')),
        _ => None,
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

/// Splits a block at hard breaks, trims lines, escapes block syntax at line starts.
fn block_lines(text: &str, heading: Option<usize>) -> Vec<String> {
    let lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |l| l + 1);
    let lines = &lines[first..last];
    if let Some(level) = heading.filter(|_| !lines.is_empty()) {
        let mut h = lines.join(" ");
        if h.ends_with('#') {
            h.insert(h.trim_end_matches('#').len(), '\\');
        }
        return vec![format!("{} {}", "#".repeat(level), escape_line_start(&h))];
    }
    let mut out: Vec<String> = lines.iter().map(|l| escape_line_start(l)).collect();
    let n = out.len().saturating_sub(1);
    out.iter_mut().take(n).for_each(|l| l.push('\\'));
    out
}

fn escape_line_start(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if line.starts_with(['#', '-', '+', '>', '=']) {
        format!("\\{line}")
    } else if (1..=9).contains(&digits) && matches!(line.as_bytes().get(digits), Some(b'.' | b')'))
    {
        format!("{}\\{}", &line[..digits], &line[digits..])
    } else {
        line.to_string()
    }
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

fn usable_href(v: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::html_to_markdown as md;

    /// Output invariants that must hold for every input.
    fn check(html: &str) -> String {
        let out = md(html);
        assert!(!out.contains("\n\n\n"), "3+ newlines for {html:?}: {out:?}");
        assert!(
            out.lines().all(|l| !l.ends_with(' ')),
            "trailing space: {out:?}"
        );
        assert_eq!(out, out.trim(), "untrimmed output for {html:?}");
        out
    }

    #[test]
    fn paragraphs_and_whitespace() {
        assert_eq!(check("<p>a\n  b</p>\n\n<p> c </p>"), "a b\n\nc");
        assert_eq!(
            check("plain <span lang=\"en\">text</span><sup>e</sup>"),
            "plain texte"
        );
        assert_eq!(check("<div>x<p>y</div>z"), "x\n\ny\n\nz");
        assert_eq!(check("<p>\u{a0}lead and trail\u{a0}</p>"), "lead and trail");
        assert_eq!(check(""), "");
        assert_eq!(check("<p> </p><p></p>"), "");
    }

    #[test]
    fn headings() {
        assert_eq!(
            check("<h1>T</h1><h2>A  b</h2><h6>z</h6>"),
            "# T\n\n## A b\n\n###### z"
        );
        assert_eq!(
            check("<p>x</p><h3>C#</h3><h3> </h3>y"),
            "x\n\n### C\\#\n\ny"
        );
        assert_eq!(check("<h2>a<br>b</h2>"), "## a b");
        assert_eq!(
            check("<h2>#</h2><h3># x ##</h3>"),
            "## \\#\n\n### \\# x \\##"
        );
    }

    #[test]
    fn emphasis() {
        assert_eq!(
            check("<strong>b</strong> <em>i</em> <b>B</b><i>I</i>"),
            "**b** *i* **B***I*"
        );
        assert_eq!(check("a<strong> b </strong>c"), "a **b** c");
        assert_eq!(check("a<strong> </strong>b<em></em>c"), "a bc");
        assert_eq!(check("<b>x</b><b>y</b>"), "**xy**");
        assert_eq!(check("<b><b>x</b> y</b>"), "**x y**");
        assert_eq!(check("<b>x<br></b>y"), "**x**\\\ny");
        assert_eq!(check("<b><p>a</p><p>b</p></b>"), "**a**\n\n**b**");
        // Markers that CommonMark would not parse as emphasis are dropped, keeping the text.
        assert_eq!(check("machtigen<strong>. </strong>"), "machtigen.");
        assert_eq!(check("<strong>Let op:</strong> tekst"), "**Let op:** tekst");
        assert_eq!(check("<strong>Let op:</strong>tekst"), "Let op:tekst");
        assert_eq!(check("a<b>(x)</b> (<em>y</em>)"), "a(x) (*y*)");
    }

    #[test]
    fn links() {
        let cases = [
            (
                r#"<a href="https://x.nl/">site</a>"#,
                "[site](https://x.nl/)",
            ),
            (
                r#"<a href="https://x.nl/a_b">https://x.nl/a_b</a>"#,
                "<https://x.nl/a_b>",
            ),
            (r#"<a href="https://x.nl/"></a>"#, "<https://x.nl/>"),
            (
                r#"<a href="mailto:a@x.nl">a@x.nl</a>"#,
                "[a@x.nl](mailto:a@x.nl)",
            ),
            (r#"<a href="javascript:alert(1)">click</a>"#, "click"),
            (r#"<a href=" DATA:text/html,x">d</a>"#, "d"),
            (r#"<a id="top">anchor</a>"#, "anchor"),
            (r#"<a href='/p (1)'>rel</a>"#, "[rel](/p%20%281%29)"),
            (
                r#"<a href=/x><b>bold</b> link </a>next"#,
                "[**bold** link](/x) next",
            ),
            (r#"<a href=/a>one<a href=/b>two</a>"#, "[one](/a)[two](/b)"),
            (
                r#"Wow!<a href=/a>x</a> hi!<a href=/b></a>"#,
                "Wow\\![x](/a) hi\\![/b](/b)",
            ),
            (r#"Ja!<b><a href=/a>(x)</a></b>"#, "Ja\\![(x)](/a)"),
            (
                "<a href=\"https://x.nl/?a=1&amp;b=2\">q</a>",
                "[q](https://x.nl/?a=1&b=2)",
            ),
        ];
        for (html, want) in cases {
            assert_eq!(check(html), want, "{html}");
        }
    }

    #[test]
    fn line_breaks() {
        assert_eq!(check("<p>a<br>b<br/>c<br></p>"), "a\\\nb\\\nc");
        assert_eq!(check("<p><br>a<br><br>b</p>"), "a\\\n\\\nb");
        assert_eq!(check("<p>a<br>1. b</p>"), "a\\\n1\\. b");
    }

    #[test]
    fn lists() {
        let html = "<p>Intro:</p><ul>\n <li>one;</li>\n <li>two\n<ol><li>x</li><li>y</li></ol></li></ul><p>End</p>";
        assert_eq!(
            check(html),
            "Intro:\n\n- one;\n- two\n  1. x\n  2. y\n\nEnd"
        );
        assert_eq!(
            check("<ol><li>a<li>b<ul><li>c</ul><li>d</ol>"),
            "1. a\n2. b\n   - c\n3. d"
        );
        assert_eq!(
            check("<ul><li><p>p1</p><p>p2</p></li></ul>"),
            "- p1\n\n  p2"
        );
        assert_eq!(
            check("<ul><li><ul><li>deep</li></ul></li></ul>"),
            "- - deep"
        );
        assert_eq!(
            check("<li>orphan</li><ul><li></li><li> </li></ul>"),
            "- orphan"
        );
        assert_eq!(check("<p>a</p><ol><li> </li><li>b</li></ol>"), "a\n\n1. b");
        assert_eq!(check("<ul><li>a<br>b</li></ul>"), "- a\\\n  b");
        let adjacent = "<ul><li>a</li></ul><ul></ul><ul><li>b</li></ul><ol><li>c</li></ol>";
        assert_eq!(check(adjacent), "- a\n\n* b\n\n1. c");
    }

    #[test]
    fn tables() {
        let html = "<table><caption>Cap</caption><thead><tr><th scope=\"col\">A</th><th>B|C</th></tr></thead>\
                    <tbody><tr><td><p>1</p></td><td>2 <a href=\"mailto:x@y.nl\">x@y.nl</a></td></tr><tr><td>3</td></tr></tbody></table><p>after</p>";
        assert_eq!(
            check(html),
            "Cap\n\n| A | B\\|C |\n|---|---|\n| 1 | 2 [x@y.nl](mailto:x@y.nl) |\n| 3 |\n\nafter"
        );
        assert_eq!(
            check("<table><tr><td>h1<td>h2<tr><td>v</table>"),
            "| h1 | h2 |\n|---|---|\n| v |"
        );
        let nested = "<table><tr><td>a<table><tr><td>b</td><td>c</td></tr></table></td><td>d</td></tr></table>";
        assert_eq!(check(nested), "| a b c | d |\n|---|---|");
        assert_eq!(
            check("<ul><li>in list<table><tr><th>h</th></tr></table></li></ul>"),
            "- in list\n\n  | h |\n  |---|"
        );
        assert_eq!(check("<table></table><td>x</td>"), "x");
    }

    #[test]
    fn dropped_and_unknown_content() {
        assert_eq!(
            check("a<script>if (a<b) x();</script>b<style>p{}</style>c<!-- no -->d"),
            "abcd"
        );
        assert_eq!(
            check("<iframe src=x>fallback</iframe>e<SCRIPT>x</script >f"),
            "ef"
        );
        assert_eq!(
            check("<custom-el x=1>kept</custom-el><?php x ?><!doctype html>!"),
            "kept!"
        );
        assert_eq!(check("a<script>never closed"), "a");
    }

    #[test]
    fn entities() {
        assert_eq!(
            check("it&#39;s &amp; &quot;q&quot; &lt;b&gt; a&nbsp;b &#x2F; &#8364; &euro;"),
            "it's & \"q\" \\<b> a\u{a0}b / € €"
        );
        assert_eq!(
            check("&#150; &#0; &#x110000; &#99999999999; &bogus; & &#; &amp"),
            "– \u{fffd} \u{fffd} \u{fffd} \\&bogus; & \\&#; \\&amp"
        );
        assert_eq!(check("&amp;amp; &amp;#39;"), "\\&amp; \\&#39;");
    }

    #[test]
    fn escaping() {
        assert_eq!(
            check("<p>1. not a list</p><p># no</p><p>- no</p><p>+ x</p><p>&gt; q</p>"),
            "1\\. not a list\n\n\\# no\n\n\\- no\n\n\\+ x\n\n\\> q"
        );
        assert_eq!(
            check("a *b* _c_ [d] \\ `e` ~f < g"),
            "a \\*b\\* \\_c\\_ \\[d\\] \\\\ \\`e\\` \\~f \\< g"
        );
        assert_eq!(
            check("Prijs: € 67,05. Klaar. Café (zie 2.)"),
            "Prijs: € 67,05. Klaar. Café (zie 2.)"
        );
        assert_eq!(check("<ul><li>2024. jaar</li></ul>"), "- 2024\\. jaar");
    }

    #[test]
    fn malformed_input() {
        let cases = [
            ("<p>unclosed <b>bold <i>both", "unclosed **bold *both***"),
            ("a < b and c<d", "a \\< b and c"),
            ("5 <3 and x</p", "5 \\<3 and x"),
            ("text <a", "text"),
            ("text <a href=\"unterminated>more", "text"),
            ("</p></li></ul></table></b>x</a></td>", "x"),
            ("<p class=x id='y' data-z=\"w\" disabled>ok</p>", "ok"),
            ("<P CLASS=X>Up</P><BR>", "Up"),
            ("<b/>x<p/>y", "x\n\ny"),
            ("<é>é</é> <a href=€>€</a> <p\u{a0}>", "\\<é>é [€](€)"),
            ("<b><i>x</b></i>y", "***x***y"),
            ("</>a<//b>c<!-- x", "ac"),
        ];
        for (html, want) in cases {
            assert_eq!(check(html), want, "{html}");
        }
    }

    #[test]
    fn every_truncation_and_byte_soup_is_safe() {
        let sample = "<p>Prijs € 5 &amp; &#x20AC;<a href='https://é.nl/?q=1'>link é</a><br/></p><ul><li>x<ol><li>y</ol></li></ul>\
                      <table><caption>c</caption><tr><th>h</th></tr><tr><td>d|e</td></tr></table><!-- c --><script>s</script>";
        for (i, _) in sample.char_indices() {
            check(&sample[..i]);
            check(&sample[i..]);
        }
        let mut seed = 0x2545_f491_u32;
        let pieces = [
            "<", ">", "/", "</", "li>", "ul>", "a href=", "\"", "'", "&", "#", ";", "é", "€", " ",
            "b>", "td>", "tr>", "table>", "p>", "br>", "x", "!--", "-->", "h2>", "=", "caption>",
            "\n",
        ];
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..40 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                s.push_str(pieces[seed as usize % pieces.len()]);
            }
            check(&s);
        }
    }

    #[test]
    fn deep_nesting_is_fast_and_stack_safe() {
        let start = std::time::Instant::now();
        let (deep, long) = (100_000, 20_000);
        assert_eq!(check(&("<ul>".repeat(deep) + "x")), "x");
        assert!(check(&("<ul><li>".repeat(deep) + "x")).starts_with("- - - "));
        let cases = [
            "<ol><li><p>".repeat(deep) + "x",
            "<b><i><a href=/x>".repeat(deep) + "y",
            "<div><span>".repeat(deep) + "z" + &"</span></div>".repeat(deep),
            "<table><tr><td>".repeat(deep) + "t",
            "<ul><li>x".repeat(long),
            "<b>".repeat(long) + &"<p>q</p>".repeat(long),
            "<li>".repeat(long) + &"</zz>".repeat(long),
            "<b>x</b>".repeat(long) + &"<em>x.</em>y".repeat(long),
        ];
        for html in &cases {
            assert!(check(html).len() < 20 * html.len());
        }
        let elapsed = start.elapsed();
        assert!(elapsed.as_secs() < 20, "too slow: {elapsed:?}");
    }

    #[test]
    fn real_data_converts_cleanly() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/rijksoverheid-vac/rijksoverheid_vacs_raw.jsonl"
        );
        let Ok(data) = std::fs::read_to_string(path) else {
            eprintln!("skipping: {path} not found");
            return;
        };
        let mut fragments = 0;
        for line in data.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
            let mut html: Vec<&str> = v["introduction"].as_str().into_iter().collect();
            if let Some(content) = v["content"].as_array() {
                html.extend(content.iter().filter_map(|c| c["paragraph"].as_str()));
            }
            for h in html {
                fragments += 1;
                let out = check(h);
                assert!(
                    !out.contains("</") && !out.contains("<p>") && !out.contains("<li"),
                    "{out}"
                );
                assert!(
                    !out.contains("&#") && !out.contains("&amp;"),
                    "undecoded entity: {out}"
                );
                // Every word of the visible text survives, in order.
                let visible: Vec<&str> = h
                    .split('<')
                    .map(|p| p.split_once('>').map_or(p, |t| t.1))
                    .collect();
                let visible = super::decode(&visible.join(" "));
                let mut rest = out.as_str();
                for word in visible
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                {
                    let at = rest
                        .find(word)
                        .unwrap_or_else(|| panic!("lost {word:?}: {h}\n{out}"));
                    rest = &rest[at + word.len()..];
                }
            }
        }
        assert!(fragments > 100, "only {fragments} fragments");
    }
}
