//! The clauses a query's words become: per word the best of the fields it
//! occurs in, fuzzy matches for unknown words, separable-verb joins,
//! compound splits, synonyms, and a bonus for names holding every word.

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::analysis::{self, tokens};
use super::words::compound_splits;
use super::{SearchIndex, index_error};
use crate::error::Result;

/// Optional clauses of a boolean query.
pub(super) type Clauses = Vec<(Occur, Box<dyn Query>)>;

impl SearchIndex {
    /// The query for the words. Each word is one clause: the best of the
    /// fields it occurs in (plus a fifth of the others), so an item ranks by
    /// how many of the words it has and where, not by how often one word
    /// repeats across sections. A word no document has is taken for a typo
    /// and matched fuzzily in the fields that name items. Synonyms and
    /// separable-verb joins are clauses of their own at lower weight, and an
    /// item whose name holds every word gets a bonus. Also returns the terms
    /// to highlight.
    pub(super) fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        words: &[String],
        plain_words: &[String],
        joined: &[String],
        internal: bool,
        english: bool,
    ) -> Result<(Clauses, HashMap<String, f32>)> {
        let mut highlight = HashMap::new();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let visible: Vec<(Field, f32, bool)> = self
            .fields
            .groups
            .iter()
            .filter(|(_, _, is_internal, _, en)| (internal || !is_internal) && *en == english)
            .map(|(f, w, _, names, _)| (*f, *w, *names))
            .collect();
        let known = |word: &str| -> Result<bool> {
            for (field, _, _) in &visible {
                if searcher
                    .doc_freq(&Term::from_field_text(*field, word))
                    .map_err(index_error)?
                    > 0
                {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        let best_of = |parts: Vec<Box<dyn Query>>| -> Box<dyn Query> {
            Box::new(DisjunctionMaxQuery::with_tie_breaker(parts, 0.2))
        };
        let mut seen = HashSet::new();
        for word in words {
            if !seen.insert(word.clone()) {
                continue;
            }
            highlight.insert(word.clone(), 1.0);
            let mut parts: Vec<Box<dyn Query>> = visible
                .iter()
                .map(|(field, weight, _)| boosted(term(*field, word), *weight))
                .collect();
            let len = word.chars().count();
            if len >= 5 && !known(word)? {
                let distance = if len >= 9 { 2 } else { 1 };
                for (field, weight, names) in &visible {
                    if *names {
                        let fuzzy = FuzzyTermQuery::new(
                            Term::from_field_text(*field, word),
                            distance,
                            true,
                        );
                        parts.push(boosted(Box::new(fuzzy), weight * 0.6));
                    }
                }
            }
            should.push((Occur::Should, best_of(parts)));
        }
        for word in joined.iter().filter(|w| !seen.contains(*w)) {
            if !known(word)? {
                continue;
            }
            highlight.insert(word.clone(), 0.7);
            let parts = visible
                .iter()
                .map(|(field, weight, _)| boosted(term(*field, word), weight * 0.7))
                .collect();
            should.push((Occur::Should, best_of(parts)));
        }
        // A compound the content writes as one word and the query does not
        // come from `joined`; one the query writes as one word and the
        // content splits ("parkeervergunning" ~ "vergunning om te parkeren")
        // is split here into parts the index knows.
        let mut dutch = analysis::dutch();
        let compounds: &[String] = if english { &[] } else { plain_words };
        for word in compounds.iter().filter(|w| w.chars().count() >= 8) {
            for (left, right) in compound_splits(word) {
                let l = tokens(&mut dutch, &left);
                let r = tokens(&mut dutch, &right);
                let (Some(l), Some(r)) = (l.first(), r.first()) else {
                    continue;
                };
                if !known(l)? || !known(r)? {
                    continue;
                }
                highlight.insert(l.clone(), 0.6);
                highlight.insert(r.clone(), 0.6);
                let parts = visible
                    .iter()
                    .map(|(field, weight, _)| {
                        let both = BooleanQuery::new(vec![
                            (Occur::Must, term(*field, l)),
                            (Occur::Must, term(*field, r)),
                        ]);
                        boosted(Box::new(both), weight * 0.6)
                    })
                    .collect();
                should.push((Occur::Should, best_of(parts)));
                break;
            }
        }
        let synonyms = if english {
            Vec::new()
        } else {
            self.synonyms.expand(words)
        };
        for synonym in synonyms {
            for w in &synonym {
                highlight.insert(w.clone(), 0.8);
            }
            let parts = visible
                .iter()
                .map(|(field, weight, _)| {
                    let q: Box<dyn Query> = if synonym.len() == 1 {
                        term(*field, &synonym[0])
                    } else {
                        Box::new(BooleanQuery::new(
                            synonym
                                .iter()
                                .map(|w| (Occur::Must, term(*field, w)))
                                .collect(),
                        ))
                    };
                    boosted(q, weight * 0.8)
                })
                .collect();
            should.push((Occur::Should, best_of(parts)));
        }
        // Every word in an item's name (title, question): the strongest sign.
        let unique: Vec<&String> = words
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if unique.len() >= 2 {
            let heaviest = visible.iter().map(|v| v.1).fold(0.0f32, f32::max);
            let parts: Vec<Box<dyn Query>> = visible
                .iter()
                .filter(|(_, weight, _)| *weight >= heaviest)
                .map(|(field, weight, _)| {
                    let all = BooleanQuery::new(
                        unique
                            .iter()
                            .map(|w| (Occur::Must, term(*field, w)))
                            .collect(),
                    );
                    boosted(Box::new(all), *weight)
                })
                .collect();
            if !parts.is_empty() {
                should.push((Occur::Should, best_of(parts)));
            }
        }
        Ok((should, highlight))
    }
}

pub(super) fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

pub(super) fn boosted(q: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, weight))
}
