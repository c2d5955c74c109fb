//! Dutch word forms a query's words may take in the content: separable
//! verbs ("vraag ... aan" → `aanvraag`), compounds joined ("afval pas" →
//! `afvalpas`) and split ("parkeervergunning" → `parkeer` + `vergunning`),
//! and the edit distance that ranks spelling suggestions.

use super::analysis::{self, tokens};
use super::query::MAX_WORDS;

/// Particles of Dutch separable verbs: "vraag ... aan" is "aanvragen",
/// "geef ... door" is "doorgeven".
const PARTICLES: &[&str] = &[
    "aan", "af", "door", "in", "mee", "om", "op", "over", "terug", "uit", "weg",
];

/// The stems of the separable verbs a sentence may split: every particle in
/// it joined to every other word ("hoe vraag ik een paspoort aan" gives
/// `aanvraag` among others), analysed like the index. Joins that are no word
/// match nothing, so they cost a few empty term lookups.
pub(super) fn separable_verbs(text: &str) -> Vec<String> {
    let mut plain = analysis::plain();
    let words = tokens(&mut plain, text);
    let particles: Vec<&String> = words
        .iter()
        .filter(|w| PARTICLES.contains(&String::as_str(w)))
        .collect();
    if particles.is_empty() {
        return Vec::new();
    }
    let mut dutch = analysis::dutch();
    let mut out = Vec::new();
    for w in words.iter().take(MAX_WORDS) {
        if w.len() < 3 || PARTICLES.contains(&String::as_str(w)) || analysis::is_stop_word(w) {
            continue;
        }
        for p in &particles {
            for t in tokens(&mut dutch, &format!("{p}{w}")) {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Neighbouring words joined, as the content may write them: "afval pas"
/// also searches `afvalpas`, "bestemming plan" `bestemmingsplan`. Analysed
/// like the index; joins that are no word in it match nothing.
pub(super) fn compound_joins(plain_words: &[String]) -> Vec<String> {
    let mut dutch = analysis::dutch();
    let mut out = Vec::new();
    for pair in plain_words.windows(2).take(MAX_WORDS) {
        let (a, b) = (&pair[0], &pair[1]);
        if analysis::is_stop_word(a) || analysis::is_stop_word(b) || a.len() < 3 || b.len() < 3 {
            continue;
        }
        for joined in [format!("{a}{b}"), format!("{a}s{b}")] {
            for t in tokens(&mut dutch, &joined) {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Ways to split a long word into two parts of at least four letters, the
/// left part also without a linking `s` or `e` ("bestemmingsplan" gives
/// ("bestemming", "plan")), longest right part first.
pub(super) fn compound_splits(word: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    for k in 4..chars.len().saturating_sub(3) {
        let left: String = chars[..k].iter().collect();
        let right: String = chars[k..].iter().collect();
        out.push((left.clone(), right.clone()));
        if let Some(stripped) = left.strip_suffix(['s', 'e'])
            && stripped.chars().count() >= 4
        {
            out.push((stripped.to_string(), right));
        }
    }
    out
}

/// Levenshtein distance over characters, with adjacent transpositions
/// counted as one edit ("paspoort" ~ "pasproot").
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// How much of what a citizen asked an item's text covers, from 0 to 1: the
/// share of the question's words (stemmed, stop words left out) that occur
/// in the text as a word, inside a compound (`hond` in `hondenbelasting`),
/// or with one typo in a word of five letters or more. The chatbot answer
/// uses it beside the search score, which says which item is best but not
/// whether it is good.
pub fn coverage(question: &str, text: &str, english: bool) -> f32 {
    let mut analyzer = if english {
        analysis::english()
    } else {
        analysis::dutch()
    };
    let asked = tokens(&mut analyzer, question);
    if asked.is_empty() {
        return 0.0;
    }
    let mut written = tokens(&mut analyzer, text);
    written.sort();
    written.dedup();
    let covered = asked
        .iter()
        .filter(|a| {
            written.binary_search(a).is_ok()
                || written.iter().any(|w| {
                    (a.len() >= 4 && w.len() > a.len() && w.contains(a.as_str()))
                        || (a.len() >= 5
                            && w.len().abs_diff(a.len()) <= 1
                            && edit_distance(a, w) <= 1)
                })
        })
        .count();
    covered as f32 / asked.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("paspoord", "paspoort"), 1);
        assert_eq!(edit_distance("papsoort", "paspoort"), 1);
        assert_eq!(edit_distance("pasproot", "paspoort"), 2);
        assert_eq!(edit_distance("verhuising", "verhuizing"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn coverage_counts_words_compounds_and_typos() {
        let text = "Wat moet ik doen als mijn paspoort kwijt is? Hondenbelasting betalen.";
        assert_eq!(super::coverage("paspoort kwijt", text, false), 1.0);
        assert_eq!(super::coverage("paspoord kwijt", text, false), 1.0);
        assert_eq!(super::coverage("hond", text, false), 1.0);
        assert_eq!(super::coverage("bibliotheek open", text, false), 0.0);
        assert_eq!(super::coverage("de het een", text, false), 0.0);
    }
}
