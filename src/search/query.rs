//! From what a citizen types to a ranked page of hits. No query language:
//! the text is analysed like the index (so `"`, `:`, `*`, `(` are just
//! separators and can never be a syntax error), each word is looked for in
//! every searchable field the caller may see, weighted as the model says,
//! and BM25 adds it up, so an item matching more of the words ranks higher.
//! On top of that:
//! - synonyms from `content-model/synonyms.txt` widen a word (or a few words)
//!   to its group, read at start-up, applied at query time (no reindex);
//! - a word of five letters or more that no item has is taken for a typo
//!   and matched with one edit (nine or more: two) in the fields that name
//!   an item;
//! - separable verbs and compounds (`words.rs`) add the word forms the
//!   content may use;
//! - a word that no item uses gets a spelling suggestion (`suggest.rs`).

use std::collections::{HashMap, HashSet};

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::analysis::{self, tokens};
use super::snippet::Highlighter;
use super::words::{compound_joins, compound_splits, separable_verbs};
use super::{SearchIndex, index_error, stage_name};
use crate::domain::Stage;
use crate::error::{Error, Result};

/// Optional clauses of a boolean query.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Words of a query beyond this many are ignored.
pub(super) const MAX_WORDS: usize = 24;
/// Bytes of a snippet (at most; it is cut between words).
const SNIPPET_BYTES: usize = 200;

/// A search as the hub asks it: the caller's rights are already applied
/// (`stage`, `internal`).
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    pub stage: Stage,
    /// Whether internal fields may match and show in snippets.
    pub internal: bool,
    pub types: Vec<String>,
    pub locale: Option<String>,
    pub audience: Vec<String>,
    pub themes: Vec<String>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    pub type_name: String,
    pub score: f32,
    /// HTML: the matched words in `<mark>`, everything else escaped.
    pub snippet: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// (type, count) and (theme, count) over all matches, largest first.
    pub types: Vec<(String, u64)>,
    pub themes: Vec<(String, u64)>,
    /// A better spelling of the query, when it found nothing.
    pub suggestion: Option<String>,
}

impl SearchIndex {
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        if req.text.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::BadInput(format!(
                "a search is at most {MAX_QUERY_CHARS} characters"
            )));
        }
        // Dutch items are searched with the Dutch analysis (and synonyms,
        // separable verbs, compounds), English ones with the English; a
        // search in every locale asks both.
        let languages: &[bool] = match req.locale.as_deref() {
            Some(l) if super::is_english(l) => &[true],
            Some(_) => &[false],
            None => &[false, true],
        };
        let plain_words = tokens(&mut analysis::plain(), &req.text);
        let searcher = self.reader.searcher();
        let mut should = Vec::new();
        let mut highlight = HashMap::new();
        for &english in languages {
            let mut analyzer = if english {
                analysis::english()
            } else {
                analysis::dutch()
            };
            let mut words = tokens(&mut analyzer, &req.text);
            words.truncate(MAX_WORDS);
            if words.is_empty() {
                continue;
            }
            let joined = if english {
                Vec::new()
            } else {
                let mut j = separable_verbs(&req.text);
                j.extend(compound_joins(&plain_words));
                j
            };
            let (clauses, marks) = self.text_query(
                &searcher,
                &words,
                &plain_words,
                &joined,
                req.internal,
                english,
            )?;
            should.extend(clauses);
            highlight.extend(marks);
        }
        if should.is_empty() {
            return Ok(SearchResults::default());
        }
        let text_query: Box<dyn Query> = Box::new(BooleanQuery::new(should));
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text_query),
            (Occur::Must, term(self.fields.stage, stage_name(req.stage))),
        ];
        if let Some(l) = &req.locale {
            must.push((Occur::Must, term(self.fields.locale, l)));
        }
        for (field, values) in [
            (self.fields.type_name, &req.types),
            (self.fields.audience, &req.audience),
            (self.fields.theme, &req.themes),
        ] {
            if !values.is_empty() {
                let any: Vec<(Occur, Box<dyn Query>)> = values
                    .iter()
                    .map(|v| (Occur::Should, term(field, v)))
                    .collect();
                must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        let query = BooleanQuery::new(must);

        let mut facets = FacetCollector::for_field("facet");
        facets.add_facet("/type");
        facets.add_facet("/theme");
        // Each hit's score times its type's boost (a fast field per document).
        let top = TopDocs::with_limit(req.limit.max(1))
            .and_offset(req.offset)
            .tweak_score(move |segment: &tantivy::SegmentReader| {
                let boost = segment
                    .fast_fields()
                    .u64("boost")
                    .ok()
                    .map(|c| c.first_or_default_col(100));
                move |doc: tantivy::DocId, score: tantivy::Score| match &boost {
                    Some(col) => score * col.get_val(doc) as f32 / 100.0,
                    None => score,
                }
            });
        let (top, total, facet_counts) = searcher
            .search(&query, &(top, Count, facets))
            .map_err(index_error)?;

        let stemmers = languages
            .iter()
            .map(|&english| {
                if english {
                    analysis::english()
                } else {
                    analysis::dutch()
                }
            })
            .collect();
        let mut highlighter = Highlighter::new(highlight, analysis::plain(), stemmers);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(req.limit) {
            let doc: TantivyDocument = searcher.doc(address).map_err(index_error)?;
            let text_of = |f| {
                doc.get_first(f)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
            };
            // The index stores the first part of an item's text (name, short
            // answer, opening of the body), where a good passage is; agents
            // also see the first part of the internal text.
            let public = text_of(self.fields.public_text);
            let internal = text_of(self.fields.internal_text);
            let snippet = if req.internal && !internal.is_empty() {
                highlighter.snippet(&format!("{public}\n{internal}"), SNIPPET_BYTES)
            } else {
                highlighter.snippet(public, SNIPPET_BYTES)
            };
            hits.push(super::Hit {
                id: text_of(self.fields.id).to_string(),
                type_name: text_of(self.fields.type_name).to_string(),
                score,
                snippet,
            });
        }
        let counts = |prefix: &str| -> Vec<(String, u64)> {
            let mut v: Vec<(String, u64)> = facet_counts
                .get(prefix)
                .filter_map(|(facet, n)| facet.to_path().last().map(|last| (last.to_string(), n)))
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let suggestion = self.suggest_spelling(&req.text, req.stage)?;
        Ok(SearchResults {
            total,
            hits,
            types: counts("/type"),
            themes: counts("/theme"),
            suggestion,
        })
    }

    /// The query for the words. Each word is one clause: the best of the
    /// fields it occurs in (plus a fifth of the others), so an item ranks by
    /// how many of the words it has and where, not by how often one word
    /// repeats across sections. A word no document has is taken for a typo
    /// and matched fuzzily in the fields that name items. Synonyms and
    /// separable-verb joins are clauses of their own at lower weight, and an
    /// item whose name holds every word gets a bonus. Also returns the terms
    /// to highlight.
    fn text_query(
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
