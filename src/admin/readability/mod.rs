//! Readability hints for the Dutch text municipal editors write, shown next
//! to every text and Markdown field of the editor: a Flesch-Douma score with
//! a rough B1 indication, and hints for long sentences, long words, passive
//! voice and jargon from an editable list. See `docs/readability.md`.
//!
//! Pure: no I/O, one walk over the Markdown events and one over each
//! block's text, so the cost grows linearly with the text (20,000
//! characters of Markdown took 0.4–0.9 ms in a release build on a small
//! shared machine; a list of 200 jargon terms adds about 0.2 ms, most of it
//! for reading the list).
//!
//! # What is counted
//!
//! The Markdown is read with pulldown-cmark, walking the text a reader sees
//! (not [`crate::render::plain::to_text`], which writes link addresses and
//! list numbers into the text and joins the blocks whose boundaries this
//! needs). Link texts and inline code count, link addresses and Markdown
//! syntax do not; code blocks, raw HTML and image descriptions are left out.
//!
//! - **Sentences** end at `.`, `!`, `?` or `…` (closing quotes and brackets
//!   after it allowed), and at the end of every block: a paragraph, a
//!   heading, a list item, a table cell, a quote, a hard line break. A
//!   heading or list item without a full stop is one sentence. A full stop
//!   after an abbreviation does not end a sentence: after a title (`dhr.`,
//!   `mevr.`, `mr.`, `dr.`, …) or an initial (a capital other than `U`:
//!   `J.`) never, after other
//!   abbreviations (`bijv.`, `enz.`, `o.a.`, `d.w.z.`, `jan.`, …) only when
//!   the next word starts with a capital.
//! - **Words** are runs of characters between spaces that hold a letter or
//!   digit; stray punctuation (`–`, `€`, `•`) is not a word. A hyphenated
//!   word (`AOW-uitkering`) is one word.
//! - **Syllables** ([`syllables`](fn@syllables)): each group of vowels
//!   counts once (`a e i o u y`, with accents), `ij` is a vowel, and `u`
//!   after `q` is not. So `aa ee oo uu ie oe eu ui ij ei ou au ieu eeu
//!   oei aai ooi` are one syllable each. A group is split where Dutch
//!   spelling marks or implies a boundary: before a diaeresis (`ru-ï-ne`,
//!   `ge-üp-load`), after `ij` (`bij-een`), `u` before `a e o`
//!   (`si-tu-a-tie`, `ac-tu-eel`), `i` before `a o u`
//!   or `ee` (`so-ci-aal`, `fi-nan-ci-eel`), `e` before `a o` but not in
//!   `eau` (`be-ant-woor-den`, `be-oor-de-len`, `bu-reau`), and before the
//!   `e` of a vowel group that ends in `ie` (`draai-en`, `koei-en`). Every
//!   word has at least one syllable. Known misses: English words with a
//!   silent `e` (`website`, `online`: 3, spoken 2), abbreviations spelled out
//!   letter by letter (`BSN`: 1, spoken 3), and English vowel pairs (`team`:
//!   2).
//! - **Numbers** (`88,65`, `2026`, `12-03-2026`) are one word of one
//!   syllable; **placeholders** (`{{fact:tarief}}`, `{{ zaak.nummer }}`) and
//!   **web and e-mail addresses** (`www.lindewaard.nl`, `info@lindewaard.nl`,
//!   `mijnoverheid.nl`) one word of two syllables, whatever they hold.
//!
//! # Score and level
//!
//! Flesch-Douma, the Dutch adaptation of Flesch Reading Ease:
//! `206.835 − 0.93 × (words / sentences) − 77 × (syllables / words)`. Higher
//! is easier; the value is not clamped to 0–100. It is given only from
//! [`MIN_WORDS_FOR_SCORE`] (10) words: on a title or a one-line answer, one
//! long word moves the score by tens of points, so shorter texts get
//! [`Level::TooShort`] and only the hints.
//!
//! | score            | [`Level`]                      |
//! |------------------|--------------------------------|
//! | ≥ 60             | [`Level::Easy`]: about B1      |
//! | 40 to below 60   | [`Level::Fair`]                |
//! | below 40         | [`Level::Hard`]: above B1      |
//!
//! The mapping is our own choice, an indication for editors: a formula of
//! word and sentence lengths does not measure language level B1, which is
//! also about familiar words, structure and tone.
//!
//! # Hints
//!
//! In text order, at most [`MAX_HINTS_PER_KIND`] (20) per kind; the rest are
//! counted in [`Report::omitted`].
//!
//! - [`HintKind::LongSentence`]: more than [`MAX_SENTENCE_WORDS`] (20)
//!   words; the excerpt is the first 8 words and ` …`.
//! - [`HintKind::LongWord`]: [`LONG_WORD_SYLLABLES`] (7) or more syllables,
//!   or more than [`LONG_WORD_LETTERS`] (17) letters. Set against the
//!   example content: common long words stay quiet (`identiteitsbewijs` and
//!   `parkeervergunning` have 17 letters, `nationaliteit` 6 syllables),
//!   compounds such as `uitvaartondernemer` and `gezondheidsverklaring` are
//!   reported. Numbers, addresses, placeholders and code-like words (with a
//!   digit or `_`: `has_private_parking`) are never long, nor are the
//!   official names in [`LONG_WORDS_ALLOWED`]. Each distinct word
//!   (ignoring case) once; the excerpt is the word (cut at 40 characters).
//! - [`HintKind::Passive`]: a form of *worden* (`word`, `wordt`, `worden`,
//!   `werd`, `werden`, `geworden`) and a past participle in the same
//!   sentence, or a form of *zijn* (`is`, `zijn`, `was`, `waren`, `ben`,
//!   `bent`, `geweest`), a participle and `door` ("is door ons verwerkt").
//!   A participle is a word of 5 or more letters that either starts with
//!   `ge` (also after a separable part: `aangevraagd`, `teruggestort`) and
//!   ends in `d`, `t`, `en` or `aan`, or starts with `be`, `ver`, `ont`,
//!   `her` or `er` and ends in `d`, or in `t` after a consonant of
//!   't kofschip (`verwerkt`, but not the present tense `betaalt`). Common
//!   words that look like one are excluded (`gemeenten`, `gebied`, `geldt`,
//!   `geboren`, `bewust`, `herfst`, and endings such as `heid`, `bericht`,
//!   `besluit`, `schrift`, `recht`, `raad`, `tijd`). One hint per sentence;
//!   the excerpt runs from the *worden* form to the nearest participle (the
//!   two words with ` … ` between when they are 8 or more words apart).
//!   False positives: *worden* as a linking verb ("als u 18 wordt", "lid
//!   worden") with an unrelated participle in the sentence; a present tense
//!   or noun that looks like a participle (`verloopt`, `gemiddeld`).
//!   Missed: *zijn*-passives without `door` ("uw aanvraag is goedgekeurd"),
//!   strong participles after `be`/`ver`/`ont` (`verzonden`, `ontvangen`:
//!   they look like infinitives), participles with other prefixes
//!   (`aanbevolen`), and a passive spread over two sentences.
//! - [`HintKind::Jargon`]: a term of the caller's [`Jargon`] list, matched
//!   ignoring case and punctuation around words, as a whole word or phrase
//!   (`leges` does not match `legeskosten`; inflections need their own
//!   entry). The longest term at a place wins; each term once.

mod analysis;
mod passive;
mod syllables;
mod text;
mod words;

#[cfg(test)]
mod tests;

pub use syllables::syllables;

use analysis::Analysis;
use words::JargonIndex;

/// Fewer words than this get no score and [`Level::TooShort`].
pub const MIN_WORDS_FOR_SCORE: usize = 10;
/// A score at or above this is [`Level::Easy`].
pub const EASY_FROM: f64 = 60.0;
/// A score at or above this (and below [`EASY_FROM`]) is [`Level::Fair`].
pub const FAIR_FROM: f64 = 40.0;
/// A sentence of more words than this gets a [`HintKind::LongSentence`].
pub const MAX_SENTENCE_WORDS: usize = 20;
/// A word of this many syllables or more is long.
pub const LONG_WORD_SYLLABLES: usize = 7;
/// A word of more letters than this is long.
pub const LONG_WORD_LETTERS: usize = 17;
/// Hints of one kind beyond this many are counted, not listed.
pub const MAX_HINTS_PER_KIND: usize = 20;
/// Official names citizens meet on their documents and elsewhere, never
/// reported as long words (lower case).
pub const LONG_WORDS_ALLOWED: &[&str] = &[
    "burgerservicenummer",
    "omgevingsvergunning",
    "kinderopvangtoeslag",
];
/// What the editor shows editors about these hints, in Dutch.
pub const EDITOR_EXPLANATION: &str = "Deze tips helpen u tekst te schrijven die de meeste \
inwoners begrijpen (taalniveau B1). De score telt hoe lang uw zinnen en woorden zijn: hoe \
hoger, hoe makkelijker. Vanaf 60 is de tekst meestal goed te lezen. De score is een \
schatting, geen meting: lees uw tekst ook zelf hardop. U ziet een tip bij zinnen van meer \
dan 20 woorden, bij lange woorden, bij de lijdende vorm ('wordt behandeld') en bij \
vaktaal. Een tip is geen fout: u beslist zelf.";

/// Words of the excerpt of a long sentence; a passive whose two words are
/// this many or more apart is shown as just those two.
const EXCERPT_WORDS: usize = 8;

/// One entry of the editable jargon list: a term (a word or a phrase) and,
/// when known, a plainer way to say it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Jargon {
    pub term: String,
    pub plain: Option<String>,
}

/// What [`analyse`] finds in one field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    pub words: usize,
    pub sentences: usize,
    pub syllables: usize,
    /// Flesch-Douma, from [`MIN_WORDS_FOR_SCORE`] words; not clamped.
    pub flesch_douma: Option<f64>,
    pub level: Level,
    /// At most [`MAX_HINTS_PER_KIND`] per kind, in text order.
    pub hints: Vec<Hint>,
    /// Hints left out because their kind reached [`MAX_HINTS_PER_KIND`].
    pub omitted: usize,
}

/// A B1 indication derived from the score (see the module documentation):
/// an indication, not a measurement of language level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Level {
    /// Score 60 or more: about B1 or easier.
    Easy,
    /// Score 40 to below 60.
    Fair,
    /// Score below 40: above B1.
    Hard,
    /// Fewer than [`MIN_WORDS_FOR_SCORE`] words: no score.
    TooShort,
}

impl Level {
    /// The level of a score; `None` is [`Level::TooShort`].
    pub fn from_score(score: Option<f64>) -> Level {
        match score {
            None => Level::TooShort,
            Some(s) if s >= EASY_FROM => Level::Easy,
            Some(s) if s >= FAIR_FROM => Level::Fair,
            Some(_) => Level::Hard,
        }
    }

    /// The level in plain Dutch, for editors.
    pub fn label(self) -> &'static str {
        match self {
            Level::Easy => "Goed te lezen (ongeveer taalniveau B1)",
            Level::Fair => "Redelijk te lezen, het kan eenvoudiger",
            Level::Hard => "Moeilijk te lezen (boven taalniveau B1)",
            Level::TooShort => "Te kort voor een score",
        }
    }
}

/// One hint: where (an excerpt of the text as written) and what to do, in
/// plain Dutch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hint {
    pub kind: HintKind,
    pub excerpt: String,
    pub message: String,
}

/// What a [`Hint`] is about; the rules are in the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum HintKind {
    /// A sentence of more than [`MAX_SENTENCE_WORDS`] words.
    LongSentence,
    /// A word of [`LONG_WORD_SYLLABLES`] syllables or more than
    /// [`LONG_WORD_LETTERS`] letters.
    LongWord,
    /// Probably the passive voice.
    Passive,
    /// A term of the jargon list.
    Jargon,
}

impl HintKind {
    /// The kind in plain Dutch, for a heading or a badge.
    pub fn label(self) -> &'static str {
        match self {
            HintKind::LongSentence => "Lange zin",
            HintKind::LongWord => "Lang woord",
            HintKind::Passive => "Lijdende vorm",
            HintKind::Jargon => "Vaktaal",
        }
    }
}

/// Readability of `markdown` (CommonMark, with tables), with hints for the
/// terms of `jargon` it uses. Never fails: empty text is [`Level::TooShort`].
pub fn analyse(markdown: &str, jargon: &[Jargon]) -> Report {
    let index = JargonIndex::new(jargon);
    let mut a = Analysis::new(&index);
    text::blocks(markdown, |block| a.block(block));
    a.finish()
}
