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
//!
//! The words become clauses in `clauses.rs`; this file runs the query and
//! makes the hits (snippets: `snippet.rs`).

use std::collections::HashMap;

use tantivy::TantivyDocument;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;

use super::analysis::{self, tokens};
use super::clauses::term;
use super::snippet::Highlighter;
use super::words::{compound_joins, separable_verbs};
use super::{SearchIndex, index_error, stage_name};
use crate::domain::Stage;
use crate::error::{Error, Result};

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
}
