//! The running count of one [`super::analyse`] call: words, sentences and
//! syllables summed block by block, the hints of each sentence in text
//! order (each long word and jargon term once, at most
//! [`MAX_HINTS_PER_KIND`] per kind), and the Flesch-Douma score at the end.
//! The long-sentence hint is made here; passives, long words and jargon are
//! found by their own modules.

use std::collections::{HashMap, HashSet};

use super::text::{Token, Words, collapse};
use super::words::{self, JargonIndex};
use super::{
    EXCERPT_WORDS, Hint, HintKind, Level, MAX_HINTS_PER_KIND, MAX_SENTENCE_WORDS,
    MIN_WORDS_FOR_SCORE, Report, passive,
};

pub(super) struct Analysis<'a> {
    jargon: &'a JargonIndex<'a>,
    words: usize,
    sentences: usize,
    syllables: usize,
    hints: Vec<Hint>,
    per_kind: HashMap<HintKind, usize>,
    omitted: usize,
    long_seen: HashSet<String>,
    jargon_seen: Vec<bool>,
    /// The words of the current block, reused from block to block.
    read: Words,
}

impl<'a> Analysis<'a> {
    pub(super) fn new(jargon: &'a JargonIndex<'a>) -> Self {
        Analysis {
            jargon,
            words: 0,
            sentences: 0,
            syllables: 0,
            hints: Vec::new(),
            per_kind: HashMap::new(),
            omitted: 0,
            long_seen: HashSet::new(),
            jargon_seen: vec![false; jargon.count()],
            read: Words::default(),
        }
    }

    /// One block of text (a paragraph, heading, list item, cell): its
    /// words, split into sentences.
    pub(super) fn block(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let mut read = std::mem::take(&mut self.read);
        read.read(text);
        for toks in read.sentences() {
            self.sentence(text, &read, toks);
        }
        self.read = read;
    }

    fn room(&mut self, kind: HintKind) -> bool {
        let n = self.per_kind.entry(kind).or_insert(0);
        if *n < MAX_HINTS_PER_KIND {
            *n += 1;
            true
        } else {
            self.omitted += 1;
            false
        }
    }

    /// One sentence, `toks` of the words `read` of the block `text`.
    fn sentence(&mut self, text: &str, read: &Words, toks: &[Token]) {
        if toks.is_empty() {
            return;
        }
        self.words += toks.len();
        self.sentences += 1;
        self.syllables += toks.iter().map(|t| t.syllables).sum::<usize>();

        if toks.len() > MAX_SENTENCE_WORDS && self.room(HintKind::LongSentence) {
            let shown = toks.len().min(EXCERPT_WORDS);
            let mut excerpt = collapse(&text[toks[0].start..toks[shown - 1].end]);
            if toks.len() > shown {
                excerpt.push_str(" …");
            }
            let message = format!(
                "Deze zin heeft {} woorden. Probeer zinnen van hoogstens {MAX_SENTENCE_WORDS} woorden.",
                toks.len()
            );
            self.hints.push(Hint {
                kind: HintKind::LongSentence,
                excerpt,
                message,
            });
        }

        if let Some(found) = passive::find(read, toks)
            && self.room(HintKind::Passive)
        {
            self.hints.push(passive::hint(text, toks, found));
        }

        for t in toks {
            let low = read.low(t);
            let Some(letters) = words::long_word(text, t, low) else {
                continue;
            };
            if self.long_seen.contains(low) {
                continue;
            }
            self.long_seen.insert(low.to_string());
            if self.room(HintKind::LongWord) {
                self.hints.push(words::long_word_hint(text, t, letters));
            }
        }

        let mut i = 0;
        while i < toks.len() {
            let Some((id, len)) = self.jargon.at(read, toks, i) else {
                i += 1;
                continue;
            };
            if !self.jargon_seen[id] {
                self.jargon_seen[id] = true;
                if self.room(HintKind::Jargon) {
                    let excerpt = collapse(&text[toks[i].start..toks[i + len - 1].end]);
                    self.hints.push(self.jargon.hint(id, excerpt));
                }
            }
            i += len;
        }
    }

    pub(super) fn finish(self) -> Report {
        let flesch_douma = (self.words >= MIN_WORDS_FOR_SCORE && self.sentences > 0).then(|| {
            let words = self.words as f64;
            206.835
                - 0.93 * (words / self.sentences as f64)
                - 77.0 * (self.syllables as f64 / words)
        });
        Report {
            words: self.words,
            sentences: self.sentences,
            syllables: self.syllables,
            flesch_douma,
            level: Level::from_score(flesch_douma),
            hints: self.hints,
            omitted: self.omitted,
        }
    }
}
