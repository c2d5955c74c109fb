//! Snippets as HTML: the passage of an item's text where the query's words
//! are, escaped, with the matched words in `<mark>`.
//!
//! A passage is found without stemming the whole text (stemming is most of
//! what analysing text costs): the text is split into lower-cased, folded
//! words, and only a word that begins like a query term is stemmed and
//! compared. A Snowball stem keeps the first three letters of its word, so
//! no match is missed that way.

use std::collections::HashMap;
use std::ops::Range;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

/// Finds and marks the query's terms in texts.
pub(super) struct Highlighter {
    /// Analysed query terms and their weight.
    terms: HashMap<String, f32>,
    /// The first (up to) three letters of each term.
    prefixes: Vec<String>,
    /// The ASCII bytes a term begins with.
    first_bytes: [bool; 128],
    /// Splits and folds text (`analysis::plain`).
    plain: TextAnalyzer,
    /// Words already stemmed (a word recurs across hits), and their term.
    stemmed: HashMap<String, Option<(String, f32)>>,
    /// The analyzers the terms came from (Dutch, English): each word that
    /// may match is stemmed by both.
    stemmers: Vec<TextAnalyzer>,
}

impl Highlighter {
    pub(super) fn new(
        terms: HashMap<String, f32>,
        plain: TextAnalyzer,
        stemmers: Vec<TextAnalyzer>,
    ) -> Highlighter {
        let mut prefixes: Vec<String> = terms.keys().map(|t| t.chars().take(3).collect()).collect();
        prefixes.sort();
        prefixes.dedup();
        let mut first_bytes = [false; 128];
        for p in &prefixes {
            if let Some(&b) = p.as_bytes().first().filter(|b| b.is_ascii()) {
                first_bytes[usize::from(b)] = true;
            }
        }
        Highlighter {
            terms,
            prefixes,
            first_bytes,
            stemmed: HashMap::new(),
            plain,
            stemmers,
        }
    }

    /// The term `word` (folded) stands for, if any.
    fn term_of(&mut self, word: &str) -> Option<(String, f32)> {
        if !self.prefixes.iter().any(|p| word.starts_with(p.as_str())) {
            return None;
        }
        if let Some(w) = self.terms.get(word) {
            return Some((word.to_string(), *w));
        }
        if let Some(known) = self.stemmed.get(word) {
            return known.clone();
        }
        let mut found = None;
        for stemmer in &mut self.stemmers {
            let mut stream = stemmer.token_stream(word);
            if stream.advance() {
                let stem = &stream.token().text;
                if let Some(w) = self.terms.get(stem) {
                    found = Some((stem.clone(), *w));
                    break;
                }
            }
        }
        self.stemmed.insert(word.to_string(), found.clone());
        found
    }

    /// The best passage of `text` of at most `max` bytes (cut between words)
    /// as HTML: the one holding the most (and weightiest) distinct terms,
    /// begun at its sentence where that fits; without matches, the opening.
    pub(super) fn snippet(&mut self, text: &str, max: usize) -> String {
        // Words as the tokenizer splits them (runs of letters and digits),
        // lower-cased; a word with letters beyond ASCII is folded by the
        // analyzer itself, so that it matches as indexed.
        let mut marks: Vec<(Range<usize>, String, f32)> = Vec::new();
        let mut lower = String::new();
        let mut at = 0;
        while at < text.len() {
            let (c, n) = char_at(text, at);
            if !c.is_alphanumeric() {
                at += n;
                continue;
            }
            let from = at;
            at += n;
            while at < text.len() {
                let (c, n) = char_at(text, at);
                if !c.is_alphanumeric() {
                    break;
                }
                at += n;
            }
            let to = at;
            let word = &text[from..to];
            // Most words begin with a letter no term begins with.
            let first = word.as_bytes()[0];
            if first.is_ascii() && !self.first_bytes[usize::from(first.to_ascii_lowercase())] {
                continue;
            }
            lower.clear();
            if word.is_ascii() {
                lower.push_str(word);
                lower.make_ascii_lowercase();
            } else {
                let mut stream = self.plain.token_stream(word);
                if stream.advance() {
                    lower.push_str(&stream.token().text);
                }
            }
            if let Some((term, weight)) = self.term_of(&lower) {
                marks.push((from..to, term, weight));
            }
        }
        let (start, end) = passage(text, &marks, max);
        let inside: Vec<Range<usize>> = marks
            .iter()
            .filter(|(r, _, _)| r.start >= start && r.end <= end)
            .map(|(r, _, _)| r.start - start..r.end - start)
            .collect();
        let mut html = String::new();
        if start > 0 {
            html.push('…');
        }
        html.push_str(&highlight_html(&text[start..end], &inside));
        if end < text.len() {
            html.push('…');
        }
        html
    }
}

/// The character at byte `at` of `text` (a character boundary) and its
/// length in bytes.
fn char_at(text: &str, at: usize) -> (char, usize) {
    let b = text.as_bytes()[at];
    if b.is_ascii() {
        (char::from(b), 1)
    } else {
        let c = text[at..].chars().next().unwrap_or(' ');
        (c, c.len_utf8())
    }
}

/// The byte range of the passage (see [`Highlighter::snippet`]).
fn passage(text: &str, marks: &[(Range<usize>, String, f32)], max: usize) -> (usize, usize) {
    // The window that begins at each match, scored by its distinct terms.
    let mut best: Option<(f32, usize)> = None;
    for (i, (first, _, _)) in marks.iter().enumerate() {
        let mut seen: Vec<&str> = Vec::new();
        let mut score = 0.0;
        for (r, term, weight) in &marks[i..] {
            if r.end > first.start + max {
                break;
            }
            if !seen.contains(&term.as_str()) {
                seen.push(term);
                score += weight;
            }
        }
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, i));
        }
    }
    let Some((_, i)) = best else {
        return (0, word_end(text, max.min(text.len())));
    };
    let first = marks[i].0.start;
    // The last match the window holds: keep it when moving the start back.
    let last = marks[i..]
        .iter()
        .take_while(|(r, _, _)| r.end <= first + max)
        .last()
        .map_or(first, |(r, _, _)| r.end);
    let sentence = sentence_start(text, first);
    let start = if last - sentence <= max {
        sentence
    } else {
        // Some words of context before the first match.
        let back = first.saturating_sub(max.saturating_sub(last - first) / 3);
        word_start(text, back.max(sentence))
    };
    (start, word_end(text, (start + max).min(text.len())))
}

/// Where the sentence holding byte `at` begins.
fn sentence_start(text: &str, at: usize) -> usize {
    let before = &text[..at];
    let mut start = 0;
    for (i, c) in before.char_indices() {
        if c == '\n' || ((c == '.' || c == '?' || c == '!') && before[i + 1..].starts_with(' ')) {
            start = i + 1;
        }
    }
    start + (text[start..].len() - text[start..].trim_start().len())
}

/// The first word boundary at or after `at` (where the word holding `at`
/// begins, if `at` is inside one, moving forward).
fn word_start(text: &str, at: usize) -> usize {
    let mut i = at;
    while !text.is_char_boundary(i) {
        i += 1;
    }
    if i == 0 || text[..i].ends_with(char::is_whitespace) {
        return i;
    }
    match text[i..].find(char::is_whitespace) {
        Some(ws) => {
            let j = i + ws;
            j + (text[j..].len() - text[j..].trim_start().len())
        }
        None => i,
    }
}

/// `at` moved back to the end of the last whole word before it (or `at`
/// itself when that is the end of the text or a boundary).
fn word_end(text: &str, at: usize) -> usize {
    let mut i = at.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    if i == text.len() || text[i..].starts_with(char::is_whitespace) {
        return text[..i].trim_end().len();
    }
    match text[..i].rfind(char::is_whitespace) {
        Some(ws) => text[..ws].trim_end().len(),
        None => i,
    }
}

/// The longest prefix of `text` of at most `max` characters.
pub(super) fn cut_at_char(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

pub(super) fn escape(text: &str) -> String {
    crate::render::markdown::escaped(text)
}

/// `fragment` escaped, with the `ranges` (byte offsets) in `<mark>`.
pub(super) fn highlight_html(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(fragment.len() + ranges.len() * 13);
    let mut at = 0;
    for r in ranges {
        if r.is_empty() || r.start < at || r.end > fragment.len() {
            continue;
        }
        out.push_str(&escape(&fragment[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&fragment[r.start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(&fragment[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::search::analysis;

    fn highlighter(query: &str) -> Highlighter {
        let terms = analysis::tokens(&mut analysis::dutch(), query)
            .into_iter()
            .map(|t| (t, 1.0))
            .collect();
        Highlighter::new(terms, analysis::plain(), vec![analysis::dutch()])
    }

    #[test]
    fn the_words_are_marked_in_any_form() {
        let mut h = highlighter("paspoort aanvragen");
        assert_eq!(
            h.snippet("Een paspoort vraagt u aan. Paspoorten & <ID-kaarten>.", 200),
            "Een <mark>paspoort</mark> vraagt u aan. <mark>Paspoorten</mark> &amp; &lt;ID-kaarten&gt;."
        );
    }

    #[test]
    fn the_passage_is_where_the_words_are_and_begins_at_its_sentence() {
        let filler = "Dit is een zin over iets anders dan waar het om gaat. ".repeat(10);
        let text = format!("{filler}Een rijbewijs verlengen doet u bij de gemeente. {filler}");
        let mut h = highlighter("rijbewijs verlengen");
        let s = h.snippet(&text, 120);
        assert!(
            s.starts_with("…Een <mark>rijbewijs</mark> <mark>verlengen</mark> doet u"),
            "{s}"
        );
        assert!(s.ends_with('…'), "{s}");
        // Cut between words.
        let plain = s.trim_end_matches('…');
        assert!(filler.contains(plain.rsplit(". ").next().unwrap()), "{s}");
    }

    #[test]
    fn without_a_match_the_opening_is_shown_cut_between_words() {
        let mut h = highlighter("vergunning");
        assert_eq!(
            h.snippet(
                "Afval scheiden doet u thuis, het restafval gaat in de container.",
                30
            ),
            "Afval scheiden doet u thuis,…"
        );
        assert_eq!(h.snippet("", 30), "");
    }

    #[test]
    fn snippets_escape_everything_but_the_marks() {
        assert_eq!(
            highlight_html("<b>paspoort</b> & co", &[3..11, 14..14, 18..20]),
            "&lt;b&gt;<mark>paspoort</mark>&lt;/b&gt; &amp; <mark>co</mark>"
        );
    }
}
