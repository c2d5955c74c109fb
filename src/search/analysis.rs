//! Dutch text analysis, the same for indexing and for queries: words split
//! on anything that is not a letter or digit, lower-cased, diacritics folded
//! (`financiële` → `financiele`), stop words dropped, Snowball's Dutch stemmer
//! (`aanvragen`, `aanvraag` → `aanvrag`).
//!
//! The stop list is our own and short on purpose: only words that carry no
//! meaning in a question to a municipality. `niet`, `geen`, `u` and `uw`
//! stay searchable ("geen paspoort", "uw rijbewijs"): with BM25 a frequent
//! word weighs little anyway, and a negation can matter.

use std::sync::LazyLock;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
};

/// The names the analyzers are registered under in the index.
pub const DUTCH: &str = "bron_nl";
pub const PLAIN: &str = "bron_plain";
pub const ENGLISH: &str = "bron_en";

const STOP_WORDS: &[&str] = &[
    "aan", "al", "als", "bij", "dan", "dat", "de", "der", "des", "deze", "die", "dit", "doe",
    "doen", "door", "dus", "een", "en", "er", "hem", "het", "hij", "hoe", "hun", "ik", "in", "is",
    "je", "jij", "jou", "jouw", "kan", "kun", "kunnen", "me", "mij", "mijn", "moet", "moeten",
    "na", "naar", "nu", "of", "om", "onder", "ons", "onze", "ook", "op", "over", "te", "tot",
    "uit", "van", "voor", "waar", "wanneer", "wat", "we", "wel", "welk", "welke", "wie", "wij",
    "wil", "wordt", "worden", "ze", "zij", "zich", "zijn", "zo", "zou",
];

/// The analyzer used for every searchable text field and for queries.
pub fn dutch() -> TextAnalyzer {
    DUTCH_ANALYZER.clone()
}

// Each analyzer is built once (its stop list is a hash set) and cloned for
// use: a clone shares the list.
static DUTCH_ANALYZER: LazyLock<TextAnalyzer> =
    LazyLock::new(|| stemmed(STOP_WORDS, Language::Dutch));

/// Words split, lower-cased and folded, these stop words dropped, stemmed.
fn stemmed(stop_words: &[&str], language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            stop_words.iter().map(|w| w.to_string()),
        ))
        .filter(Stemmer::new(language))
        .build()
}

/// English function words, for items in locale `en`.
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "for", "from", "how", "i", "if",
    "in", "is", "it", "my", "of", "on", "or", "the", "to", "what", "when", "where", "with",
];

/// The analyzer for items in English (`en`): the same steps with English
/// stop words and Snowball's English stemmer.
pub fn english() -> TextAnalyzer {
    ENGLISH_ANALYZER.clone()
}

static ENGLISH_ANALYZER: LazyLock<TextAnalyzer> =
    LazyLock::new(|| stemmed(ENGLISH_STOP_WORDS, Language::English));

/// The analyzer without stemming and stop words: lower-cased, folded words,
/// for spelling suggestions and prefixes (what a citizen typed, as typed).
pub fn plain() -> TextAnalyzer {
    PLAIN_ANALYZER.clone()
}

static PLAIN_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
});

/// The tokens `analyzer` makes of `text`, in order.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Whether `word` (lower-cased) is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_words_are_folded_and_stemmed_alike() {
        let mut a = dutch();
        let mut asked = tokens(&mut a, "Hoe vraag ik een PASPOORT aan?");
        let mut written = tokens(&mut a, "paspoorten vragen");
        asked.sort();
        written.sort();
        assert_eq!(asked, written);
        assert_eq!(tokens(&mut a, "financiële"), tokens(&mut a, "financiele"));
        assert_eq!(tokens(&mut a, "geen uw niet").len(), 3);
        let mut e = english();
        assert_eq!(
            tokens(&mut e, "Applying for passports"),
            tokens(&mut e, "apply passport")
        );
        assert!(tokens(&mut a, "de het een").is_empty());
    }
}
