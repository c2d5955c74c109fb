//! The two hints about single words and phrases: long words (by syllables
//! or letters, with the exceptions for numbers, addresses, codes and
//! official names) and terms of the editable jargon list, matched as whole
//! words or phrases ignoring case. Each word or term is reported once; the
//! caller keeps track of that and of the caps.

use std::collections::HashMap;

use super::text::{Kind, Token, Words, lower, trim_word};
use super::{Hint, HintKind, Jargon, LONG_WORD_LETTERS, LONG_WORD_SYLLABLES, LONG_WORDS_ALLOWED};

/// Whether token `t` of `text` is a long word to report: `Some` with its
/// letters (counted only when it has more bytes than [`LONG_WORD_LETTERS`],
/// else 0). `low` is the word in lower case.
pub(super) fn long_word(text: &str, t: &Token, low: &str) -> Option<usize> {
    if t.kind != Kind::Word {
        return None;
    }
    // A word of no more bytes than the limit has no more letters.
    let letters = if t.end - t.start > LONG_WORD_LETTERS {
        text[t.start..t.end]
            .chars()
            .filter(|c| c.is_alphabetic())
            .count()
    } else {
        0
    };
    if t.syllables < LONG_WORD_SYLLABLES && letters <= LONG_WORD_LETTERS {
        return None;
    }
    let code = low.bytes().any(|b| b == b'_' || b.is_ascii_digit());
    (!code && !LONG_WORDS_ALLOWED.contains(&low)).then_some(letters)
}

/// The hint for a long word [`long_word`] found, with its `letters`.
pub(super) fn long_word_hint(text: &str, t: &Token, letters: usize) -> Hint {
    let word = shorten(&text[t.start..t.end]);
    let size = if t.syllables >= LONG_WORD_SYLLABLES {
        format!("{} lettergrepen", t.syllables)
    } else {
        format!("{letters} letters")
    };
    let message =
        format!("Lang woord: '{word}' ({size}). Kunt u het korter zeggen, of in meer woorden?");
    Hint {
        kind: HintKind::LongWord,
        excerpt: word,
        message,
    }
}

/// A word of at most 40 characters, longer ones cut with `…` (a pasted
/// code or blob is one "word").
fn shorten(word: &str) -> String {
    match word.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &word[..i]),
        None => word.to_string(),
    }
}

/// The jargon list, ready to match: each term as lower-case words, and the
/// terms by their first word, longest first. A term is known by its
/// position in the index, below [`JargonIndex::count`].
pub(super) struct JargonIndex<'a> {
    terms: Vec<(Vec<String>, &'a Jargon)>,
    by_first: HashMap<String, Vec<usize>>,
}

impl<'a> JargonIndex<'a> {
    /// The index of `list`; terms without a word are left out.
    pub(super) fn new(list: &'a [Jargon]) -> Self {
        let mut terms = Vec::new();
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for j in list {
            let words: Vec<String> = j
                .term
                .split_whitespace()
                .map(|w| trim_word(w).chars().map(lower).collect::<String>())
                .filter(|w| !w.is_empty())
                .collect();
            if let Some(first) = words.first() {
                by_first.entry(first.clone()).or_default().push(terms.len());
                terms.push((words, j));
            }
        }
        for ids in by_first.values_mut() {
            ids.sort_by_key(|&i| std::cmp::Reverse(terms[i].0.len()));
        }
        JargonIndex { terms, by_first }
    }

    /// How many terms the index holds.
    pub(super) fn count(&self) -> usize {
        self.terms.len()
    }

    /// The longest term starting at word `i` of `toks` (words of `words`),
    /// if any: the term and how many words it has.
    pub(super) fn at(&self, words: &Words, toks: &[Token], i: usize) -> Option<(usize, usize)> {
        let ids = self.by_first.get(words.low(&toks[i]))?;
        ids.iter().copied().find_map(|id| {
            let term = &self.terms[id].0;
            (i + term.len() <= toks.len()
                && term.iter().zip(&toks[i..]).all(|(w, t)| w == words.low(t)))
            .then_some((id, term.len()))
        })
    }

    /// The hint for term `id`, found as `excerpt`.
    pub(super) fn hint(&self, id: usize, excerpt: String) -> Hint {
        let message = match self.terms[id].1.plain.as_deref() {
            Some(plain) if !plain.trim().is_empty() => {
                format!("Vaktaal: '{excerpt}'. Schrijf liever: '{}'.", plain.trim())
            }
            _ => format!(
                "Vaktaal: '{excerpt}'. Gebruik een gewoner woord, of leg uit wat het betekent."
            ),
        };
        Hint {
            kind: HintKind::Jargon,
            excerpt,
            message,
        }
    }
}
