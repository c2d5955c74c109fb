//! HTML-fragment to CommonMark conversion for importers (e.g. the Rijksoverheid Q&A set). This
//! module owns a small tolerant tokenizer and a single-pass, explicit-stack converter for the
//! markup found in imported rich text (paragraphs, headings, lists, links, emphasis, line breaks,
//! tables); any other tag contributes only its text. It must stay pure and dependency-free (no
//! I/O, no recursion, linear time) and must never panic, whatever the input. It is not an HTML5
//! parser or sanitiser and must not grow into one: it emits no inline HTML, keeps no images or
//! code spans, reads no attribute but `href`, and only drops `javascript:`/`data:` style links.
//! Layout: `tokenizer` splits the input and decodes entities, `inline` handles emphasis, links,
//! hard breaks and text escaping, `table` collects and prints tables; this file holds the entry
//! point, the element stack and block and list output.

mod inline;
mod table;
mod tokenizer;

#[cfg(test)]
mod tests;

use inline::usable_href;
use tokenizer::{Token, Tokenizer, listed};

const MAX_LIST_DEPTH: usize = 16;
const BLOCKS: &str = "p div section article header footer nav aside main blockquote pre figure \
                      figcaption address dl dt dd form fieldset details summary center body html hr";

/// Converts an HTML fragment to CommonMark.
pub fn html_to_markdown(html: &str) -> String {
    let mut tokens = Tokenizer::new(html);
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
