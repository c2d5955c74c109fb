//! Reading the text: the Markdown walked into blocks of the text a reader
//! sees, each block cut into tokens (a `{{…}}` placeholder kept whole),
//! each token classified as a word, number, placeholder or address, and
//! the tokens grouped into sentences, with the rules for abbreviations and
//! initials. The counting and the hints are elsewhere.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::syllables::syllables;

/// Syllables counted for a placeholder or an address.
const OPAQUE_SYLLABLES: usize = 2;
/// The longest `{{…}}` read as one placeholder, in bytes.
const PLACEHOLDER_MAX: usize = 120;

/// Calls `each` with the text of every block of `markdown` (a paragraph,
/// heading, list item, table cell, quote, or a part between hard breaks):
/// the text and inline code a reader sees, without link addresses, code
/// blocks, raw HTML and image descriptions. A block may be empty.
pub(super) fn blocks(markdown: &str, mut each: impl FnMut(&str)) {
    let mut block = String::new();
    let mut in_image = 0usize;
    let mut in_code = false;
    // The extensions every channel renders with, so the text read here is
    // the text every channel shows.
    for event in Parser::new_ext(markdown, crate::render::markdown::options()) {
        match event {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => {
                each(&block);
                block.clear();
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::Item
                | Tag::TableCell
                | Tag::BlockQuote(_)
                | Tag::HtmlBlock,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            )
            | Event::HardBreak
            | Event::Rule => {
                each(&block);
                block.clear();
            }
            Event::Text(t) | Event::Code(t) if in_image == 0 && !in_code => block.push_str(&t),
            // Inline HTML (`<br>`, `<abbr>`) is not read, but separates words.
            Event::SoftBreak | Event::InlineHtml(_) => block.push(' '),
            _ => {}
        }
    }
    each(&block);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Number,
    Placeholder,
    Address,
}

/// What a full stop or other mark at the end of a token does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    None,
    /// Ends the sentence.
    Stop,
    /// After an abbreviation: ends it when the next word starts with a capital.
    Abbreviation,
}

/// One word of a block.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    /// The word in the block, without the punctuation around it.
    pub(super) start: usize,
    pub(super) end: usize,
    /// The word in lower case, in [`Words::lower`].
    low: (usize, usize),
    pub(super) kind: Kind,
    pub(super) syllables: usize,
    end_mark: End,
    capital: bool,
}

/// The words of one block, read by [`Words::read`]; the buffers are reused
/// from block to block.
#[derive(Debug, Default)]
pub(super) struct Words {
    raw: Vec<(usize, usize)>,
    tokens: Vec<Token>,
    /// The words of the block in lower case, one after another.
    lower: String,
}

impl Words {
    /// Reads the words of one block of text, replacing those of the last.
    pub(super) fn read(&mut self, text: &str) {
        self.tokens.clear();
        self.lower.clear();
        raw_tokens(text, &mut self.raw);
        for &(s, e) in &self.raw {
            let raw = &text[s..e];
            let Some((ws, we, kind)) = classify(raw) else {
                // Punctuation on its own ("kost het ?") ends the word before.
                if ends_with_stop(raw).is_some()
                    && let Some(last) = self.tokens.last_mut()
                {
                    last.end_mark = End::Stop;
                }
                continue;
            };
            let word = &raw[ws..we];
            let low_start = self.lower.len();
            self.lower.extend(word.chars().map(lower));
            let low = (low_start, self.lower.len());
            let end_mark = match ends_with_stop(raw) {
                None => End::None,
                Some('.') if kind == Kind::Word => {
                    abbreviation(&self.lower[low.0..low.1], &raw[ws..])
                }
                Some(_) => End::Stop,
            };
            self.tokens.push(Token {
                start: s + ws,
                end: s + we,
                low,
                kind,
                syllables: match kind {
                    Kind::Word => syllables(word),
                    Kind::Number => 1,
                    Kind::Placeholder | Kind::Address => OPAQUE_SYLLABLES,
                },
                end_mark,
                capital: word.chars().next().is_some_and(char::is_uppercase),
            });
        }
    }

    /// The sentences of the block, in order: a sentence ends after a full
    /// stop or other mark, after an abbreviation when the next word starts
    /// with a capital, and at the end of the block. None is empty.
    pub(super) fn sentences(&self) -> impl Iterator<Item = &[Token]> {
        let tokens = &self.tokens[..];
        let mut from = 0;
        (0..tokens.len()).filter_map(move |i| {
            let ends = match tokens[i].end_mark {
                End::None => false,
                End::Stop => true,
                End::Abbreviation => tokens.get(i + 1).is_some_and(|t| t.capital),
            };
            if ends || i + 1 == tokens.len() {
                let sentence = &tokens[from..=i];
                from = i + 1;
                Some(sentence)
            } else {
                None
            }
        })
    }

    /// A token of this block in lower case.
    pub(super) fn low(&self, t: &Token) -> &str {
        &self.lower[t.low.0..t.low.1]
    }
}

/// A character in lower case: Dutch letters have a one-character lower
/// case, and the ASCII path is fast.
pub(super) fn lower(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// Titles before a name: a full stop after them never ends a sentence,
/// nor after an initial (a capital other than `U`).
const TITLES: &[&str] = &[
    "dhr", "mevr", "mw", "hr", "mr", "dr", "drs", "ir", "ing", "prof", "st",
];
/// Abbreviations: a full stop after them ends a sentence only before a
/// capital.
const ABBREVIATIONS: &[&str] = &[
    "bijv", "bv", "enz", "etc", "incl", "excl", "ca", "nr", "art", "blz", "tel", "jl", "vlg",
    "resp", "max", "min", "evt", "ong", "zgn", "jan", "feb", "mrt", "apr", "jun", "jul", "aug",
    "sep", "sept", "okt", "nov", "dec", "ma", "di", "wo", "do", "vr", "za", "zo",
];

/// What the full stop after a word does: `low` is the word in lower case,
/// `raw` the token from the word on (with the stop).
fn abbreviation(low: &str, raw: &str) -> End {
    let initial = low.chars().count() == 1
        && low != "u"
        && raw.chars().next().is_some_and(char::is_uppercase);
    if initial || TITLES.contains(&low) {
        return End::None;
    }
    // Letters and full stops: o.a., d.w.z., t.a.v.
    let dotted = raw.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '.');
    let inner = dotted.trim_end_matches('.');
    let letter_dots = inner.contains('.')
        && inner
            .split('.')
            .all(|p| (1..=3).contains(&p.len()) && p.chars().all(char::is_alphabetic));
    if letter_dots || ABBREVIATIONS.contains(&low) {
        End::Abbreviation
    } else {
        End::Stop
    }
}

/// The mark that ends `raw` (`.`, `!`, `?`, `…`), closing quotes and
/// brackets after it allowed.
fn ends_with_stop(raw: &str) -> Option<char> {
    let core = raw.trim_end_matches([')', ']', '"', '\'', '”', '’', '»', '*', '_']);
    core.chars()
        .next_back()
        .filter(|c| matches!(c, '.' | '!' | '?' | '…'))
}

/// The tokens of a block, as byte ranges: runs of non-space characters,
/// with a `{{…}}` placeholder (spaces inside allowed) kept whole.
fn raw_tokens(text: &str, out: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    out.clear();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' && bytes.get(i + 1) == Some(&b'{') {
            let window = &bytes[i + 2..(i + 2 + PLACEHOLDER_MAX).min(bytes.len())];
            if let Some(off) = window.windows(2).position(|w| w == b"}}") {
                start.get_or_insert(i);
                i += 2 + off + 2;
                continue;
            }
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
        } else {
            start.get_or_insert(i);
        }
        i += c.len_utf8();
    }
    if let Some(s) = start {
        out.push((s, bytes.len()));
    }
}

/// A word without the punctuation around it.
pub(super) fn trim_word(raw: &str) -> &str {
    raw.trim_matches(|c: char| !c.is_alphanumeric())
}

/// The word in a token (its range in `raw`) and its kind; `None` for
/// punctuation on its own.
fn classify(raw: &str) -> Option<(usize, usize, Kind)> {
    if raw.as_bytes().contains(&b'{')
        && let Some(open) = raw.find("{{")
        && let Some(close) = raw.rfind("}}")
        && close > open
    {
        return Some((open, close + 2, Kind::Placeholder));
    }
    let start = raw.len() - raw.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let end = raw.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    if start >= end {
        return None;
    }
    let word = &raw[start..end];
    let kind = if !word.chars().any(char::is_alphabetic) {
        Kind::Number
    } else if address(word) {
        Kind::Address
    } else {
        Kind::Word
    };
    Some((start, end, kind))
}

/// A web or e-mail address: `https://…`, `www.…`, `naam@…`, or a domain
/// name such as `mijnoverheid.nl` (optionally with a path).
fn address(word: &str) -> bool {
    // Plain words hold none of these: one short scan decides for most.
    if !word.bytes().any(|b| matches!(b, b'@' | b'.' | b':')) {
        return false;
    }
    if word.contains('@') || word.contains("://") || word.starts_with("www.") {
        return true;
    }
    let host = word.split('/').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels[0].chars().count() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|l| {
            (2..=6).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic())
        })
}

/// `s` with every run of white space as one space.
pub(super) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
