//! Tokenizer and character-reference decoding for the HTML-to-Markdown converter. It owns
//! splitting an HTML fragment into text, start-tag and end-tag tokens (lower-cased names, only the
//! `href` attribute kept, comments/doctypes/processing instructions and raw-text element content
//! skipped) and decoding entities (a small named set, numeric references with the Windows-1252
//! fallback). It must stay tolerant and panic-free on any input, linear in time and free of
//! recursion; it builds no tree and knows nothing of Markdown.

const RAW_TEXT: &str = "script style iframe noscript template svg title";
const NAMED: &str = "amp:& lt:< gt:> quot:\" apos:' nbsp:\u{a0} shy:\u{ad} euro:€ copy:© reg:® \
                     trade:™ deg:° middot:· bull:• hellip:… ndash:– mdash:— lsquo:‘ rsquo:’ \
                     ldquo:“ rdquo:” laquo:« raquo:» eacute:é euml:ë iuml:ï ouml:ö uuml:ü";
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

pub(super) enum Token {
    Text(String),
    /// Lower-cased name, decoded `href` attribute, self-closing.
    Start(String, Option<String>, bool),
    End(String),
}

pub(super) struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
}

pub(super) fn is_ws(b: u8) -> bool {
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

pub(super) fn listed(list: &str, name: &str) -> bool {
    list.split(' ').any(|w| w == name)
}

impl<'a> Tokenizer<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Tokenizer { src, pos: 0 }
    }
}

impl Tokenizer<'_> {
    /// The next token; `None` at the end of input or at a tag cut off by the end of input.
    /// Every slice boundary is an ASCII byte or the end, so UTF-8 slicing cannot panic.
    pub(super) fn next_token(&mut self) -> Option<Token> {
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
pub(super) fn decode(s: &str) -> String {
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
